// Package ztfake is a stand-in for the ZeroTier One service: an
// http.Handler that emulates a node's local JSON API (/status, /network,
// /peer) and, on a node given a controller, the embedded network
// controller (/controller/...). No ZeroTier package can be installed where
// fogctl is built and tested, so tests serve this over httptest on
// loopback instead.
//
// It is held to what a real zerotier-one 1.14.1 does, not only to the
// spec: REAL-BEHAVIOUR.md in the shared ZeroTier reference lists the
// measured differences (member lists as id-to-revision objects, 200 on
// create, 404 with an empty body, 401 with {}, loose typing that never
// answers 400 and silently drops bad routes and addresses, no automatic IP
// for members authorized through the API, deauthorization not pushed, ...)
// and each has a named test in this package.
//
// Every request it receives, and every answer it gives, is validated
// against ZeroTier's published OpenAPI description (spec/) with
// kin-openapi; violations are recorded, and Serve fails the test that made
// one unless the test takes them with TakeViolations. Where the published
// JSON and the newer main.tsp disagree about answers, main.tsp and the
// service's source win (correctAnswers in spec.go); where the real service
// breaks both, as REAL-BEHAVIOUR.md measured (404 with an empty body, 500
// for a malformed POST), ztfake answers as the real service does and
// realDeviations names the exception. Time is a clock the test controls (World.Now), so the
// 60 s configuration refresh needs no sleep.
//
// ztfake is test support: it never touches a real network interface and
// listens only where its caller serves it (loopback in tests).
package ztfake

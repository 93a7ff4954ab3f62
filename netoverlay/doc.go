// Package netoverlay is fogctl's client of the ZeroTier One local service
// JSON API (http://127.0.0.1:9993, header X-ZT1-Auth): node status, the
// networks a node has joined, and the embedded network controller's
// networks and members.
//
// It owns the auth token (the Token type prints as [redacted] everywhere),
// the validation of what fogctl sends (network and member ids, CIDRs, IPs
// inside a route) and the read-back after every change: the real controller
// answers 200 to fields it silently ignored, so a change is a success only
// when what was stored matches what was sent.
//
// The API has no compare-and-swap: AssignIP, RemoveIP, Authorize with an
// address, AddPool and RemovePool read, check and write back a whole list,
// so two at once lose one change. netoverlay does not serialise them; its
// caller does (fogctl net takes a host-wide per-network lock), and the
// read-back reports a change of another client only when it lands between
// the write and the read-back: one that lands between the read and the
// write is overwritten unseen.
//
// netoverlay never prints, never reads environment variables or flags, and
// knows nothing of cobra or terminals: it takes a *http.Client, a base URL,
// a Token and a context.Context.
//
// The client is written by hand rather than generated from the OpenAPI
// description: the published service-api-v1 JSON lacks the member POST
// and DELETE, network DELETE and random-id create routes fogctl needs and
// names one path template twice ({networkID} and {controllerID}); the
// newer main.tsp needs the TypeSpec compiler to become OpenAPI; and
// generated types make every field a pointer while the real service's
// quirks (id-to-revision member lists, 404 with an empty body, 200 for
// ignored fields) need hand-written handling anyway. The spec still binds
// the client: ztfake validates every request the test suite sends against
// it.
package netoverlay

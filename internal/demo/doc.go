// Package demo owns the built-in microservices of `fogctl demo`: an
// air-quality pipeline (two sensor readers, clean, aggregate, store,
// report) served as plain net/http JSON handlers on 127.0.0.1 with an
// ephemeral port, and the workflow file that runs it. The clean service
// answers its first call with 503 so the demo shows a retry.
//
// demo never prints and never listens beyond the loopback address.
package demo

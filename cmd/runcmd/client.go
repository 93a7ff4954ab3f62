package runcmd

import (
	"net/http"
	"sync"
)

// isZeroClient reports whether c is an http.Client with nothing set (the
// real Factory's), which a run can replace with runClient without losing
// a setting.
func isZeroClient(c *http.Client) bool {
	return c != nil && c.Transport == nil && c.Timeout == 0 && c.Jar == nil && c.CheckRedirect == nil
}

// runClient is the HTTP client of the runs of a fogctl process: one
// transport that keeps an idle connection per node of a layer run at once
// (http.DefaultTransport keeps two per host, and a 100-wide layer would
// dial again at every layer). Nothing closes it: the engine closing a
// thousand idle loopback connections at a run's end took 28 ms (measured
// here), for a process about to exit, which closes them anyway.
var runClient = sync.OnceValue(func() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 0
	t.MaxIdleConnsPerHost = 512
	return &http.Client{Transport: t}
})

package runcmd

import "net/http"

// isZeroClient reports whether c is an http.Client with nothing set (the
// real Factory's), which the engine can replace with its own per-run
// client without losing a setting.
func isZeroClient(c *http.Client) bool {
	return c != nil && c.Transport == nil && c.Timeout == 0 && c.Jar == nil && c.CheckRedirect == nil
}

package ztfake

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
)

// Node is one simulated zerotier-one service: an http.Handler for its
// local API, with an embedded controller when created with Controller.
type Node struct {
	w          *World
	address    string
	token      string
	identity   string
	joined     map[string]*joined
	ctrl       *controller // nil on a node that runs no controller
	noUnstable bool

	vmu        sync.Mutex
	violations []string
	requests   int
}

// Address is the node's 10-hex ZeroTier address (its member id).
func (n *Node) Address() string { return n.address }

// Token is the node's auth token, as in its authtoken.secret.
func (n *Node) Token() string { return n.token }

// TakeViolations returns the requests that broke the published spec since
// the last call, and forgets them. A test that sends such requests on
// purpose takes them and asserts they were seen.
func (n *Node) TakeViolations() []string {
	n.vmu.Lock()
	defer n.vmu.Unlock()
	v := n.violations
	n.violations = nil
	return v
}

// Requests counts the requests the node has received.
func (n *Node) Requests() int {
	n.vmu.Lock()
	defer n.vmu.Unlock()
	return n.requests
}

// ServeHTTP answers like zerotier-one 1.14.1, and records every request,
// and every answer, that breaks the published spec (TakeViolations).
func (n *Node) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	n.serveChecked(rw, r, n.answer)
}

// serveChecked reads a request, checks it against the spec, has answer
// write the answer into a recorder, checks that too, then sends it.
func (n *Node) serveChecked(rw http.ResponseWriter, r *http.Request, answer func(http.ResponseWriter, *http.Request, []byte)) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	in, verr := checkRequest(r, body)
	n.vmu.Lock()
	n.requests++
	n.vmu.Unlock()
	n.violation(verr)

	rec := &recorder{header: http.Header{}, code: http.StatusOK}
	answer(rec, r, body)
	if in != nil {
		n.violation(checkResponse(in, rec.code, rec.header, rec.body.Bytes()))
	}
	for k, v := range rec.header {
		rw.Header()[k] = v
	}
	rw.WriteHeader(rec.code)
	_, _ = rw.Write(rec.body.Bytes())
}

// violation records err, if any, as a break of the published spec.
func (n *Node) violation(err error) {
	if err == nil {
		return
	}
	n.vmu.Lock()
	defer n.vmu.Unlock()
	n.violations = append(n.violations, strings.Join(strings.Fields(err.Error()), " "))
}

// recorder holds an answer until it has been checked against the spec.
type recorder struct {
	header http.Header
	code   int
	body   bytes.Buffer
	wrote  bool
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.code, r.wrote = code, true
	}
}

func (r *recorder) Write(p []byte) (int, error) {
	r.wrote = true
	return r.body.Write(p)
}

// answer serves one request whose body has been read.
func (n *Node) answer(rw http.ResponseWriter, r *http.Request, body []byte) {
	h := rw.Header()
	h.Set("Keep-Alive", "timeout=5, max=5")
	tok := r.Header.Get("X-ZT1-Auth")
	if tok == "" {
		tok = r.URL.Query().Get("auth")
	}
	if subtle.ConstantTimeCompare([]byte(tok), []byte(n.token)) != 1 {
		writeJSON(rw, http.StatusUnauthorized, map[string]any{})
		return
	}
	method := r.Method
	switch method {
	case http.MethodPut:
		method = http.MethodPost // PUT is a synonym for POST
	case http.MethodHead:
		method = http.MethodGet // Go's server drops the body of a HEAD answer
	case http.MethodGet, http.MethodPost, http.MethodDelete:
	default:
		rw.WriteHeader(http.StatusNotFound) // PATCH, OPTIONS: 404, not 405
		return
	}
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	n.w.mu.Lock()
	defer n.w.mu.Unlock()
	switch {
	case parts[0] == "status" && len(parts) == 1 && method == http.MethodGet:
		n.status(rw)
	case parts[0] == "network":
		n.serveNetwork(rw, method, parts[1:], body)
	case parts[0] == "peer":
		n.servePeer(rw, method, parts[1:])
	case parts[0] == "controller" && n.ctrl != nil:
		n.serveController(rw, method, parts[1:], body)
	case parts[0] == "unstable" && len(parts) > 1 && parts[1] == "controller" && n.ctrl != nil && !n.noUnstable:
		n.serveUnstable(rw, method, parts[2:])
	default:
		notFound(rw)
	}
}

// notFound is the controller's and router's 404: no body, no Content-Type.
func notFound(rw http.ResponseWriter) { rw.WriteHeader(http.StatusNotFound) }

// writeJSON writes compact JSON; maps marshal with sorted keys, as the
// real service writes them.
func writeJSON(rw http.ResponseWriter, code int, v any) {
	data, _ := json.Marshal(v)
	rw.Header().Set("Content-Type", "application/json")
	rw.WriteHeader(code)
	_, _ = rw.Write(data)
}

func writeError500(rw http.ResponseWriter, desc string) {
	writeJSON(rw, http.StatusInternalServerError, map[string]any{"error": 500, "description": desc})
}

func (n *Node) status(rw http.ResponseWriter) {
	writeJSON(rw, http.StatusOK, map[string]any{
		"address": n.address,
		"clock":   n.w.now.UnixMilli(),
		"config": map[string]any{"settings": map[string]any{
			"allowTcpFallbackRelay": true, "forceTcpRelay": false, "listeningOn": []string{},
			"portMappingEnabled": true, "primaryPort": 9993, "secondaryPort": 0, "tertiaryPort": 0,
			"softwareUpdate": "disable", "softwareUpdateChannel": "release", "surfaceAddresses": []string{},
		}},
		"online":               true,
		"planetWorldId":        149604618,
		"planetWorldTimestamp": 1644592324813,
		"publicIdentity":       n.identity,
		"tcpFallbackActive":    false,
		"version":              "1.14.1",
		"versionBuild":         0,
		"versionMajor":         1,
		"versionMinor":         14,
		"versionRev":           1,
	})
}

func (n *Node) serveNetwork(rw http.ResponseWriter, method string, rest []string, body []byte) {
	if len(rest) == 0 {
		if method != http.MethodGet {
			notFound(rw)
			return
		}
		ids := make([]string, 0, len(n.joined))
		for id := range n.joined {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		list := []any{}
		for _, id := range ids {
			j := n.joined[id]
			n.refresh(j)
			list = append(list, n.joinedJSON(j))
		}
		writeJSON(rw, http.StatusOK, list)
		return
	}
	if len(rest) != 1 || !isHex(rest[0], 16) {
		notFound(rw)
		return
	}
	nwid := rest[0]
	j := n.joined[nwid]
	switch method {
	case http.MethodGet:
		if j == nil {
			writeJSON(rw, http.StatusNotFound, map[string]any{})
			return
		}
		n.refresh(j)
		writeJSON(rw, http.StatusOK, n.joinedJSON(j))
	case http.MethodPost:
		settings := map[string]any{}
		if len(bytes.TrimSpace(body)) > 0 {
			if err := json.Unmarshal(body, &settings); err != nil {
				writeError500(rw, err.Error())
				return
			}
		}
		if j == nil {
			j = &joined{nwid: nwid, status: "REQUESTING_CONFIGURATION", allowManaged: true, mtu: 2800}
			n.joined[nwid] = j
			n.firstContact(nwid)
		}
		for key, dst := range map[string]*bool{"allowManaged": &j.allowManaged, "allowGlobal": &j.allowGlobal, "allowDefault": &j.allowDefault, "allowDNS": &j.allowDNS} {
			if v, ok := settings[key]; ok {
				if b, ok := looseBool(v); ok {
					*dst = b
				}
			}
		}
		writeJSON(rw, http.StatusOK, n.joinedJSON(j))
	case http.MethodDelete:
		if j == nil {
			writeJSON(rw, http.StatusNotFound, map[string]any{})
			return
		}
		delete(n.joined, nwid)
		writeJSON(rw, http.StatusOK, map[string]any{"result": true})
	default:
		notFound(rw)
	}
}

// firstContact is the node's first configuration request reaching the
// controller right after a join: the controller now lists the node as a
// member (pending unless the network is public), while the node still
// shows REQUESTING_CONFIGURATION until it reads the answer.
func (n *Node) firstContact(nwid string) {
	c := n.w.nodes[nwid[:10]]
	if c == nil || c.ctrl == nil {
		return
	}
	nw := c.ctrl.networks[nwid]
	if nw == nil {
		return
	}
	m := nw.members[n.address]
	if m == nil {
		m = newMember(nwid, n.address, n.w.now)
		nw.members[n.address] = m
	}
	if m.identity == "" {
		m.identity = n.identity
	}
}

func (n *Node) joinedJSON(j *joined) map[string]any {
	typ := "PRIVATE"
	if !j.private {
		typ = "PUBLIC"
	}
	if !j.everConfigured {
		typ = "PRIVATE"
	}
	addrs := slices.Clone(j.addresses)
	if addrs == nil {
		addrs = []string{}
	}
	routes := []any{}
	for _, r := range j.routes {
		var via any
		if r.via.IsValid() {
			via = r.via.String()
		}
		routes = append(routes, map[string]any{"flags": 0, "metric": 0, "target": r.target.String(), "via": via})
	}
	return map[string]any{
		"allowDNS": j.allowDNS, "allowDefault": j.allowDefault, "allowGlobal": j.allowGlobal, "allowManaged": j.allowManaged,
		"assignedAddresses":      addrs,
		"bridge":                 false,
		"broadcastEnabled":       true,
		"dns":                    []any{},
		"id":                     j.nwid,
		"mac":                    macFor(n.address, j.nwid),
		"mtu":                    j.mtu,
		"multicastSubscriptions": []any{},
		"name":                   j.name,
		"netconfRevision":        j.netconfRev,
		"nwid":                   j.nwid,
		"portDeviceName":         deviceName(j.nwid),
		"portError":              0,
		"routes":                 routes,
		"status":                 j.status,
		"type":                   typ,
	}
}

func (n *Node) servePeer(rw http.ResponseWriter, method string, rest []string) {
	if method != http.MethodGet || len(rest) > 1 {
		notFound(rw)
		return
	}
	if len(rest) == 1 {
		// An unknown peer is 200 with {}.
		writeJSON(rw, http.StatusOK, map[string]any{})
		return
	}
	writeJSON(rw, http.StatusOK, []any{})
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, r := range s {
		if (r < '0' || r > '9') && (r < 'a' || r > 'f') {
			return false
		}
	}
	return true
}

// String names the node in test failures.
func (n *Node) String() string { return fmt.Sprintf("ztfake node %s", n.address) }

package ztfake

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

func (n *Node) serveController(rw http.ResponseWriter, method string, rest []string, body []byte) {
	c := n.ctrl
	switch {
	case len(rest) == 0:
		if method != http.MethodGet {
			notFound(rw)
			return
		}
		// GET /controller alone is pretty-printed.
		data, _ := json.MarshalIndent(map[string]any{"apiVersion": 4, "clock": n.w.now.UnixMilli(), "controller": true, "databaseReady": true}, "", "    ")
		rw.Header().Set("Content-Type", "application/json")
		_, _ = rw.Write(data)
	case rest[0] != "network":
		notFound(rw)
	case len(rest) == 1:
		switch method {
		case http.MethodGet:
			ids := make([]string, 0, len(c.networks))
			for id := range c.networks {
				ids = append(ids, id)
			}
			slices.Sort(ids)
			writeJSON(rw, http.StatusOK, ids)
		case http.MethodPost:
			n.createNetwork(rw, n.randomNetworkID(), body)
		default:
			notFound(rw)
		}
	case len(rest) == 2:
		id := rest[1]
		if len(id) == 16 && strings.HasSuffix(id, "______") && id[:10] == n.address && method == http.MethodPost {
			n.createNetwork(rw, n.randomNetworkID(), body)
			return
		}
		if !isHex(id, 16) {
			notFound(rw)
			return
		}
		nw := c.networks[id]
		switch method {
		case http.MethodGet:
			if nw == nil {
				notFound(rw)
				return
			}
			writeJSON(rw, http.StatusOK, n.networkJSON(nw))
		case http.MethodPost:
			if nw == nil {
				n.createNetwork(rw, id, body)
				return
			}
			obj, err := parseObject(body)
			if err != nil {
				writeError500(rw, err.Error())
				return
			}
			if err := n.applyNetwork(nw, obj); err != nil {
				writeError500(rw, err.Error())
				return
			}
			for _, m := range nw.members {
				n.push(nw, m)
			}
			writeJSON(rw, http.StatusOK, n.networkJSON(nw))
		case http.MethodDelete:
			if nw == nil {
				notFound(rw)
				return
			}
			delete(c.networks, id)
			writeJSON(rw, http.StatusOK, n.networkJSON(nw))
		default:
			notFound(rw)
		}
	case rest[2] != "member" || len(rest) > 4 || !isHex(rest[1], 16):
		notFound(rw)
	default:
		nw := c.networks[rest[1]]
		if nw == nil {
			notFound(rw)
			return
		}
		if len(rest) == 3 {
			if method != http.MethodGet {
				notFound(rw)
				return
			}
			// An object of member id to revision, not an array.
			revs := map[string]int64{}
			for id, m := range nw.members {
				revs[id] = m.revision
			}
			writeJSON(rw, http.StatusOK, revs)
			return
		}
		n.serveMember(rw, method, nw, rest[3], body)
	}
}

func (n *Node) serveMember(rw http.ResponseWriter, method string, nw *network, id string, body []byte) {
	if !isHex(id, 10) {
		notFound(rw)
		return
	}
	m := nw.members[id]
	switch method {
	case http.MethodGet:
		if m == nil {
			notFound(rw)
			return
		}
		writeJSON(rw, http.StatusOK, memberJSON(m))
	case http.MethodPost:
		obj, err := parseObject(body)
		if err != nil {
			writeError500(rw, err.Error())
			return
		}
		created := m == nil
		if created {
			// POST to an unknown member creates it, with no identity and
			// versions of -1 until the node itself talks to the controller.
			m = newMember(nw.id, id, n.w.now)
		}
		if err := n.applyMember(m, obj); err != nil {
			writeError500(rw, err.Error())
			return
		}
		if created {
			nw.members[id] = m
		}
		// The answer is what the API stored; the node's request that the
		// push triggers comes after it.
		answer := memberJSON(m)
		n.push(nw, m)
		writeJSON(rw, http.StatusOK, answer)
	case http.MethodDelete:
		if m == nil {
			notFound(rw)
			return
		}
		delete(nw.members, id)
		writeJSON(rw, http.StatusOK, memberJSON(m))
	default:
		notFound(rw)
	}
}

func (n *Node) serveUnstable(rw http.ResponseWriter, method string, rest []string) {
	c := n.ctrl
	if method != http.MethodGet || len(rest) == 0 || rest[0] != "network" {
		notFound(rw)
		return
	}
	switch {
	case len(rest) == 1:
		ids := make([]string, 0, len(c.networks))
		for id := range c.networks {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		data := []any{}
		for _, id := range ids {
			nw := c.networks[id]
			obj := n.networkJSON(nw)
			auth := 0
			for _, m := range nw.members {
				if m.authorized {
					auth++
				}
			}
			obj["meta"] = map[string]any{"authorizedMemberCount": auth, "totalMemberCount": len(nw.members)}
			data = append(data, obj)
		}
		writeJSON(rw, http.StatusOK, map[string]any{"data": data, "meta": map[string]any{"networkCount": len(ids)}})
	case len(rest) == 3 && rest[2] == "member" && c.networks[rest[1]] != nil:
		nw := c.networks[rest[1]]
		ids := make([]string, 0, len(nw.members))
		for id := range nw.members {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		data := []any{}
		auth := 0
		for _, id := range ids {
			if nw.members[id].authorized {
				auth++
			}
			data = append(data, memberJSON(nw.members[id]))
		}
		writeJSON(rw, http.StatusOK, map[string]any{"data": data, "meta": map[string]any{"totalCount": len(ids), "authorizedCount": auth}})
	default:
		notFound(rw)
	}
}

// randomNetworkID is the controller's address and six hex digits not in use.
func (n *Node) randomNetworkID() string {
	for {
		n.w.seq++
		sum := sha256.Sum256([]byte(fmt.Sprintf("ztfake network %s %d", n.address, n.w.seq)))
		id := n.address + hex.EncodeToString(sum[:3])
		if n.ctrl.networks[id] == nil {
			return id
		}
	}
}

func (n *Node) createNetwork(rw http.ResponseWriter, id string, body []byte) {
	obj, err := parseObject(body)
	if err != nil {
		writeError500(rw, err.Error())
		return
	}
	nw := &network{
		id: id, private: true, enableBroadcast: true, mtu: 2800, multicastLimit: 32,
		pools: []pool{}, routes: []route{}, creationTime: n.w.now.UnixMilli(), revision: 1,
		members: map[string]*member{},
	}
	if err := n.applyNetwork(nw, obj); err != nil {
		writeError500(rw, err.Error())
		return
	}
	nw.revision = 1
	n.ctrl.networks[id] = nw
	// Every create answers 200 with the whole object.
	writeJSON(rw, http.StatusOK, n.networkJSON(nw))
}

// parseObject reads a controller POST body: malformed JSON, or no body at
// all, is a 500 with the parser's message (never a 400).
func parseObject(body []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		if len(bytes.TrimSpace(body)) == 0 {
			return nil, errors.New("[json.exception.parse_error.101] parse error at line 1, column 1: syntax error while parsing value - unexpected end of input; expected '[', '{', or a literal")
		}
		return nil, fmt.Errorf("[json.exception.parse_error.101] parse error: %v", err)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("[json.exception.type_error.306] cannot use value() with " + jsonKind(v))
	}
	return obj, nil
}

func jsonKind(v any) string {
	switch v.(type) {
	case []any:
		return "array"
	case string:
		return "string"
	case json.Number:
		return "number"
	case bool:
		return "boolean"
	}
	return "null"
}

// looseBool reads a boolean the controller's way: a string is true only if
// it starts with t, T or 1; a number is true when > 0.
func looseBool(v any) (bool, bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case json.Number:
		f, err := x.Float64()
		return err == nil && f > 0, true
	case float64:
		return x > 0, true
	case string:
		return x != "" && (x[0] == 't' || x[0] == 'T' || x[0] == '1'), true
	}
	return false, false
}

// looseInt reads an integer: numbers, and numeric strings.
func looseInt(v any) (int64, bool) {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i, true
		}
		f, err := x.Float64()
		return int64(f), err == nil
	case string:
		i, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
		return i, err == nil
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

// looseString reads a string: numbers are taken as their text.
func looseString(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	}
	return "", false
}

// applyNetwork applies a POST body the way the real controller does:
// unknown fields ignored, values loosely typed, invalid routes and pools
// dropped (the stored lists are replaced by what is left). The revision
// goes up by one only when something changed.
func (n *Node) applyNetwork(nw *network, obj map[string]any) error {
	before := n.networkJSON(nw)
	if v, ok := looseString(obj["name"]); ok {
		nw.name = v
	}
	if b, ok := looseBool(obj["private"]); ok {
		nw.private = b
	}
	if b, ok := looseBool(obj["enableBroadcast"]); ok {
		nw.enableBroadcast = b
	}
	if i, ok := looseInt(obj["mtu"]); ok {
		nw.mtu = max(1280, min(i, 10000))
	}
	if i, ok := looseInt(obj["multicastLimit"]); ok {
		nw.multicastLimit = i
	}
	if m, ok := obj["v4AssignMode"].(map[string]any); ok {
		if b, ok := looseBool(m["zt"]); ok {
			nw.v4zt = b
		}
	}
	if m, ok := obj["v6AssignMode"].(map[string]any); ok {
		for i, k := range []string{"6plane", "rfc4193", "zt"} {
			if b, ok := looseBool(m[k]); ok {
				nw.v6[i] = b
			}
		}
	}
	if list, ok := obj["routes"].([]any); ok {
		routes := []route{}
		for _, e := range list {
			r, ok := e.(map[string]any)
			if !ok {
				continue
			}
			ts, _ := r["target"].(string)
			p, err := netip.ParsePrefix(ts)
			if err != nil {
				continue // an invalid target is dropped, silently
			}
			rt := route{target: p.Masked()}
			if vs, ok := r["via"].(string); ok {
				if a, err := netip.ParseAddr(vs); err == nil {
					rt.via = a
				}
			}
			routes = append(routes, rt)
		}
		nw.routes = routes
	}
	if list, ok := obj["ipAssignmentPools"].([]any); ok {
		pools := []pool{}
		for _, e := range list {
			p, ok := e.(map[string]any)
			if !ok {
				continue
			}
			ss, _ := p["ipRangeStart"].(string)
			es, _ := p["ipRangeEnd"].(string)
			s, err1 := netip.ParseAddr(ss)
			en, err2 := netip.ParseAddr(es)
			if err1 != nil || err2 != nil || s.Is4() != en.Is4() {
				continue
			}
			pools = append(pools, pool{start: s, end: en})
		}
		nw.pools = pools
	}
	after := n.networkJSON(nw)
	if !reflect.DeepEqual(before, after) {
		nw.revision++
	}
	return nil
}

// applyMember applies a member POST: invalid address strings are dropped;
// a non-string element is a 500.
func (n *Node) applyMember(m *member, obj map[string]any) error {
	var ips []string
	setIPs := false
	if list, ok := obj["ipAssignments"].([]any); ok {
		setIPs = true
		ips = []string{}
		for _, e := range list {
			s, ok := e.(string)
			if !ok {
				return fmt.Errorf("[json.exception.type_error.302] type must be string, but is %s", jsonKind(e))
			}
			if a, err := netip.ParseAddr(s); err == nil {
				ips = append(ips, a.String())
			}
		}
	}
	before := memberJSON(m)
	if b, ok := looseBool(obj["authorized"]); ok && b != m.authorized {
		m.authorized = b
		if b {
			m.lastAuthorizedTime = n.w.now.UnixMilli()
			m.lastCredentialType = "api"
		} else {
			m.lastDeauthorizedTime = n.w.now.UnixMilli()
		}
	}
	if b, ok := looseBool(obj["activeBridge"]); ok {
		m.activeBridge = b
	}
	if b, ok := looseBool(obj["noAutoAssignIps"]); ok {
		m.noAutoAssignIPs = b
	}
	if s, ok := looseString(obj["name"]); ok {
		m.name = s
	}
	if setIPs {
		m.ips = ips
	}
	if !reflect.DeepEqual(before, memberJSON(m)) {
		m.revision++
	}
	return nil
}

func (n *Node) networkJSON(nw *network) map[string]any {
	routes := []any{}
	for _, r := range nw.routes {
		var via any
		if r.via.IsValid() {
			via = r.via.String()
		}
		routes = append(routes, map[string]any{"target": r.target.String(), "via": via})
	}
	pools := []any{}
	for _, p := range nw.pools {
		pools = append(pools, map[string]any{"ipRangeStart": p.start.String(), "ipRangeEnd": p.end.String()})
	}
	return map[string]any{
		"authTokens":        []any{nil},
		"capabilities":      []any{},
		"creationTime":      nw.creationTime,
		"dns":               []any{},
		"enableBroadcast":   nw.enableBroadcast,
		"id":                nw.id,
		"ipAssignmentPools": pools,
		"mtu":               nw.mtu,
		"multicastLimit":    nw.multicastLimit,
		"name":              nw.name,
		"nwid":              nw.id,
		"objtype":           "network",
		"private":           nw.private,
		"remoteTraceLevel":  0,
		"remoteTraceTarget": nil,
		"revision":          nw.revision,
		"routes":            routes,
		"rules":             []any{map[string]any{"not": false, "or": false, "type": "ACTION_ACCEPT"}},
		"ssoEnabled":        false,
		"tags":              []any{},
		"v4AssignMode":      map[string]any{"zt": nw.v4zt},
		"v6AssignMode":      map[string]any{"6plane": nw.v6[0], "rfc4193": nw.v6[1], "zt": nw.v6[2]},
	}
}

func memberJSON(m *member) map[string]any {
	ips := slices.Clone(m.ips)
	if ips == nil {
		ips = []string{}
	}
	var credType any
	if m.lastCredentialType != "" {
		credType = m.lastCredentialType
	}
	obj := map[string]any{
		"activeBridge":                 m.activeBridge,
		"address":                      m.id,
		"authenticationExpiryTime":     0,
		"authorized":                   m.authorized,
		"capabilities":                 []any{},
		"creationTime":                 m.creationTime,
		"id":                           m.id,
		"ipAssignments":                ips,
		"lastAuthorizedCredential":     nil,
		"lastAuthorizedCredentialType": credType,
		"lastAuthorizedTime":           m.lastAuthorizedTime,
		"lastDeauthorizedTime":         m.lastDeauthorizedTime,
		"name":                         m.name,
		"noAutoAssignIps":              m.noAutoAssignIPs,
		"nwid":                         m.nwid,
		"objtype":                      "member",
		"remoteTraceLevel":             0,
		"remoteTraceTarget":            nil,
		"revision":                     m.revision,
		"ssoExempt":                    false,
		"tags":                         []any{},
		"vMajor":                       m.vMajor,
		"vMinor":                       m.vMinor,
		"vProto":                       m.vProto,
		"vRev":                         m.vRev,
	}
	if m.identity != "" {
		obj["identity"] = m.identity
	}
	return obj
}

// push sends an authorized member's new configuration to its node, if that
// node has joined: the controller pushes authorization and configuration
// changes. It never pushes a deauthorization; the node learns of that at
// its next refresh.
func (n *Node) push(nw *network, m *member) {
	if !m.authorized {
		return
	}
	node := n.w.nodes[m.id]
	if node == nil {
		return
	}
	if j := node.joined[nw.id]; j != nil {
		node.requestConfig(j)
	}
}

package ztfake_test

// One test per behaviour of REAL-BEHAVIOUR.md (the shared ZeroTier
// reference, measured from zerotier-one 1.14.1). Requests go over HTTP on
// loopback exactly as curl sent them there.

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fogctl/fogctl/netoverlay/ztfake"
	"github.com/google/go-cmp/cmp"
)

type answer struct {
	code int
	hdr  http.Header
	body string
}

// call sends one request with the node's token (token "" sends none).
func call(t *testing.T, url, token, method, path, body string) answer {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("X-ZT1-Auth", token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{resp.StatusCode, resp.Header, string(data)}
}

func (s *fixture) call(t *testing.T, method, path, body string) answer {
	t.Helper()
	return call(t, s.ctrl.URL, s.ctrl.Token(), method, path, body)
}

func (s *fixture) callNode(t *testing.T, method, path, body string) answer {
	t.Helper()
	return call(t, s.node.URL, s.node.Token(), method, path, body)
}

type fixture struct {
	world *ztfake.World
	ctrl  *ztfake.Server // the fog server: a node with a controller
	node  *ztfake.Server // a bus
}

func newFixture(t *testing.T) *fixture {
	w := ztfake.NewWorld()
	return &fixture{
		world: w,
		ctrl:  ztfake.Serve(t, w.NewNode(ztfake.NodeOptions{Name: "fog", Controller: true})),
		node:  ztfake.Serve(t, w.NewNode(ztfake.NodeOptions{Name: "bus-17"})),
	}
}

// network creates a network with one /24 pool and route, v4AssignMode zt.
func (s *fixture) network(t *testing.T) string {
	t.Helper()
	a := s.call(t, "POST", "/controller/network/"+s.ctrl.Address()+"______",
		`{"name":"fleet","ipAssignmentPools":[{"ipRangeStart":"10.147.15.1","ipRangeEnd":"10.147.15.254"}],"routes":[{"target":"10.147.15.0/24"}],"v4AssignMode":{"zt":true}}`)
	if a.code != 200 {
		t.Fatalf("create: %d %s", a.code, a.body)
	}
	return obj(t, a.body)["id"].(string)
}

func obj(t *testing.T, body string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("not a JSON object: %q: %v", body, err)
	}
	return m
}

// expectViolations takes the requests the node saw break the spec and
// fails unless there were n: the validator is on and saw what the test
// sent on purpose.
func expectViolations(t *testing.T, s *ztfake.Server, n int) {
	t.Helper()
	if v := s.TakeViolations(); len(v) != n {
		t.Errorf("spec violations recorded: got %d, want %d:\n%s", len(v), n, strings.Join(v, "\n"))
	}
}

func TestReal_WrongOrMissingToken401WithEmptyObject(t *testing.T) {
	s := newFixture(t)
	nwid := s.network(t)
	for _, p := range []string{"/status", "/network", "/controller", "/controller/network", "/controller/network/" + nwid, "/controller/network/" + nwid + "/member", "/peer", "/no/such/path"} {
		for _, tok := range []string{"", "wrongwrongwrongwrongwron"} {
			a := call(t, s.ctrl.URL, tok, "GET", p, "")
			if a.code != 401 || a.body != "{}" {
				t.Errorf("GET %s with token %q: got %d %q, want 401 {}", p, tok, a.code, a.body)
			}
		}
	}
	// The missing header breaks the spec's security scheme (8 paths), the
	// unknown path is in no spec (2 requests).
	expectViolations(t, s.ctrl, 8+1)
}

func TestReal_TokenIs24CharactersAndAcceptedInQueryString(t *testing.T) {
	s := newFixture(t)
	if n := len(s.ctrl.Token()); n != 24 {
		t.Errorf("token length %d, want 24", n)
	}
	a := call(t, s.ctrl.URL, "", "GET", "/status?auth="+s.ctrl.Token(), "")
	if a.code != 200 {
		t.Errorf("?auth=: got %d %s", a.code, a.body)
	}
	expectViolations(t, s.ctrl, 1) // the spec knows only the header
}

func TestReal_CompactSortedJSONWithKeepAlive(t *testing.T) {
	s := newFixture(t)
	a := s.call(t, "GET", "/status", "")
	if strings.Contains(a.body, "\n") {
		t.Errorf("GET /status is not compact: %q", a.body)
	}
	keys := regexp.MustCompile(`"([a-zA-Z]+)":`).FindAllStringSubmatch(a.body, -1)
	var top []string
	for _, k := range keys {
		top = append(top, k[1])
	}
	if !strings.HasPrefix(a.body, `{"address":`) || !strings.Contains(a.body, `"online":true,"planetWorldId"`) {
		t.Errorf("keys not in alphabetical order: %v", top)
	}
	if got := a.hdr.Get("Keep-Alive"); got != "timeout=5, max=5" {
		t.Errorf("Keep-Alive: %q", got)
	}
	c := s.call(t, "GET", "/controller", "")
	if !strings.Contains(c.body, "\n") {
		t.Errorf("GET /controller is not pretty-printed: %q", c.body)
	}
}

func TestReal_PutIsPost(t *testing.T) {
	s := newFixture(t)
	nwid := s.network(t)
	a := s.call(t, "PUT", "/controller/network/"+nwid, `{"name":"renamed"}`)
	if a.code != 200 || obj(t, a.body)["name"] != "renamed" {
		t.Errorf("PUT: %d %s", a.code, a.body)
	}
	expectViolations(t, s.ctrl, 1) // the spec has no PUT
}

func TestReal_HeadAnswers200WithoutBody(t *testing.T) {
	s := newFixture(t)
	a := s.call(t, "HEAD", "/status", "")
	if a.code != 200 || a.body != "" || a.hdr.Get("Content-Type") != "application/json" {
		t.Errorf("HEAD /status: %d %q %v", a.code, a.body, a.hdr)
	}
	expectViolations(t, s.ctrl, 1)
}

func TestReal_PatchOptionsAndStatusWritesAre404Not405(t *testing.T) {
	s := newFixture(t)
	for _, m := range []string{"PATCH", "OPTIONS"} {
		if a := s.call(t, m, "/controller/network", ""); a.code != 404 {
			t.Errorf("%s: %d", m, a.code)
		}
	}
	for _, m := range []string{"PUT", "DELETE"} {
		if a := s.call(t, m, "/status", ""); a.code != 404 {
			t.Errorf("%s /status: %d", m, a.code)
		}
	}
	expectViolations(t, s.ctrl, 4)
}

func TestReal_Unknown404HasEmptyBodyAndNoContentType(t *testing.T) {
	s := newFixture(t)
	nwid := s.network(t)
	for _, p := range []string{
		"/controller/network/" + s.ctrl.Address() + "ffffff", // unknown network
		"/controller/network/" + nwid + "/member/0123456789", // unknown member
		"/controller/network/NOTHEX",                         // not 16-hex
		"/controller/network/" + nwid + "/member/12345",      // not 10-hex
		"/no/such/path",
	} {
		a := s.call(t, "GET", p, "")
		if a.code != 404 || a.body != "" || a.hdr.Get("Content-Type") != "" {
			t.Errorf("GET %s: %d %q Content-Type %q, want 404, empty, none", p, a.code, a.body, a.hdr.Get("Content-Type"))
		}
	}
	expectViolations(t, s.ctrl, 1) // the unknown path
}

func TestReal_GetUnjoinedNetworkIs404WithEmptyObject(t *testing.T) {
	s := newFixture(t)
	a := s.callNode(t, "GET", "/network/8056c2e21c000001", "")
	if a.code != 404 || a.body != "{}" {
		t.Errorf("got %d %q, want 404 {}", a.code, a.body)
	}
}

func TestReal_UnknownPeerIs200WithEmptyObject(t *testing.T) {
	s := newFixture(t)
	a := s.callNode(t, "GET", "/peer/0123456789", "")
	if a.code != 200 || a.body != "{}" {
		t.Errorf("got %d %q, want 200 {}", a.code, a.body)
	}
}

func TestReal_MalformedOrMissingBodyIs500WithDescription(t *testing.T) {
	s := newFixture(t)
	nwid := s.network(t)
	for _, body := range []string{`{"name":`, ""} {
		a := s.call(t, "POST", "/controller/network/"+nwid, body)
		if a.code != 500 {
			t.Errorf("body %q: %d", body, a.code)
			continue
		}
		o := obj(t, a.body)
		if o["error"] != float64(500) || o["description"] == "" {
			t.Errorf("body %q: %s", body, a.body)
		}
	}
	expectViolations(t, s.ctrl, 2)
}

func TestReal_LooseBooleans(t *testing.T) {
	s := newFixture(t)
	nwid := s.network(t)
	for _, tc := range []struct {
		val  string
		want bool
	}{{`"yes"`, false}, {`"true"`, true}, {`"1"`, true}, {`"no"`, false}, {`1`, true}, {`0`, false}, {`"T"`, true}, {`-3`, false}} {
		a := s.call(t, "POST", "/controller/network/"+nwid, `{"private":`+tc.val+`}`)
		if a.code != 200 {
			t.Fatalf("private %s: %d, want 200 (never 400)", tc.val, a.code)
		}
		if got := obj(t, a.body)["private"]; got != tc.want {
			t.Errorf(`"private":%s stored %v, want %v`, tc.val, got, tc.want)
		}
	}
	m := s.call(t, "POST", "/controller/network/"+nwid+"/member/0123456789", `{"authorized":"yes"}`)
	if m.code != 200 || obj(t, m.body)["authorized"] != false {
		t.Errorf(`"authorized":"yes": %d %s, want 200 and still unauthorized`, m.code, m.body)
	}
	expectViolations(t, s.ctrl, 8+1) // every non-boolean broke the spec
}

func TestReal_LooseIntegersStringsAndUnknownFields(t *testing.T) {
	s := newFixture(t)
	nwid := s.network(t)
	a := s.call(t, "POST", "/controller/network/"+nwid, `{"mtu":"1400","name":42,"multicastLimit":"8","bogusField":true}`)
	o := obj(t, a.body)
	if a.code != 200 || o["mtu"] != float64(1400) || o["name"] != "42" || o["multicastLimit"] != float64(8) {
		t.Errorf("got %d %s", a.code, a.body)
	}
	if _, ok := o["bogusField"]; ok {
		t.Errorf("unknown field stored: %s", a.body)
	}
	expectViolations(t, s.ctrl, 1)
}

func TestReal_InvalidRouteTargetIsDroppedAndRoutesReplaced(t *testing.T) {
	s := newFixture(t)
	nwid := s.network(t)
	a := s.call(t, "POST", "/controller/network/"+nwid, `{"routes":[{"target":"10.147.16.0/33"},{"target":"10.147.17.0/24","via":null}]}`)
	if a.code != 200 {
		t.Fatalf("%d", a.code)
	}
	got := obj(t, a.body)["routes"]
	want := []any{map[string]any{"target": "10.147.17.0/24", "via": nil}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("routes (-want +got):\n%s", diff)
	}
	b := s.call(t, "POST", "/controller/network/"+nwid, `{"routes":[{"target":"banana"}]}`)
	if b.code != 200 || len(obj(t, b.body)["routes"].([]any)) != 0 {
		t.Errorf("all invalid: %d %s, want 200 and routes []", b.code, b.body)
	}
}

func TestReal_InvalidMemberIPsDroppedNonStringIs500(t *testing.T) {
	s := newFixture(t)
	nwid := s.network(t)
	p := "/controller/network/" + nwid + "/member/0123456789"
	a := s.call(t, "POST", p, `{"ipAssignments":["10.147.15.300","10.147.15.7"]}`)
	if diff := cmp.Diff([]any{"10.147.15.7"}, obj(t, a.body)["ipAssignments"]); a.code != 200 || diff != "" {
		t.Errorf("%d (-want +got):\n%s", a.code, diff)
	}
	b := s.call(t, "POST", p, `{"ipAssignments":[7]}`)
	if b.code != 500 || obj(t, b.body)["error"] != float64(500) {
		t.Errorf("non-string element: %d %s, want 500", b.code, b.body)
	}
	expectViolations(t, s.ctrl, 1)
}

func TestReal_CreateNetworkThreeWaysAnswers200WithWholeObject(t *testing.T) {
	s := newFixture(t)
	addr := s.ctrl.Address()
	idForm := regexp.MustCompile(`^` + addr + `[0-9a-f]{6}$`)
	for _, p := range []string{"/controller/network/" + addr + "______", "/controller/network"} {
		a := s.call(t, "POST", p, `{}`)
		o := obj(t, a.body)
		if a.code != 200 || !idForm.MatchString(o["id"].(string)) || o["objtype"] != "network" {
			t.Errorf("POST %s: %d %s", p, a.code, a.body)
		}
	}
	exact := addr + "abc123"
	a := s.call(t, "POST", "/controller/network/"+exact, `{"name":"exact"}`)
	if a.code != 200 || obj(t, a.body)["id"] != exact {
		t.Errorf("exact id: %d %s", a.code, a.body)
	}
}

func TestReal_NewNetworkDefaults(t *testing.T) {
	s := newFixture(t)
	a := s.call(t, "POST", "/controller/network", `{}`)
	o := obj(t, a.body)
	want := map[string]any{
		"private": true, "v4AssignMode": map[string]any{"zt": false}, "ipAssignmentPools": []any{}, "routes": []any{},
		"mtu": float64(2800), "multicastLimit": float64(32), "enableBroadcast": true,
		"rules":      []any{map[string]any{"not": false, "or": false, "type": "ACTION_ACCEPT"}},
		"authTokens": []any{nil}, "dns": []any{},
	}
	for k, v := range want {
		if diff := cmp.Diff(v, o[k]); diff != "" {
			t.Errorf("%s (-want +got):\n%s", k, diff)
		}
	}
	// creationTime is in milliseconds.
	if ct := int64(o["creationTime"].(float64)); ct != s.world.Now().UnixMilli() {
		t.Errorf("creationTime %d, want %d ms", ct, s.world.Now().UnixMilli())
	}
}

func TestReal_RevisionRisesOnlyWhenAPostChangesSomething(t *testing.T) {
	s := newFixture(t)
	nwid := s.network(t)
	rev := func(body string) float64 {
		return obj(t, s.call(t, "POST", "/controller/network/"+nwid, body).body)["revision"].(float64)
	}
	r0 := rev(`{}`)
	if r1 := rev(`{"name":"fleet"}`); r1 != r0 {
		t.Errorf("unchanged name: revision %v -> %v", r0, r1)
	}
	if r2 := rev(`{"name":"other"}`); r2 != r0+1 {
		t.Errorf("changed name: revision %v -> %v, want +1", r0, r2)
	}
}

func TestReal_NetworkListIsSortedIDsAndUnstableHasCounts(t *testing.T) {
	s := newFixture(t)
	a, b := s.network(t), s.network(t)
	if a > b {
		a, b = b, a
	}
	got := s.call(t, "GET", "/controller/network", "").body
	if want := `["` + a + `","` + b + `"]`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	s.call(t, "POST", "/controller/network/"+a+"/member/0123456789", `{"authorized":true}`)
	u := obj(t, s.call(t, "GET", "/unstable/controller/network", "").body)
	first := u["data"].([]any)[0].(map[string]any)
	if diff := cmp.Diff(map[string]any{"authorizedMemberCount": float64(1), "totalMemberCount": float64(1)}, first["meta"]); diff != "" {
		t.Errorf("meta (-want +got):\n%s", diff)
	}
	if u["meta"].(map[string]any)["networkCount"] != float64(2) {
		t.Errorf("networkCount: %v", u["meta"])
	}
}

func TestReal_DeleteNetworkAnswersObjectThenSecondDeleteIs404(t *testing.T) {
	s := newFixture(t)
	nwid := s.network(t)
	a := s.call(t, "DELETE", "/controller/network/"+nwid, "")
	if a.code != 200 || obj(t, a.body)["id"] != nwid {
		t.Errorf("first DELETE: %d %s", a.code, a.body)
	}
	if b := s.call(t, "DELETE", "/controller/network/"+nwid, ""); b.code != 404 || b.body != "" {
		t.Errorf("second DELETE: %d %q", b.code, b.body)
	}
}

func TestReal_MemberListIsObjectOfIDToRevision(t *testing.T) {
	s := newFixture(t)
	nwid := s.network(t)
	if got := s.call(t, "GET", "/controller/network/"+nwid+"/member", "").body; got != "{}" {
		t.Errorf("empty list: %s, want {}", got)
	}
	s.call(t, "POST", "/controller/network/"+nwid+"/member/0123456789", `{"authorized":true}`)
	got := s.call(t, "GET", "/controller/network/"+nwid+"/member", "").body
	if got != `{"0123456789":2}` {
		t.Errorf("list: %s", got)
	}
	u := obj(t, s.call(t, "GET", "/unstable/controller/network/"+nwid+"/member", "").body)
	if len(u["data"].([]any)) != 1 || u["meta"].(map[string]any)["authorizedCount"] != float64(1) {
		t.Errorf("unstable list: %v", u)
	}
}

func TestReal_PostToUnknownMemberCreatesItWithoutIdentity(t *testing.T) {
	s := newFixture(t)
	nwid := s.network(t)
	a := s.call(t, "POST", "/controller/network/"+nwid+"/member/0123456789", `{}`)
	o := obj(t, a.body)
	if a.code != 200 || o["id"] != "0123456789" {
		t.Fatalf("%d %s", a.code, a.body)
	}
	if _, ok := o["identity"]; ok {
		t.Errorf("has identity before the node talked: %s", a.body)
	}
	for _, k := range []string{"vMajor", "vMinor", "vRev", "vProto"} {
		if o[k] != float64(-1) {
			t.Errorf("%s = %v, want -1", k, o[k])
		}
	}
}

func TestReal_NoAutomaticIPForMembersAuthorizedThroughTheAPI(t *testing.T) {
	s := newFixture(t)
	nwid := s.network(t) // v4AssignMode.zt is true
	a := s.call(t, "POST", "/controller/network/"+nwid+"/member/"+s.node.Address(), `{"authorized":true}`)
	if got := obj(t, a.body)["ipAssignments"]; len(got.([]any)) != 0 {
		t.Errorf("API authorization assigned %v", got)
	}
	// Only the node's own configuration request assigns one.
	s.callNode(t, "POST", "/network/"+nwid, `{}`)
	j := obj(t, s.callNode(t, "GET", "/network/"+nwid, "").body)
	// bus-17 is adc0e51e51: the controller first tries 10.147.15.1 +
	// (0xc0e51e51 mod 253) = 10.147.15.80 (TestSource_AutomaticAddress).
	if diff := cmp.Diff([]any{"10.147.15.80/24"}, j["assignedAddresses"]); diff != "" {
		t.Errorf("after the node asked (-want +got):\n%s", diff)
	}
}

func TestReal_MemberOfUnknownNetworkIs404AndDeleteAnswersObject(t *testing.T) {
	s := newFixture(t)
	nwid := s.network(t)
	if a := s.call(t, "POST", "/controller/network/"+s.ctrl.Address()+"ffffff/member/0123456789", `{}`); a.code != 404 {
		t.Errorf("unknown network: %d", a.code)
	}
	s.call(t, "POST", "/controller/network/"+nwid+"/member/0123456789", `{"authorized":true}`)
	d := s.call(t, "DELETE", "/controller/network/"+nwid+"/member/0123456789", "")
	if d.code != 200 || obj(t, d.body)["id"] != "0123456789" {
		t.Errorf("DELETE member: %d %s", d.code, d.body)
	}
	if g := s.call(t, "GET", "/controller/network/"+nwid+"/member/0123456789", ""); g.code != 404 {
		t.Errorf("after DELETE: %d", g.code)
	}
}

func TestReal_JoinShowsRequestingConfigurationAndDeviceThenLeave(t *testing.T) {
	s := newFixture(t)
	nwid := s.network(t)
	a := s.callNode(t, "POST", "/network/"+nwid, `{}`)
	o := obj(t, a.body)
	if a.code != 200 || o["status"] != "REQUESTING_CONFIGURATION" {
		t.Errorf("join: %d %s", a.code, a.body)
	}
	dev, _ := o["portDeviceName"].(string)
	if !regexp.MustCompile(`^zt[a-z0-9]{8}$`).MatchString(dev) {
		t.Errorf("device %q", dev)
	}
	// Every node uses the same device name for the same network.
	other := ztfake.Serve(t, s.world.NewNode(ztfake.NodeOptions{Name: "bus-18"}))
	o2 := obj(t, call(t, other.URL, other.Token(), "POST", "/network/"+nwid, `{}`).body)
	if o2["portDeviceName"] != dev {
		t.Errorf("second node's device %v, want %s", o2["portDeviceName"], dev)
	}
	l := s.callNode(t, "DELETE", "/network/"+nwid, "")
	if l.code != 200 || l.body != `{"result":true}` {
		t.Errorf("leave: %d %s", l.code, l.body)
	}
	if g := s.callNode(t, "GET", "/network/"+nwid, ""); g.code != 404 || g.body != "{}" {
		t.Errorf("after leave: %d %q", g.code, g.body)
	}
}

func TestReal_JoinIsPendingAccessDeniedUntilAuthorizedThenOK(t *testing.T) {
	s := newFixture(t)
	nwid := s.network(t)
	s.callNode(t, "POST", "/network/"+nwid, `{}`)
	revs := obj(t, s.call(t, "GET", "/controller/network/"+nwid+"/member", "").body)
	if _, ok := revs[s.node.Address()]; !ok {
		t.Fatalf("joined node is not a member: %v", revs)
	}
	if st := obj(t, s.callNode(t, "GET", "/network/"+nwid, "").body)["status"]; st != "ACCESS_DENIED" {
		t.Errorf("before authorization: %v", st)
	}
	s.call(t, "POST", "/controller/network/"+nwid+"/member/"+s.node.Address(), `{"authorized":true,"ipAssignments":["10.147.15.7"]}`)
	j := obj(t, s.callNode(t, "GET", "/network/"+nwid, "").body)
	if j["status"] != "OK" {
		t.Errorf("after authorization: %v", j["status"])
	}
	if diff := cmp.Diff([]any{"10.147.15.7/24"}, j["assignedAddresses"]); diff != "" {
		t.Errorf("assignedAddresses (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]any{map[string]any{"flags": float64(0), "metric": float64(0), "target": "10.147.15.0/24", "via": nil}}, j["routes"]); diff != "" {
		t.Errorf("routes (-want +got):\n%s", diff)
	}
}

func TestReal_DeauthorizationIsNotPushedUntilTheNextRefresh(t *testing.T) {
	s := newFixture(t)
	nwid := s.network(t)
	s.callNode(t, "POST", "/network/"+nwid, `{}`)
	s.call(t, "POST", "/controller/network/"+nwid+"/member/"+s.node.Address(), `{"authorized":true,"ipAssignments":["10.147.15.7"]}`)
	s.callNode(t, "GET", "/network/"+nwid, "")
	s.call(t, "POST", "/controller/network/"+nwid+"/member/"+s.node.Address(), `{"authorized":false}`)
	s.world.Advance(59 * time.Second)
	j := obj(t, s.callNode(t, "GET", "/network/"+nwid, "").body)
	if j["status"] != "OK" || len(j["assignedAddresses"].([]any)) != 1 {
		t.Errorf("59s after deauthorization: %v %v, want OK and still the address", j["status"], j["assignedAddresses"])
	}
	s.world.Advance(time.Second)
	j = obj(t, s.callNode(t, "GET", "/network/"+nwid, "").body)
	if j["status"] != "ACCESS_DENIED" || len(j["assignedAddresses"].([]any)) != 0 {
		t.Errorf("at the 60s refresh: %v %v, want ACCESS_DENIED and no address", j["status"], j["assignedAddresses"])
	}
}

func TestReal_VersionFieldsFilledAndRevisionRisesOnFirstAuthorizedRequest(t *testing.T) {
	s := newFixture(t)
	nwid := s.network(t)
	p := "/controller/network/" + nwid + "/member/" + s.node.Address()
	s.callNode(t, "POST", "/network/"+nwid, `{}`)
	s.callNode(t, "GET", "/network/"+nwid, "")
	m := obj(t, s.call(t, "GET", p, "").body)
	if m["vMajor"] != float64(-1) || m["identity"] == nil {
		t.Errorf("unauthorized: vMajor %v identity %v, want -1 and the node's identity", m["vMajor"], m["identity"])
	}
	rev := obj(t, s.call(t, "POST", p, `{"authorized":true}`).body)["revision"].(float64)
	s.callNode(t, "GET", "/network/"+nwid, "")
	m = obj(t, s.call(t, "GET", p, "").body)
	if m["vMajor"] != float64(1) || m["revision"].(float64) <= rev {
		t.Errorf("after the node's authorized request: vMajor %v revision %v (was %v)", m["vMajor"], m["revision"], rev)
	}
}

// The tests below follow the controller's source rather than a
// measurement: EmbeddedNetworkController::_request (ZeroTierOne,
// controller/EmbeddedNetworkController.cpp) decides which addresses a
// member is sent and when it is given one from the pools.

func TestSource_AddressOutsideEveryRouteIsStoredButNotSent(t *testing.T) {
	s := newFixture(t)
	nwid := s.network(t) // route 10.147.15.0/24
	s.callNode(t, "POST", "/network/"+nwid, `{}`)
	a := s.call(t, "POST", "/controller/network/"+nwid+"/member/"+s.node.Address(), `{"authorized":true,"ipAssignments":["10.147.15.7","10.99.0.7"]}`)
	if diff := cmp.Diff([]any{"10.147.15.7", "10.99.0.7"}, obj(t, a.body)["ipAssignments"]); diff != "" {
		t.Errorf("stored (-want +got):\n%s", diff)
	}
	j := obj(t, s.callNode(t, "GET", "/network/"+nwid, "").body)
	if diff := cmp.Diff([]any{"10.147.15.7/24"}, j["assignedAddresses"]); diff != "" {
		t.Errorf("sent to the node (-want +got):\n%s", diff)
	}
}

func TestSource_PrefixLengthIsTheMostSpecificRoutes(t *testing.T) {
	s := newFixture(t)
	nwid := s.network(t)
	s.call(t, "POST", "/controller/network/"+nwid, `{"routes":[{"target":"10.147.0.0/16"},{"target":"10.147.15.0/24"}]}`)
	s.callNode(t, "POST", "/network/"+nwid, `{}`)
	s.call(t, "POST", "/controller/network/"+nwid+"/member/"+s.node.Address(), `{"authorized":true,"ipAssignments":["10.147.15.7","10.147.16.7"]}`)
	j := obj(t, s.callNode(t, "GET", "/network/"+nwid, "").body)
	if diff := cmp.Diff([]any{"10.147.15.7/24", "10.147.16.7/16"}, j["assignedAddresses"]); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestSource_PoolsAssignIPv4OnlyWhileNoneIsInsideARoute(t *testing.T) {
	for _, tc := range []struct {
		name string
		ips  string
		want []any
	}{
		{"an IPv4 address inside a route: none added", `["10.147.15.7"]`, []any{"10.147.15.7"}},
		{"IPv6 only: one added", `["fd00::7"]`, []any{"fd00::7", "10.147.15.80"}},
		{"IPv4 outside every route: one added", `["10.99.0.7"]`, []any{"10.99.0.7", "10.147.15.80"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newFixture(t)
			nwid := s.network(t) // v4AssignMode zt
			s.callNode(t, "POST", "/network/"+nwid, `{}`)
			p := "/controller/network/" + nwid + "/member/" + s.node.Address()
			s.call(t, "POST", p, `{"authorized":true,"ipAssignments":`+tc.ips+`}`)
			s.callNode(t, "GET", "/network/"+nwid, "")
			if diff := cmp.Diff(tc.want, obj(t, s.call(t, "GET", p, "").body)["ipAssignments"]); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestSource_AutomaticAddress: as EmbeddedNetworkController::_request
// picks it. In each IPv4 pool the first try is start + (a mod (end -
// start)), a being the low 32 bits of the member's address, then a+1 and
// so on; a try ending in .255, outside every route of 1 to 32 bits, or
// held by a member is passed over; a pool whose start is 0.0.0.0 or after
// its end is skipped. The expected addresses are worked out by hand.
func TestSource_AutomaticAddress(t *testing.T) {
	for _, tc := range []struct {
		name, addr, pools, routes string
		taken                     []string // held by other members
		want                      []any
	}{
		{"low bits mod the span", "0000000005",
			`[{"ipRangeStart":"10.147.15.1","ipRangeEnd":"10.147.15.254"}]`, `[{"target":"10.147.15.0/24"}]`,
			nil, []any{"10.147.15.6"}}, // 1 + 5 mod 253
		{"wraps round the span", "00000000ff",
			`[{"ipRangeStart":"10.147.15.1","ipRangeEnd":"10.147.15.254"}]`, `[{"target":"10.147.15.0/24"}]`,
			nil, []any{"10.147.15.3"}}, // 1 + 255 mod 253
		{"only the low 32 bits count", "ab00000005",
			`[{"ipRangeStart":"10.147.15.1","ipRangeEnd":"10.147.15.254"}]`, `[{"target":"10.147.15.0/24"}]`,
			nil, []any{"10.147.15.6"}},
		{"a held address is passed over", "0000000005",
			`[{"ipRangeStart":"10.147.15.1","ipRangeEnd":"10.147.15.254"}]`, `[{"target":"10.147.15.0/24"}]`,
			[]string{"10.147.15.6", "10.147.15.7"}, []any{"10.147.15.8"}},
		{".255 is passed over", "00000000fe",
			`[{"ipRangeStart":"10.147.14.1","ipRangeEnd":"10.147.15.254"}]`, `[{"target":"10.147.14.0/23"}]`,
			nil, []any{"10.147.15.0"}}, // 14.1 + 254 = 14.255, then 15.0
		{"the last address only when it is the pool's only one", "0000000000",
			`[{"ipRangeStart":"10.147.15.9","ipRangeEnd":"10.147.15.9"}]`, `[{"target":"10.147.15.0/24"}]`,
			nil, []any{"10.147.15.9"}},
		{"a pool of two never gives its second", "0000000001",
			`[{"ipRangeStart":"10.147.15.8","ipRangeEnd":"10.147.15.9"}]`, `[{"target":"10.147.15.0/24"}]`,
			[]string{"10.147.15.8"}, []any{}}, // two tries, both 10.147.15.8
		{"a /0 route does not count", "0000000005",
			`[{"ipRangeStart":"10.147.15.1","ipRangeEnd":"10.147.15.254"}]`, `[{"target":"0.0.0.0/0"}]`,
			nil, []any{}},
		{"an unrouted pool is skipped for the next", "0000000005",
			`[{"ipRangeStart":"10.99.0.1","ipRangeEnd":"10.99.0.254"},{"ipRangeStart":"10.147.15.1","ipRangeEnd":"10.147.15.254"}]`, `[{"target":"10.147.15.0/24"}]`,
			nil, []any{"10.147.15.6"}},
		{"an IPv6 pool gives no IPv4 address", "0000000005",
			`[{"ipRangeStart":"fd00::1","ipRangeEnd":"fd00::ff"}]`, `[{"target":"fd00::/64"}]`,
			nil, []any{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := ztfake.NewWorld()
			ctrl := ztfake.Serve(t, w.NewNode(ztfake.NodeOptions{Name: "fog", Controller: true}))
			node := ztfake.Serve(t, w.NewNode(ztfake.NodeOptions{Name: "bus", Address: tc.addr}))
			a := call(t, ctrl.URL, ctrl.Token(), "POST", "/controller/network/"+ctrl.Address()+"______",
				`{"ipAssignmentPools":`+tc.pools+`,"routes":`+tc.routes+`,"v4AssignMode":{"zt":true}}`)
			if a.code != 200 {
				t.Fatalf("create: %d %s", a.code, a.body)
			}
			nwid := obj(t, a.body)["id"].(string)
			for i, ip := range tc.taken {
				m := fmt.Sprintf("/controller/network/%s/member/%010x", nwid, 0xaa00000000+i)
				call(t, ctrl.URL, ctrl.Token(), "POST", m, `{"authorized":true,"ipAssignments":["`+ip+`"]}`)
			}
			p := "/controller/network/" + nwid + "/member/" + tc.addr
			call(t, node.URL, node.Token(), "POST", "/network/"+nwid, `{}`)
			call(t, ctrl.URL, ctrl.Token(), "POST", p, `{"authorized":true}`)
			call(t, node.URL, node.Token(), "GET", "/network/"+nwid, "")
			if diff := cmp.Diff(tc.want, obj(t, call(t, ctrl.URL, ctrl.Token(), "GET", p, "").body)["ipAssignments"]); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// A deleted network is not pushed to the nodes that joined it (the
// emulator's reading, not measured): each learns at its next refresh that
// the controller no longer has it, and stays joined until it leaves.
func TestDeletedNetworkIsNotFoundAtTheNextRefresh(t *testing.T) {
	s := newFixture(t)
	nwid := s.network(t)
	s.callNode(t, "POST", "/network/"+nwid, `{}`)
	s.call(t, "POST", "/controller/network/"+nwid+"/member/"+s.node.Address(), `{"authorized":true,"ipAssignments":["10.147.15.7"]}`)
	if d := s.call(t, "DELETE", "/controller/network/"+nwid, ""); d.code != 200 {
		t.Fatalf("DELETE: %d", d.code)
	}
	if st := obj(t, s.callNode(t, "GET", "/network/"+nwid, "").body)["status"]; st != "OK" {
		t.Errorf("right after the delete: %v, want OK until the refresh", st)
	}
	s.world.Advance(ztfake.RefreshInterval)
	j := obj(t, s.callNode(t, "GET", "/network/"+nwid, "").body)
	if j["status"] != "NOT_FOUND" || len(j["assignedAddresses"].([]any)) != 0 {
		t.Errorf("at the refresh: %v %v, want NOT_FOUND and no address", j["status"], j["assignedAddresses"])
	}
}

// An address POSTed once is stored once, whatever the network assigns by
// itself. The emulator's automatic assignment used to take IPv6 pools too
// and did not count the member's own addresses as held: on a network with
// v4AssignMode zt whose first pool was IPv6, a member given fd05::1 by the
// API got fd05::1 again at the node's next request, so fogctl read back
// "fd05::1, fd05::1". The real controller assigns IPv4 only from IPv4
// pools, and never an address a member holds.
func TestAddressPostedOnceIsStoredOnce(t *testing.T) {
	s := newFixture(t)
	a := s.call(t, "POST", "/controller/network/"+s.ctrl.Address()+"______",
		`{"ipAssignmentPools":[{"ipRangeStart":"fd05::1","ipRangeEnd":"fd05::ff"}],"routes":[{"target":"fd05::/64"}],"v4AssignMode":{"zt":true}}`)
	nwid := obj(t, a.body)["id"].(string)
	p := "/controller/network/" + nwid + "/member/" + s.node.Address()
	s.callNode(t, "POST", "/network/"+nwid, `{}`)
	for i := 0; i < 3; i++ {
		s.call(t, "POST", p, `{"authorized":true,"ipAssignments":["fd05::1"]}`)
		s.world.Advance(ztfake.RefreshInterval)
		s.callNode(t, "GET", "/network/"+nwid, "")
		if diff := cmp.Diff([]any{"fd05::1"}, obj(t, s.call(t, "GET", p, "").body)["ipAssignments"]); diff != "" {
			t.Fatalf("round %d: ipAssignments (-want +got):\n%s", i, diff)
		}
	}
}

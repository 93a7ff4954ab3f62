package ztfake

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestCheckResponse holds answers to the spec: what the spec (corrected
// from main.tsp) allows passes, each deviation REAL-BEHAVIOUR.md lists
// passes, and anything else is a violation naming what is wrong.
func TestCheckResponse(t *testing.T) {
	const (
		nwid   = "adc0e51e51abc123"
		member = "0123456789"
	)
	js := http.Header{"Content-Type": {"application/json"}}
	none := http.Header{}
	text := http.Header{"Content-Type": {"text/plain"}}
	tests := []struct {
		name, method, path string
		status             int
		hdr                http.Header
		body               string
		want               string // "" for no violation, else part of it
	}{
		{"network as stored", "GET", "/controller/network/" + nwid, 200, js,
			`{"id":"` + nwid + `","private":true,"remoteTraceTarget":null,"routes":[{"target":"10.147.15.0/24","via":null}]}`, ""},
		{"network with a string for a boolean", "GET", "/controller/network/" + nwid, 200, js,
			`{"id":"` + nwid + `","private":"yes"}`, `Error at "/private"`},
		{"member list as an object of revisions", "GET", "/controller/network/" + nwid + "/member", 200, js,
			`{"` + member + `":2}`, ""},
		{"member list as an array", "GET", "/controller/network/" + nwid + "/member", 200, js,
			`["` + member + `"]`, "value must be an object"},
		{"member with a number for an address", "POST", "/controller/network/" + nwid + "/member/" + member, 200, js,
			`{"id":"` + member + `","ipAssignments":[7]}`, `Error at "/ipAssignments/0"`},
		{"deleted network", "DELETE", "/controller/network/" + nwid, 200, js,
			`{"id":"` + nwid + `","remoteTraceTarget":null}`, ""},
		{"full member list", "GET", "/unstable/controller/network/" + nwid + "/member", 200, js,
			`{"data":[{"id":"` + member + `","authorized":"no"}],"meta":{"totalCount":1,"authorizedCount":0}}`, `Error at "/data/0/authorized"`},
		{"joined network without DNS, route without gateway", "GET", "/network/" + nwid, 200, js,
			`{"id":"` + nwid + `","dns":[],"routes":[{"target":"10.147.15.0/24","via":null,"flags":0,"metric":0}]}`, ""},
		{"joined network with DNS servers as a list", "GET", "/network/" + nwid, 200, js,
			`{"id":"` + nwid + `","dns":["10.147.15.3"]}`, `Error at "/dns"`},
		{"401 with {}", "GET", "/controller/network", 401, js, `{}`, ""},
		{"401 on an /unstable route", "GET", "/unstable/controller/network", 401, js, `{}`, ""},
		{"not joined: 404 with {}", "GET", "/network/" + nwid, 404, js, `{}`, ""},
		{"REAL-BEHAVIOUR: unknown network, 404 with an empty body", "DELETE", "/controller/network/" + nwid, 404, none, "", ""},
		{"REAL-BEHAVIOUR: no controller here, 404 with an empty body", "GET", "/controller/network", 404, none, "", ""},
		{"404 with a text body", "GET", "/controller/network/" + nwid, 404, text, "not found", "Content-Type"},
		{"REAL-BEHAVIOUR: malformed POST body, 500 with a description", "POST", "/controller/network/" + nwid + "/member/" + member, 500, js,
			`{"description":"[json.exception.parse_error.101] parse error","error":500}`, ""},
		{"500 to a GET", "GET", "/controller/network/" + nwid, 500, js, `{"description":"disk full","error":500}`, "status is not supported"},
		{"500 without a description", "POST", "/controller/network/" + nwid, 500, js, `{"error":500}`, "status is not supported"},
		{"418", "GET", "/status", 418, js, `{}`, "status is not supported"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, "http://127.0.0.1:9993"+tc.path, nil)
			r.Header.Set("X-ZT1-Auth", "0123456789abcdef01234567")
			in, err := checkRequest(r, nil)
			if in == nil {
				t.Fatalf("the request matches no route: %v", err)
			}
			err = checkResponse(in, tc.status, tc.hdr, []byte(tc.body))
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("violation for an answer the real service gives: %v", err)
			case tc.want != "" && err == nil:
				t.Errorf("no violation, want one with %q", tc.want)
			case tc.want != "" && !strings.Contains(err.Error(), tc.want):
				t.Errorf("violation %q, want one with %q", err, tc.want)
			}
		})
	}
}

// TestServeRecordsAnswersOffTheSpec sends one request through the node's
// checking path with an answer the spec does not allow: the violation is
// recorded, and the answer still reaches the client unchanged.
func TestServeRecordsAnswersOffTheSpec(t *testing.T) {
	n := NewWorld().NewNode(NodeOptions{Name: "fog", Controller: true})
	r := httptest.NewRequest("GET", "http://127.0.0.1:9993/controller/network", nil)
	r.Header.Set("X-ZT1-Auth", n.Token())
	rw := httptest.NewRecorder()
	n.serveChecked(rw, r, func(w http.ResponseWriter, _ *http.Request, _ []byte) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`{"networks":[]}`))
	})
	if rw.Code != 200 || rw.Body.String() != `{"networks":[]}` || rw.Header().Get("Content-Type") != "application/json" {
		t.Errorf("client got %d %v %q, want the answer as written", rw.Code, rw.Header(), rw.Body)
	}
	v := n.TakeViolations()
	if len(v) != 1 || !strings.Contains(v[0], "answer 200 to GET /controller/network") || !strings.Contains(v[0], "value must be an array") {
		t.Errorf("violations %q, want one naming the answer", v)
	}
}

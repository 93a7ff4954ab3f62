package ztfake_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/fogctl/fogctl/netoverlay/ztfake"
)

// recordingTB is a testing.TB whose failures and cleanups the test sees.
type recordingTB struct {
	testing.TB
	failures []string
	cleanups []func()
}

func (r *recordingTB) Helper()          {}
func (r *recordingTB) Cleanup(f func()) { r.cleanups = append(r.cleanups, f) }
func (r *recordingTB) Errorf(format string, a ...any) {
	r.failures = append(r.failures, fmt.Sprintf(format, a...))
}

func (r *recordingTB) finish() {
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		r.cleanups[i]()
	}
}

func TestServeFailsTheTestThatBrokeTheSpec(t *testing.T) {
	rec := &recordingTB{TB: t}
	srv := ztfake.Serve(rec, ztfake.NewWorld().NewNode(ztfake.NodeOptions{Name: "fog", Controller: true}))
	req, _ := http.NewRequest("POST", srv.URL+"/controller/network", strings.NewReader(`{"private":"yes"}`))
	req.Header.Set("X-ZT1-Auth", srv.Token())
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	rec.finish()
	if len(rec.failures) != 1 || !strings.Contains(rec.failures[0], `Error at "/private": value must be a boolean`) {
		t.Errorf("Serve's cleanup reported %q, want one failure naming /private", rec.failures)
	}
}

func TestServeAcceptsWhatTheSpecAllows(t *testing.T) {
	rec := &recordingTB{TB: t}
	srv := ztfake.Serve(rec, ztfake.NewWorld().NewNode(ztfake.NodeOptions{Name: "fog", Controller: true}))
	req, _ := http.NewRequest("POST", srv.URL+"/controller/network", strings.NewReader(`{"private":true,"name":"fleet"}`))
	req.Header.Set("X-ZT1-Auth", srv.Token())
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	rec.finish()
	if len(rec.failures) != 0 {
		t.Errorf("failures %q for a request the spec allows", rec.failures)
	}
}

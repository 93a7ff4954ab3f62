package netoverlay_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fogctl/fogctl/netoverlay"
	"github.com/fogctl/fogctl/netoverlay/ztfake"
)

// BenchmarkMembers lists a network of 200 members as fogctl does (one
// read of /unstable/.../member) against the baseline of the field's
// helper script: the id list, then one member read after another. Both
// run against the same ztfake stand-in on loopback in the same run; the
// ratio is fogctl / baseline (below 1 is faster).
func BenchmarkMembers(b *testing.B) {
	w := ztfake.NewWorld()
	srv := ztfake.Serve(b, w.NewNode(ztfake.NodeOptions{Name: "fog", Controller: true}))
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	c, err := netoverlay.New(hc, srv.URL, netoverlay.NewToken(srv.Token()))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	n, err := c.CreateNetwork(ctx, netoverlay.NetworkSpec{Name: "fleet", Private: true, CIDRs: []string{"10.147.0.0/16"}})
	if err != nil {
		b.Fatal(err)
	}
	// Members are created the way a node's join creates them: by POST.
	for i := range 200 {
		req, _ := http.NewRequest("POST", fmt.Sprintf("%s/controller/network/%s/member/%010x", srv.URL, n.ID, 0x1000+i), jsonBody(`{"authorized":false}`))
		req.Header.Set("X-ZT1-Auth", srv.Token())
		req.Header.Set("Content-Type", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
	}
	baseline := func() {
		get := func(path string, out any) {
			req, _ := http.NewRequest("GET", srv.URL+path, nil)
			req.Header.Set("X-ZT1-Auth", srv.Token())
			resp, err := hc.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			defer resp.Body.Close()
			data, _ := io.ReadAll(resp.Body)
			if err := json.Unmarshal(data, out); err != nil {
				b.Fatal(err)
			}
		}
		revs := map[string]int{}
		get("/controller/network/"+n.ID+"/member", &revs)
		for id := range revs {
			var m netoverlay.Member
			get("/controller/network/"+n.ID+"/member/"+id, &m)
		}
	}
	var fogctl, base time.Duration
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		baseline()
		t1 := time.Now()
		ms, err := c.Members(ctx, n.ID)
		if err != nil || len(ms) != 200 {
			b.Fatalf("%d members, %v", len(ms), err)
		}
		fogctl += time.Since(t1)
		base += t1.Sub(t0)
	}
	b.ReportMetric(float64(fogctl)/float64(base), "ratio")
	b.ReportMetric(float64(fogctl.Microseconds())/float64(b.N), "µs-fogctl/op")
	b.ReportMetric(float64(base.Microseconds())/float64(b.N), "µs-baseline/op")
}

func jsonBody(s string) io.Reader { return strings.NewReader(s) }

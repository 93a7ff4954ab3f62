package cluster_test

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fogctl/fogctl/cluster"
	"github.com/fogctl/fogctl/cluster/clustertest"
	"go.uber.org/goleak"
)

// endpoint is how a kubeconfig context with the plane's admin token
// resolves: through the plane's proxy, verified with its CA.
func endpoint(p *clustertest.ControlPlane, name string) cluster.Endpoint {
	return cluster.Endpoint{Context: name, Server: p.Server(), CAData: p.CA.CertPEM, Token: p.Token}
}

// probeTimeout is long: these tests are about reasons, and CI shares two
// cores among many test processes.
const probeTimeout = 10 * time.Second

// slack is what a loaded CI machine may add to a probe that waits for its
// timeout, in tests that are about what happens, not how fast.
const slack = 3 * time.Second

func TestProbe(t *testing.T) {
	planes := clustertest.StartN(t, 2)
	p, other := planes[0], planes[1]

	withCert := endpoint(p, "k3s")
	withCert.Token, withCert.CertData, withCert.KeyData = "", p.AdminCert.CertPEM, p.AdminCert.KeyPEM
	unknownCA := endpoint(p, "other-ca")
	unknownCA.CAData = other.CA.CertPEM
	wrongName := endpoint(p, "wrong-name")
	wrongName.TLSServerName = "bus-17.depot.example"
	badToken := endpoint(p, "bad-token")
	badToken.Token = other.Token
	anonymous := endpoint(p, "anonymous")
	anonymous.Token = ""
	insecure := endpoint(p, "insecure")
	insecure.CAData, insecure.Insecure = nil, true
	noCA := endpoint(p, "no-ca")
	noCA.CAData = nil
	direct := endpoint(p, "direct")
	direct.Server = p.DirectURL
	plainHTTP := endpoint(p, "plain-http")
	plainHTTP.Server = "http://" + strings.TrimPrefix(p.DirectURL, "https://")
	garbageCA := endpoint(p, "garbage-ca")
	garbageCA.CAData = []byte("not a certificate")

	tests := []struct {
		name      string
		ep        cluster.Endpoint
		reachable bool
		reason    string
	}{
		{"admin token", endpoint(p, "token"), true, ""},
		{"client certificate as in k3s.yaml", withCert, true, ""},
		{"direct URL", direct, true, ""},
		{"insecure-skip-tls-verify", insecure, true, ""},
		{"CA of another cluster", unknownCA, false, "tls: certificate signed by unknown authority"},
		{"no CA: system roots do not know it", noCA, false, "tls: certificate signed by unknown authority"},
		{"tls-server-name not in the certificate", wrongName, false, "tls: certificate is not valid for bus-17.depot.example"},
		{"token of another cluster", badToken, false, "unauthorized"},
		{"no credentials (anonymous auth off, as in k3s)", anonymous, false, "unauthorized"},
		{"http to an https port", plainHTTP, false, "http 400 from /readyz"},
		{"unparsable CA data", garbageCA, false, "config: certificate-authority data holds no PEM certificate"},
		{"server not a URL", cluster.Endpoint{Context: "x", Server: "bus-17:6443"}, false, `config: server "bus-17:6443" is not an http(s) URL`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := cluster.Probe(t.Context(), nil, tt.ep, probeTimeout)
			if res.Reachable != tt.reachable || res.Reason != tt.reason {
				t.Fatalf("Probe = reachable %t, reason %q; want reachable %t, reason %q", res.Reachable, res.Reason, tt.reachable, tt.reason)
			}
			if res.Context != tt.ep.Context || res.Server != tt.ep.Server {
				t.Errorf("Probe = context %q server %q, want %q %q", res.Context, res.Server, tt.ep.Context, tt.ep.Server)
			}
			if tt.reachable {
				if res.Version != "v"+clustertest.KubeVersion {
					t.Errorf("Version = %q, want v%s", res.Version, clustertest.KubeVersion)
				}
				if res.RTT <= 0 || res.RTT > probeTimeout {
					t.Errorf("RTT = %s, want in (0, %s]", res.RTT, probeTimeout)
				}
			} else if res.Version != "" || res.RTT != 0 {
				t.Errorf("unreachable with version %q and RTT %s, want neither", res.Version, res.RTT)
			}
		})
	}
}

func TestProbeCutCluster(t *testing.T) {
	p := clustertest.Start(t)
	ep := endpoint(p, "bus-17")
	const timeout = 700 * time.Millisecond

	tests := []struct {
		mode   clustertest.Mode
		reason string
		min    time.Duration // a black hole gives no answer before the timeout
		max    time.Duration
	}{
		{clustertest.Refuse, "refused", 0, timeout},
		{clustertest.BlackHole, "timeout", timeout, timeout + slack},
	}
	for _, tt := range tests {
		t.Run(tt.mode.String(), func(t *testing.T) {
			if res := cluster.Probe(t.Context(), nil, ep, probeTimeout); !res.Reachable {
				t.Fatalf("before the cut: %+v, want reachable", res)
			}
			p.Cut(t, tt.mode)
			start := time.Now()
			res := cluster.Probe(t.Context(), nil, ep, timeout)
			took := time.Since(start)
			if res.Reachable || res.Reason != tt.reason {
				t.Errorf("cut: reachable %t reason %q, want unreachable with %q", res.Reachable, res.Reason, tt.reason)
			}
			if took < tt.min || took > tt.max {
				t.Errorf("cut probe took %s, want between %s and %s", took, tt.min, tt.max)
			}
			p.Restore(t)
			if res := cluster.Probe(t.Context(), nil, ep, probeTimeout); !res.Reachable {
				t.Errorf("after restore: %+v, want reachable", res)
			}
		})
	}
}

// TestProbeFrozenServerTimesOut stops the API server process itself
// (SIGSTOP): the kernel still accepts connections, nobody answers.
func TestProbeFrozenServerTimesOut(t *testing.T) {
	p := clustertest.Start(t)
	ep := endpoint(p, "hung")
	ep.Server = p.DirectURL
	const timeout = 700 * time.Millisecond
	p.Freeze(t)
	start := time.Now()
	res := cluster.Probe(t.Context(), nil, ep, timeout)
	if took := time.Since(start); res.Reachable || res.Reason != "timeout" || took < timeout || took > timeout+slack {
		t.Errorf("frozen server: %+v after %s, want timeout after %s", res, took, timeout)
	}
	p.Thaw(t)
	if res := cluster.Probe(t.Context(), nil, ep, 5*time.Second); !res.Reachable {
		t.Errorf("thawed server: %+v, want reachable", res)
	}
}

// TestProbeFallsBackToVersion takes /readyz away from a user with RBAC on
// a real API server: the probe then reads /version, and says forbidden
// when that is denied too.
func TestProbeFallsBackToVersion(t *testing.T) {
	p := clustertest.Start(t)
	admin := p.HTTPClient()
	call := func(method, path, body string) {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), method, p.Server()+path, bytes.NewBufferString(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := admin.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode >= 300 {
			t.Fatalf("%s %s: %s", method, path, resp.Status)
		}
	}
	ep := endpoint(p, "viewer")
	ep.Token = p.ViewerToken
	if res := cluster.Probe(t.Context(), nil, ep, probeTimeout); !res.Reachable {
		t.Fatalf("viewer before RBAC change: %+v, want reachable", res)
	}

	// Every authenticated user may read /readyz and /version through two
	// bindings; remove both, then allow the viewer /version alone.
	for _, b := range []string{"system:public-info-viewer", "system:discovery"} {
		call(http.MethodDelete, "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/"+b, "")
	}
	call(http.MethodPost, "/apis/rbac.authorization.k8s.io/v1/clusterroles",
		`{"metadata":{"name":"version-only"},"rules":[{"nonResourceURLs":["/version"],"verbs":["get"]}]}`)
	call(http.MethodPost, "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
		`{"metadata":{"name":"viewer-version"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"version-only"},"subjects":[{"kind":"User","name":"viewer","apiGroup":"rbac.authorization.k8s.io"}]}`)
	viewerGets := func(readyz, version int) {
		t.Helper()
		// RBAC changes reach the authorizer through a watch: poll, bounded.
		deadline := time.Now().Add(20 * time.Second)
		var r, v int
		for time.Now().Before(deadline) {
			r, v = statusAs(t, p, ep.Token, "/readyz"), statusAs(t, p, ep.Token, "/version")
			if r == readyz && v == version {
				return
			}
			waitBriefly(t.Context())
		}
		t.Fatalf("viewer gets /readyz %d, /version %d; want %d, %d", r, v, readyz, version)
	}

	viewerGets(http.StatusForbidden, http.StatusOK)
	res := cluster.Probe(t.Context(), nil, ep, probeTimeout)
	if !res.Reachable || res.Version != "v"+clustertest.KubeVersion || res.RTT <= 0 {
		t.Fatalf("viewer with /readyz forbidden and /version allowed: %+v, want reachable with version", res)
	}

	call(http.MethodDelete, "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/viewer-version", "")
	viewerGets(http.StatusForbidden, http.StatusForbidden)
	res = cluster.Probe(t.Context(), nil, ep, probeTimeout)
	if res.Reachable || res.Reason != "forbidden" {
		t.Fatalf("viewer with both forbidden: %+v, want unreachable, forbidden", res)
	}
}

// statusAs is the HTTP status of GET path with token.
func statusAs(t *testing.T, p *clustertest.ControlPlane, token, path string) int {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, p.Server()+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := (&http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: p.TLSConfig()}}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// waitBriefly paces a bounded poll loop.
func waitBriefly(ctx context.Context) {
	timer := time.NewTimer(100 * time.Millisecond)
	defer timer.Stop()
	select {
	case <-ctx.Done():
	case <-timer.C:
	}
}

func TestProbeAllKeepsOrderAndBoundsTime(t *testing.T) {
	planes := clustertest.StartN(t, 2)
	up, down := planes[0], planes[1]
	down.Cut(t, clustertest.BlackHole)

	var eps []cluster.Endpoint
	for i := range 12 {
		p := up
		if i%2 == 0 {
			p = down
		}
		eps = append(eps, endpoint(p, "bus-"+string(rune('a'+i))))
	}
	const timeout = time.Second
	// Probes leave no goroutine behind: connections, black-holed ones too,
	// are closed when ProbeAll returns.
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	start := time.Now()
	results := cluster.ProbeAll(t.Context(), nil, eps, timeout, 8)
	took := time.Since(start)
	for i, r := range results {
		if r.Context != eps[i].Context {
			t.Fatalf("result %d is for %q, want %q (input order)", i, r.Context, eps[i].Context)
		}
		if want := i%2 != 0; r.Reachable != want {
			t.Errorf("%s: reachable %t (%s), want %t", r.Context, r.Reachable, r.Reason, want)
		}
	}
	// 6 black-holed probes fit in 8 workers: they wait for one timeout
	// together, not 6s in turn.
	if took < timeout || took >= 2*timeout+time.Second/2 {
		t.Errorf("ProbeAll took %s, want about one %s timeout", took, timeout)
	}
}

// TestProbeThroughProxyURL reaches the API server through an HTTP CONNECT
// proxy named by the kubeconfig's proxy-url, as through a bastion.
func TestProbeThroughProxyURL(t *testing.T) {
	p := clustertest.Start(t)
	var mu sync.Mutex
	var tunnels []string
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodConnect {
			http.Error(w, "CONNECT only", http.StatusMethodNotAllowed)
			return
		}
		mu.Lock()
		tunnels = append(tunnels, r.Host)
		mu.Unlock()
		upstream, err := net.Dial("tcp", r.Host)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer upstream.Close()
		client, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer client.Close()
		_, _ = client.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\n"))
		done := make(chan struct{})
		go func() {
			_, _ = io.Copy(upstream, client)
			close(done)
		}()
		_, _ = io.Copy(client, upstream)
		upstream.Close()
		<-done
	}))
	defer proxy.Close()

	ep := endpoint(p, "via-bastion")
	ep.ProxyURL = proxy.URL
	res := cluster.Probe(t.Context(), nil, ep, probeTimeout)
	if !res.Reachable || res.Version == "" {
		t.Fatalf("through proxy-url: %+v, want reachable", res)
	}
	mu.Lock()
	defer mu.Unlock()
	if want := strings.TrimPrefix(p.Server(), "https://"); len(tunnels) != 1 || tunnels[0] != want {
		t.Errorf("proxy tunnels = %v, want one to %s", tunnels, want)
	}
}

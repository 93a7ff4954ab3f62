//go:build unix

package clustertest

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func getVersion(t *testing.T, client *http.Client, url string) string {
	t.Helper()
	resp, err := client.Get(url + "/version")
	if err != nil {
		t.Fatalf("GET %s/version: %v", url, err)
	}
	defer resp.Body.Close()
	var v struct {
		GitVersion string `json:"gitVersion"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		t.Fatalf("decode /version: %v", err)
	}
	return v.GitVersion
}

func TestStartServesVersionThroughProxyWithVerifiedTLS(t *testing.T) {
	start := time.Now()
	p := Start(t)
	t.Logf("one control plane ready in %s", time.Since(start).Round(time.Millisecond))

	client := p.HTTPClient()
	for _, url := range []string{p.DirectURL, p.Server()} {
		if got := getVersion(t, client, url); got != "v"+KubeVersion {
			t.Errorf("%s/version gitVersion = %q, want v%s", url, got, KubeVersion)
		}
	}

	// The admin token is an admin: it may list namespaces.
	resp, err := client.Get(p.Server() + "/api/v1/namespaces")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("list namespaces with the admin token: %s, want 200 OK", resp.Status)
	}

	// A client that does not trust the plane's CA is refused by TLS.
	_, err = (&http.Client{Timeout: 5 * time.Second}).Get(p.Server() + "/version")
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("GET without the plane's CA: err = %v, want a certificate error", err)
	}
}

func TestStartNRunsIndependentPlanesAndStopsThemByPID(t *testing.T) {
	var pids []int
	t.Run("start", func(t *testing.T) {
		start := time.Now()
		planes := StartN(t, 3)
		t.Logf("3 control planes ready in %s", time.Since(start).Round(time.Millisecond))
		seen := map[string]bool{}
		for _, p := range planes {
			if seen[p.DirectURL] || seen[p.Token] {
				t.Errorf("%s shares its URL or token with another plane", p.Name)
			}
			seen[p.DirectURL], seen[p.Token] = true, true
			pids = append(pids, p.apiserver.cmd.Process.Pid, p.etcd.cmd.Process.Pid)
		}
		// One plane's token is not valid on another.
		other := planes[1].HTTPClient()
		other.Transport.(*bearer).next = planes[0].HTTPClient().Transport.(*bearer).next
		resp, err := other.Get(planes[0].Server() + "/api/v1/namespaces")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("plane-1's token on plane-0: %s, want 401", resp.Status)
		}
	})
	// The subtest's cleanup has stopped all six processes.
	for _, pid := range pids {
		if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("process %d still exists after cleanup (kill -0: %v)", pid, err)
		}
	}
}

func TestK3sYAMLAuthenticatesWithTheAdminClientCertificate(t *testing.T) {
	p := Start(t)
	path := t.TempDir() + "/etc/rancher/k3s/k3s.yaml"
	if err := p.WriteK3sYAML(path, ""); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("k3s.yaml mode = %v, want 0600", fi.Mode().Perm())
	}
	data, _ := os.ReadFile(path)
	for _, want := range []string{"name: default", "server: " + p.Server(), "client-key-data: "} {
		if !strings.Contains(string(data), want) {
			t.Errorf("k3s.yaml lacks %q:\n%s", want, data)
		}
	}
	if got := p.K3sYAML("https://127.0.0.1:6443"); !strings.Contains(string(got), "server: https://127.0.0.1:6443\n") {
		t.Errorf("K3sYAML(server) does not use the given server:\n%s", got)
	}

	cfg := p.TLSConfig()
	cert, err := tlsKeyPair(p.AdminCert)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Certificates = append(cfg.Certificates, cert)
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: cfg}}
	resp, err := client.Get(p.Server() + "/api/v1/namespaces")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("list namespaces with the k3s admin certificate: %s, want 200 OK", resp.Status)
	}
}

func TestAssetsDirNamesTheCommandWhenBinariesAreMissing(t *testing.T) {
	t.Setenv(AssetsEnv, t.TempDir())
	_, err := AssetsDir()
	if err == nil || !strings.Contains(err.Error(), "make testenv") {
		t.Errorf("AssetsDir() error = %v, want one telling to run make testenv", err)
	}
}

// echoServer answers each line it reads with the same line.
func echoServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_, _ = io.Copy(c, c)
			}()
		}
	}()
	return ln.Addr().String()
}

// roundTrip dials addr, writes ping and reads it back within d.
func roundTrip(addr string, d time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var dialer net.Dialer
	c, err := dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(d))
	if _, err := c.Write([]byte("ping")); err != nil {
		return err
	}
	buf := make([]byte, 4)
	_, err = io.ReadFull(c, buf)
	return err
}

func TestProxyCutAndRestore(t *testing.T) {
	p := NewProxy(t, echoServer(t))
	if err := roundTrip(p.Addr(), 5*time.Second); err != nil {
		t.Fatalf("open proxy: %v", err)
	}

	// An open connection that spans a cut.
	held, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()

	if err := p.Cut(Refuse); err != nil {
		t.Fatal(err)
	}
	if err := roundTrip(p.Addr(), 5*time.Second); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("refused proxy: err = %v, want connection refused", err)
	}
	_ = held.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := held.Read(make([]byte, 1)); err == nil {
		t.Error("a connection open across Cut(Refuse) still reads, want it reset")
	}

	if err := p.Restore(); err != nil {
		t.Fatal(err)
	}
	if err := roundTrip(p.Addr(), 5*time.Second); err != nil {
		t.Errorf("restored after refuse: %v", err)
	}

	if err := p.Cut(BlackHole); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err = roundTrip(p.Addr(), 300*time.Millisecond)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("black-holed proxy: err = %v, want a timeout", err)
	}
	if d := time.Since(start); d < 300*time.Millisecond {
		t.Errorf("black-holed proxy answered after %s, want no answer before the deadline", d)
	}

	if err := p.Restore(); err != nil {
		t.Fatal(err)
	}
	if err := roundTrip(p.Addr(), 5*time.Second); err != nil {
		t.Errorf("restored after black-hole: %v", err)
	}
}

func TestCleanupStopsAFrozenPlane(t *testing.T) {
	var pid int
	t.Run("freeze", func(t *testing.T) {
		p := Start(t)
		p.Freeze(t)
		pid = p.apiserver.cmd.Process.Pid
	})
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("frozen kube-apiserver %d still exists after cleanup (kill -0: %v)", pid, err)
	}
}

// TestKubeconfigsWorkWithKubectl hands the plane's kubeconfigs to the real
// kubectl: the token one and the k3s.yaml one both reach the plane through
// its proxy with TLS verified.
func TestKubeconfigsWorkWithKubectl(t *testing.T) {
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		t.Fatal("kubectl not found: `make test` installs it (scripts/test.sh)")
	}
	p := Start(t)
	k3s := filepath.Join(t.TempDir(), "k3s.yaml")
	if err := p.WriteK3sYAML(k3s, ""); err != nil {
		t.Fatal(err)
	}
	for _, kc := range []string{p.WriteKubeconfig(t, "bus-17"), k3s} {
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
		out, err := exec.CommandContext(ctx, kubectl, "--kubeconfig", kc, "get", "namespace", "kube-system", "-o", "name").CombinedOutput()
		cancel()
		if err != nil || strings.TrimSpace(string(out)) != "namespace/kube-system" {
			t.Errorf("kubectl with %s: %v\n%s", filepath.Base(kc), err, out)
		}
	}
}

package clustertest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Versions of the binaries the harness expects; scripts/kube-testenv.sh
// builds these.
const (
	KubeVersion = "1.37.2"
	EtcdVersion = "3.6.8"
)

// AssetsEnv names the directory holding the kube-apiserver and etcd binaries.
const AssetsEnv = "FOGCTL_KUBE_ASSETS"

// readyTimeout bounds the wait for /readyz. A plane is ready in about a
// second on an idle machine; CI shares two cores with the race detector.
const readyTimeout = 90 * time.Second

// stopTimeout bounds the wait for a process after SIGTERM before SIGKILL.
const stopTimeout = 10 * time.Second

// defaultAssets is the cache directory scripts/kube-testenv.sh fills,
// resolved once at start-up: tests later point HOME at temporary
// directories.
var defaultAssets = func() string {
	base := os.Getenv("XDG_CACHE_HOME")
	if base == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		base = filepath.Join(home, ".cache")
	}
	return filepath.Join(base, "fogctl-testenv", "kube-"+KubeVersion+"-etcd-"+EtcdVersion)
}()

// AssetsDir returns the directory holding kube-apiserver and etcd: the
// FOGCTL_KUBE_ASSETS variable, else the default cache directory. It fails
// with what to run when either binary is missing.
func AssetsDir() (string, error) {
	dir := os.Getenv(AssetsEnv)
	if dir == "" {
		dir = defaultAssets
	}
	for _, bin := range []string{"kube-apiserver", "etcd"} {
		p := filepath.Join(dir, bin)
		if fi, err := os.Stat(p); err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
			return "", fmt.Errorf("%s not found in %s: run `make testenv` (scripts/kube-testenv.sh builds it, about 5 minutes once) or set %s", bin, dir, AssetsEnv)
		}
	}
	return dir, nil
}

// ControlPlane is one running etcd + kube-apiserver pair on loopback,
// behind a Proxy. Its kubeconfigs point at the proxy.
type ControlPlane struct {
	// Name is the plane's name ("plane-0", ...), used for its kubeconfig
	// context unless a test asks for another.
	Name string
	// Dir holds the plane's data, certificates and logs.
	Dir string
	// DirectURL is the API server's own https URL, not through the proxy.
	DirectURL string
	// Proxy stands in front of the API server; Server is its URL.
	Proxy *Proxy
	// CA signed the serving certificate and the client certificates.
	CA *CA
	// Token is a bearer token of an admin (group system:masters).
	Token string
	// ViewerToken is a bearer token of user "viewer", who has no role
	// beyond what RBAC gives every authenticated user.
	ViewerToken string
	// AdminCert is a client certificate of an admin (system:masters), as
	// the one k3s writes into k3s.yaml.
	AdminCert KeyPair

	apiserver *process
	etcd      *process
}

// Start starts one control plane and stops it when the test ends.
func Start(t testing.TB) *ControlPlane {
	t.Helper()
	return StartN(t, 1)[0]
}

// StartN starts n control planes side by side and stops them when the test
// ends. It fails the test when a binary is missing or a plane does not get
// ready in time.
func StartN(t testing.TB, n int) []*ControlPlane {
	t.Helper()
	assets, err := AssetsDir()
	if err != nil {
		t.Fatalf("clustertest: %v", err)
	}
	planes := make([]*ControlPlane, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		dir := t.TempDir()
		wg.Go(func() {
			planes[i], errs[i] = startPlane(assets, fmt.Sprintf("plane-%d", i), dir)
		})
	}
	wg.Wait()
	t.Cleanup(func() { stopAll(planes) })
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("clustertest: %v", err)
	}
	return planes
}

// startPlane starts one plane, retrying when a port it picked was taken by
// someone else between picking and binding.
func startPlane(assets, name, dir string) (*ControlPlane, error) {
	var err error
	for attempt := range 3 {
		var p *ControlPlane
		p, err = startPlaneOnce(assets, name, filepath.Join(dir, strconv.Itoa(attempt)))
		if err == nil {
			return p, nil
		}
		if !errors.Is(err, errPortTaken) {
			return nil, err
		}
	}
	return nil, err
}

var errPortTaken = errors.New("port taken")

func startPlaneOnce(assets, name, dir string) (_ *ControlPlane, err error) {
	if err := os.MkdirAll(filepath.Join(dir, "etcd"), 0o700); err != nil {
		return nil, err
	}
	ports, err := freePorts(3)
	if err != nil {
		return nil, err
	}
	etcdClient, etcdPeer, secure := ports[0], ports[1], ports[2]

	p := &ControlPlane{Name: name, Dir: dir, DirectURL: fmt.Sprintf("https://127.0.0.1:%d", secure)}
	defer func() {
		if err != nil {
			p.Stop()
		}
	}()
	if err := p.writeCredentials(); err != nil {
		return nil, fmt.Errorf("%s: credentials: %w", name, err)
	}

	clientURL := fmt.Sprintf("http://127.0.0.1:%d", etcdClient)
	peerURL := fmt.Sprintf("http://127.0.0.1:%d", etcdPeer)
	p.etcd, err = startProcess(filepath.Join(assets, "etcd"), filepath.Join(dir, "etcd.log"),
		"--name=default",
		"--data-dir="+filepath.Join(dir, "etcd"),
		"--listen-client-urls="+clientURL,
		"--advertise-client-urls="+clientURL,
		"--listen-peer-urls="+peerURL,
		"--initial-advertise-peer-urls="+peerURL,
		"--initial-cluster=default="+peerURL,
		"--unsafe-no-fsync",
		"--log-level=warn",
	)
	if err != nil {
		return nil, fmt.Errorf("%s: start etcd: %w", name, err)
	}
	// kube-apiserver retries etcd until it answers, so both start at once.
	p.apiserver, err = startProcess(filepath.Join(assets, "kube-apiserver"), filepath.Join(dir, "kube-apiserver.log"),
		"--etcd-servers="+clientURL,
		"--secure-port="+strconv.Itoa(secure),
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		"--endpoint-reconciler-type=none",
		"--tls-cert-file="+filepath.Join(dir, "serving.crt"),
		"--tls-private-key-file="+filepath.Join(dir, "serving.key"),
		"--client-ca-file="+filepath.Join(dir, "ca.crt"),
		"--token-auth-file="+filepath.Join(dir, "tokens.csv"),
		"--service-account-issuer=https://kubernetes.default.svc",
		"--service-account-key-file="+filepath.Join(dir, "sa.pub"),
		"--service-account-signing-key-file="+filepath.Join(dir, "sa.key"),
		"--service-cluster-ip-range=10.0.0.0/24",
		"--authorization-mode=RBAC",
		"--anonymous-auth=false", // as k3s runs it: no credentials, no answer
		"--cert-dir="+filepath.Join(dir, "certs"),
	)
	if err != nil {
		return nil, fmt.Errorf("%s: start kube-apiserver: %w", name, err)
	}
	if err := p.waitReady(); err != nil {
		return nil, err
	}
	p.Proxy, err = StartProxy(strings.TrimPrefix(p.DirectURL, "https://"))
	if err != nil {
		return nil, fmt.Errorf("%s: start proxy: %w", name, err)
	}
	return p, nil
}

// writeCredentials makes the plane's CA, serving certificate, admin client
// certificate, admin token and service account keys.
func (p *ControlPlane) writeCredentials() error {
	ca, err := NewCA(p.Name + "-ca")
	if err != nil {
		return err
	}
	serving, err := ca.ServingCert([]string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc"},
		[]net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback, net.IPv4(10, 0, 0, 1)})
	if err != nil {
		return err
	}
	admin, err := ca.ClientCert("system:admin", "system:masters")
	if err != nil {
		return err
	}
	saKey, saPub, err := serviceAccountKeys()
	if err != nil {
		return err
	}
	p.CA, p.AdminCert, p.Token, p.ViewerToken = ca, admin, randomToken(), randomToken()
	files := map[string][]byte{
		"ca.crt":      ca.CertPEM,
		"serving.crt": serving.CertPEM,
		"serving.key": serving.KeyPEM,
		"sa.key":      saKey,
		"sa.pub":      saPub,
		"tokens.csv":  fmt.Appendf(nil, "%s,admin,admin,\"system:masters\"\n%s,viewer,viewer\n", p.Token, p.ViewerToken),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(p.Dir, name), data, 0o600); err != nil {
			return err
		}
	}
	return nil
}

// waitReady polls /readyz until it answers 200, the API server exits, or
// readyTimeout passes.
func (p *ControlPlane) waitReady() error {
	ctx, cancel := context.WithTimeout(context.Background(), readyTimeout)
	defer cancel()
	client := p.directClient()
	defer client.CloseIdleConnections()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	var last string
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, p.DirectURL+"/readyz", nil)
		req.Header.Set("Authorization", "Bearer "+p.Token)
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = resp.Status
		} else {
			last = err.Error()
		}
		select {
		case <-p.apiserver.exited:
			if p.apiserver.portTaken() {
				return errPortTaken
			}
			return fmt.Errorf("%s: kube-apiserver exited before it was ready (%v): %s", p.Name, p.apiserver.err, p.apiserver.tail())
		case <-p.etcd.exited:
			if p.etcd.portTaken() {
				return errPortTaken
			}
			return fmt.Errorf("%s: etcd exited before kube-apiserver was ready (%v): %s", p.Name, p.etcd.err, p.etcd.tail())
		case <-ctx.Done():
			return fmt.Errorf("%s: kube-apiserver not ready after %s (last: %s); log: %s", p.Name, readyTimeout, last, p.apiserver.tail())
		case <-tick.C:
		}
	}
}

// Stop stops the API server, then etcd, each by the PID that was started:
// SIGTERM, a bounded wait, then SIGKILL. It also closes the proxy. Stop is
// safe to call twice.
func (p *ControlPlane) Stop() {
	if p.Proxy != nil {
		p.Proxy.Close()
	}
	// etcd last: kube-apiserver with its etcd gone ignores SIGTERM for long.
	p.apiserver.stop()
	p.etcd.stop()
}

// stopAll stops the planes side by side: each API server takes about a
// second to shut down gracefully.
func stopAll(planes []*ControlPlane) {
	var wg sync.WaitGroup
	for _, p := range planes {
		if p != nil {
			wg.Go(p.Stop)
		}
	}
	wg.Wait()
}

// Server is the URL kubeconfigs use: the proxy's.
func (p *ControlPlane) Server() string { return p.Proxy.URL() }

// Cut makes the plane unreachable through its proxy (Refuse or BlackHole).
// It fails the test if the proxy cannot be cut.
func (p *ControlPlane) Cut(t testing.TB, mode Mode) {
	t.Helper()
	if err := p.Proxy.Cut(mode); err != nil {
		t.Fatalf("clustertest: cut %s: %v", p.Name, err)
	}
}

// Restore makes the plane reachable again through its proxy.
func (p *ControlPlane) Restore(t testing.TB) {
	t.Helper()
	if err := p.Proxy.Restore(); err != nil {
		t.Fatalf("clustertest: restore %s: %v", p.Name, err)
	}
}

// Freeze stops the kube-apiserver process with SIGSTOP: connections are
// accepted by the kernel but nothing answers, as a hung server. Thaw, or
// the test's cleanup, continues it.
func (p *ControlPlane) Freeze(t testing.TB) {
	t.Helper()
	if err := freeze(p.apiserver.cmd.Process); err != nil {
		t.Fatalf("clustertest: freeze %s: %v", p.Name, err)
	}
}

// Thaw continues a frozen kube-apiserver with SIGCONT.
func (p *ControlPlane) Thaw(t testing.TB) {
	t.Helper()
	if err := thaw(p.apiserver.cmd.Process); err != nil {
		t.Fatalf("clustertest: thaw %s: %v", p.Name, err)
	}
}

// TLSConfig verifies the plane's serving certificate with its CA.
func (p *ControlPlane) TLSConfig() *tls.Config {
	pool := x509.NewCertPool()
	pool.AddCert(p.CA.Cert)
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
}

// HTTPClient returns a client that verifies the plane's certificate and
// sends its admin token, for requests to DirectURL or Server.
func (p *ControlPlane) HTTPClient() *http.Client {
	return &http.Client{
		Timeout:   30 * time.Second,
		Transport: &bearer{token: p.Token, next: &http.Transport{TLSClientConfig: p.TLSConfig()}},
	}
}

func (p *ControlPlane) directClient() *http.Client {
	return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: p.TLSConfig()}}
}

type bearer struct {
	token string
	next  http.RoundTripper
}

func (b *bearer) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Set("Authorization", "Bearer "+b.token)
	return b.next.RoundTrip(req)
}

// Kubeconfig returns a kubeconfig whose cluster, user and context are all
// named name, whose server is the proxy, and whose user holds the admin
// token. Its current-context is name.
func (p *ControlPlane) Kubeconfig(name string) []byte {
	return fmt.Appendf(nil, `apiVersion: v1
kind: Config
clusters:
- name: %[1]s
  cluster:
    server: %[2]s
    certificate-authority-data: %[3]s
contexts:
- name: %[1]s
  context:
    cluster: %[1]s
    user: %[1]s
current-context: %[1]s
preferences: {}
users:
- name: %[1]s
  user:
    token: %[4]s
`, name, p.Server(), b64(p.CA.CertPEM), p.Token)
}

// WriteKubeconfig writes Kubeconfig(name) to a 0600 file in a temporary
// directory of t and returns its path.
func (p *ControlPlane) WriteKubeconfig(t testing.TB, name string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name+".yaml")
	if err := os.WriteFile(path, p.Kubeconfig(name), 0o600); err != nil {
		t.Fatalf("clustertest: %v", err)
	}
	return path
}

// K3sYAML returns the kubeconfig k3s writes to /etc/rancher/k3s/k3s.yaml:
// cluster, user and context all named "default", the admin client
// certificate inline, and the given server (k3s writes
// https://127.0.0.1:6443; an empty server means the plane's proxy).
func (p *ControlPlane) K3sYAML(server string) []byte {
	if server == "" {
		server = p.Server()
	}
	return fmt.Appendf(nil, `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: %s
    server: %s
  name: default
contexts:
- context:
    cluster: default
    user: default
  name: default
current-context: default
kind: Config
preferences: {}
users:
- name: default
  user:
    client-certificate-data: %s
    client-key-data: %s
`, b64(p.CA.CertPEM), server, b64(p.AdminCert.CertPEM), b64(p.AdminCert.KeyPEM))
}

// WriteK3sYAML writes K3sYAML(server) to path with mode 0600, as k3s does
// (its --write-kubeconfig-mode default), creating the parent directory.
func (p *ControlPlane) WriteK3sYAML(path, server string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return os.WriteFile(path, p.K3sYAML(server), 0o600)
}

func randomToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// freePorts returns n distinct loopback TCP ports that were free a moment
// ago. Another process may take one before it is bound; startPlane retries.
func freePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	var lns []net.Listener
	defer func() {
		for _, ln := range lns {
			ln.Close()
		}
	}()
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		lns = append(lns, ln)
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// process is one child process the harness started and owns.
type process struct {
	cmd    *exec.Cmd
	log    string
	exited chan struct{} // closed when Wait returns
	err    error         // Wait's error, set before exited closes

	stopOnce sync.Once
}

func startProcess(bin, logPath string, args ...string) (*process, error) {
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + filepath.Dir(logPath)}
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, err
	}
	pr := &process{cmd: cmd, log: logPath, exited: make(chan struct{})}
	go func() {
		pr.err = cmd.Wait()
		logFile.Close()
		close(pr.exited)
	}()
	return pr, nil
}

// stop sends SIGTERM to the process's PID, waits up to stopTimeout, then
// sends SIGKILL and waits for it to be reaped.
func (pr *process) stop() {
	if pr == nil {
		return
	}
	pr.stopOnce.Do(func() {
		select {
		case <-pr.exited:
			return
		default:
		}
		_ = thaw(pr.cmd.Process) // a frozen process cannot act on SIGTERM
		_ = pr.cmd.Process.Signal(syscall.SIGTERM)
		timer := time.NewTimer(stopTimeout)
		defer timer.Stop()
		select {
		case <-pr.exited:
			return
		case <-timer.C:
		}
		_ = pr.cmd.Process.Kill()
		<-pr.exited
	})
}

// tail returns the end of the process's log, for failure messages.
func (pr *process) tail() string {
	data, err := os.ReadFile(pr.log)
	if err != nil {
		return err.Error()
	}
	if len(data) > 2000 {
		data = data[len(data)-2000:]
	}
	return string(bytes.TrimSpace(data))
}

func (pr *process) portTaken() bool {
	return strings.Contains(pr.tail(), "address already in use")
}

package cluster

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sync/errgroup"
)

// Reasons a probe gives when a cluster is not reachable. Reason strings
// start with one of these words; TLS reasons go on after "tls: " to say
// what was wrong with the certificate.
const (
	ReasonRefused      = "refused"      // nothing listens at the server address
	ReasonTimeout      = "timeout"      // no answer within the probe timeout
	ReasonTLS          = "tls"          // the server's certificate was not accepted
	ReasonUnauthorized = "unauthorized" // the API server rejected the credentials (401)
	ReasonForbidden    = "forbidden"    // the credentials may not read /readyz nor /version (403)
	ReasonNotReady     = "not ready"    // /readyz answered that the server is not ready
	ReasonReset        = "reset"        // the connection was closed before an answer
	ReasonUnreachable  = "unreachable"  // no route to the host or network
	ReasonDNS          = "dns"          // the server's host name does not resolve
	ReasonConfig       = "config"       // the kubeconfig entry cannot be used as it is
	ReasonCancelled    = "cancelled"    // the caller gave up (Ctrl-C)
	ReasonHTTP         = "http"         // another HTTP status
)

// maxBody bounds what a probe reads of an answer.
const maxBody = 64 << 10

// Result is what one probe found out about one cluster.
type Result struct {
	// Context is the kubeconfig context probed.
	Context string
	// Server is the URL probed.
	Server string
	// Reachable is true when the API server answered /readyz (or, where
	// /readyz is not allowed, /version) with 200 OK.
	Reachable bool
	// RTT is the round trip of the answering request: from the request
	// written to the first byte of the answer, connection set-up excluded.
	RTT time.Duration
	// Version is /version's gitVersion, "" when it could not be read.
	Version string
	// Reason says why the cluster is not reachable: it starts with one of
	// the Reason constants (for example "refused", "timeout",
	// "tls: certificate signed by unknown authority"). "" when reachable.
	Reason string
}

// Probe asks the API server of ep whether it is ready, within timeout: GET
// /readyz, falling back to /version where /readyz is forbidden or missing,
// then /version for the server version. TLS is verified with ep.CAData
// (the system roots when empty) unless ep.Insecure; ep's client
// certificate or bearer token authenticate. base, if not nil, is cloned
// for the connection settings (dialer, proxy); its TLS settings are
// replaced by ep's. Probe never returns an error: a failure is a Result
// with a Reason.
func Probe(ctx context.Context, base *http.Transport, ep Endpoint, timeout time.Duration) Result {
	res := Result{Context: ep.Context, Server: ep.Server}
	u, err := serverURL(ep.Server)
	if err != nil {
		res.Reason = ReasonConfig + ": " + err.Error()
		return res
	}
	tr, err := probeTransport(base, ep)
	if err != nil {
		res.Reason = ReasonConfig + ": " + err.Error()
		return res
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{
		Transport: tr,
		// An API server does not redirect /readyz; a proxy in the way
		// might, and following it would probe something else.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}

	ready, err := get(ctx, client, u.JoinPath("readyz"), ep.Token)
	if err != nil {
		res.Reason = classify(ctx, err)
		return res
	}
	var version *answer
	switch ready.status {
	case http.StatusOK:
		res.Reachable, res.RTT = true, ready.rtt
	case http.StatusUnauthorized:
		res.Reason = ReasonUnauthorized
		return res
	case http.StatusForbidden, http.StatusNotFound:
		// Some servers (or RBAC rules) do not let this user read
		// /readyz; an answered /version still shows the server is up.
		version, err = get(ctx, client, u.JoinPath("version"), ep.Token)
		switch {
		case err != nil:
			res.Reason = classify(ctx, err)
			return res
		case version.status == http.StatusOK:
			res.Reachable, res.RTT = true, version.rtt
		case version.status == http.StatusUnauthorized:
			res.Reason = ReasonUnauthorized
			return res
		case version.status == http.StatusForbidden:
			res.Reason = ReasonForbidden
			return res
		default:
			res.Reason = fmt.Sprintf("%s %d: /readyz %d, /version %d", ReasonHTTP, version.status, ready.status, version.status)
			return res
		}
	case http.StatusInternalServerError, http.StatusServiceUnavailable:
		res.Reason = notReady(ready.body)
		return res
	default:
		res.Reason = fmt.Sprintf("%s %d from /readyz", ReasonHTTP, ready.status)
		return res
	}

	if version == nil {
		// The server is reachable whatever happens here; a missing
		// version only leaves the column empty.
		version, err = get(ctx, client, u.JoinPath("version"), ep.Token)
		if err != nil {
			return res
		}
	}
	if version.status == http.StatusOK {
		var v struct {
			GitVersion string `json:"gitVersion"`
		}
		if json.Unmarshal(version.body, &v) == nil {
			res.Version = v.GitVersion
		}
	}
	return res
}

// ProbeAll probes every endpoint, at most workers at a time (8 when
// workers < 1), each within timeout. Results are in the order of eps.
// ProbeAll returns when every probe has.
func ProbeAll(ctx context.Context, base *http.Transport, eps []Endpoint, timeout time.Duration, workers int) []Result {
	if workers < 1 {
		workers = 8
	}
	results := make([]Result, len(eps))
	var g errgroup.Group
	g.SetLimit(workers)
	for i, ep := range eps {
		g.Go(func() error {
			results[i] = Probe(ctx, base, ep, timeout)
			return nil
		})
	}
	_ = g.Wait() // probes report failures in their Result, never as errors
	return results
}

// answer is one HTTP answer, read in full (up to maxBody).
type answer struct {
	status int
	body   []byte
	rtt    time.Duration
}

func get(ctx context.Context, client *http.Client, u *url.URL, token string) (*answer, error) {
	var wrote, first time.Time
	trace := &httptrace.ClientTrace{
		WroteRequest:         func(httptrace.WroteRequestInfo) { wrote = time.Now() },
		GotFirstResponseByte: func() { first = time.Now() },
	}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json, */*")
	req.Header.Set("User-Agent", "fogctl")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, err
	}
	a := &answer{status: resp.StatusCode, body: body}
	if !wrote.IsZero() && first.After(wrote) {
		a.rtt = first.Sub(wrote)
	}
	return a, nil
}

// serverURL parses a kubeconfig server field.
func serverURL(server string) (*url.URL, error) {
	if server == "" {
		return nil, errors.New("server is empty")
	}
	u, err := url.Parse(server)
	if err != nil {
		return nil, fmt.Errorf("server %q is not a URL", server)
	}
	if u.Scheme != "https" && u.Scheme != "http" || u.Host == "" {
		return nil, fmt.Errorf("server %q is not an http(s) URL", server)
	}
	return u, nil
}

// probeTransport builds the transport that reaches ep: base's dialing and
// proxy settings, ep's TLS settings and credentials.
func probeTransport(base *http.Transport, ep Endpoint) (*http.Transport, error) {
	var tr *http.Transport
	if base != nil {
		tr = base.Clone()
	} else {
		tr = &http.Transport{
			Proxy:       http.ProxyFromEnvironment,
			DialContext: (&net.Dialer{KeepAlive: 30 * time.Second}).DialContext,
		}
	}
	tr.DisableCompression = true
	tr.MaxIdleConnsPerHost = 1
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: ep.TLSServerName, InsecureSkipVerify: ep.Insecure}
	if len(ep.CAData) > 0 {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(ep.CAData) {
			return nil, errors.New("certificate-authority data holds no PEM certificate")
		}
		cfg.RootCAs = pool
	}
	switch {
	case len(ep.CertData) > 0 && len(ep.KeyData) > 0:
		cert, err := tls.X509KeyPair(ep.CertData, ep.KeyData)
		if err != nil {
			// The error of X509KeyPair never quotes the key.
			return nil, fmt.Errorf("client certificate and key: %v", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	case len(ep.CertData) > 0:
		return nil, errors.New("client certificate without a client key")
	case len(ep.KeyData) > 0:
		return nil, errors.New("client key without a client certificate")
	}
	tr.TLSClientConfig = cfg
	if ep.ProxyURL != "" {
		pu, err := url.Parse(ep.ProxyURL)
		if err != nil || pu.Host == "" {
			return nil, fmt.Errorf("proxy-url %q is not a URL", ep.ProxyURL)
		}
		tr.Proxy = http.ProxyURL(pu)
	}
	return tr, nil
}

// notReady names the failed checks of a /readyz answer: "[-]etcd failed".
func notReady(body []byte) string {
	var failed []string
	for line := range strings.Lines(string(body)) {
		if name, ok := strings.CutPrefix(line, "[-]"); ok {
			name, _, _ = strings.Cut(name, " ")
			failed = append(failed, name)
		}
	}
	if len(failed) == 0 {
		return ReasonNotReady
	}
	return ReasonNotReady + ": " + strings.Join(failed, ", ")
}

// classify turns a request error into a Reason.
func classify(ctx context.Context, err error) string {
	var (
		unknownCA   x509.UnknownAuthorityError
		hostname    x509.HostnameError
		invalid     x509.CertificateInvalidError
		recordHdr   tls.RecordHeaderError
		alert       tls.AlertError
		dnsErr      *net.DNSError
		netErr      net.Error
		verifyError *tls.CertificateVerificationError
	)
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded):
		return ReasonTimeout
	case errors.Is(err, context.Canceled):
		return ReasonCancelled
	case errors.Is(err, syscall.ECONNREFUSED):
		return ReasonRefused
	case errors.As(err, &unknownCA):
		return ReasonTLS + ": certificate signed by unknown authority"
	case errors.As(err, &hostname):
		return ReasonTLS + ": certificate is not valid for " + hostname.Host
	case errors.As(err, &invalid):
		return ReasonTLS + ": " + strings.TrimPrefix(invalid.Error(), "x509: ")
	case errors.As(err, &verifyError):
		return ReasonTLS + ": " + strings.TrimPrefix(verifyError.Err.Error(), "x509: ")
	case errors.As(err, &recordHdr):
		return ReasonTLS + ": the server does not speak TLS (is the server URL http?)"
	case errors.As(err, &alert):
		return ReasonTLS + ": the server refused the handshake (" + alert.Error() + ")"
	case errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.EPIPE):
		return ReasonReset
	case errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, syscall.ENETUNREACH):
		return ReasonUnreachable
	case errors.As(err, &dnsErr):
		return ReasonDNS + ": " + dnsErr.Err + " " + dnsErr.Name
	case errors.As(err, &netErr) && netErr.Timeout():
		return ReasonTimeout
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return err.Error()
}

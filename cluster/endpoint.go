package cluster

import (
	"fmt"
	"log/slog"
)

// Endpoint is what fogctl needs to reach one cluster's API server, resolved from a kubeconfig context.
//
// KeyData and Token are secrets: String, GoString and LogValue redact them,
// so an Endpoint printed with %v, %#v or logged with slog never shows them.
type Endpoint struct {
	// Context is the kubeconfig context this endpoint was resolved from.
	Context string
	// Server is the API server URL, for example https://10.147.17.21:6443.
	Server string
	// TLSServerName overrides the name the server certificate is verified
	// against (kubeconfig clusters[].cluster.tls-server-name).
	TLSServerName string
	// CAData is the PEM bundle that verifies the server certificate. Empty
	// means the system roots.
	CAData []byte
	// CertData is the PEM client certificate, if the user authenticates
	// with one.
	CertData []byte
	// KeyData is the PEM private key of CertData. Secret.
	KeyData []byte
	// Token is the bearer token, if the user authenticates with one. Secret.
	Token string
	// Insecure skips verification of the server certificate; set only when
	// the kubeconfig says insecure-skip-tls-verify: true.
	Insecure bool
	// ProxyURL is the kubeconfig's proxy-url for this cluster, if any.
	ProxyURL string
}

const redacted = "[redacted]"

// String describes e without its secrets.
func (e Endpoint) String() string {
	return fmt.Sprintf("Endpoint{Context: %q, Server: %q, TLSServerName: %q, CAData: %d bytes, CertData: %d bytes, KeyData: %s, Token: %s, Insecure: %t, ProxyURL: %q}",
		e.Context, e.Server, e.TLSServerName, len(e.CAData), len(e.CertData), redactBytes(e.KeyData), redactString(e.Token), e.Insecure, e.ProxyURL)
}

// GoString is String, so %#v redacts too.
func (e Endpoint) GoString() string { return "cluster." + e.String() }

// LogValue groups e's fields for slog with the secrets redacted.
func (e Endpoint) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("context", e.Context),
		slog.String("server", e.Server),
		slog.String("tlsServerName", e.TLSServerName),
		slog.Int("caData", len(e.CAData)),
		slog.Int("certData", len(e.CertData)),
		slog.String("keyData", redactBytes(e.KeyData)),
		slog.String("token", redactString(e.Token)),
		slog.Bool("insecure", e.Insecure),
		slog.String("proxyURL", e.ProxyURL),
	)
}

func redactBytes(b []byte) string {
	if len(b) == 0 {
		return `""`
	}
	return redacted
}

func redactString(s string) string {
	if s == "" {
		return `""`
	}
	return redacted
}

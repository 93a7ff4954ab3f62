package cluster

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestEndpointRedactsSecrets(t *testing.T) {
	e := Endpoint{
		Context:  "bus-17",
		Server:   "https://10.147.17.21:6443",
		CertData: []byte("-----BEGIN CERTIFICATE-----"),
		KeyData:  []byte("-----BEGIN EC PRIVATE KEY----- supersecretkey"),
		Token:    "supersecrettoken",
	}
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("probe", "endpoint", e)
	outputs := map[string]string{
		"%v":       fmt.Sprintf("%v", e),
		"%+v":      fmt.Sprintf("%+v", e),
		"%#v":      fmt.Sprintf("%#v", e),
		"%s ptr":   fmt.Sprintf("%s", &e),
		"%#v ptr":  fmt.Sprintf("%#v", &e),
		"slog":     logged.String(),
		"in slice": fmt.Sprintf("%v", []Endpoint{e}),
	}
	for name, out := range outputs {
		if strings.Contains(out, "supersecret") {
			t.Errorf("%s shows a secret: %s", name, out)
		}
		if !strings.Contains(out, "bus-17") || !strings.Contains(out, "[redacted]") {
			t.Errorf("%s = %s, want the context and [redacted]", name, out)
		}
	}
}

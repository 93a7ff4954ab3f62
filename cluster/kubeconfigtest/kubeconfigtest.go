package kubeconfigtest

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
)

// Fleet returns a kubeconfig with n contexts bus-000 ... bus-(n-1), each
// with its own cluster (server https://10.147.17.x:6443 and a CA of 1.1 KB
// base64) and user (client certificate and key data), current-context
// bus-000, in kubectl's layout.
func Fleet(n int) []byte {
	var b strings.Builder
	b.WriteString("apiVersion: v1\nclusters:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "- cluster:\n    certificate-authority-data: %s\n    server: https://10.147.%d.%d:6443\n  name: %s\n", blob("ca", i, 800), 17+i/250, 1+i%250, Name(i))
	}
	b.WriteString("contexts:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "- context:\n    cluster: %s\n    user: %s\n  name: %s\n", Name(i), Name(i), Name(i))
	}
	fmt.Fprintf(&b, "current-context: %s\nkind: Config\npreferences: {}\nusers:\n", Name(0))
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "- name: %s\n  user:\n    client-certificate-data: %s\n    client-key-data: %s\n", Name(i), blob("crt", i, 800), blob("key", i, 170))
	}
	return []byte(b.String())
}

// Name is the name of the i-th context of Fleet.
func Name(i int) string { return fmt.Sprintf("bus-%03d", i) }

// blob is deterministic base64 data of about size bytes before encoding.
func blob(kind string, i, size int) string {
	var raw []byte
	seed := sha256.Sum256([]byte(fmt.Sprintf("%s-%d", kind, i)))
	for len(raw) < size {
		raw = append(raw, seed[:]...)
		seed = sha256.Sum256(seed[:])
	}
	return base64.StdEncoding.EncodeToString(raw[:size])
}

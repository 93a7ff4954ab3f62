package cluster

import (
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// Endpoint resolves the named context into what a probe needs to reach
// its API server. File paths (certificate-authority, client-certificate,
// client-key, tokenFile) are read relative to the kubeconfig file that
// defines them, as kubectl does. Exec and auth-provider credentials are
// not run: such an Endpoint carries no client credentials.
func (k *Kubeconfig) Endpoint(context string) (Endpoint, error) {
	if err := k.Check(context); err != nil {
		return Endpoint{}, err
	}
	ce := k.contexts[context]
	ep := Endpoint{Context: context}
	cl := k.clusters[scalar(mapGet(ce.body, "cluster"))]
	us := k.users[scalar(mapGet(ce.body, "user"))]
	where := func(e *entry, field string) string {
		return fmt.Sprintf("%s[%d].%s.%s", e.section, e.index, bodyKey(e.section), field)
	}
	if cl.body != nil {
		ep.Server = scalar(mapGet(cl.body, "server"))
		ep.TLSServerName = scalar(mapGet(cl.body, "tls-server-name"))
		ep.ProxyURL = scalar(mapGet(cl.body, "proxy-url"))
		if v := mapGet(cl.body, "insecure-skip-tls-verify"); v != nil && v.Value == "true" {
			ep.Insecure = true
		}
		var err error
		if ep.CAData, err = dataOrFile(cl, "certificate-authority-data", "certificate-authority", where); err != nil {
			return Endpoint{}, err
		}
	}
	if ep.Server == "" {
		return Endpoint{}, &FileError{File: cl.file.path, Line: cl.item.Line, Msg: fmt.Sprintf("clusters[%d].cluster.server is empty", cl.index)}
	}
	if us.body != nil {
		var err error
		if ep.CertData, err = dataOrFile(us, "client-certificate-data", "client-certificate", where); err != nil {
			return Endpoint{}, err
		}
		if ep.KeyData, err = dataOrFile(us, "client-key-data", "client-key", where); err != nil {
			return Endpoint{}, err
		}
		ep.Token = scalar(mapGet(us.body, "token"))
		if ep.Token == "" {
			if tf := scalar(mapGet(us.body, "tokenFile")); tf != "" {
				data, err := readSmallFile(resolvePath(us.file.path, tf))
				if err != nil {
					return Endpoint{}, &FileError{File: us.file.path, Line: mapGet(us.body, "tokenFile").Line, Msg: fmt.Sprintf("%s: %v", where(us, "tokenFile"), err)}
				}
				ep.Token = strings.TrimSpace(string(data))
			}
		}
	}
	return ep, nil
}

// dataOrFile reads the base64 field dataKey of e, or the file named by
// fileKey relative to e's kubeconfig file.
func dataOrFile(e *entry, dataKey, fileKey string, where func(*entry, string) string) ([]byte, error) {
	if n := mapGet(e.body, dataKey); scalar(n) != "" {
		b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(n.Value), ""))
		if err != nil {
			return nil, &FileError{File: e.file.path, Line: n.Line, Msg: fmt.Sprintf("%s is not base64: %v", where(e, dataKey), err)}
		}
		return b, nil
	}
	if n := mapGet(e.body, fileKey); scalar(n) != "" {
		b, err := readSmallFile(resolvePath(e.file.path, n.Value))
		if err != nil {
			return nil, &FileError{File: e.file.path, Line: n.Line, Msg: fmt.Sprintf("%s: %v", where(e, fileKey), err)}
		}
		return b, nil
	}
	return nil, nil
}

// maxCredentialFile bounds what fogctl reads from a certificate, key or
// token file named in a kubeconfig.
const maxCredentialFile = 1 << 20

// readSmallFile reads a regular file of at most maxCredentialFile bytes:
// a kubeconfig naming a device, FIFO or huge file gets an error, not a hang.
func readSmallFile(path string) ([]byte, error) {
	if st, err := os.Stat(path); err != nil {
		return nil, err
	} else if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	if st.Size() > maxCredentialFile {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, maxCredentialFile)
	}
	return io.ReadAll(io.LimitReader(f, maxCredentialFile))
}

// resolvePath makes p absolute relative to the directory of the
// kubeconfig file that names it, as kubectl does. "~/" is not expanded
// (kubectl does not either).
func resolvePath(kubeconfigFile, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	dir := filepath.Dir(kubeconfigFile)
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	return filepath.Join(dir, p)
}

// AuthKind names how a context's user authenticates, for listings:
// "exec", "auth-provider", "token", "certificate", "basic" or "".
func (k *Kubeconfig) AuthKind(context string) string {
	ce, ok := k.contexts[context]
	if !ok || ce.body == nil {
		return ""
	}
	us, ok := k.users[scalar(mapGet(ce.body, "user"))]
	if !ok || us.body == nil {
		return ""
	}
	has := func(key string) bool { n := mapGet(us.body, key); return n != nil && !isNull(n) }
	switch {
	case has("exec"):
		return "exec"
	case has("auth-provider"):
		return "auth-provider"
	case has("token") || has("tokenFile"):
		return "token"
	case has("client-certificate") || has("client-certificate-data"):
		return "certificate"
	case has("username"):
		return "basic"
	}
	return ""
}

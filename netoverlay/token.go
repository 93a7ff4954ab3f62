package netoverlay

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
)

// Token is a ZeroTier One auth token (the content of authtoken.secret). It
// prints as [redacted] through fmt (%v, %s, %+v, %#v), encoding/json and
// log/slog, so it cannot leak into output, logs or errors by accident.
type Token struct{ secret string }

// NewToken wraps a token value, trimming surrounding white space as
// zerotier-cli does.
func NewToken(s string) Token { return Token{secret: strings.TrimSpace(s)} }

// IsZero reports whether the token is empty.
func (t Token) IsZero() bool { return t.secret == "" }

// String returns "[redacted]".
func (t Token) String() string { return "[redacted]" }

// GoString returns "[redacted]" so %#v hides the token too.
func (t Token) GoString() string { return "[redacted]" }

// Format hides the token under every verb, %x and %q included.
func (t Token) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte("[redacted]")) }

// LogValue makes log/slog print "[redacted]".
func (t Token) LogValue() slog.Value { return slog.StringValue("[redacted]") }

// MarshalText makes encoding/json and YAML write "[redacted]".
func (t Token) MarshalText() ([]byte, error) { return []byte("[redacted]"), nil }

// reveal returns the secret; only the request builder calls it.
func (t Token) reveal() string { return t.secret }

// DefaultTokenPaths lists where zerotier-cli looks for the auth token on
// goos, in its order: the user's own copy in home first, then the
// service's authtoken.secret. home may be empty.
func DefaultTokenPaths(goos, home string) []string {
	var paths []string
	switch goos {
	case "windows":
		if home != "" {
			paths = append(paths, filepath.Join(home, "AppData", "Local", "ZeroTier", "One", "authtoken.secret"))
		}
		paths = append(paths, `C:\ProgramData\ZeroTier\One\authtoken.secret`)
	case "darwin":
		if home != "" {
			paths = append(paths, filepath.Join(home, "Library", "Application Support", "ZeroTier", "One", "authtoken.secret"))
		}
		paths = append(paths, "/Library/Application Support/ZeroTier/One/authtoken.secret")
	default:
		if home != "" {
			paths = append(paths, filepath.Join(home, ".zeroTierOneAuthToken"))
		}
		paths = append(paths, "/var/lib/zerotier-one/authtoken.secret")
	}
	return paths
}

// TokenError says which token file could not be used and why.
type TokenError struct {
	Path string
	Err  error
}

func (e *TokenError) Error() string {
	msg := e.Err.Error()
	var pe *fs.PathError
	if errors.As(e.Err, &pe) {
		msg = pe.Err.Error()
	}
	return fmt.Sprintf("read ZeroTier auth token %s: %s", e.Path, msg)
}

func (e *TokenError) Unwrap() error { return e.Err }

// ErrEmptyToken is returned for a token file with nothing in it.
var ErrEmptyToken = errors.New("file is empty")

// ReadTokenFile reads one token file.
func ReadTokenFile(path string) (Token, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Token{}, &TokenError{Path: path, Err: err}
	}
	t := NewToken(string(data))
	if t.IsZero() {
		return Token{}, &TokenError{Path: path, Err: ErrEmptyToken}
	}
	return t, nil
}

// FindToken returns the token of the first readable, non-empty file of
// paths, with its path. When none is usable the error names the most
// telling failure: a file that exists but cannot be read (permission
// denied) beats one that does not exist, and the last path (the service's
// own authtoken.secret) is named when none exists.
func FindToken(paths []string) (Token, string, error) {
	var firstReal error
	var last error
	for _, p := range paths {
		t, err := ReadTokenFile(p)
		if err == nil {
			return t, p, nil
		}
		last = err
		if !errors.Is(err, fs.ErrNotExist) && firstReal == nil {
			firstReal = err
		}
	}
	if firstReal != nil {
		return Token{}, "", firstReal
	}
	if last == nil {
		return Token{}, "", errors.New("read ZeroTier auth token: no token file to look at")
	}
	return Token{}, "", last
}

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
	return fmt.Sprintf("read ZeroTier auth token %s: %s", e.Path, e.Reason())
}

// Reason is why the file could not be used, without its path: "no such
// file or directory", "permission denied", "file is empty".
func (e *TokenError) Reason() string {
	var pe *fs.PathError
	if errors.As(e.Err, &pe) {
		return pe.Err.Error()
	}
	return e.Err.Error()
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

// TokenSearchError is FindToken finding no usable token: every place it
// looked at, in order, with why each failed.
type TokenSearchError struct {
	Tried []*TokenError
}

func (e *TokenSearchError) Error() string {
	if len(e.Tried) == 0 {
		return "read ZeroTier auth token: no token file to look at"
	}
	if len(e.Tried) == 1 {
		return e.Tried[0].Error()
	}
	return "no usable ZeroTier auth token: looked at " + e.Places()
}

// Places lists the files looked at with why each failed:
// "/a (no such file or directory), /b (permission denied)".
func (e *TokenSearchError) Places() string {
	parts := make([]string, len(e.Tried))
	for i, t := range e.Tried {
		parts[i] = t.Path + " (" + t.Reason() + ")"
	}
	return strings.Join(parts, ", ")
}

// Unwrap gives the failures, so errors.Is(err, fs.ErrPermission) tells
// whether one file exists but could not be read.
func (e *TokenSearchError) Unwrap() []error {
	out := make([]error, len(e.Tried))
	for i, t := range e.Tried {
		out[i] = t
	}
	return out
}

// FindToken returns the token of the first readable, non-empty file of
// paths, with its path. When none is usable the error is a
// *TokenSearchError naming every file and why it failed.
func FindToken(paths []string) (Token, string, error) {
	var tried []*TokenError
	for _, p := range paths {
		t, err := ReadTokenFile(p)
		if err == nil {
			return t, p, nil
		}
		var te *TokenError
		if !errors.As(err, &te) {
			te = &TokenError{Path: p, Err: err}
		}
		tried = append(tried, te)
	}
	return Token{}, "", &TokenSearchError{Tried: tried}
}

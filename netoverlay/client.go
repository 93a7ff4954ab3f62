package netoverlay

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultURL is where the ZeroTier One service listens.
const DefaultURL = "http://127.0.0.1:9993"

// DefaultTimeout bounds each request when Client.Timeout is zero.
const DefaultTimeout = 10 * time.Second

// maxBody bounds what fogctl reads of one answer.
const maxBody = 8 << 20

// Client talks to one ZeroTier One service: the node's own API and, on the
// fog server, its embedded network controller. A Client is safe for
// concurrent use. It never prints.
type Client struct {
	http  *http.Client
	base  *url.URL
	token Token
	// Timeout bounds every request (DefaultTimeout when zero), so a service
	// that never answers fails one call instead of hanging fogctl.
	Timeout time.Duration
}

// New returns a client of the service at baseURL (DefaultURL when empty)
// that authenticates with token.
func New(hc *http.Client, baseURL string, token Token) (*Client, error) {
	if hc == nil {
		hc = http.DefaultClient
	}
	if baseURL == "" {
		baseURL = DefaultURL
	}
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("ZeroTier service URL %q: want http://host:port", baseURL)
	}
	if u.User != nil || u.RawQuery != "" {
		return nil, fmt.Errorf("ZeroTier service URL %q: must not carry user info or a query (pass the token as a file)", baseURL)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	return &Client{http: hc, base: u, token: token}, nil
}

// URL is the service's base URL.
func (c *Client) URL() string { return c.base.String() }

// ErrUnauthorized matches errors for a refused auth token (401).
var ErrUnauthorized = errors.New("auth token refused")

// ErrNotFound matches errors for 404 answers: an unknown network, member or
// path.
var ErrNotFound = errors.New("not found")

// ErrTimeout matches errors for a service that did not answer in time.
var ErrTimeout = errors.New("no answer in time")

// HTTPError is an answer other than 200.
type HTTPError struct {
	URL         string // base URL of the service
	Method      string
	Path        string
	StatusCode  int
	Description string // the controller's "description", if it gave one
}

func (e *HTTPError) Error() string {
	switch {
	case e.StatusCode == http.StatusUnauthorized:
		return fmt.Sprintf("the ZeroTier service at %s refused the auth token (401 Unauthorized)", e.URL)
	case e.StatusCode == http.StatusNotFound:
		return fmt.Sprintf("%s %s: not found (404)", e.Method, e.Path)
	}
	msg := fmt.Sprintf("the ZeroTier service at %s answered %d %s to %s %s", e.URL, e.StatusCode, http.StatusText(e.StatusCode), e.Method, e.Path)
	if e.Description != "" {
		msg += ": " + e.Description
	}
	return msg
}

// Is makes errors.Is(err, ErrUnauthorized) and errors.Is(err, ErrNotFound) work.
func (e *HTTPError) Is(target error) bool {
	return (target == ErrUnauthorized && e.StatusCode == http.StatusUnauthorized) ||
		(target == ErrNotFound && e.StatusCode == http.StatusNotFound)
}

// MalformedError is an answer whose body is not the JSON fogctl expects.
type MalformedError struct {
	Method, Path string
	Err          error
}

func (e *MalformedError) Error() string {
	return fmt.Sprintf("the ZeroTier service sent malformed JSON for %s %s: %v", e.Method, e.Path, e.Err)
}

func (e *MalformedError) Unwrap() error { return e.Err }

// TimeoutError is a request the service did not answer within the timeout.
type TimeoutError struct {
	URL, Method, Path string
	Timeout           time.Duration
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("the ZeroTier service at %s did not answer %s %s within %s", e.URL, e.Method, e.Path, e.Timeout)
}

// Is makes errors.Is(err, ErrTimeout) work.
func (e *TimeoutError) Is(target error) bool { return target == ErrTimeout }

// UnreachableError is a service that could not be reached at all.
type UnreachableError struct {
	URL string
	Err error
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("cannot reach the ZeroTier service at %s (is zerotier-one running?): %v", e.URL, rootCause(e.Err))
}

func (e *UnreachableError) Unwrap() error { return e.Err }

// rootCause drops the *url.Error wrapper, whose text repeats the URL.
func rootCause(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// do sends one request with body (marshalled as JSON when not nil) and
// decodes a 200 answer into out (when not nil).
func (c *Client) do(ctx context.Context, method, path string, body, out any) error {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	rctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("encode %s %s: %w", method, path, err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(rctx, method, c.base.String()+path, rd)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	req.Header.Set("X-ZT1-Auth", c.token.reveal())
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return c.transportError(ctx, rctx, method, path, timeout, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return c.transportError(ctx, rctx, method, path, timeout, err)
	}
	if resp.StatusCode != http.StatusOK {
		he := &HTTPError{URL: c.base.String(), Method: method, Path: path, StatusCode: resp.StatusCode}
		var desc struct {
			Description string `json:"description"`
		}
		if json.Unmarshal(data, &desc) == nil {
			he.Description = desc.Description
		}
		return he
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		if len(bytes.TrimSpace(data)) == 0 {
			err = errors.New("empty body")
		}
		return &MalformedError{Method: method, Path: path, Err: err}
	}
	return nil
}

func (c *Client) transportError(ctx, rctx context.Context, method, path string, timeout time.Duration, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if rctx.Err() != nil {
		return &TimeoutError{URL: c.base.String(), Method: method, Path: path, Timeout: timeout}
	}
	return &UnreachableError{URL: c.base.String(), Err: err}
}

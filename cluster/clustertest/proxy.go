package clustertest

import (
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"testing"
)

// Mode is how a cut proxy treats the client side of a connection.
type Mode int

const (
	// Open forwards every connection to the target (the normal state).
	Open Mode = iota
	// Refuse closes the listening socket and resets open connections, as a
	// host that is up but has nothing listening: clients get "connection
	// refused" at once.
	Refuse
	// BlackHole accepts connections and never answers, and stops
	// forwarding on open ones, as a bus that drove out of coverage: clients
	// wait until their own timeout.
	BlackHole
)

func (m Mode) String() string {
	switch m {
	case Open:
		return "open"
	case Refuse:
		return "refuse"
	case BlackHole:
		return "black-hole"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// Proxy is a loopback TCP proxy in front of one target address. Tests point
// a kubeconfig's server at it and cut and restore it. It keeps its address
// across cuts, so the kubeconfig stays valid.
type Proxy struct {
	target string
	addr   string

	mu     sync.Mutex
	ln     net.Listener // nil while refused or closed
	mode   Mode
	conns  map[*proxyConn]struct{}
	closed bool
	wg     sync.WaitGroup
}

type proxyConn struct {
	client   net.Conn
	upstream net.Conn // nil for connections accepted while black-holed
	frozen   bool     // black-holed: the client side is held, never answered
}

// NewProxy starts a proxy on 127.0.0.1 in front of target (host:port) and
// stops it in t.Cleanup.
func NewProxy(t testing.TB, target string) *Proxy {
	t.Helper()
	p, err := StartProxy(target)
	if err != nil {
		t.Fatalf("clustertest: start proxy to %s: %v", target, err)
	}
	t.Cleanup(p.Close)
	return p
}

// StartProxy starts a proxy on 127.0.0.1 in front of target. The caller
// closes it.
func StartProxy(target string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{target: target, addr: ln.Addr().String(), ln: ln, conns: map[*proxyConn]struct{}{}}
	p.wg.Add(1)
	go p.serve(ln)
	return p, nil
}

// Addr is the proxy's host:port on 127.0.0.1.
func (p *Proxy) Addr() string { return p.addr }

// URL is https://Addr.
func (p *Proxy) URL() string { return "https://" + p.addr }

// Mode reports the proxy's current mode.
func (p *Proxy) Mode() Mode {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.mode
}

// Cut makes the target unreachable through the proxy in the given way.
// Cutting an already cut proxy first restores it.
func (p *Proxy) Cut(mode Mode) error {
	if mode == Open {
		return p.Restore()
	}
	if err := p.Restore(); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return errors.New("proxy closed")
	}
	p.mode = mode
	switch mode {
	case Refuse:
		p.ln.Close()
		p.ln = nil
		for c := range p.conns {
			reset(c.client)
			c.upstream.Close()
			delete(p.conns, c)
		}
	case BlackHole:
		for c := range p.conns {
			c.frozen = true
			c.upstream.Close()
		}
	}
	return nil
}

// Restore forwards connections again. Connections held while black-holed
// are reset; clients reconnect.
func (p *Proxy) Restore() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return errors.New("proxy closed")
	}
	switch p.mode {
	case Refuse:
		ln, err := net.Listen("tcp", p.addr)
		if err != nil {
			return fmt.Errorf("listen again on %s: %w", p.addr, err)
		}
		p.ln = ln
		p.wg.Add(1)
		go p.serve(ln)
	case BlackHole:
		for c := range p.conns {
			if c.frozen {
				reset(c.client)
				delete(p.conns, c)
			}
		}
	}
	p.mode = Open
	return nil
}

// Close stops the proxy and closes every connection. It waits for its
// goroutines.
func (p *Proxy) Close() {
	p.mu.Lock()
	if !p.closed {
		p.closed = true
		if p.ln != nil {
			p.ln.Close()
			p.ln = nil
		}
		for c := range p.conns {
			c.client.Close()
			if c.upstream != nil {
				c.upstream.Close()
			}
			delete(p.conns, c)
		}
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *Proxy) serve(ln net.Listener) {
	defer p.wg.Done()
	for {
		client, err := ln.Accept()
		if err != nil {
			return // listener closed by Cut(Refuse) or Close
		}
		p.mu.Lock()
		mode, closed := p.mode, p.closed
		if closed {
			p.mu.Unlock()
			client.Close()
			return
		}
		if mode == BlackHole {
			p.conns[&proxyConn{client: client, frozen: true}] = struct{}{}
			p.mu.Unlock()
			continue
		}
		p.mu.Unlock()

		upstream, err := net.Dial("tcp", p.target)
		if err != nil {
			reset(client)
			continue
		}
		c := &proxyConn{client: client, upstream: upstream}
		p.mu.Lock()
		if p.closed || p.mode != Open {
			// Cut while dialling: treat the connection as the cut would.
			upstream.Close()
			if p.mode == BlackHole && !p.closed {
				c.upstream, c.frozen = nil, true
				p.conns[c] = struct{}{}
			} else {
				reset(client)
			}
			p.mu.Unlock()
			continue
		}
		p.conns[c] = struct{}{}
		p.wg.Add(2)
		p.mu.Unlock()
		go p.pipe(c, upstream, client)
		go p.pipe(c, client, upstream)
	}
}

// pipe copies src to dst. When either direction ends, both sides close,
// unless the connection was black-holed: then the client is left hanging.
func (p *Proxy) pipe(c *proxyConn, dst, src net.Conn) {
	defer p.wg.Done()
	_, _ = io.Copy(dst, src)
	p.mu.Lock()
	defer p.mu.Unlock()
	if c.frozen {
		return
	}
	if _, ok := p.conns[c]; ok {
		delete(p.conns, c)
		c.client.Close()
		c.upstream.Close()
	}
}

// reset closes c with an RST rather than a FIN where it can.
func reset(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	c.Close()
}

package ztfake

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"sync"
	"time"
)

// RefreshInterval is how often a node asks its controller for its
// configuration again. Deauthorization is not pushed: a node learns of it
// only at its next refresh.
const RefreshInterval = 60 * time.Second

// World is a set of simulated nodes that can reach each other. One lock
// guards all of them, so a node's join reaches its controller at once.
type World struct {
	mu    sync.Mutex
	now   time.Time
	seq   uint64
	nodes map[string]*Node // by address
}

// NewWorld returns an empty world whose clock starts at a fixed time.
func NewWorld() *World {
	return &World{now: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC), nodes: map[string]*Node{}}
}

// Advance moves the world's clock forward (a node's 60 s refresh, say).
func (w *World) Advance(d time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.now = w.now.Add(d)
}

// Now is the world's clock.
func (w *World) Now() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.now
}

// NodeOptions describes a simulated node.
type NodeOptions struct {
	// Address is the 10-hex node address; derived from Name when empty.
	Address string
	// Name makes a readable, stable address ("fog", "bus-17").
	Name string
	// Token is the 24-character auth token; derived from the address when empty.
	Token string
	// Controller gives the node an embedded network controller.
	Controller bool
	// NoUnstable makes /unstable/... answer 404, as builds older than the
	// 1.14 line do.
	NoUnstable bool
}

// NewNode adds a node to the world. It is an http.Handler serving the
// node's local service API.
func (w *World) NewNode(o NodeOptions) *Node {
	w.mu.Lock()
	defer w.mu.Unlock()
	addr := o.Address
	if addr == "" {
		sum := sha256.Sum256([]byte("ztfake node " + o.Name))
		addr = hex.EncodeToString(sum[:5])
		if addr[0] == 'f' && addr[1] == 'f' { // ff... is reserved for multicast
			addr = "0" + addr[1:]
		}
	}
	tok := o.Token
	if tok == "" {
		sum := sha256.Sum256([]byte("ztfake token " + addr))
		tok = hex.EncodeToString(sum[:12])
	}
	sum := sha256.Sum256([]byte("ztfake identity " + addr))
	n := &Node{
		w:        w,
		address:  addr,
		token:    tok,
		identity: addr + ":0:" + hex.EncodeToString(sum[:]) + hex.EncodeToString(sum[:]),
		joined:   map[string]*joined{},
	}
	if o.Controller {
		n.ctrl = &controller{networks: map[string]*network{}}
	}
	n.noUnstable = o.NoUnstable
	w.nodes[addr] = n
	return n
}

// network is a controller network.
type network struct {
	id              string
	name            string
	private         bool
	enableBroadcast bool
	mtu             int64
	multicastLimit  int64
	v4zt            bool
	v6              [3]bool // 6plane, rfc4193, zt
	pools           []pool
	routes          []route
	creationTime    int64
	revision        int64
	members         map[string]*member
}

type pool struct{ start, end netip.Addr }

type route struct {
	target netip.Prefix
	via    netip.Addr // invalid when none
}

type member struct {
	id, nwid             string
	name                 string
	authorized           bool
	activeBridge         bool
	noAutoAssignIPs      bool
	ips                  []string
	revision             int64
	creationTime         int64
	identity             string // "" until the node has talked to the controller
	vMajor, vMinor, vRev int64
	vProto               int64
	lastAuthorizedTime   int64
	lastDeauthorizedTime int64
	lastCredentialType   string
}

type controller struct {
	networks map[string]*network
}

// joined is a network as a node sees it.
type joined struct {
	nwid           string
	status         string
	name           string
	private        bool
	addresses      []string
	routes         []route
	netconfRev     int64
	mtu            int64
	lastConfig     time.Time // when the node last got a configuration
	allowManaged   bool
	allowGlobal    bool
	allowDefault   bool
	allowDNS       bool
	everConfigured bool
}

// deviceName derives the tap device name from the network id as the Linux
// service does: "zt" and eight base-32 characters of 40 bits of the id, the
// same on every node.
func deviceName(nwid string) string {
	var b [8]byte
	raw, _ := hex.DecodeString(nwid)
	copy(b[:], raw)
	id := binary.BigEndian.Uint64(b[:])
	v := (id ^ (id >> 24)) & 0xffffffffff
	const alphabet = "abcdefghijklmnopqrstuvwxyz234567"
	out := []byte("zt")
	for i := 0; i < 8; i++ {
		out = append(out, alphabet[(v>>(35-5*i))&31])
	}
	return string(out)
}

func macFor(addr, nwid string) string {
	sum := sha256.Sum256([]byte(addr + nwid))
	sum[0] = (sum[0] | 0x02) &^ 0x01
	return fmt.Sprintf("%02x:%02x:%02x:%02x:%02x:%02x", sum[0], sum[1], sum[2], sum[3], sum[4], sum[5])
}

// requestConfig is the node asking the network's controller for its
// configuration: it creates the member on first contact, fills in its
// identity and version, assigns an address from the pools if the network
// says so, and sets the node's status. Called with w.mu held.
func (n *Node) requestConfig(j *joined) {
	now := n.w.now
	var ctrl *controller
	if c := n.w.nodes[j.nwid[:10]]; c != nil {
		ctrl = c.ctrl
	}
	if ctrl == nil {
		// No controller answers: the node keeps asking.
		return
	}
	nw := ctrl.networks[j.nwid]
	if nw == nil {
		j.status, j.addresses, j.routes = "NOT_FOUND", nil, nil
		return
	}
	m := nw.members[n.address]
	if m == nil {
		m = newMember(j.nwid, n.address, now)
		nw.members[n.address] = m
	}
	if m.identity == "" {
		m.identity = n.identity
	}
	if !nw.private && !m.authorized {
		m.authorized = true
		m.lastAuthorizedTime = now.UnixMilli()
		m.lastCredentialType = "public"
		m.revision++
	}
	if !m.authorized {
		j.status, j.addresses, j.routes = "ACCESS_DENIED", nil, nil
		return
	}
	if m.vMajor < 0 {
		// The first authorized request fills in the versions, raising
		// the revision with no API call.
		m.vMajor, m.vMinor, m.vRev, m.vProto = 1, 14, 1, 13
		m.revision++
	}
	// As EmbeddedNetworkController::_request: an IPv4 address comes from
	// the pools only while the member has none inside a route.
	if !nw.hasRoutedIPv4(m.ips) && nw.v4zt && !m.noAutoAssignIPs {
		if a, ok := nw.nextFree(m.id); ok {
			m.ips = append(m.ips, a.String())
			m.revision++
		}
	}
	j.status = "OK"
	j.name = nw.name
	j.private = nw.private
	j.mtu = nw.mtu
	j.netconfRev = nw.revision
	j.routes = slices.Clone(nw.routes)
	// A member is sent only the addresses a route covers, each with the
	// prefix length of the most specific such route.
	j.addresses = nil
	for _, s := range m.ips {
		a, err := netip.ParseAddr(s)
		if err != nil {
			continue
		}
		if r, ok := nw.routeOf(a); ok {
			j.addresses = append(j.addresses, netip.PrefixFrom(a, r.Bits()).String())
		}
	}
	j.lastConfig = now
	j.everConfigured = true
}

// refresh brings a joined network up to date when a node's API is read:
// a node without a configuration keeps asking; a configured node asks
// again only every RefreshInterval, so a deauthorization reaches it late,
// while authorization and address changes are pushed by the controller.
// Called with w.mu held.
func (n *Node) refresh(j *joined) {
	if j.status != "OK" || n.w.now.Sub(j.lastConfig) >= RefreshInterval {
		n.requestConfig(j)
		return
	}
	// Pushed: changes of an authorized member's configuration.
	c := n.w.nodes[j.nwid[:10]]
	if c == nil || c.ctrl == nil {
		return
	}
	nw := c.ctrl.networks[j.nwid]
	if nw == nil {
		return
	}
	if m := nw.members[n.address]; m != nil && m.authorized {
		n.requestConfig(j)
	}
}

func newMember(nwid, id string, now time.Time) *member {
	return &member{
		id: id, nwid: nwid, revision: 1, creationTime: now.UnixMilli(),
		vMajor: -1, vMinor: -1, vRev: -1, vProto: -1,
	}
}

// routeOf is the most specific route target containing a.
func (nw *network) routeOf(a netip.Addr) (netip.Prefix, bool) {
	var best netip.Prefix
	for _, r := range nw.routes {
		if r.target.Contains(a) && (!best.IsValid() || r.target.Bits() > best.Bits()) {
			best = r.target
		}
	}
	return best, best.IsValid()
}

// hasRoutedIPv4 reports whether one of ips is an IPv4 address inside a
// route of the network.
func (nw *network) hasRoutedIPv4(ips []string) bool {
	for _, s := range ips {
		if a, err := netip.ParseAddr(s); err == nil && a.Is4() {
			if _, ok := nw.routeOf(a); ok {
				return true
			}
		}
	}
	return false
}

// nextFree picks the member's automatic IPv4 address as
// EmbeddedNetworkController::_request does. For each IPv4 pool in order
// (one whose start is 0.0.0.0 or after its end is skipped) it tries
// start + (c mod (end-start)), c counting up from the low 32 bits of the
// member's address, at most 1000 times and at most once per address of
// the pool; so two members get different addresses in the same pool, and
// the pool's last address is never picked unless it is its only one. A
// try ending in .255, outside every route of 1 to 32 bits, or held by a
// member is passed over.
func (nw *network) nextFree(self string) (netip.Addr, bool) {
	used := map[netip.Addr]bool{}
	for _, m := range nw.members {
		for _, s := range m.ips {
			if a, err := netip.ParseAddr(s); err == nil {
				used[a] = true
			}
		}
	}
	id, err := strconv.ParseUint(self, 16, 64)
	if err != nil {
		return netip.Addr{}, false
	}
	for _, p := range nw.pools {
		if !p.start.Is4() || !p.end.Is4() {
			continue
		}
		start, end := v4int(p.start), v4int(p.end)
		if end < start || start == 0 {
			continue
		}
		span := end - start
		c := uint32(id)
		for k, trials := uint64(start), 0; k <= uint64(end) && trials < 1000; k, trials = k+1, trials+1 {
			ip := start
			if span > 0 {
				ip = start + c%span
			}
			c++
			a := v4addr(ip)
			if ip&0xff == 0xff || !nw.routedV4(a) || used[a] {
				continue
			}
			return a, true
		}
	}
	return netip.Addr{}, false
}

// routedV4 reports whether a route of 1 to 32 bits contains a: the real
// controller takes the first such route's length as the address's, and
// does not count a /0.
func (nw *network) routedV4(a netip.Addr) bool {
	for _, r := range nw.routes {
		if r.target.Addr().Is4() && r.target.Bits() > 0 && r.target.Contains(a) {
			return true
		}
	}
	return false
}

func v4int(a netip.Addr) uint32 {
	b := a.As4()
	return binary.BigEndian.Uint32(b[:])
}

func v4addr(ip uint32) netip.Addr {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], ip)
	return netip.AddrFrom4(b)
}

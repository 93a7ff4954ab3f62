package netoverlay

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// ValidateNetworkID checks a network id is 16 lower-case hex digits, the
// only form the service answers to (anything else is a bare 404).
func ValidateNetworkID(id string) error {
	if !isHex(id, 16) {
		return invalidf("network id %q: want 16 hex digits like 8056c2e21c000001", id)
	}
	return nil
}

// ValidateMemberID checks a member (node) id is 10 lower-case hex digits.
func ValidateMemberID(id string) error {
	if !isHex(id, 10) {
		return invalidf("member id %q: want the node's 10 hex digit address like a1b2c3d4e5", id)
	}
	return nil
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, r := range s {
		if (r < '0' || r > '9') && (r < 'a' || r > 'f') {
			return false
		}
	}
	return true
}

// ParseCIDR parses the address range of a pool, which must be a network
// address: "10.147.15.0/24", not "10.147.15.7/24".
func ParseCIDR(cidr string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(strings.TrimSpace(cidr))
	if err != nil {
		return netip.Prefix{}, invalidf("address range %q: not a CIDR like 10.147.15.0/24", cidr)
	}
	if p.Addr().Zone() != "" {
		return netip.Prefix{}, invalidf("address range %q: zones are not allowed", cidr)
	}
	if m := p.Masked(); m != p {
		return netip.Prefix{}, invalidf("address range %q: host bits are set (did you mean %s?)", cidr, m)
	}
	if p.Addr().Is4() && p.Bits() > 30 || p.Addr().Is6() && p.Bits() > 126 {
		return netip.Prefix{}, invalidf("address range %q: too small to hand out addresses", cidr)
	}
	return p, nil
}

// ParsePoolCIDR parses an address range to add as a pool and managed
// route (net create --cidr, pool add): ParseCIDR, and not a default route
// (0.0.0.0/0, ::/0). Such a "range" cannot work as a pool: the controller
// assigns no address from a pool whose only route is a /0, the pool would
// span every public address, and the route would send all the traffic of
// nodes that accept a default route (allowDefault) over the overlay.
// Nothing asks for it on purpose, so it is refused, not confirmed.
func ParsePoolCIDR(cidr string) (netip.Prefix, error) {
	p, err := ParseCIDR(cidr)
	if err != nil {
		return p, err
	}
	if p.Bits() == 0 {
		return netip.Prefix{}, invalidf("address range %q is the default route, not an address range: the controller hands out no address from a pool whose route is /0, and the route would carry all the traffic of nodes that accept a default route; use a private range like 10.147.15.0/24 or fd00:147::/64", cidr)
	}
	return p, nil
}

// PoolFor is the pool fogctl makes of a CIDR: every address but the network
// and (IPv4) broadcast addresses.
func PoolFor(p netip.Prefix) Pool {
	first := p.Masked().Addr()
	last := lastAddr(p)
	start := first.Next()
	end := last
	if p.Addr().Is4() {
		end = last.Prev()
	}
	return Pool{Start: start.String(), End: end.String()}
}

// lastAddr is the highest address of p.
func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().AsSlice()
	bits := p.Bits()
	for i := range b {
		for j := 0; j < 8; j++ {
			if i*8+j >= bits {
				b[i] |= 0x80 >> j
			}
		}
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

// RouteFor is the managed route of a CIDR.
func RouteFor(p netip.Prefix) Route { return Route{Target: p.String()} }

// poolRange parses a stored pool.
func poolRange(p Pool) (netip.Addr, netip.Addr, bool) {
	s, err1 := netip.ParseAddr(p.Start)
	e, err2 := netip.ParseAddr(p.End)
	if err1 != nil || err2 != nil || s.Is4() != e.Is4() || e.Less(s) {
		return netip.Addr{}, netip.Addr{}, false
	}
	return s, e, true
}

// inPools reports whether ip lies in one of pools.
func inPools(ip netip.Addr, pools []Pool) bool {
	for _, p := range pools {
		if s, e, ok := poolRange(p); ok && !ip.Less(s) && !e.Less(ip) {
			return true
		}
	}
	return false
}

// ParseStaticIP parses an address an operator gives a member by hand and
// checks it can work: a unicast address inside one of the network's
// routes (the controller sends a member only the addresses a route
// covers, with that route's prefix length), and not the network or (IPv4)
// broadcast address of that route. It need not lie in a pool: pools are
// only what the controller hands out by itself.
func ParseStaticIP(ip string, n Network) (netip.Addr, error) {
	a, err := parseIP(ip)
	if err != nil {
		return netip.Addr{}, err
	}
	if !a.IsGlobalUnicast() { // private ranges included
		return netip.Addr{}, invalidf("address %s: not a unicast address a node can use", a)
	}
	r, ok := n.RouteOf(a)
	if !ok {
		return netip.Addr{}, invalidf("address %s is outside every route of network %s (%s): the controller would store it but never send it to the node (add its range with 'fogctl net pool add %s CIDR')", a, n.ID, strings.Trim(routesString(n.Routes), "[]"), n.ID)
	}
	switch {
	case a == r.Masked().Addr() && r.Bits() < a.BitLen()-1:
		return netip.Addr{}, invalidf("address %s is the network address of %s", a, r)
	case a.Is4() && a == lastAddr(r) && r.Bits() < 31:
		return netip.Addr{}, invalidf("address %s is the broadcast address of %s", a, r)
	}
	return a, nil
}

// parseIP parses one address, IPv4 or IPv6, without a zone; an
// IPv4-mapped IPv6 address becomes the IPv4 address.
func parseIP(ip string) (netip.Addr, error) {
	a, err := netip.ParseAddr(strings.TrimSpace(ip))
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, invalidf("address %q: not an IP address like 10.147.15.7 or fd00::7", ip)
	}
	return a.Unmap(), nil
}

// RouteOf returns the most specific route of the network that contains
// a, as the controller picks the prefix length it sends with an address.
func (n Network) RouteOf(a netip.Addr) (netip.Prefix, bool) {
	var best netip.Prefix
	for _, r := range n.Routes {
		p, err := netip.ParsePrefix(r.Target)
		if err != nil || !p.Contains(a.Unmap()) {
			continue
		}
		if !best.IsValid() || p.Bits() > best.Bits() {
			best = p.Masked()
		}
	}
	return best, best.IsValid()
}

// InPool reports whether a lies in one of the network's pools.
func (n Network) InPool(a netip.Addr) bool { return inPools(a.Unmap(), n.IPAssignmentPools) }

// hasIP reports whether ips holds a (in any spelling).
func hasIP(ips []string, a netip.Addr) bool {
	return slices.ContainsFunc(ips, func(s string) bool {
		b, err := netip.ParseAddr(s)
		return err == nil && b.Unmap() == a
	})
}

func poolsString(pools []Pool) string {
	s := make([]string, len(pools))
	for i, p := range pools {
		s[i] = p.Start + "-" + p.End
	}
	return strings.Join(s, ", ")
}

// NextFreeIP returns the first address of the pools not in used.
func NextFreeIP(pools []Pool, used []string) (netip.Addr, bool) {
	taken := make(map[netip.Addr]bool, len(used))
	for _, u := range used {
		if a, err := netip.ParseAddr(u); err == nil {
			taken[a.Unmap()] = true
		}
	}
	for _, p := range pools {
		s, e, ok := poolRange(p)
		if !ok {
			continue
		}
		// At most len(taken)+1 steps per pool: every step skips a taken address.
		for a := s; a.IsValid() && !e.Less(a); a = a.Next() {
			if !taken[a] {
				return a, true
			}
		}
	}
	return netip.Addr{}, false
}

// AutoAssignable reports whether the controller would hand a member an
// IPv4 address from the pools by itself (v4AssignMode zt) when it has
// none inside a route: EmbeddedNetworkController takes only a pool address
// that lies inside a route, does not end in .255 and no member holds
// (used), and none at all from a network without such a pool.
func (n Network) AutoAssignable(used []string) bool {
	if !n.V4AssignMode.ZT {
		return false
	}
	taken := make(map[netip.Addr]bool, len(used))
	for _, u := range used {
		if a, err := netip.ParseAddr(u); err == nil {
			taken[a.Unmap()] = true
		}
	}
	for _, p := range n.IPAssignmentPools {
		s, e, ok := poolRange(p)
		if !ok || !s.Is4() {
			continue
		}
		for _, r := range n.Routes {
			rp, err := netip.ParsePrefix(r.Target)
			if err != nil || !rp.Addr().Is4() {
				continue
			}
			lo, hi := rp.Masked().Addr(), lastAddr(rp)
			if lo.Less(s) {
				lo = s
			}
			if e.Less(hi) {
				hi = e
			}
			// Each step skips a taken or .255 address, so the loop is
			// bounded by the addresses in use, not the pool's size.
			for a := lo; a.IsValid() && !hi.Less(a); a = a.Next() {
				if !taken[a] && a.As4()[3] != 255 {
					return true
				}
			}
		}
	}
	return false
}

// sameRoutes compares routes as sets of normalised targets and vias.
func sameRoutes(a, b []Route) bool { return slices.Equal(routeKeys(a), routeKeys(b)) }

func routeKeys(rs []Route) []string {
	keys := make([]string, 0, len(rs))
	for _, r := range rs {
		t := r.Target
		if p, err := netip.ParsePrefix(t); err == nil {
			t = p.String()
		}
		v := ""
		if r.Via != nil {
			v = *r.Via
		}
		keys = append(keys, t+" via "+v)
	}
	slices.Sort(keys)
	return keys
}

func routesString(rs []Route) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = r.Target
		if r.Via != nil && *r.Via != "" {
			s[i] += " via " + *r.Via
		}
	}
	return "[" + strings.Join(s, " ") + "]"
}

func samePools(a, b []Pool) bool {
	key := func(ps []Pool) []string {
		k := make([]string, len(ps))
		for i, p := range ps {
			k[i] = p.Start + "-" + p.End
		}
		slices.Sort(k)
		return k
	}
	return slices.Equal(key(a), key(b))
}

// sameIPs reports whether two address lists hold the same addresses as
// many times each, in any order and spelling (::ffff:10.0.0.1 is
// 10.0.0.1).
func sameIPs(a, b []string) bool {
	norm := func(ips []string) []string {
		k := make([]string, len(ips))
		for i, s := range ips {
			if ad, err := netip.ParseAddr(s); err == nil {
				s = ad.Unmap().String()
			}
			k[i] = s
		}
		slices.Sort(k)
		return k // duplicates count: the controller stores what it is sent
	}
	return slices.Equal(norm(a), norm(b))
}

// MismatchError is a change the controller accepted with 200 but did not
// store as sent: the real controller silently drops invalid routes and
// addresses and reads loosely typed values its own way; or another client
// changed the object between the write and the read-back, which the API,
// without compare-and-swap, cannot rule out.
type MismatchError struct {
	Object string // "network 8056c2e21c000001", "member a1b2c3d4e5 of network ..."
	Field  string
	Sent   string
	Stored string
}

func (e *MismatchError) Error() string {
	kind := "network"
	if strings.HasPrefix(e.Object, "member ") {
		kind = "member"
	}
	return fmt.Sprintf("%s: the controller answered 200 but stored %s %s, not %s as sent: the controller silently dropped or changed part of the change, or another client changed the %s meanwhile", e.Object, e.Field, e.Stored, e.Sent, kind)
}

// ErrInvalid matches errors for input fogctl refused before sending it: a
// malformed id, CIDR or address, or one outside the network's pools.
var ErrInvalid = errors.New("invalid input")

type invalidError struct{ msg string }

func (e *invalidError) Error() string        { return e.msg }
func (e *invalidError) Is(target error) bool { return target == ErrInvalid }

func invalidf(format string, args ...any) error {
	return &invalidError{msg: fmt.Sprintf(format, args...)}
}

package netoverlay

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"
)

// AutoIP asks Authorize for the next free address of the network's pools.
const AutoIP = "auto"

// ControllerNetworks lists the ids of the controller's networks, sorted.
func (c *Client) ControllerNetworks(ctx context.Context) ([]string, error) {
	var ids []string
	if err := c.do(ctx, "GET", "/controller/network", nil, &ids); err != nil {
		return nil, fmt.Errorf("list controller networks: %w", c.controllerErr(ctx, err))
	}
	slices.Sort(ids)
	return ids, nil
}

// ControllerNetwork returns a network as the controller stores it; an
// error matching ErrNotFound names the network when it does not exist.
func (c *Client) ControllerNetwork(ctx context.Context, nwid string) (Network, error) {
	if err := ValidateNetworkID(nwid); err != nil {
		return Network{}, err
	}
	var n Network
	if err := c.do(ctx, "GET", "/controller/network/"+nwid, nil, &n); err != nil {
		return Network{}, c.networkErr(ctx, nwid, err)
	}
	return n, nil
}

func (c *Client) networkErr(ctx context.Context, nwid string, err error) error {
	if errors.Is(err, ErrNotFound) {
		if nc := c.noController(ctx); nc != nil {
			return nc
		}
		return fmt.Errorf("network %s not found on the controller at %s (list them with 'fogctl net list'): %w", nwid, c.URL(), ErrNotFound)
	}
	return fmt.Errorf("network %s: %w", nwid, err)
}

// ErrNoController matches errors for a service that has no network
// controller: a ZeroTier node that runs none, or not ZeroTier at all.
var ErrNoController = errors.New("no network controller")

// NoControllerError says the service answered a controller route with
// 404 and has no controller.
type NoControllerError struct {
	URL    string
	Answer string // what GET /controller answered
}

func (e *NoControllerError) Error() string {
	return fmt.Sprintf("the service at %s has no network controller (GET /controller answered %s)", e.URL, e.Answer)
}

// Is makes errors.Is(err, ErrNoController) work.
func (e *NoControllerError) Is(target error) bool { return target == ErrNoController }

// noController asks GET /controller, after a controller route answered
// 404, whether the service has a controller at all: the real service
// answers it with {"controller": true, ...}. It returns a
// *NoControllerError for a 404 or "controller": false, nil otherwise
// (the 404 then stands for what it said).
func (c *Client) noController(ctx context.Context) error {
	var st struct {
		Controller *bool `json:"controller"`
	}
	err := c.do(ctx, "GET", "/controller", nil, &st)
	switch {
	case errors.Is(err, ErrNotFound):
		return &NoControllerError{URL: c.URL(), Answer: "404 Not Found"}
	case err == nil && st.Controller != nil && !*st.Controller:
		return &NoControllerError{URL: c.URL(), Answer: `"controller": false`}
	}
	return nil
}

// controllerErr is err, or a *NoControllerError when err is a 404 of a
// service without a controller.
func (c *Client) controllerErr(ctx context.Context, err error) error {
	if errors.Is(err, ErrNotFound) {
		if nc := c.noController(ctx); nc != nil {
			return nc
		}
	}
	return err
}

// NetworkSpec describes a network to create.
type NetworkSpec struct {
	Name    string
	Private bool
	// CIDRs become address pools and managed routes; the controller then
	// assigns IPv4 addresses from them (v4AssignMode zt) to nodes that ask.
	CIDRs []string
}

// CreateNetwork creates a network with a random id on the controller of
// this node, then reads it back and fails if what was stored differs from
// what was sent.
func (c *Client) CreateNetwork(ctx context.Context, spec NetworkSpec) (Network, error) {
	if strings.TrimSpace(spec.Name) == "" {
		return Network{}, invalidf("create network: the name is empty")
	}
	pools, routes, err := poolsAndRoutes(spec.CIDRs)
	if err != nil {
		return Network{}, fmt.Errorf("create network %q: %w", spec.Name, err)
	}
	st, err := c.Status(ctx)
	if err != nil {
		return Network{}, fmt.Errorf("create network %q: %w", spec.Name, err)
	}
	if err := ValidateMemberID(st.Address); err != nil {
		return Network{}, fmt.Errorf("create network %q: the node reports address %q", spec.Name, st.Address)
	}
	cfg := NetworkConfig{
		Name:              &spec.Name,
		Private:           &spec.Private,
		V4AssignMode:      &V4AssignMode{ZT: true},
		IPAssignmentPools: &pools,
		Routes:            &routes,
	}
	// The real route: the controller's address and six underscores asks
	// for a random network id under that controller.
	var n Network
	if err := c.do(ctx, "POST", "/controller/network/"+st.Address+"______", cfg, &n); err != nil {
		return Network{}, fmt.Errorf("create network %q: %w", spec.Name, c.controllerErr(ctx, err))
	}
	if err := ValidateNetworkID(n.ID); err != nil {
		return Network{}, fmt.Errorf("create network %q: the controller answered with %w", spec.Name, err)
	}
	stored, err := c.verifyNetwork(ctx, n.ID, cfg)
	if err != nil {
		return Network{}, fmt.Errorf("create network %q (created as %s): %w", spec.Name, n.ID, err)
	}
	return stored, nil
}

func poolsAndRoutes(cidrs []string) ([]Pool, []Route, error) {
	pools := []Pool{}
	routes := []Route{}
	for _, s := range cidrs {
		p, err := ParsePoolCIDR(s)
		if err != nil {
			return nil, nil, err
		}
		pools = append(pools, PoolFor(p))
		routes = append(routes, RouteFor(p))
	}
	return pools, routes, nil
}

// UpdateNetwork sends a change, reads the network back and fails with a
// *MismatchError if the controller stored something else.
func (c *Client) UpdateNetwork(ctx context.Context, nwid string, cfg NetworkConfig) (Network, error) {
	if err := ValidateNetworkID(nwid); err != nil {
		return Network{}, err
	}
	if cfg.IPAssignmentPools != nil {
		for _, p := range *cfg.IPAssignmentPools {
			if _, _, ok := poolRange(p); !ok {
				return Network{}, invalidf("network %s: pool %s-%s is not a range of addresses", nwid, p.Start, p.End)
			}
		}
	}
	if cfg.Routes != nil {
		for _, r := range *cfg.Routes {
			if _, err := netip.ParsePrefix(r.Target); err != nil {
				return Network{}, invalidf("network %s: route target %q is not a CIDR", nwid, r.Target)
			}
			if r.Via != nil {
				if _, err := netip.ParseAddr(*r.Via); err != nil {
					return Network{}, invalidf("network %s: route via %q is not an IP address", nwid, *r.Via)
				}
			}
		}
	}
	// Check it exists first: a POST to an unused id would create it.
	if _, err := c.ControllerNetwork(ctx, nwid); err != nil {
		return Network{}, err
	}
	if err := c.do(ctx, "POST", "/controller/network/"+nwid, cfg, nil); err != nil {
		return Network{}, c.networkErr(ctx, nwid, err)
	}
	return c.verifyNetwork(ctx, nwid, cfg)
}

// verifyNetwork reads a network back and compares each field cfg set.
func (c *Client) verifyNetwork(ctx context.Context, nwid string, cfg NetworkConfig) (Network, error) {
	n, err := c.ControllerNetwork(ctx, nwid)
	if err != nil {
		return Network{}, fmt.Errorf("read back: %w", err)
	}
	obj := "network " + nwid
	switch {
	case cfg.Name != nil && n.Name != *cfg.Name:
		return n, &MismatchError{Object: obj, Field: "name", Sent: fmt.Sprintf("%q", *cfg.Name), Stored: fmt.Sprintf("%q", n.Name)}
	case cfg.Private != nil && n.Private != *cfg.Private:
		return n, &MismatchError{Object: obj, Field: "private", Sent: fmt.Sprint(*cfg.Private), Stored: fmt.Sprint(n.Private)}
	case cfg.V4AssignMode != nil && n.V4AssignMode != *cfg.V4AssignMode:
		return n, &MismatchError{Object: obj, Field: "v4AssignMode.zt", Sent: fmt.Sprint(cfg.V4AssignMode.ZT), Stored: fmt.Sprint(n.V4AssignMode.ZT)}
	case cfg.IPAssignmentPools != nil && !samePools(n.IPAssignmentPools, *cfg.IPAssignmentPools):
		return n, &MismatchError{Object: obj, Field: "ipAssignmentPools", Sent: "[" + poolsString(*cfg.IPAssignmentPools) + "]", Stored: "[" + poolsString(n.IPAssignmentPools) + "]"}
	case cfg.Routes != nil && !sameRoutes(n.Routes, *cfg.Routes):
		return n, &MismatchError{Object: obj, Field: "routes", Sent: routesString(*cfg.Routes), Stored: routesString(n.Routes)}
	}
	return n, nil
}

// AddPool adds the address range cidr to a network: a pool of its
// addresses and a managed route to it.
func (c *Client) AddPool(ctx context.Context, nwid, cidr string) (Network, error) {
	p, err := ParsePoolCIDR(cidr)
	if err != nil {
		return Network{}, err
	}
	n, err := c.ControllerNetwork(ctx, nwid)
	if err != nil {
		return Network{}, err
	}
	pool, route := PoolFor(p), RouteFor(p)
	for _, q := range n.IPAssignmentPools {
		s, e, ok := poolRange(q)
		if ok && p.Contains(s) || ok && p.Contains(e) {
			return Network{}, invalidf("network %s already has pool %s-%s overlapping %s", nwid, q.Start, q.End, p)
		}
	}
	pools := append(slices.Clone(n.IPAssignmentPools), pool)
	routes := slices.Clone(n.Routes)
	if !slices.ContainsFunc(routes, func(r Route) bool { return sameRoutes([]Route{r}, []Route{route}) }) {
		routes = append(routes, route)
	}
	return c.UpdateNetwork(ctx, nwid, NetworkConfig{IPAssignmentPools: &pools, Routes: &routes})
}

// RemovePool removes the pool and route that AddPool made of cidr.
func (c *Client) RemovePool(ctx context.Context, nwid, cidr string) (Network, error) {
	p, err := ParseCIDR(cidr)
	if err != nil {
		return Network{}, err
	}
	n, err := c.ControllerNetwork(ctx, nwid)
	if err != nil {
		return Network{}, err
	}
	pool, route := PoolFor(p), RouteFor(p)
	pools := slices.DeleteFunc(slices.Clone(n.IPAssignmentPools), func(q Pool) bool { return samePools([]Pool{q}, []Pool{pool}) })
	routes := slices.DeleteFunc(slices.Clone(n.Routes), func(r Route) bool { return sameRoutes([]Route{r}, []Route{route}) })
	if len(pools) == len(n.IPAssignmentPools) && len(routes) == len(n.Routes) {
		return Network{}, invalidf("network %s has no pool or route for %s (pools: %s)", nwid, p, poolsString(n.IPAssignmentPools))
	}
	return c.UpdateNetwork(ctx, nwid, NetworkConfig{IPAssignmentPools: &pools, Routes: &routes})
}

// DeleteNetwork deletes a network from the controller and checks it is gone.
func (c *Client) DeleteNetwork(ctx context.Context, nwid string) error {
	if err := ValidateNetworkID(nwid); err != nil {
		return err
	}
	if err := c.do(ctx, "DELETE", "/controller/network/"+nwid, nil, nil); err != nil {
		return c.networkErr(ctx, nwid, err)
	}
	_, err := c.ControllerNetwork(ctx, nwid)
	switch {
	case errors.Is(err, ErrNotFound):
		return nil
	case err != nil:
		return fmt.Errorf("delete network %s: check it is gone: %w", nwid, err)
	}
	return fmt.Errorf("delete network %s: the controller answered 200 but still has it", nwid)
}

// MemberRevisions lists a network's member ids with their revisions, as the
// controller answers: an object of id to revision, not an array.
func (c *Client) MemberRevisions(ctx context.Context, nwid string) (map[string]int, error) {
	if err := ValidateNetworkID(nwid); err != nil {
		return nil, err
	}
	revs := map[string]int{}
	if err := c.do(ctx, "GET", "/controller/network/"+nwid+"/member", nil, &revs); err != nil {
		return nil, c.networkErr(ctx, nwid, err)
	}
	return revs, nil
}

// Members returns a network's members sorted by id, pending (unauthorized)
// and authorized alike; Member.Pending tells them apart. It reads them all
// at once from /unstable/controller/network/{id}/member, and falls back to
// the id list and one read per member (up to 8 at a time) on a service
// without that route.
func (c *Client) Members(ctx context.Context, nwid string) ([]Member, error) {
	if err := ValidateNetworkID(nwid); err != nil {
		return nil, err
	}
	var all struct {
		Data []Member `json:"data"`
	}
	err := c.do(ctx, "GET", "/unstable/controller/network/"+nwid+"/member", nil, &all)
	switch {
	case err == nil:
		slices.SortFunc(all.Data, func(a, b Member) int { return cmpString(a.ID, b.ID) })
		for _, m := range all.Data {
			if ValidateMemberID(m.ID) != nil {
				return nil, &MalformedError{Method: "GET", Path: "/unstable/controller/network/" + nwid + "/member", Err: fmt.Errorf("member id %q", m.ID)}
			}
		}
		return all.Data, nil
	case !errors.Is(err, ErrNotFound):
		return nil, c.networkErr(ctx, nwid, err)
	}
	return c.membersOneByOne(ctx, nwid)
}

func (c *Client) membersOneByOne(ctx context.Context, nwid string) ([]Member, error) {
	revs, err := c.MemberRevisions(ctx, nwid)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(revs))
	for id := range revs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	members := make([]Member, len(ids))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for i, id := range ids {
		g.Go(func() error {
			var m Member
			if err := c.do(gctx, "GET", "/controller/network/"+nwid+"/member/"+id, nil, &m); err != nil {
				return fmt.Errorf("member %s of network %s: %w", id, nwid, err)
			}
			members[i] = m
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return members, nil
}

// Member returns one member; a 404 names whether the network or the
// member is unknown.
func (c *Client) Member(ctx context.Context, nwid, id string) (Member, error) {
	if err := ValidateNetworkID(nwid); err != nil {
		return Member{}, err
	}
	if err := ValidateMemberID(id); err != nil {
		return Member{}, err
	}
	var m Member
	if err := c.do(ctx, "GET", "/controller/network/"+nwid+"/member/"+id, nil, &m); err != nil {
		return Member{}, c.memberErr(ctx, nwid, id, err)
	}
	return m, nil
}

func (c *Client) memberErr(ctx context.Context, nwid, id string, err error) error {
	if !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("member %s of network %s: %w", id, nwid, err)
	}
	if _, nerr := c.ControllerNetwork(ctx, nwid); errors.Is(nerr, ErrNotFound) || errors.Is(nerr, ErrNoController) {
		return nerr
	}
	return fmt.Errorf("member %s not found in network %s (has the node joined? see 'fogctl net members %s --pending'): %w", id, nwid, nwid, ErrNotFound)
}

// Authorize authorizes a member that has asked to join. ip is "" to leave
// its addresses as they are, AutoIP for the next free address of the
// network's pools (the controller assigns none to members authorized
// through the API), or an address as AssignIP takes it (inside a route,
// held by no other member), which replaces the member's addresses. The
// member is read back: a change the controller did not store is an error.
func (c *Client) Authorize(ctx context.Context, nwid, id, ip string) (Member, error) {
	m, err := c.Member(ctx, nwid, id)
	if err != nil {
		return Member{}, err
	}
	cfg := memberConfig{Authorized: ptr(true)}
	if ip != "" {
		addr, err := c.pickIP(ctx, nwid, m, ip)
		if err != nil {
			return Member{}, fmt.Errorf("authorize member %s: %w", id, err)
		}
		// A fixed address replaces the member's addresses; an automatic
		// one comes first, before those it keeps.
		ips := []string{addr.String()}
		if ip == AutoIP {
			for _, old := range m.IPAssignments {
				if old != addr.String() {
					ips = append(ips, old)
				}
			}
		}
		cfg.IPAssignments = &ips
	}
	return c.updateMember(ctx, nwid, id, cfg)
}

// pickIP checks a requested address as AssignIP does, or picks the next
// free one of the pools for AutoIP.
func (c *Client) pickIP(ctx context.Context, nwid string, m Member, ip string) (netip.Addr, error) {
	if ip != AutoIP {
		if _, err := parseIP(ip); err != nil {
			return netip.Addr{}, err
		}
	}
	n, err := c.ControllerNetwork(ctx, nwid)
	if err != nil {
		return netip.Addr{}, err
	}
	if ip != AutoIP {
		return c.staticIP(ctx, n, m.ID, ip)
	}
	owners, err := c.otherOwners(ctx, nwid, m.ID)
	if err != nil {
		return netip.Addr{}, err
	}
	for _, s := range m.IPAssignments {
		if a, err := netip.ParseAddr(s); err == nil && inPools(a.Unmap(), n.IPAssignmentPools) && owners[a.Unmap()] == "" {
			return a.Unmap(), nil // it already has one
		}
	}
	if len(n.IPAssignmentPools) == 0 {
		return netip.Addr{}, invalidf("network %s has no address pool (add one with 'fogctl net pool add %s CIDR')", nwid, nwid)
	}
	others := make([]string, 0, len(owners))
	for a := range owners {
		others = append(others, a.String())
	}
	a, ok := NextFreeIP(n.IPAssignmentPools, others)
	if !ok {
		return netip.Addr{}, fmt.Errorf("network %s: no free address left in %s", nwid, poolsString(n.IPAssignmentPools))
	}
	return a, nil
}

// staticIP checks an address an operator gives member id of n by hand:
// ParseStaticIP accepts it and no other member holds it.
func (c *Client) staticIP(ctx context.Context, n Network, id, ip string) (netip.Addr, error) {
	a, err := ParseStaticIP(ip, n)
	if err != nil {
		return netip.Addr{}, err
	}
	owners, err := c.otherOwners(ctx, n.ID, id)
	if err != nil {
		return netip.Addr{}, err
	}
	if o := owners[a]; o != "" {
		return netip.Addr{}, invalidf("address %s is already assigned to member %s of network %s", a, o, n.ID)
	}
	return a, nil
}

// otherOwners maps each address a member of the network other than id
// holds to that member.
func (c *Client) otherOwners(ctx context.Context, nwid, id string) (map[netip.Addr]string, error) {
	members, err := c.Members(ctx, nwid)
	if err != nil {
		return nil, err
	}
	owners := map[netip.Addr]string{}
	for _, o := range members {
		if o.ID == id {
			continue
		}
		for _, s := range o.IPAssignments {
			if a, err := netip.ParseAddr(s); err == nil {
				owners[a.Unmap()] = o.ID
			}
		}
	}
	return owners, nil
}

// Deauthorize withdraws a member's authorization. The controller does not
// push this: the node notices at its next configuration refresh (up to 60s)
// and keeps its address until then.
func (c *Client) Deauthorize(ctx context.Context, nwid, id string) (Member, error) {
	if _, err := c.Member(ctx, nwid, id); err != nil {
		return Member{}, err
	}
	return c.updateMember(ctx, nwid, id, memberConfig{Authorized: ptr(false)})
}

// AssignIP adds a static address to a member: ip must pass
// ParseStaticIP against the network, and neither the member nor another
// member may hold it already (the rule Authorize applies to an address). The member is read back: an address the
// controller dropped (it answers 200 and silently drops what it cannot
// parse) is a *MismatchError.
func (c *Client) AssignIP(ctx context.Context, nwid, id, ip string) (Member, error) {
	if err := ValidateNetworkID(nwid); err != nil {
		return Member{}, err
	}
	if err := ValidateMemberID(id); err != nil {
		return Member{}, err
	}
	if _, err := parseIP(ip); err != nil {
		return Member{}, err
	}
	m, err := c.Member(ctx, nwid, id)
	if err != nil {
		return Member{}, err
	}
	n, err := c.ControllerNetwork(ctx, nwid)
	if err != nil {
		return Member{}, err
	}
	a, err := c.staticIP(ctx, n, id, ip)
	if err != nil {
		return Member{}, err
	}
	if hasIP(m.IPAssignments, a) {
		return Member{}, invalidf("member %s of network %s already has address %s", id, nwid, a)
	}
	ips := append(slices.Clone(m.IPAssignments), a.String())
	return c.updateMember(ctx, nwid, id, memberConfig{IPAssignments: &ips})
}

// RemoveIP removes an address from a member. It refuses to remove the
// member's last IPv4 address inside a route when the controller would
// hand the node an address again, likely the same one, at its next
// configuration request: the network assigns IPv4 addresses itself
// (v4AssignMode zt), the member did not opt out (noAutoAssignIps), and a
// pool holds a free address inside a route (Network.AutoAssignable).
func (c *Client) RemoveIP(ctx context.Context, nwid, id, ip string) (Member, error) {
	if err := ValidateNetworkID(nwid); err != nil {
		return Member{}, err
	}
	if err := ValidateMemberID(id); err != nil {
		return Member{}, err
	}
	a, err := parseIP(ip)
	if err != nil {
		return Member{}, err
	}
	m, err := c.Member(ctx, nwid, id)
	if err != nil {
		return Member{}, err
	}
	if !hasIP(m.IPAssignments, a) {
		has := "none"
		if len(m.IPAssignments) > 0 {
			has = strings.Join(m.IPAssignments, ", ")
		}
		return Member{}, invalidf("member %s of network %s has no address %s (its addresses: %s)", id, nwid, a, has)
	}
	ips := slices.DeleteFunc(slices.Clone(m.IPAssignments), func(s string) bool { return hasIP([]string{s}, a) })
	n, err := c.ControllerNetwork(ctx, nwid)
	if err != nil {
		return Member{}, err
	}
	if _, routed := n.RouteOf(a); a.Is4() && routed && n.V4AssignMode.ZT && !m.NoAutoAssignIPs && !hasManagedIPv4(ips, n) {
		again, err := c.wouldReassign(ctx, n, id, ips)
		if err != nil {
			return Member{}, err
		}
		if again {
			return Member{}, invalidf("%s is the last IPv4 address of member %s, and network %s assigns addresses itself: the controller would give the node one from the pools again at its next request; add the new address first ('fogctl net ip add %s %s IP'), or withdraw the member with 'fogctl net deauthorize %s %s'", a, id, nwid, nwid, id, nwid, id)
		}
	}
	return c.updateMember(ctx, nwid, id, memberConfig{IPAssignments: &ips})
}

// wouldReassign reports whether the controller would give member id of n,
// left with ips, an address from the pools at its next request.
func (c *Client) wouldReassign(ctx context.Context, n Network, id string, ips []string) (bool, error) {
	members, err := c.Members(ctx, n.ID)
	if err != nil {
		return false, err
	}
	used := slices.Clone(ips)
	for _, o := range members {
		if o.ID != id {
			used = append(used, o.IPAssignments...)
		}
	}
	return n.AutoAssignable(used), nil
}

// hasManagedIPv4 reports whether one of ips is an IPv4 address inside a
// route of n: the controller assigns a member no IPv4 address by itself
// while it has one.
func hasManagedIPv4(ips []string, n Network) bool {
	for _, s := range ips {
		a, err := netip.ParseAddr(s)
		if err != nil || !a.Unmap().Is4() {
			continue
		}
		if _, ok := n.RouteOf(a); ok {
			return true
		}
	}
	return false
}

// DeleteMember removes a member from the controller.
func (c *Client) DeleteMember(ctx context.Context, nwid, id string) error {
	if _, err := c.Member(ctx, nwid, id); err != nil {
		return err
	}
	if err := c.do(ctx, "DELETE", "/controller/network/"+nwid+"/member/"+id, nil, nil); err != nil {
		return c.memberErr(ctx, nwid, id, err)
	}
	return nil
}

// updateMember sends a change and reads the member back.
func (c *Client) updateMember(ctx context.Context, nwid, id string, cfg memberConfig) (Member, error) {
	if err := c.do(ctx, "POST", "/controller/network/"+nwid+"/member/"+id, cfg, nil); err != nil {
		return Member{}, c.memberErr(ctx, nwid, id, err)
	}
	m, err := c.Member(ctx, nwid, id)
	if err != nil {
		return Member{}, fmt.Errorf("read back: %w", err)
	}
	obj := "member " + id + " of network " + nwid
	if cfg.Authorized != nil && m.Authorized != *cfg.Authorized {
		return m, &MismatchError{Object: obj, Field: "authorized", Sent: fmt.Sprint(*cfg.Authorized), Stored: fmt.Sprint(m.Authorized)}
	}
	if cfg.IPAssignments != nil && !sameIPs(m.IPAssignments, *cfg.IPAssignments) {
		return m, &MismatchError{Object: obj, Field: "ipAssignments", Sent: "[" + strings.Join(*cfg.IPAssignments, " ") + "]", Stored: "[" + strings.Join(m.IPAssignments, " ") + "]"}
	}
	return m, nil
}

func ptr[T any](v T) *T { return &v }

package netoverlay

import (
	"context"
	"errors"
	"fmt"
	"slices"
)

// Status returns the node's own status (GET /status).
func (c *Client) Status(ctx context.Context) (NodeStatus, error) {
	var s NodeStatus
	if err := c.do(ctx, "GET", "/status", nil, &s); err != nil {
		return NodeStatus{}, fmt.Errorf("node status: %w", err)
	}
	return s, nil
}

// Networks lists the networks this node has joined, sorted by id.
func (c *Client) Networks(ctx context.Context) ([]JoinedNetwork, error) {
	var nets []JoinedNetwork
	if err := c.do(ctx, "GET", "/network", nil, &nets); err != nil {
		return nil, fmt.Errorf("list joined networks: %w", err)
	}
	slices.SortFunc(nets, func(a, b JoinedNetwork) int { return cmpString(a.ID, b.ID) })
	return nets, nil
}

// Network returns one joined network; an error matching ErrNotFound when
// this node has not joined it.
func (c *Client) Network(ctx context.Context, nwid string) (JoinedNetwork, error) {
	if err := ValidateNetworkID(nwid); err != nil {
		return JoinedNetwork{}, err
	}
	var n JoinedNetwork
	if err := c.do(ctx, "GET", "/network/"+nwid, nil, &n); err != nil {
		if errors.Is(err, ErrNotFound) {
			return JoinedNetwork{}, fmt.Errorf("this node has not joined network %s (run 'fogctl net join %s'): %w", nwid, nwid, ErrNotFound)
		}
		return JoinedNetwork{}, fmt.Errorf("network %s: %w", nwid, err)
	}
	return n, nil
}

// Join makes the node join a network; it then asks the network's
// controller for its configuration and waits for authorization.
func (c *Client) Join(ctx context.Context, nwid string) (JoinedNetwork, error) {
	if err := ValidateNetworkID(nwid); err != nil {
		return JoinedNetwork{}, err
	}
	var n JoinedNetwork
	if err := c.do(ctx, "POST", "/network/"+nwid, struct{}{}, &n); err != nil {
		return JoinedNetwork{}, fmt.Errorf("join network %s: %w", nwid, err)
	}
	if n.ID != nwid {
		return JoinedNetwork{}, fmt.Errorf("join network %s: the service answered for network %q", nwid, n.ID)
	}
	return n, nil
}

// Leave makes the node leave a network, then checks it is gone.
func (c *Client) Leave(ctx context.Context, nwid string) error {
	if err := ValidateNetworkID(nwid); err != nil {
		return err
	}
	var res struct {
		Result bool `json:"result"`
	}
	if err := c.do(ctx, "DELETE", "/network/"+nwid, nil, &res); err != nil {
		if errors.Is(err, ErrNotFound) {
			return fmt.Errorf("leave network %s: this node has not joined it: %w", nwid, ErrNotFound)
		}
		return fmt.Errorf("leave network %s: %w", nwid, err)
	}
	if !res.Result {
		return fmt.Errorf("leave network %s: the service answered result false", nwid)
	}
	_, err := c.Network(ctx, nwid)
	switch {
	case errors.Is(err, ErrNotFound):
		return nil
	case err != nil:
		return fmt.Errorf("leave network %s: check it is gone: %w", nwid, err)
	}
	return fmt.Errorf("leave network %s: the service answered 200 but still lists the network", nwid)
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

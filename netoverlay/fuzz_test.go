package netoverlay_test

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/fogctl/fogctl/netoverlay"
)

// FuzzParseCIDR: whatever an operator types, ParseCIDR either refuses it
// as invalid input or yields a pool that lies inside the range, starts no
// later than it ends, and leaves out the network address; NextFreeIP then
// hands out the pool's first address.
func FuzzParseCIDR(f *testing.F) {
	for _, s := range []string{"10.147.15.0/24", "10.147.15.1/24", "10.0.0.0/8", "10.147.15.0/30", "fd00::/64", "::/0", "0.0.0.0/0", "banana", "10.147.15.0/33", "fe80::%eth0/64"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := netoverlay.ParseCIDR(s)
		if err != nil {
			if !errors.Is(err, netoverlay.ErrInvalid) {
				t.Fatalf("%q: error %v is not ErrInvalid", s, err)
			}
			return
		}
		pool := netoverlay.PoolFor(p)
		start, err1 := netip.ParseAddr(pool.Start)
		end, err2 := netip.ParseAddr(pool.End)
		if err1 != nil || err2 != nil || !p.Contains(start) || !p.Contains(end) || end.Less(start) || start == p.Addr() {
			t.Fatalf("%q: pool %v", s, pool)
		}
		if a, ok := netoverlay.NextFreeIP([]netoverlay.Pool{pool}, nil); !ok || a != start {
			t.Fatalf("%q: next free %v %v, want %v", s, a, ok, start)
		}
	})
}

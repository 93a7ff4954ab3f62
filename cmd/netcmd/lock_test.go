//go:build linux

package netcmd_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/fogctl/fogctl/internal/safefile"
	"github.com/fogctl/fogctl/internal/testbin"
	"github.com/google/go-cmp/cmp"
)

// racer is a proxy in front of the fog server's controller that holds the
// first two requests hold matches until both have arrived, so that two
// fogctl commands read the same state before either writes, or until a
// fogctl waits on lockFile, the network's lock, which shows the commands
// are serialised. released says which happened.
type racer struct {
	*httptest.Server
	mu       sync.Mutex
	arrived  int
	release  chan struct{}
	once     sync.Once
	released string
}

func newRacer(t *testing.T, fl *fleet, lockFile string, hold func(*http.Request) bool) *racer {
	t.Helper()
	rc := &racer{release: make(chan struct{})}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hold(r) {
			rc.mu.Lock()
			rc.arrived++
			n := rc.arrived
			rc.mu.Unlock()
			if n == 2 {
				rc.open("a second read arrived while the first was held")
			}
			if n <= 2 {
				select {
				case <-rc.release:
				case <-r.Context().Done():
					return
				}
			}
		}
		fl.fog.Node.ServeHTTP(w, r)
	}))
	t.Cleanup(rc.Close)
	// Watch the lock file: once a second fogctl blocks on it, the first
	// may go on. Bounded: after a minute the held request goes on anyway
	// and the test fails on released.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	done := make(chan struct{})
	t.Cleanup(func() { cancel(); <-done })
	go func() {
		defer close(done)
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			if lockWaiter(lockFile) {
				rc.open("a fogctl waited on the lock")
				return
			}
			select {
			case <-rc.release:
				return
			case <-ctx.Done():
				rc.open("nothing within a minute")
				return
			case <-tick.C:
			}
		}
	}()
	return rc
}

func (rc *racer) open(why string) {
	rc.once.Do(func() {
		rc.mu.Lock()
		rc.released = why
		rc.mu.Unlock()
		close(rc.release)
	})
}

func (rc *racer) why() string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.released
}

// lockWaiter reports whether /proc/locks shows a process blocked on an
// flock of path (a line with "->" naming its device and inode).
func lockWaiter(path string) bool {
	fi, err := os.Stat(path)
	if err != nil {
		return false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return false
	}
	data, err := os.ReadFile("/proc/locks")
	if err != nil {
		return false
	}
	ino := ":" + strconv.FormatUint(st.Ino, 10)
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) >= 7 && f[1] == "->" && f[2] == "FLOCK" && strings.HasSuffix(f[6], ino) {
			return true
		}
	}
	return false
}

// TestNetChangesAtOnceAreSerialised runs two fogctl commands that change
// one network at the same time, through a proxy that lets both read
// before either writes unless they take turns. ZeroTier's API has no
// compare-and-swap: without fogctl's per-network lock, one change is
// lost (or reported as the controller's fault).
func TestNetChangesAtOnceAreSerialised(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("watches /proc/locks")
	}
	for _, tc := range []struct {
		name string
		// setUp runs before the race; a and b race.
		setUp, a, b func(nwid, bus, pending string) []string
		hold        func(nwid, bus, pending string) func(*http.Request) bool
		// check asserts the outcome of a and b.
		check func(t *testing.T, fl *fleet, nwid, bus, pending string, ra, rb result)
	}{{
		name:  "ip add and ip add",
		a:     func(nwid, bus, _ string) []string { return []string{"ip", "add", nwid, bus, "10.147.15.30"} },
		b:     func(nwid, bus, _ string) []string { return []string{"ip", "add", nwid, bus, "10.147.15.31"} },
		hold:  func(nwid, bus, _ string) func(*http.Request) bool { return memberGet(nwid, bus) },
		check: wantBothAnd("10.147.15.17", "10.147.15.30", "10.147.15.31"),
	}, {
		name:  "ip add and ip rm",
		setUp: func(nwid, bus, _ string) []string { return []string{"ip", "add", nwid, bus, "10.147.15.18"} },
		a:     func(nwid, bus, _ string) []string { return []string{"ip", "add", nwid, bus, "10.147.15.30"} },
		b:     func(nwid, bus, _ string) []string { return []string{"ip", "rm", nwid, bus, "10.147.15.18"} },
		hold:  func(nwid, bus, _ string) func(*http.Request) bool { return memberGet(nwid, bus) },
		check: wantBothAnd("10.147.15.17", "10.147.15.30"),
	}, {
		name: "authorize --ip and ip add of one address on two members",
		a: func(nwid, _, pending string) []string {
			return []string{"authorize", nwid, pending, "--ip", "10.147.15.40"}
		},
		b: func(nwid, bus, _ string) []string { return []string{"ip", "add", nwid, bus, "10.147.15.40"} },
		hold: func(nwid, _, _ string) func(*http.Request) bool {
			return func(r *http.Request) bool {
				return r.Method == "GET" && strings.HasPrefix(r.URL.Path, "/controller/network/"+nwid+"/member/")
			}
		},
		check: func(t *testing.T, fl *fleet, nwid, bus, pending string, ra, rb result) {
			if (ra.code == 0) == (rb.code == 0) {
				t.Errorf("want exactly one to get 10.147.15.40:\nauthorize: exit %d %q\nip add: exit %d %q", ra.code, ra.err, rb.code, rb.err)
			}
			holders := 0
			for _, id := range []string{bus, pending} {
				if strings.Contains(must(t, fl.ctl(t, false, "ip", "list", nwid, id)).out, "10.147.15.40\t") {
					holders++
				}
			}
			if holders != 1 {
				t.Errorf("%d members hold 10.147.15.40, want 1", holders)
			}
		},
	}, {
		name: "pool add and pool add",
		a:    func(nwid, _, _ string) []string { return []string{"pool", "add", nwid, "10.147.16.0/24"} },
		b:    func(nwid, _, _ string) []string { return []string{"pool", "add", nwid, "10.147.17.0/24"} },
		hold: func(nwid, _, _ string) func(*http.Request) bool {
			return func(r *http.Request) bool { return r.Method == "GET" && r.URL.Path == "/controller/network/"+nwid }
		},
		check: func(t *testing.T, fl *fleet, nwid, _, _ string, ra, rb result) {
			must(t, ra)
			must(t, rb)
			n, err := fl.controller(t).ControllerNetwork(context.Background(), nwid)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range n.Routes {
				got = append(got, r.Target)
			}
			slices.Sort(got)
			if diff := cmp.Diff([]string{"10.147.15.0/24", "10.147.16.0/24", "10.147.17.0/24"}, got); diff != "" {
				t.Errorf("routes (-want +got):\n%s", diff)
			}
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			fl, nwid, bus, pending := scenario(t)
			if tc.setUp != nil {
				must(t, fl.ctl(t, false, tc.setUp(nwid, bus, pending)...))
			}
			rc := newRacer(t, fl, filepath.Join(fl.stateDir, "net", nwid+safefile.LockSuffix), tc.hold(nwid, bus, pending))
			flags := []string{"--zt-url", rc.URL, "--token-file", fl.fog.TokenFile}
			var ra, rb result
			var wg sync.WaitGroup
			wg.Add(2)
			go func() {
				defer wg.Done()
				ra = fl.run(t, false, append(append([]string{"net"}, tc.a(nwid, bus, pending)...), flags...)...)
			}()
			go func() {
				defer wg.Done()
				rb = fl.run(t, false, append(append([]string{"net"}, tc.b(nwid, bus, pending)...), flags...)...)
			}()
			wg.Wait()
			if why := rc.why(); why != "a fogctl waited on the lock" {
				t.Errorf("the held read went on because %s, want: a fogctl waited on the lock", why)
			}
			tc.check(t, fl, nwid, bus, pending, ra, rb)
		})
	}
}

// wantBothAnd checks both commands succeeded and the bus holds ips.
func wantBothAnd(ips ...string) func(t *testing.T, fl *fleet, nwid, bus, _ string, ra, rb result) {
	return func(t *testing.T, fl *fleet, nwid, bus, _ string, ra, rb result) {
		t.Helper()
		must(t, ra)
		must(t, rb)
		m, err := fl.controller(t).Member(context.Background(), nwid, bus)
		if err != nil {
			t.Fatal(err)
		}
		got := slices.Sorted(slices.Values(m.IPAssignments))
		if diff := cmp.Diff(ips, got); diff != "" {
			t.Errorf("stored addresses (-want +got):\n%s", diff)
		}
	}
}

// TestNetIPAddWaitsForTheLockAndNamesItsHolder: a change waits for
// another fogctl changing the same network, at most ten request time
// limits, then fails naming the holder's PID and changing nothing.
func TestNetIPAddWaitsForTheLockAndNamesItsHolder(t *testing.T) {
	fl, nwid, bus, _ := scenario(t)
	unlock, err := safefile.Lock(context.Background(), filepath.Join(fl.stateDir, "net", nwid), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	r := fl.ctl(t, false, "ip", "add", nwid, bus, "10.147.15.30", "--zt-timeout", "20ms")
	want := "error: change network " + nwid + ": another fogctl is changing it: " + filepath.Join(fl.stateDir, "net", nwid) + " is locked by "
	if r.code != 1 || !strings.HasPrefix(r.err, want) || !strings.Contains(r.err, " pid "+strconv.Itoa(os.Getpid())+" ") || strings.Count(r.err, "\n") != 1 {
		t.Errorf("exit %d stderr %q, want 1 and one line %q... naming pid %d", r.code, r.err, want, os.Getpid())
	}
	unlock()
	if l := must(t, fl.ctl(t, false, "ip", "list", nwid, bus)); l.out != "10.147.15.17\t10.147.15.0/24\tyes\n" {
		t.Errorf("after the refusal: %q", l.out)
	}
	must(t, fl.ctl(t, false, "ip", "add", nwid, bus, "10.147.15.30"))
}

// memberGet matches the read of one member.
func memberGet(nwid, id string) func(*http.Request) bool {
	return func(r *http.Request) bool {
		return r.Method == "GET" && r.URL.Path == "/controller/network/"+nwid+"/member/"+id
	}
}

// TestE2E_IPAddAtOnceFromTwoProcesses: two fogctl processes add an
// address to one member at once; they take turns on the lock in the
// shared state directory and both addresses are stored.
func TestE2E_IPAddAtOnceFromTwoProcesses(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("watches /proc/locks")
	}
	fl, nwid, bus, _ := scenario(t)
	home := t.TempDir()
	rc := newRacer(t, fl, filepath.Join(home, "state", "fogctl", "net", nwid+safefile.LockSuffix), memberGet(nwid, bus))
	bin := testbin.Fogctl(t)
	run := func(ip string) (string, error) {
		c := exec.Command(bin, "net", "ip", "add", nwid, bus, ip, "--zt-url", rc.URL, "--token-file", fl.fog.TokenFile)
		c.Env = []string{"HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, "config"), "XDG_STATE_HOME=" + filepath.Join(home, "state"), "PATH=/usr/bin:/bin"}
		out, err := c.CombinedOutput()
		return string(out), err
	}
	var outA, outB string
	var errA, errB error
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); outA, errA = run("10.147.15.30") }()
	go func() { defer wg.Done(); outB, errB = run("10.147.15.31") }()
	wg.Wait()
	if errA != nil || errB != nil {
		t.Errorf("ip add 10.147.15.30: %v %s\nip add 10.147.15.31: %v %s", errA, outA, errB, outB)
	}
	if why := rc.why(); why != "a fogctl waited on the lock" {
		t.Errorf("the held read went on because %s, want: a fogctl waited on the lock", why)
	}
	m, err := fl.controller(t).Member(context.Background(), nwid, bus)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"10.147.15.17", "10.147.15.30", "10.147.15.31"}, slices.Sorted(slices.Values(m.IPAssignments))); diff != "" {
		t.Errorf("stored addresses (-want +got):\n%s", diff)
	}
}

//go:build linux

package netcmd_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/fogctl/fogctl/internal/testbin"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"
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
	file := procLocksFile(st)
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) >= 7 && f[1] == "->" && f[2] == "FLOCK" && f[6] == file {
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
			rc := newRacer(t, fl, fl.lockFile(nwid), tc.hold(nwid, bus, pending))
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
	unlock := holdLock(t, fl.lockFile(nwid))
	r := fl.ctl(t, false, "ip", "add", nwid, bus, "10.147.15.30", "--zt-timeout", "20ms")
	want := "error: change network " + nwid + ": another fogctl is changing it: " + fl.lockFile(nwid) + " is locked by "
	pid := strconv.Itoa(os.Getpid())
	me := currentUser(t)
	if r.code != 1 || !strings.HasPrefix(r.err, want) || !strings.Contains(r.err, " pid "+pid+" of user "+me+":") || !strings.Contains(r.err, "'kill "+pid+"'") || strings.Count(r.err, "\n") != 1 {
		t.Errorf("exit %d stderr %q, want 1 and one line %q... naming pid %d of user %s and how to end it", r.code, r.err, want, os.Getpid(), me)
	}
	unlock()
	if l := must(t, fl.ctl(t, false, "ip", "list", nwid, bus)); l.out != "10.147.15.17\t10.147.15.0/24\tyes\n" {
		t.Errorf("after the refusal: %q", l.out)
	}
	must(t, fl.ctl(t, false, "ip", "add", nwid, bus, "10.147.15.30"))
}

// lockFile is the host-wide lock of network nwid in the test's lock
// directory.
func (fl *fleet) lockFile(nwid string) string {
	return filepath.Join(fl.lockDir, "fogctl-net-"+nwid+".lock")
}

// holdLock takes the flock of path as another fogctl would, until the
// returned function or the test's end.
func holdLock(t *testing.T, path string) func() {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	unlock := func() { once.Do(func() { f.Close() }) }
	t.Cleanup(unlock)
	return unlock
}

// memberGet matches the read of one member.
func memberGet(nwid, id string) func(*http.Request) bool {
	return func(r *http.Request) bool {
		return r.Method == "GET" && r.URL.Path == "/controller/network/"+nwid+"/member/"+id
	}
}

// TestE2E_IPAddAtOnceFromTwoStateDirectories: two fogctl processes with
// different homes and state directories (an operator, and root through
// sudo) add an address to one member at once. They take turns on the
// host-wide lock and both addresses are stored; with the lock in each
// state directory, both read before either wrote and one address was
// lost while both printed "✓ Added".
func TestE2E_IPAddAtOnceFromTwoStateDirectories(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("watches /proc/locks")
	}
	fl, nwid, bus, _ := scenario(t)
	rc := newRacer(t, fl, fl.lockFile(nwid), memberGet(nwid, bus))
	bin := testbin.Fogctl(t)
	run := func(ip string) (string, error) {
		home := t.TempDir()
		c := exec.Command(bin, "net", "ip", "add", nwid, bus, ip, "--zt-url", rc.URL, "--token-file", fl.fog.TokenFile)
		c.Env = []string{"HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, "config"), "XDG_STATE_HOME=" + filepath.Join(home, "state"), "PATH=/usr/bin:/bin", "FOGCTL_NET_LOCK_DIR=" + fl.lockDir}
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

// TestNetLockOfAnotherUser: the lock is one per network for the whole
// host. A lock file another user made, and holds (for ever here), keeps
// root out too: root waits its ten request time limits, then fails naming
// the holder's program, pid and user and how to end it, changing nothing.
func TestNetLockOfAnotherUser(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("runs a process as user nobody")
	}
	flockBin, err := exec.LookPath("flock")
	if err != nil {
		t.Skip("no flock(1)")
	}
	fl, nwid, bus, _ := scenario(t)
	// A directory user nobody can reach, as /run/lock is.
	dir, err := os.MkdirTemp("", "fogctl-locks")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o777|os.ModeSticky); err != nil {
		t.Fatal(err)
	}
	fl.lockDir = dir
	t.Setenv("FOGCTL_NET_LOCK_DIR", dir)
	holder := exec.Command(flockBin, fl.lockFile(nwid), "sleep", "60")
	holder.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	if err := holder.Start(); err != nil {
		t.Skipf("cannot run flock as nobody: %v", err)
	}
	t.Cleanup(func() { _ = holder.Process.Kill(); _ = holder.Wait() })
	held := false
	for i := 0; i < 500 && !held; i++ {
		held = lockHeld(fl.lockFile(nwid))
		time.Sleep(10 * time.Millisecond)
	}
	if !held {
		t.Fatal("flock as nobody did not take the lock within 5s")
	}
	start := time.Now()
	r := fl.ctl(t, false, "ip", "add", nwid, bus, "10.147.15.30", "--zt-timeout", "30ms")
	took := time.Since(start)
	want := "error: change network " + nwid + ": another fogctl is changing it: " + fl.lockFile(nwid) + " is locked by flock pid " + strconv.Itoa(holder.Process.Pid) + " of user nobody: waited 300ms (try again once it is done; if it hangs, nobody or root can end it with 'kill " + strconv.Itoa(holder.Process.Pid) + "')\n"
	if r.code != 1 || r.err != want {
		t.Errorf("exit %d stderr:\n%s\nwant 1 and:\n%s", r.code, r.err, want)
	}
	if took > 3*time.Second {
		t.Errorf("took %s to give up, want about 300ms", took)
	}
	if l := must(t, fl.ctl(t, false, "ip", "list", nwid, bus)); l.out != "10.147.15.17\t10.147.15.0/24\tyes\n" {
		t.Errorf("after the refusal: %q", l.out)
	}
}

// TestNetLockRefusesALink: a symbolic link or a hard link where the lock
// file goes (made by another user to have fogctl, maybe running as root,
// create or lock a file of their choice) is refused, naming it, before
// anything is sent; the file it points to is untouched.
func TestNetLockRefusesALink(t *testing.T) {
	for _, kind := range []string{"symlink", "hardlink", "fifo"} {
		t.Run(kind, func(t *testing.T) {
			fl, nwid, bus, _ := scenario(t)
			target := filepath.Join(t.TempDir(), "precious")
			if err := os.WriteFile(target, []byte("keep\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			// The scenario's changes made the lock file: another user
			// got in first with a link.
			if err := os.Remove(fl.lockFile(nwid)); err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			var err error
			want := ""
			owner := currentUser(t) + " (uid " + strconv.Itoa(os.Getuid()) + ")"
			switch kind {
			case "symlink":
				err = os.Symlink(target, fl.lockFile(nwid))
				want = "it is a symbolic link, which fogctl does not follow (owned by " + owner + "): remove it"
			case "hardlink":
				err = os.Link(target, fl.lockFile(nwid))
				want = "it has 2 hard links, so it is not fogctl's lock (owned by " + owner + "): remove it"
			case "fifo":
				err = syscall.Mkfifo(fl.lockFile(nwid), 0o644)
				want = "not a regular file, so not fogctl's lock (owned by " + owner + "): remove it"
			}
			if err != nil {
				t.Fatal(err)
			}
			before := fl.fog.Requests()
			r := fl.ctl(t, false, "ip", "add", nwid, bus, "10.147.15.30")
			wantErr := "error: change network " + nwid + ": lock " + fl.lockFile(nwid) + ": " + want + "\n"
			if r.code != 1 || r.err != wantErr {
				t.Errorf("exit %d stderr:\n%s\nwant 1 and:\n%s", r.code, r.err, wantErr)
			}
			if got := fl.fog.Requests() - before; got != 0 {
				t.Errorf("%d requests sent, want none", got)
			}
			if data, _ := os.ReadFile(target); string(data) != "keep\n" {
				t.Errorf("the link's target now holds %q", data)
			}
		})
	}
}

// procLocksFile is how /proc/locks names the file of st: MAJ:MIN:INODE,
// major and minor in hex.
func procLocksFile(st *syscall.Stat_t) string {
	return fmt.Sprintf("%02x:%02x:%d", unix.Major(st.Dev), unix.Minor(st.Dev), st.Ino)
}

// lockHeld reports whether /proc/locks shows an flock held on path.
func lockHeld(path string) bool {
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
	file := procLocksFile(st)
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) >= 6 && f[1] == "FLOCK" && f[5] == file {
			return true
		}
	}
	return false
}

// TestNetHelpSaysWhatIsCaught: the help of net and net ip says who takes
// turns and which changes made elsewhere the read-back does not catch.
func TestNetHelpSaysWhatIsCaught(t *testing.T) {
	fl := newFleet(t)
	for _, args := range [][]string{{"net", "--help"}, {"net", "ip", "--help"}} {
		r := must(t, fl.run(t, false, args...))
		for _, want := range []string{"whoever runs it", "/run/lock/fogctl-net-NWID.lock", "fogctl reports a mismatch", "fogctl's write replaces it and fogctl reports\nsuccess"} {
			if !strings.Contains(r.out, want) {
				t.Errorf("%v: no %q in:\n%s", args, want, r.out)
			}
		}
	}
}

// currentUser is the name of the user running the test ("uid N" when it
// has none).
func currentUser(t *testing.T) string {
	t.Helper()
	u, err := user.Current()
	if err != nil || u.Username == "" {
		return "uid " + strconv.Itoa(os.Getuid())
	}
	return u.Username
}

// TestNetLockFileOfAnotherOperator runs fogctl as a non-root operator
// (user nobody) with the lock in a sticky directory every user can write
// in. A lock file another non-root user made (uid 65533 here) is refused,
// naming its owner and what to do, before anything is sent: its owner
// could remove it while the operator held it. Once root's fogctl has run
// a change the file is root's, and the operator's change goes through; so
// does it with another operator's file in a directory only the operators'
// group can write in (mode 2770), as the refusal suggests.
func TestNetLockFileOfAnotherOperator(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("runs fogctl as user nobody")
	}
	fl, nwid, bus, _ := scenario(t)
	open := func(name string) string { // a directory nobody can reach
		d, err := os.MkdirTemp("", name)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(d) })
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	dir := open("fogctl-locks")
	if err := os.Chmod(dir, 0o777|os.ModeSticky); err != nil {
		t.Fatal(err)
	}
	fl.lockDir = dir
	t.Setenv("FOGCTL_NET_LOCK_DIR", dir)
	bin := filepath.Join(open("fogctl-bin"), "fogctl")
	tok := filepath.Join(filepath.Dir(bin), "token")
	for src, dst := range map[string]string{testbin.Fogctl(t): bin, fl.fog.TokenFile: tok} {
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, data, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	home := open("fogctl-home")
	if err := os.Chown(home, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	asNobody := func(ip string, lockDir string) (int, string) {
		c := exec.Command(bin, "net", "ip", "add", nwid, bus, ip, "--zt-url", fl.fog.URL, "--token-file", tok)
		c.Env = []string{"HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, "config"), "XDG_STATE_HOME=" + filepath.Join(home, "state"), "KUBECONFIG=" + filepath.Join(home, "kubeconfig"), "PATH=/usr/bin:/bin", "FOGCTL_NET_LOCK_DIR=" + lockDir}
		c.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		var stderr strings.Builder
		c.Stderr = &stderr
		err := c.Run()
		if err != nil && c.ProcessState == nil {
			t.Fatal(err)
		}
		return c.ProcessState.ExitCode(), stderr.String()
	}
	lock := fl.lockFile(nwid)
	if err := os.WriteFile(lock, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(lock, 65533, 65533); err != nil {
		t.Fatal(err)
	}
	before := fl.fog.Requests()
	code, stderr := asNobody("10.147.15.31", dir)
	owner := "uid 65533"
	if u, err := user.LookupId("65533"); err == nil && u.Username != "" {
		owner = u.Username + " (uid 65533)"
	}
	want := "error: change network " + nwid + ": lock " + lock + ": owned by " + owner + ", who could remove it while held and let two fogctl change the network at once;"
	if code != 1 || !strings.HasPrefix(stderr, want) || !strings.Contains(stderr, "$FOGCTL_NET_LOCK_DIR") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("as nobody, a lock file of uid 65533: exit %d stderr:\n%s\nwant 1 and one line %q... naming $FOGCTL_NET_LOCK_DIR", code, stderr, want)
	}
	if n := fl.fog.Requests() - before; n != 0 {
		t.Errorf("%d requests sent, want none", n)
	}
	// Root's fogctl makes the file root's.
	must(t, fl.ctl(t, false, "ip", "add", nwid, bus, "10.147.15.30"))
	var st syscall.Stat_t
	if err := syscall.Stat(lock, &st); err != nil || st.Uid != 0 || st.Mode&0o7777 != 0o644 {
		t.Errorf("after root's change the lock file is uid %d mode %04o (%v), want root's, 0644", st.Uid, st.Mode&0o7777, err)
	}
	if code, stderr := asNobody("10.147.15.31", dir); code != 0 {
		t.Errorf("as nobody, root's lock file: exit %d stderr:\n%s", code, stderr)
	}
	// What the refusal suggests: a directory only the operators' group
	// can write in, where a lock file of another operator serves.
	group := open("fogctl-group-locks")
	if err := os.Chown(group, 0, 65534); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(group, 0o770|os.ModeSetgid); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(group, filepath.Base(lock))
	if err := os.WriteFile(other, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(other, 65533, 65534); err != nil {
		t.Fatal(err)
	}
	if code, stderr := asNobody("10.147.15.32", group); code != 0 {
		t.Errorf("as nobody, another operator's lock file in a 2770 directory of their group: exit %d stderr:\n%s", code, stderr)
	}
	if l := must(t, fl.ctl(t, false, "ip", "list", nwid, bus)); l.out != "10.147.15.17\t10.147.15.0/24\tyes\n10.147.15.30\t10.147.15.0/24\tyes\n10.147.15.31\t10.147.15.0/24\tyes\n10.147.15.32\t10.147.15.0/24\tyes\n" {
		t.Errorf("addresses: %q", l.out)
	}
}

// TestNetChangeSaysItsLockWasRemoved: when the lock file is removed while
// a change holds it (root or its owner can), another fogctl may make and
// lock a new one and change the network at the same time. The change,
// already sent, then fails (exit 1) saying so and how to check, instead
// of reporting success alone.
func TestNetChangeSaysItsLockWasRemoved(t *testing.T) {
	for _, tc := range []struct {
		name  string
		args  func(nwid, bus, pending string) []string
		did   func(nwid, bus, pending string) string
		check func(nwid, bus, pending string) string
	}{{
		name:  "ip add",
		args:  func(nwid, bus, _ string) []string { return []string{"ip", "add", nwid, bus, "10.147.15.30"} },
		did:   func(_, bus, _ string) string { return "added 10.147.15.30 to member " + bus },
		check: func(nwid, bus, _ string) string { return "fogctl net ip list " + nwid + " " + bus },
	}, {
		name:  "authorize --ip",
		args:  func(nwid, _, pending string) []string { return []string{"authorize", nwid, pending, "--ip", "auto"} },
		did:   func(_, _, pending string) string { return "authorized member " + pending + " with --ip auto" },
		check: func(nwid, _, pending string) string { return "fogctl net ip list " + nwid + " " + pending },
	}, {
		name:  "pool add",
		args:  func(nwid, _, _ string) []string { return []string{"pool", "add", nwid, "10.147.16.0/24"} },
		did:   func(_, _, _ string) string { return "added pool 10.147.16.0/24" },
		check: func(nwid, _, _ string) string { return "fogctl net show " + nwid },
	}} {
		t.Run(tc.name, func(t *testing.T) {
			fl, nwid, bus, pending := scenario(t)
			lock := fl.lockFile(nwid)
			var mu sync.Mutex
			var removed error = os.ErrInvalid // not yet
			proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				if r.Method == "POST" && removed == os.ErrInvalid {
					removed = os.Remove(lock) // as root or the file's owner could
				}
				mu.Unlock()
				fl.fog.Node.ServeHTTP(w, r)
			}))
			t.Cleanup(proxy.Close)
			r := fl.run(t, false, append(append([]string{"net"}, tc.args(nwid, bus, pending)...), "--zt-url", proxy.URL, "--token-file", fl.fog.TokenFile)...)
			mu.Lock()
			defer mu.Unlock()
			if removed != nil {
				t.Fatalf("the lock file was not removed during the change: %v", removed)
			}
			want := "error: " + tc.did(nwid, bus, pending) + ", but the lock file " + lock + " was removed or replaced while this change held it: another fogctl may have changed network " + nwid + " at the same time, and one of the changes may be lost: check with '" + tc.check(nwid, bus, pending) + "'\n"
			if r.code != 1 || !strings.HasPrefix(r.err, "✓ ") || !strings.HasSuffix(r.err, want) {
				t.Errorf("exit %d stderr:\n%s\nwant 1, the change's ✓ line(s), then:\n%s", r.code, r.err, want)
			}
		})
	}
}

package tui

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/fogctl/fogctl/netoverlay"
	"github.com/fogctl/fogctl/workflow"
	"github.com/fogctl/fogctl/workflow/runstore"
)

// fakeFleet records what the dashboard asked of it. The dashboard's own
// tests use it; `fogctl dash` is tested against the real packages in
// cmd/dashcmd.
type fakeFleet struct {
	mu        sync.Mutex
	current   string
	used      []string
	probes    int
	authed    []string
	denied    []string
	pending   []netoverlay.Member
	runFile   string
	failUseOf string
}

var dashNow = t0.Add(10 * time.Minute)

func (f *fakeFleet) source(zt bool) DashSource {
	src := DashSource{
		Now:          func() time.Time { return dashNow },
		ProbeTimeout: time.Second,
		Contexts: func() ([]ContextRow, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			rows := []ContextRow{
				{Name: "depot", Labels: map[string]string{"role": "fog"}, LastSeen: dashNow.Add(-time.Minute)},
				{Name: "bus-17", Labels: map[string]string{"role": "edge", "line": "12"}, LastSeen: dashNow.Add(-3 * time.Hour)},
				{Name: "bus-18", Labels: map[string]string{"role": "edge", "line": "12"}},
			}
			for i := range rows {
				rows[i].Current = rows[i].Name == f.current
			}
			return rows, nil
		},
		Probe: func(ctx context.Context, names []string) []ProbeRow {
			f.mu.Lock()
			f.probes++
			f.mu.Unlock()
			if _, ok := ctx.Deadline(); !ok {
				panic("probe without a deadline")
			}
			return []ProbeRow{
				{Context: "depot", Reachable: true, RTT: 1200 * time.Microsecond, Version: "v1.31.4+k3s1", LastSeen: dashNow},
				{Context: "bus-17", Reason: "timeout", LastSeen: dashNow.Add(-3 * time.Hour)},
				{Context: "bus-18", Reason: "tls: certificate signed by unknown authority"},
			}
		},
		Use: func(_ context.Context, name string) error {
			f.mu.Lock()
			defer f.mu.Unlock()
			if name == f.failUseOf {
				return errors.New(`context "` + name + `" is not defined (run 'fogctl ctx list')`)
			}
			f.used = append(f.used, name)
			f.current = name
			return nil
		},
		Runs: func() ([]runstore.Summary, error) {
			return []runstore.Summary{
				{ID: "20261123T020904-b6e2df78", Workflow: "fogctl-demo/air-quality.yaml", State: workflow.StateSucceeded, Created: dashNow.Add(-2 * time.Minute), Nodes: 6, Succeeded: 6, Retried: 1},
				{ID: "20261123T015511-0c1d2e3f", Workflow: "pipelines/nightly.yaml", State: workflow.StateFailed, Created: dashNow.Add(-17 * time.Minute), Nodes: 12, Succeeded: 9, Failed: 1},
			}, nil
		},
		RunCommand: func(file string) *exec.Cmd {
			f.runFile = file
			return exec.Command("true")
		},
	}
	if zt {
		f.pending = []netoverlay.Member{
			{ID: "a1b2c3d4e5", NetworkID: "8056c2e21c000001", Name: "bus-19", CreationTime: dashNow.Add(-4 * time.Minute).UnixMilli(), VMajor: 1, VMinor: 14, VRev: 1},
		}
		src.ZeroTier = &ZeroTierSource{
			Pending: func(context.Context) ([]netoverlay.Member, error) {
				f.mu.Lock()
				defer f.mu.Unlock()
				return append([]netoverlay.Member(nil), f.pending...), nil
			},
			Authorize: func(_ context.Context, m netoverlay.Member) error {
				f.mu.Lock()
				defer f.mu.Unlock()
				f.authed = append(f.authed, m.ID)
				f.pending = nil
				return nil
			},
			Deny: func(_ context.Context, m netoverlay.Member) error {
				f.mu.Lock()
				defer f.mu.Unlock()
				f.denied = append(f.denied, m.ID)
				f.pending = nil
				return nil
			},
		}
	}
	return src
}

// drive runs cmd and feeds what it returns back into m, as bubbletea's
// loop would, until nothing is left (ticks are dropped: time is a message
// the tests send themselves).
func drive(t *testing.T, m *DashModel, cmd tea.Cmd) {
	t.Helper()
	queue := []tea.Cmd{cmd}
	for steps := 0; len(queue) > 0; steps++ {
		if steps > 100 {
			t.Fatal("commands did not settle")
		}
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		switch msg := c().(type) {
		case tea.BatchMsg:
			queue = append(queue, msg...)
		case dashTickMsg, nil:
		case tea.QuitMsg:
			return
		default:
			_, next := m.Update(msg)
			queue = append(queue, next)
		}
	}
}

func newDash(t *testing.T, f *fakeFleet, zt bool) *DashModel {
	t.Helper()
	f.current = "depot"
	m := NewDashModel(nil, f.source(zt), asciiStyles())
	m.tick = func(time.Duration, int) tea.Cmd { return func() tea.Msg { return nil } }
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	drive(t, m, m.Init())
	m.Update(dashTickMsg{at: dashNow, gen: m.tickGen})
	return m
}

func dashKey(t *testing.T, m *DashModel, ks ...string) {
	t.Helper()
	for _, k := range ks {
		_, cmd := m.Update(keyMsg(k))
		drive(t, m, cmd)
	}
}

func TestDashView(t *testing.T) {
	f := &fakeFleet{}
	m := newDash(t, f, true)
	frame := m.View().Content
	checkFrame(t, frame, 80, 24)
	golden(t, "TestDash_80x24", frame)
	if f.probes != 1 {
		t.Errorf("probed %d times on start, want once", f.probes)
	}

	m = newDash(t, &fakeFleet{}, false)
	frame = m.View().Content
	checkFrame(t, frame, 80, 24)
	golden(t, "TestDash_no_zerotier_80x24", frame)
	if strings.Contains(frame, "zerotier") {
		t.Error("ZeroTier pane shown without a controller")
	}
}

func TestDashUseContext(t *testing.T) {
	f := &fakeFleet{}
	m := newDash(t, f, false)
	dashKey(t, m, "j", "enter")
	if strings.Join(f.used, ",") != "bus-17" {
		t.Fatalf("enter on bus-17 used %v", f.used)
	}
	frame := m.View().Content
	if !strings.Contains(frame, "✓ Switched to context bus-17") || !strings.Contains(frame, "* bus-17") {
		t.Errorf("switch not shown:\n%s", frame)
	}

	dashKey(t, m, ":", "c", "t", "x", " ", "d", "e", "p", "o", "t", "enter")
	if strings.Join(f.used, ",") != "bus-17,depot" {
		t.Errorf(":ctx depot used %v", f.used)
	}
	f.failUseOf = "bus-99"
	m.Update(textMsg(":ctx bus-99")) // typed in one read
	dashKey(t, m, "enter")
	if frame := m.View().Content; !strings.Contains(frame, `switch to "bus-99": context "bus-99" is not defined`) {
		t.Errorf("failed switch not shown:\n%s", frame)
	}
}

func TestDashCommandCompletion(t *testing.T) {
	m := newDash(t, &fakeFleet{}, false)
	for _, tc := range []struct{ typed, want string }{
		{"c", "ctx "},
		{"ctx b", "ctx bus-1"},
		{"ctx bus-17", "ctx bus-17"},
		{"ctx d", "ctx depot"},
		{"ctx x", "ctx x"},
		{"ru", "run "},
	} {
		m.Update(keyMsg(":"))
		m.Update(textMsg(tc.typed))
		m.Update(keyMsg("tab"))
		if m.command != tc.want {
			t.Errorf(":%s then tab gives :%s, want :%s", tc.typed, m.command, tc.want)
		}
		m.Update(keyMsg("esc"))
	}
}

// TestDashPaste: a context name pasted after ":ctx " is typed into the
// command line; outside it a paste is not taken for keys.
func TestDashPaste(t *testing.T) {
	f := &fakeFleet{}
	m := newDash(t, f, false)
	if _, cmd := m.Update(tea.PasteMsg{Content: "q"}); cmd != nil {
		t.Fatal("a paste outside the command line acted as a key")
	}
	dashKey(t, m, ":", "c", "t", "x", " ")
	m.Update(tea.PasteMsg{Content: "bus-18"})
	if !m.typing || m.command != "ctx bus-18" {
		t.Errorf("after pasting: typing %v, command %q; want typing \"ctx bus-18\"", m.typing, m.command)
	}
}

func TestDashCommands(t *testing.T) {
	f := &fakeFleet{}
	m := newDash(t, f, false)
	dashKey(t, m, ":")
	m.Update(textMsg("run nightly.yaml"))
	_, cmd := m.Update(keyMsg("enter"))
	if cmd == nil || f.runFile != "nightly.yaml" {
		t.Fatalf(":run nightly.yaml handed the terminal to %q", f.runFile)
	}
	m.Update(runDoneMsg{file: "nightly.yaml"})
	if !strings.Contains(m.View().Content, "✓ run of nightly.yaml ended") {
		t.Error("end of :run not shown")
	}

	dashKey(t, m, ":", "r", "u", "n", "s", "enter")
	if m.focus != paneRuns {
		t.Error(":runs did not go to the runs")
	}
	dashKey(t, m, ":", "x", "enter")
	if !strings.Contains(m.View().Content, `unknown command "x"`) {
		t.Error("unknown command not reported")
	}
}

func TestDashProbeAgain(t *testing.T) {
	f := &fakeFleet{}
	m := newDash(t, f, false)
	_, cmd := m.Update(keyMsg("r"))
	if !m.probing || !strings.Contains(m.View().Content, "probing") {
		t.Fatal("r did not start probing")
	}
	if _, again := m.Update(keyMsg("r")); again != nil {
		t.Error("r while probing started a second round")
	}
	drive(t, m, cmd)
	if m.probing || f.probes != 2 {
		t.Errorf("after r: probing %v, %d rounds; want done, 2", m.probing, f.probes)
	}
	m.Update(dashTickMsg{at: dashNow.Add(90 * time.Second), gen: m.tickGen})
	if !strings.Contains(m.View().Content, "probed 1m ago") {
		t.Errorf("probe age not shown:\n%s", m.View().Content)
	}
}

func TestDashZeroTierMembers(t *testing.T) {
	f := &fakeFleet{}
	m := newDash(t, f, true)
	dashKey(t, m, "tab", "tab", "d")
	if !strings.Contains(m.View().Content, "Deny a1b2c3d4e5 (bus-19) on 8056c2e21c000001") {
		t.Fatalf("d did not ask:\n%s", m.View().Content)
	}
	dashKey(t, m, "n")
	if len(f.denied) != 0 {
		t.Fatal("n denied the member")
	}
	dashKey(t, m, "a", "y")
	if strings.Join(f.authed, ",") != "a1b2c3d4e5" {
		t.Fatalf("a, y authorized %v", f.authed)
	}
	frame := m.View().Content
	if !strings.Contains(frame, "✓ Authorized member a1b2c3d4e5") || !strings.Contains(frame, "zerotier: 0 pending") {
		t.Errorf("authorization not shown:\n%s", frame)
	}
}

func TestDashTicksNeverDouble(t *testing.T) {
	m := newDash(t, &fakeFleet{}, false)
	old := m.tickGen
	m.Update(keyMsg("r")) // a faster chain while probing
	if _, cmd := m.Update(dashTickMsg{at: dashNow, gen: old}); cmd != nil {
		t.Error("the old chain of ticks re-armed beside the new one")
	}
	if _, cmd := m.Update(dashTickMsg{at: dashNow, gen: m.tickGen}); cmd == nil {
		t.Error("the newest chain of ticks stopped")
	}
}

func TestDashResizeAndHelp(t *testing.T) {
	m := newDash(t, &fakeFleet{}, true)
	for _, sz := range [][2]int{{80, 24}, {200, 60}, {40, 10}, {120, 30}} {
		m.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		checkFrame(t, m.View().Content, sz[0], sz[1])
		dashKey(t, m, "?")
		checkFrame(t, m.View().Content, sz[0], sz[1])
		dashKey(t, m, "esc")
	}
}

// TestDashManyContexts: 300 buses scroll in their pane, the cursor always
// on screen, the other panes kept.
func TestDashManyContexts(t *testing.T) {
	f := &fakeFleet{}
	src := f.source(true)
	src.Contexts = func() ([]ContextRow, error) {
		rows := make([]ContextRow, 300)
		for i := range rows {
			rows[i] = ContextRow{Name: fmt.Sprintf("bus-%03d", i), Current: i == 0}
		}
		return rows, nil
	}
	m := NewDashModel(nil, src, asciiStyles())
	m.tick = func(time.Duration, int) tea.Cmd { return func() tea.Msg { return nil } }
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	drive(t, m, m.Init())
	for range 150 {
		m.Update(keyMsg("j"))
	}
	frame := m.View().Content
	checkFrame(t, frame, 80, 24)
	if !regexp.MustCompile(`›   bus-150 `).MatchString(frame) {
		t.Errorf("cursor on bus-150 not on screen:\n%s", frame)
	}
	for _, pane := range []string{"contexts (300)", "recent runs", "zerotier: 1 pending"} {
		if !strings.Contains(frame, pane) {
			t.Errorf("pane %q missing:\n%s", pane, frame)
		}
	}
}

// TestDashStopCancelsRequests: when the caller's context ends (Ctrl-C from
// outside), a probe under way is cancelled, not left to its timeout.
func TestDashStopCancelsRequests(t *testing.T) {
	stop := make(chan struct{})
	f := &fakeFleet{}
	src := f.source(false)
	started := make(chan struct{})
	src.Probe = func(ctx context.Context, names []string) []ProbeRow {
		close(started)
		<-ctx.Done()
		return nil
	}
	m := NewDashModel(stop, src, asciiStyles())
	m.tick = func(time.Duration, int) tea.Cmd { return func() tea.Msg { return nil } }
	_, cmd := m.Update(contextsMsg{rows: []ContextRow{{Name: "bus-17"}}}) // probes at once
	if cmd == nil {
		t.Fatal("no probe after the contexts loaded")
	}
	got := make(chan tea.Msg, 8)
	go func() {
		// Run the batch's commands as bubbletea would; the probe's
		// message arrives once its context ends.
		for _, c := range cmd().(tea.BatchMsg) {
			if c != nil {
				go func() { got <- c() }()
			}
		}
	}()
	<-started
	close(stop)
	deadline := time.After(5 * time.Second)
	for {
		select {
		case msg := <-got:
			if _, ok := msg.(probeMsg); ok {
				return
			}
		case <-deadline:
			t.Fatal("the probe was not cancelled when stop closed")
		}
	}
}

package cmd

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/fogctl/fogctl/internal/testbin"

	"github.com/google/go-cmp/cmp"
)

func TestMain(m *testing.M) { testbin.Main(m) }

// completeIn asks a real shell, with the committed completion script
// loaded, what it completes for line. The binary is first on PATH.
func completeIn(t *testing.T, shell, line string, env []string) []string {
	t.Helper()
	if _, err := exec.LookPath(shell); err != nil {
		t.Fatalf("%s is not installed (make test installs it): %v", shell, err)
	}
	bin := testbin.Fogctl(t)
	script, _ := filepath.Abs(filepath.Join("..", "completions", map[string]string{"bash": "fogctl.bash", "fish": "fogctl.fish", "zsh": "_fogctl"}[shell]))
	var c *exec.Cmd
	switch shell {
	case "bash":
		prog := `source /usr/share/bash-completion/bash_completion
source "$SCRIPT"
COMP_LINE="$LINE"; COMP_POINT=${#COMP_LINE}
read -r -a COMP_WORDS <<< "$LINE"
` + map[bool]string{true: `COMP_WORDS+=("")`, false: ""}[strings.HasSuffix(line, " ")] + `
COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
__start_fogctl
printf '%s\n' "${COMPREPLY[@]}"`
		c = exec.Command("bash", "--norc", "--noprofile", "-c", prog)
	case "fish":
		c = exec.Command("fish", "--no-config", "-c", `source "$SCRIPT"; complete --do-complete="$LINE"`)
	default:
		t.Fatalf("no driver for %s", shell)
	}
	c.Env = append(os.Environ(), "SCRIPT="+script, "LINE="+line, "PATH="+filepath.Dir(bin)+":"+os.Getenv("PATH"))
	home := t.TempDir()
	c.Env = append(c.Env, "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"), "XDG_STATE_HOME="+filepath.Join(home, ".state"))
	c.Env = append(c.Env, env...)
	var stderr strings.Builder
	c.Stderr = &stderr // bash's compopt complains outside a real completion: not a result
	out, err := c.Output()
	if err != nil {
		t.Fatalf("%s completion of %q: %v\n%s", shell, line, err, stderr.String())
	}
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if l == "" {
			continue
		}
		word, _, _ := strings.Cut(l, "\t") // fish prints "word\tdescription"
		got = append(got, strings.TrimSpace(word))
	}
	sort.Strings(got)
	return got
}

func TestShellCompletion(t *testing.T) {
	kubeconfig, _ := filepath.Abs(filepath.Join("..", "testdata", "kubeconfig", "full.yaml"))
	tests := []struct {
		name string
		line string
		want []string
	}{
		{"command name", "fogctl vers", []string{"version"}},
		{"context names", "fogctl ctx use ", []string{"bus-17", "bus-18", "depot"}},
		{"context name prefix", "fogctl ctx use bus", []string{"bus-17", "bus-18"}},
		{"shells", "fogctl completion ", []string{"bash", "fish", "powershell", "zsh"}},
		{"output formats", "fogctl version -o ", []string{"json", "yaml"}},
	}
	for _, shell := range []string{"bash", "fish"} {
		for _, tt := range tests {
			t.Run(shell+"/"+tt.name, func(t *testing.T) {
				got := completeIn(t, shell, tt.line, []string{"KUBECONFIG=" + kubeconfig})
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("%s completes %q (-want +got):\n%s", shell, tt.line, diff)
				}
			})
		}
	}
}

// TestZshCompletionLoads checks that the committed zsh script loads under
// compinit and defines its completion function. Driving zsh's completion
// widget needs a pty; the words it would offer come from the same
// `fogctl __complete` that the bash and fish tests exercise.
func TestZshCompletionLoads(t *testing.T) {
	if _, err := exec.LookPath("zsh"); err != nil {
		t.Fatalf("zsh is not installed (make test installs it): %v", err)
	}
	dir, _ := filepath.Abs(filepath.Join("..", "completions"))
	out, err := exec.Command("zsh", "-f", "-c", `fpath=("$0" $fpath); autoload -Uz compinit; compinit -u -D; autoload -Uz _fogctl; whence -w _fogctl; (( $+functions[_fogctl] )) && echo defined`, dir).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "defined") {
		t.Fatalf("zsh could not load completions/_fogctl: %v\n%s", err, out)
	}
}

// Command testsummary reads `go test -json` on stdin and prints what a
// person needs: one line per package as it finishes, the whole output of
// every test that failed, and a closing line "N passed, N failed, N skipped".
// scripts/test.sh pipes the test run through it.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
)

type event struct {
	Action  string
	Package string
	Test    string
	Output  string
	Elapsed float64
}

func main() {
	var passed, failed, skipped int
	output := map[string][]string{} // package/test -> its output lines
	var failedNames []string
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 16<<20)
	for in.Scan() {
		var ev event
		if err := json.Unmarshal(in.Bytes(), &ev); err != nil {
			// Not JSON: a build error or a line from the go command.
			fmt.Println(in.Text())
			continue
		}
		key := ev.Package + " " + ev.Test
		switch ev.Action {
		case "output":
			if ev.Test != "" {
				output[key] = append(output[key], ev.Output)
			} else if !strings.HasPrefix(ev.Output, "PASS") && !strings.HasPrefix(ev.Output, "FAIL\n") &&
				!strings.HasPrefix(ev.Output, "ok ") && !strings.HasPrefix(ev.Output, "coverage:") {
				// Package-level output: build failures, panics outside tests, ok/FAIL lines.
				fmt.Print(ev.Output)
			}
		case "pass":
			if ev.Test != "" {
				passed++
				delete(output, key)
			} else {
				fmt.Printf("ok  \t%s\t%.1fs\n", ev.Package, ev.Elapsed)
			}
		case "skip":
			if ev.Test != "" {
				skipped++
				delete(output, key)
			}
		case "fail":
			if ev.Test != "" {
				failed++
				failedNames = append(failedNames, key)
				fmt.Printf("--- FAIL: %s (%s)\n%s", ev.Test, ev.Package, strings.Join(output[key], ""))
				delete(output, key)
			} else {
				fmt.Printf("FAIL\t%s\t%.1fs\n", ev.Package, ev.Elapsed)
			}
		}
	}
	if len(failedNames) > 0 {
		sort.Strings(failedNames)
		fmt.Println("\nfailed tests:")
		for _, n := range failedNames {
			fmt.Println("  " + n)
		}
	}
	fmt.Printf("\ntests: %d passed, %d failed, %d skipped\n", passed, failed, skipped)
}

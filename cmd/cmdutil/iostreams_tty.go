package cmdutil

// SetStdinTTY makes stdin alone report as a terminal or not (tests): with
// SetTTY(true) then SetStdinTTY(false), stdout is a terminal that fogctl may
// draw on but must not read keys from, as with `fogctl run f.yaml </dev/null`.
func (s *IOStreams) SetStdinTTY(tty bool) { s.stdinTTY = tty }

package runstore

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoadJournal: whatever a run's file holds (torn by a kill or a
// power cut, edited by hand, another program's file), listing, resolving
// and loading it never panic: a run that cannot be read is an error that
// names the file, or is passed over by List.
func FuzzLoadJournal(f *testing.F) {
	f.Add([]byte(`{"meta":{"id":"20261123T021501-3f9a1c2d","workflow":"/w.yaml","nodes":1,"input":{},"created":"2026-11-23T02:15:01Z","pid":1},"workflow":"nodes:\n- {name: a, action: GET, url: 'http://h/'}\n"}` + "\n" +
		`{"seq":1,"time":"2026-11-23T02:15:01Z","state":"running"}` + "\n" +
		`{"seq":2,"time":"2026-11-23T02:15:01Z","node":"a","state":"succeeded","output":{"x":1}}` + "\n" +
		`{"seq":3,"time":"2026-11-23T02:15:01Z","state":"succeeded"}` + "\n" +
		`{"summary":{"id":"20261123T021501-3f9a1c2d","workflow":"/w.yaml","state":"succeeded","created":"2026-11-23T02:15:01Z","nodes":1,"succeeded":1,"failed":0,"retried":0}}` + "\n"))
	f.Add([]byte(""))
	f.Add([]byte("{\"meta\":{}}\n{\"seq\":1}\nnot json\n"))
	f.Add([]byte(`{"summary":{"id":"20261123T021501-3f9a1c2d"}}` + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s := openStore(t)
		const id = "20261123T021501-3f9a1c2d"
		if err := os.WriteFile(filepath.Join(s.Dir(), id+journalExt), data, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := s.List(); err != nil {
			t.Fatalf("List: %v", err)
		}
		s.Resolve("latest")
		if l, err := s.Load(id); err == nil {
			if l.Record == nil || (l.Workflow == nil) == (l.WorkflowErr == nil) {
				t.Fatalf("Load gave no record, or no workflow and no WorkflowErr, and no error")
			}
			l.Summary()
		} else if err.Error() == "" {
			t.Fatal("an empty error")
		}
	})
}

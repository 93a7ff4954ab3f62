package demo

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/fogctl/fogctl/workflow"
	"github.com/google/go-cmp/cmp"
)

// TestPipeline runs the demo workflow through the real engine against the
// services: clean fails once and succeeds on retry, and the report holds
// the index computed from the sensors' valid readings.
func TestPipeline(t *testing.T) {
	svc, err := Start(Options{FailFirst: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	wf, err := workflow.Parse("air-quality.yaml", svc.Workflow())
	if err != nil {
		t.Fatal(err)
	}
	rec := workflow.NewRecord(wf, "demo-test")
	for ev := range workflow.Run(context.Background(), wf, workflow.Options{RunID: "demo-test"}) {
		rec.Apply(ev)
	}
	if rec.State != workflow.StateSucceeded {
		t.Fatalf("run %s: %s", rec.State, rec.Error)
	}
	clean := rec.Node("clean")
	if len(clean.Attempts) != 2 || clean.Attempts[0].Error == "" || clean.State != workflow.StateSucceeded {
		t.Errorf("clean: %d attempts %+v, state %s; want a failed attempt then success", len(clean.Attempts), clean.Attempts, clean.State)
	}
	var report struct {
		Report struct {
			AQI     int    `json:"aqi"`
			Summary string `json:"summary"`
		} `json:"report"`
	}
	if err := json.Unmarshal(rec.Node("report").Output, &report); err != nil {
		t.Fatal(err)
	}
	// Six valid samples: pm2.5 mean 11.4 µg/m³ is "moderate", AQI 55.
	want := "AQI 55 (moderate) from 6 samples: no2 mean 28.3 max 36.0; pm10 mean 19.7 max 25.0; pm25 mean 11.4 max 14.2."
	if report.Report.AQI != 55 || report.Report.Summary != want {
		t.Errorf("report %+v, want AQI 55 and %q", report.Report, want)
	}
	calls := map[string]int64{}
	for _, p := range Paths {
		calls[p] = svc.Calls(p)
	}
	wantCalls := map[string]int64{"/sensors/north": 1, "/sensors/south": 1, "/clean": 2, "/aggregate": 1, "/store": 1, "/report": 1}
	if diff := cmp.Diff(wantCalls, calls); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
}

func TestAQI(t *testing.T) {
	tests := []struct {
		pm25 float64
		aqi  int
		cat  string
	}{
		{0, 0, "good"},
		{9.0, 50, "good"},
		{11.4, 55, "moderate"},
		{35.4, 100, "moderate"},
		{55.4, 150, "unhealthy for sensitive groups"},
		{300, 301, "hazardous"},
	}
	for _, tt := range tests {
		if aqi, cat := aqi(tt.pm25); aqi != tt.aqi || cat != tt.cat {
			t.Errorf("aqi(%v) = %d %q, want %d %q", tt.pm25, aqi, cat, tt.aqi, tt.cat)
		}
	}
}

func TestCloseStopsListening(t *testing.T) {
	svc, err := Start(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Close(); err != nil {
		t.Fatal(err)
	}
	wf, _ := workflow.Parse("air-quality.yaml", svc.Workflow())
	rec := workflow.NewRecord(wf, "after-close")
	for ev := range workflow.Run(context.Background(), wf, workflow.Options{RunID: "after-close"}) {
		rec.Apply(ev)
	}
	if rec.State != workflow.StateFailed {
		t.Errorf("a run against closed services ended %s, want failed", rec.State)
	}
}

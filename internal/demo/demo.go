package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Options tune the services.
type Options struct {
	// Latency is how long each service takes to answer, so the live status
	// has something to show. Zero answers at once.
	Latency time.Duration
	// FailFirst is how many of clean's first calls answer 503.
	FailFirst int
}

// DefaultOptions are what `fogctl demo` runs with: a quarter second per
// call, and clean failing once.
func DefaultOptions() Options { return Options{Latency: 250 * time.Millisecond, FailFirst: 1} }

// Paths of the services, in pipeline order.
var Paths = []string{"/sensors/north", "/sensors/south", "/clean", "/aggregate", "/store", "/report"}

// Services are the running demo services.
type Services struct {
	// URL is the base URL, http://127.0.0.1:PORT.
	URL string

	opts   Options
	srv    *http.Server
	served chan error
	calls  map[string]*atomic.Int64

	mu     sync.Mutex
	stored []json.RawMessage
}

// Start listens on 127.0.0.1 with an ephemeral port and serves the demo
// services until Close.
func Start(opts Options) (*Services, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("start demo services: %w", err)
	}
	s := &Services{
		URL:    "http://" + ln.Addr().String(),
		opts:   opts,
		served: make(chan error, 1),
		calls:  map[string]*atomic.Int64{},
	}
	mux := http.NewServeMux()
	handlers := map[string]http.HandlerFunc{
		"/sensors/north": s.sensor("north", "depot-north", northReadings()),
		"/sensors/south": s.sensor("south", "depot-south", southReadings()),
		"/clean":         s.clean,
		"/aggregate":     s.aggregate,
		"/store":         s.store,
		"/report":        s.report,
	}
	for _, p := range Paths {
		s.calls[p] = &atomic.Int64{}
		mux.Handle(p, s.count(p, handlers[p]))
	}
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { s.served <- s.srv.Serve(ln) }()
	return s, nil
}

// Close stops the services, waiting up to five seconds for calls in flight.
func (s *Services) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	if serr := <-s.served; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return err
}

// Calls is how many requests path has had.
func (s *Services) Calls(path string) int64 {
	if c, ok := s.calls[path]; ok {
		return c.Load()
	}
	return 0
}

// Workflow is the demo pipeline as a fogctl workflow file calling these
// services.
func (s *Services) Workflow() []byte {
	return []byte(strings.ReplaceAll(workflowTemplate, "{{URL}}", s.URL))
}

const workflowTemplate = `# fogctl demo: an air-quality pipeline at the depot.
# Two sensor readers run in parallel; clean merges and filters their
# readings; aggregate computes the air-quality index; store and report
# run in parallel on the result.
apiVersion: fogctl.io/v1alpha1
kind: Workflow
metadata:
  name: air-quality
  description: Read the depot's air sensors, clean, aggregate, store and report.
spec:
  defaults:
    timeout: 5s
    retries: 2
    backoff: 300ms
  nodes:
    - name: read-north
      kind: http
      method: GET
      url: {{URL}}/sensors/north
    - name: read-south
      kind: http
      method: GET
      url: {{URL}}/sensors/south
    - name: clean
      kind: http
      method: POST
      url: {{URL}}/clean
      dependencies: [read-north, read-south]
    - name: aggregate
      kind: http
      method: POST
      url: {{URL}}/aggregate
      dependencies: [clean]
    - name: store
      kind: http
      method: POST
      url: {{URL}}/store
      dependencies: [aggregate]
    - name: report
      kind: http
      method: POST
      url: {{URL}}/report
      dependencies: [aggregate]
`

// count counts calls and adds the configured latency; the wait ends early
// when the caller gives up.
func (s *Services) count(path string, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := s.calls[path].Add(1)
		if s.opts.Latency > 0 {
			// Vary a little by path and call so parallel nodes do not
			// finish in lockstep.
			d := s.opts.Latency + time.Duration(len(path)*7+int(n)*13)*time.Millisecond
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		h(w, r)
	})
}

// Reading is one sample from an air sensor; a nil value was not measured.
type Reading struct {
	Time string   `json:"time"`
	PM25 *float64 `json:"pm25"`
	PM10 *float64 `json:"pm10"`
	NO2  *float64 `json:"no2"`
}

func f(v float64) *float64 { return &v }

// northReadings and southReadings are what the two sensors serve. They
// are functions, not package variables, so that processes other than
// `fogctl demo` do not build them at start.
func northReadings() []Reading {
	return []Reading{
		{"2026-11-23T02:00:00Z", f(8.4), f(14.2), f(21)},
		{"2026-11-23T02:05:00Z", f(9.1), f(15.0), f(23)},
		{"2026-11-23T02:10:00Z", f(-1), f(15.8), f(22)}, // sensor glitch
		{"2026-11-23T02:15:00Z", f(10.3), f(17.1), f(25)},
	}
}

func southReadings() []Reading {
	return []Reading{
		{"2026-11-23T02:00:00Z", f(12.7), f(22.9), f(31)},
		{"2026-11-23T02:05:00Z", nil, f(23.4), f(30)}, // pm2.5 channel offline
		{"2026-11-23T02:10:00Z", f(13.9), f(24.1), f(34)},
		{"2026-11-23T02:15:00Z", f(14.2), f(25.0), f(36)},
	}
}

type sensorOut struct {
	Sensor   string    `json:"sensor"`
	Station  string    `json:"station"`
	Unit     string    `json:"unit"`
	Readings []Reading `json:"readings"`
}

// sensor answers GET with the station's last readings, under its own key
// so the two readers' outputs merge side by side.
func (s *Services) sensor(name, station string, readings []Reading) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			writeError(w, http.StatusMethodNotAllowed, "use GET")
			return
		}
		writeJSON(w, map[string]sensorOut{name: {Sensor: name, Station: station, Unit: "µg/m³", Readings: readings}})
	}
}

type cleanIn struct {
	North *sensorOut `json:"north"`
	South *sensorOut `json:"south"`
}

type cleanOut struct {
	Clean struct {
		Samples []Reading `json:"samples"`
		Dropped int       `json:"dropped"`
		Sensors []string  `json:"sensors"`
	} `json:"clean"`
}

// clean drops impossible and missing values. Its first FailFirst calls
// answer 503, as a service still loading its calibration would.
func (s *Services) clean(w http.ResponseWriter, r *http.Request) {
	if s.calls["/clean"].Load() <= int64(s.opts.FailFirst) {
		writeError(w, http.StatusServiceUnavailable, "calibration table still loading, try again")
		return
	}
	var in cleanIn
	if !readJSON(w, r, &in) {
		return
	}
	var out cleanOut
	for _, src := range []*sensorOut{in.North, in.South} {
		if src == nil {
			continue
		}
		out.Clean.Sensors = append(out.Clean.Sensors, src.Sensor)
		for _, rd := range src.Readings {
			if !valid(rd.PM25) || !valid(rd.PM10) || !valid(rd.NO2) {
				out.Clean.Dropped++
				continue
			}
			out.Clean.Samples = append(out.Clean.Samples, rd)
		}
	}
	if len(out.Clean.Samples) == 0 {
		writeError(w, http.StatusUnprocessableEntity, "no valid readings in input (want north and south sensor outputs)")
		return
	}
	writeJSON(w, out)
}

func valid(v *float64) bool { return v != nil && *v >= 0 && *v < 1000 }

type stat struct {
	Mean float64 `json:"mean"`
	Max  float64 `json:"max"`
}

type aggregateOut struct {
	Aggregate struct {
		Samples  int             `json:"samples"`
		Stats    map[string]stat `json:"stats"`
		AQI      int             `json:"aqi"`
		Category string          `json:"category"`
	} `json:"aggregate"`
}

// aggregate computes mean and max per pollutant and a PM2.5 air-quality
// index (US EPA breakpoints).
func (s *Services) aggregate(w http.ResponseWriter, r *http.Request) {
	var in cleanOut
	if !readJSON(w, r, &in) {
		return
	}
	samples := in.Clean.Samples
	if len(samples) == 0 {
		writeError(w, http.StatusUnprocessableEntity, "no samples to aggregate (want clean's output)")
		return
	}
	var out aggregateOut
	out.Aggregate.Samples = len(samples)
	out.Aggregate.Stats = map[string]stat{}
	for name, get := range map[string]func(Reading) float64{
		"pm25": func(r Reading) float64 { return *r.PM25 },
		"pm10": func(r Reading) float64 { return *r.PM10 },
		"no2":  func(r Reading) float64 { return *r.NO2 },
	} {
		var sum, max float64
		for _, rd := range samples {
			v := get(rd)
			sum += v
			max = math.Max(max, v)
		}
		out.Aggregate.Stats[name] = stat{Mean: math.Round(sum/float64(len(samples))*10) / 10, Max: max}
	}
	out.Aggregate.AQI, out.Aggregate.Category = aqi(out.Aggregate.Stats["pm25"].Mean)
	writeJSON(w, out)
}

// aqi maps a PM2.5 concentration to the US EPA index and its category.
func aqi(pm25 float64) (int, string) {
	bps := []struct {
		cLo, cHi float64
		iLo, iHi int
		cat      string
	}{
		{0, 9.0, 0, 50, "good"},
		{9.1, 35.4, 51, 100, "moderate"},
		{35.5, 55.4, 101, 150, "unhealthy for sensitive groups"},
		{55.5, 125.4, 151, 200, "unhealthy"},
		{125.5, 225.4, 201, 300, "very unhealthy"},
	}
	for _, b := range bps {
		if pm25 <= b.cHi {
			i := float64(b.iHi-b.iLo)/(b.cHi-b.cLo)*(pm25-b.cLo) + float64(b.iLo)
			return int(math.Round(i)), b.cat
		}
	}
	return 301, "hazardous"
}

// store keeps the aggregate in memory and answers with its row ID.
func (s *Services) store(w http.ResponseWriter, r *http.Request) {
	var in aggregateOut
	if !readJSON(w, r, &in) {
		return
	}
	data, _ := json.Marshal(in.Aggregate)
	s.mu.Lock()
	s.stored = append(s.stored, data)
	n := len(s.stored)
	s.mu.Unlock()
	writeJSON(w, map[string]any{"stored": map[string]any{"table": "air_quality_hourly", "row": n, "samples": in.Aggregate.Samples}})
}

// report writes the operator's one-paragraph summary.
func (s *Services) report(w http.ResponseWriter, r *http.Request) {
	var in aggregateOut
	if !readJSON(w, r, &in) {
		return
	}
	a := in.Aggregate
	names := make([]string, 0, len(a.Stats))
	for k := range a.Stats {
		names = append(names, k)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, k := range names {
		parts[i] = fmt.Sprintf("%s mean %.1f max %.1f", k, a.Stats[k].Mean, a.Stats[k].Max)
	}
	writeJSON(w, map[string]any{"report": map[string]any{
		"title":   "Depot air quality",
		"aqi":     a.AQI,
		"summary": fmt.Sprintf("AQI %d (%s) from %d samples: %s.", a.AQI, a.Category, a.Samples, strings.Join(parts, "; ")),
	}})
}

func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if r.Method != http.MethodPost {
		writeError(w, http.StatusMethodNotAllowed, "use POST with a JSON body")
		return false
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, "body is not the JSON expected: "+err.Error())
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

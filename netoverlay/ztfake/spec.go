package ztfake

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// spec/service-api-v1.openapi.json is ZeroTier's published spec, copied
// unchanged; spec/main-tsp-additions.openapi.json adds, by hand from the
// newer main.tsp, the routes the old JSON lacks (member POST and DELETE,
// network DELETE, POST /controller/network, /unstable lists).
//
//go:embed spec/*.json
var specFS embed.FS

var (
	specOnce   sync.Once
	specRouter routers.Router
	specErr    error
)

// loadSpec merges the two files and builds a router over the result.
func loadSpec() (routers.Router, error) {
	specOnce.Do(func() {
		specRouter, specErr = buildRouter()
	})
	return specRouter, specErr
}

func buildRouter() (routers.Router, error) {
	base, err := readJSON("spec/service-api-v1.openapi.json")
	if err != nil {
		return nil, err
	}
	add, err := readJSON("spec/main-tsp-additions.openapi.json")
	if err != nil {
		return nil, err
	}
	paths := base["paths"].(map[string]any)
	// The published JSON lists POST /controller/network/{controllerID} beside
	// POST /controller/network/{networkID}: one template, two names. A router
	// cannot hold both; the {networkID} operation accepts the same requests
	// (a string path segment, the same body schema), so the duplicate goes.
	delete(paths, "/controller/network/{controllerID}")
	for p, item := range add["paths"].(map[string]any) {
		dst, ok := paths[p].(map[string]any)
		if !ok {
			paths[p] = item
			continue
		}
		for method, op := range item.(map[string]any) {
			if _, exists := dst[method]; !exists {
				dst[method] = op
			}
		}
	}
	if err := correctAnswers(base); err != nil {
		return nil, err
	}
	// Serve on any host: tests listen on 127.0.0.1 with a random port.
	delete(base, "servers")
	data, err := json.Marshal(base)
	if err != nil {
		return nil, err
	}
	doc, err := openapi3.NewLoader().LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("load ZeroTier spec: %w", err)
	}
	return legacy.NewRouter(doc)
}

// correctAnswers brings what the published JSON says of answers in line
// with main.tsp and the service's source, which the shared reference's
// README says to trust where they differ. Each correction names its source.
func correctAnswers(doc map[string]any) error {
	paths, _ := doc["paths"].(map[string]any)
	schemas, _ := dig(doc, "components", "schemas").(map[string]any)
	joined, _ := dig(schemas, "Network", "allOf").([]any)
	if paths == nil || schemas == nil || len(joined) != 2 {
		return fmt.Errorf("load ZeroTier spec: components or paths not where fogctl expects them")
	}
	props := func(v any) (map[string]any, error) {
		m, ok := dig(v, "properties").(map[string]any)
		if !ok {
			return nil, fmt.Errorf("load ZeroTier spec: schema without properties")
		}
		return m, nil
	}
	network, err := props(schemas["ControllerNetwork"])
	if err != nil {
		return err
	}
	joinedProps, err := props(joined[1])
	if err != nil {
		return err
	}
	joinedRoute, err := props(dig(joinedProps, "routes", "items"))
	if err != nil {
		return err
	}
	// A network's remoteTraceTarget is null until set: DB::initNetwork in
	// controller/DB.cpp stores nlohmann::json() (null); main.tsp gives
	// members "remoteTraceTarget: string | null".
	setNullable(network["remoteTraceTarget"])
	// A joined network's route without a gateway has "via": null (main.tsp
	// JoinedNetwork.routes: "via?: IP | null").
	setNullable(joinedRoute["via"])
	// A joined network without DNS settings has "dns": [] (main.tsp
	// JoinedNetwork: "dns: NetworkDNS | EmptyArray").
	joinedProps["dns"] = map[string]any{"oneOf": []any{
		joinedProps["dns"],
		map[string]any{"type": "array", "items": map[string]any{}, "maxItems": 0},
	}}
	// main.tsp answers AuthError (401) on every route and NotFoundError
	// (404, body {}) on these; the JSON lists 401 alone, or nothing.
	notFound := map[string][]string{
		"/network/{networkID}":                            {"get", "post", "delete"},
		"/peer/{address}":                                 {"get"},
		"/controller/network":                             {"post"},
		"/controller/network/{networkID}":                 {"get", "post", "delete"},
		"/controller/network/{networkID}/member":          {"get"},
		"/controller/network/{networkID}/member/{nodeID}": {"get", "post", "delete"},
		"/unstable/controller/network/{networkID}/member": {"get"},
	}
	for p, item := range paths {
		for method, op := range item.(map[string]any) {
			op, ok := op.(map[string]any)
			if !ok {
				continue
			}
			responses, ok := op["responses"].(map[string]any)
			if !ok {
				responses = map[string]any{}
				op["responses"] = responses
			}
			if _, ok := responses["401"]; !ok {
				responses["401"] = map[string]any{"$ref": "#/components/responses/UnauthorizedError"}
			}
			if slices.Contains(notFound[p], method) {
				if _, ok := responses["404"]; !ok {
					responses["404"] = map[string]any{
						"description": "NotFoundError of main.tsp",
						"content":     map[string]any{"application/json": map[string]any{"schema": map[string]any{"type": "object"}}},
					}
				}
			}
		}
	}
	return nil
}

func setNullable(schema any) {
	if m, ok := schema.(map[string]any); ok {
		m["nullable"] = true
	}
}

// dig walks nested JSON objects by key.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func readJSON(name string) (map[string]any, error) {
	data, err := specFS.ReadFile(name)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return m, nil
}

// checkRequest validates one request against the spec. body is the
// request body already read; r.Body is left alone. It returns the
// request's place in the spec, to check the answer against, or nil when
// the request matches no route of the spec.
func checkRequest(r *http.Request, body []byte) (*openapi3filter.RequestValidationInput, error) {
	router, err := loadSpec()
	if err != nil {
		return nil, err
	}
	req := r.Clone(context.Background())
	req.Body = io.NopCloser(bytes.NewReader(body))
	route, params, err := router.FindRoute(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", r.Method, r.URL.Path, err)
	}
	in := &openapi3filter.RequestValidationInput{
		Request:    req,
		PathParams: params,
		Route:      route,
		Options: &openapi3filter.Options{
			MultiError: true,
			AuthenticationFunc: func(_ context.Context, ai *openapi3filter.AuthenticationInput) error {
				if ai.RequestValidationInput.Request.Header.Get("X-ZT1-Auth") == "" {
					return fmt.Errorf("no X-ZT1-Auth header")
				}
				return nil
			},
		},
	}
	if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
		return in, fmt.Errorf("%s %s: %w", r.Method, r.URL.Path, err)
	}
	return in, nil
}

// realDeviations are answers of the real service that its spec does not
// allow, measured and listed in REAL-BEHAVIOUR.md of the shared ZeroTier
// reference. ztfake gives the real answer, and checkResponse does not
// count it as a violation.
var realDeviations = []struct {
	name string // as REAL-BEHAVIOUR.md says it
	is   func(method string, status int, hdr http.Header, body []byte) bool
}{
	{
		"unknown controller network or member, unknown path, or an id not of the 16-hex / 10-hex form: 404 with an empty body and no Content-Type",
		func(_ string, status int, hdr http.Header, body []byte) bool {
			return status == http.StatusNotFound && len(body) == 0 && hdr.Get("Content-Type") == ""
		},
	},
	{
		`malformed JSON, or no body at all, on a controller POST: 500 with {"error": 500, "description": "<parser message>"}`,
		func(method string, status int, _ http.Header, body []byte) bool {
			var e struct {
				Error       int    `json:"error"`
				Description string `json:"description"`
			}
			return method == http.MethodPost && status == http.StatusInternalServerError &&
				json.Unmarshal(body, &e) == nil && e.Error == 500 && e.Description != ""
		},
	},
}

// realDeviation names the deviation of REAL-BEHAVIOUR.md an answer is, or
// is "" when it is none.
func realDeviation(method string, status int, hdr http.Header, body []byte) string {
	for _, d := range realDeviations {
		if d.is(method, status, hdr, body) {
			return d.name
		}
	}
	return ""
}

// checkResponse validates the answer to a request checkRequest placed in
// the spec: its status must be one the operation lists, and its body must
// match that status's schema, unless the answer is one of realDeviations.
func checkResponse(in *openapi3filter.RequestValidationInput, status int, hdr http.Header, body []byte) error {
	if realDeviation(in.Request.Method, status, hdr, body) != "" {
		return nil
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 status,
		Header:                 hdr,
		Options:                &openapi3filter.Options{MultiError: true, IncludeResponseStatus: true},
	}
	out.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		return fmt.Errorf("answer %d to %s %s: %w", status, in.Request.Method, in.Request.URL.Path, err)
	}
	return nil
}

package ztfake

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
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

// validateRequest checks one request against the spec. body is the
// request body already read; r.Body is left alone.
func validateRequest(r *http.Request, body []byte) error {
	router, err := loadSpec()
	if err != nil {
		return err
	}
	req := r.Clone(context.Background())
	req.Body = io.NopCloser(bytes.NewReader(body))
	route, params, err := router.FindRoute(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", r.Method, r.URL.Path, err)
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
		return fmt.Errorf("%s %s: %w", r.Method, r.URL.Path, err)
	}
	return nil
}

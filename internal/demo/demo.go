// Package demo serves a small, deliberately vulnerable API on 127.0.0.1 for
// `parapet demo`: a shop backend that hands pickled Python objects to the
// client, leaks a stack trace and a data-store error, exposes a cloud key and
// personal data, and reflects any CORS origin. It imitates the responses of a
// Python service; it runs nothing but this handler and never leaves loopback.
package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/parapet-scanner/parapet/internal/sniff"
)

// Pickled objects the demo hands out, produced once with CPython's pickle from
// a class demo_shop.models.Profile (see testdata/README.md in this package).
const (
	profilePickle = "gASVWAAAAAAAAACMEGRlbW9fc2hvcC5tb2RlbHOUjAdQcm9maWxllJOUKYGUfZQojAR1c2VylIwFYWxpY2WUjARyb2xllIwIY3VzdG9tZXKUjARjYXJ0lF2UKEtlS81ldWIu"
	cartPickle    = "gAJ9cQAoWAQAAABjYXJ0cQFdcQIoS2VLzWVYBwAAAHByb2ZpbGVxA2NkZW1vX3Nob3AubW9kZWxzClByb2ZpbGUKcQQpgXEFfXEGKFgEAAAAdXNlcnEHWAUAAABhbGljZXEIWAQAAAByb2xlcQlYCAAAAGN1c3RvbWVycQpoAV1xCyhLZUvNZXVidS4="
)

// Server is a running demo API.
type Server struct {
	// URL is the base URL, http://127.0.0.1:PORT/.
	URL string
	srv *http.Server
	ln  net.Listener
}

// Start listens on a random port of 127.0.0.1 and serves the demo API.
func Start() (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("demo: listen on 127.0.0.1: %w", err)
	}
	s := &Server{ln: ln, URL: "http://" + ln.Addr().String() + "/"}
	s.srv = &http.Server{Handler: Handler(), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// Close stops the server.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		return s.srv.Close()
	}
	return err
}

// Handler returns the demo API.
func Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{
			"service": "demo-shop",
			"links": map[string]string{
				"profile": "/api/profile", "cart": "/api/cart", "items": "/api/items/1",
				"users": "/api/users", "config": "/api/config", "openapi": "/openapi.json",
			},
		})
	})
	mux.HandleFunc("GET /openapi.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(openAPI))
	})
	mux.HandleFunc("GET /api/profile", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "profile", Value: profilePickle, Path: "/"})
		writeJSON(w, 200, map[string]any{"user": "alice", "role": "customer"})
	})
	mux.HandleFunc("GET /api/cart", func(w http.ResponseWriter, r *http.Request) {
		if st := r.URL.Query().Get("state"); st != "" && st != cartPickle {
			traceback(w, unpickleError(st))
			return
		}
		writeJSON(w, 200, map[string]any{"items": []int{101, 205}, "state": cartPickle})
	})
	mux.HandleFunc("GET /api/items/{id}", func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		if _, err := strconv.Atoi(id); err != nil {
			writeJSON(w, 500, map[string]any{"error": "An error occurred (ValidationException) when calling the GetItem operation: " +
				"One or more parameter values were invalid: Type mismatch for key id expected: N actual: S"})
			return
		}
		writeJSON(w, 200, map[string]any{"id": id, "name": "Lamp", "price": 19.5})
	})
	mux.HandleFunc("GET /api/users", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, []map[string]any{
			{"id": 1, "email": "alice@demo-shop.test", "card": "4111 1111 1111 1111", "ssn": "219-09-9999"},
			{"id": 2, "email": "bob@demo-shop.test", "card": "5500 0000 0000 0004", "ssn": "078-05-1120"},
		})
	})
	mux.HandleFunc("GET /api/config", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"region": "eu-west-1", "table": "profiles",
			"aws_access_key_id": "AKIAQX4DEMOSHOP7KEY2", "debug": true})
	})
	return withCORS(mux)
}

// withCORS reflects any Origin with credentials: the demo's CORS flaw.
func withCORS(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server", "gunicorn/20.1.0")
		if o := r.Header.Get("Origin"); o != "" {
			w.Header().Set("Access-Control-Allow-Origin", o)
			w.Header().Set("Access-Control-Allow-Credentials", "true")
		}
		if r.Method == http.MethodOptions {
			w.Header().Set("Allow", "GET, HEAD, OPTIONS, PUT, DELETE, TRACE")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// unpickleError imitates what CPython's pickle.loads says about a state value
// the demo did not issue, without unpickling anything: a pickle naming a module
// the app does not have fails on import, anything else on its first bytes.
func unpickleError(state string) string {
	for _, m := range sniff.Sniff(state) {
		if m.Format != sniff.PythonPickle {
			continue
		}
		for _, cls := range m.Classes {
			mod, _, _ := strings.Cut(cls, ".")
			if mod != "demo_shop" && mod != "builtins" && mod != "copyreg" {
				return fmt.Sprintf("ModuleNotFoundError: No module named '%s'", mod)
			}
		}
		return "EOFError: Ran out of input"
	}
	return fmt.Sprintf("_pickle.UnpicklingError: invalid load key, '\\x%02x'.", state[0])
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func traceback(w http.ResponseWriter, last string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = fmt.Fprint(w, strings.Join([]string{
		"Traceback (most recent call last):",
		`  File "/srv/demo_shop/views.py", line 41, in cart`,
		"    state = pickle.loads(base64.b64decode(request.args['state']))",
		last, ""}, "\n"))
}

const openAPI = `{
  "openapi": "3.0.3",
  "info": {"title": "Demo shop", "version": "1.4.2"},
  "paths": {
    "/api/profile": {"get": {"summary": "Current profile", "responses": {"200": {"description": "ok"}}}},
    "/api/cart": {"get": {"summary": "Cart", "parameters": [
      {"name": "state", "in": "query", "schema": {"type": "string"}, "description": "serialized cart state"}],
      "responses": {"200": {"description": "ok"}}}},
    "/api/items/{id}": {"get": {"summary": "One item", "parameters": [
      {"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}, "example": 1}],
      "responses": {"200": {"description": "ok"}}}},
    "/api/users": {"get": {"summary": "Users", "responses": {"200": {"description": "ok"}}}},
    "/api/config": {"get": {"summary": "Client configuration", "responses": {"200": {"description": "ok"}}}}
  }
}`

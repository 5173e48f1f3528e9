package scan

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

func TestBaseline_SkipsStateChangingSpecOperations(t *testing.T) {
	var mu sync.Mutex
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.Path)
		mu.Unlock()
		if r.URL.Path == "/openapi.json" {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{
				"/api/items":{"get":{"responses":{"200":{"description":"ok"}}}},
				"/api/logout":{"get":{"responses":{"200":{"description":"ok"}}}},
				"/api/users/{id}/delete":{"get":{"parameters":[{"name":"id","in":"path","required":true,"schema":{"type":"integer"}}],"responses":{"200":{"description":"ok"}}}}}}`))
			return
		}
		_, _ = w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	if _, err := Run(context.Background(), Config{Target: srv.URL + "/", Runtime: Runtime{Version: "test"}}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	sawItems := false
	for _, p := range paths {
		if p == "/api/logout" || p == "/api/users/1/delete" {
			t.Errorf("the scan requested %s", p)
		}
		sawItems = sawItems || p == "/api/items"
	}
	if !sawItems {
		t.Fatalf("the safe operation was not requested: %v", paths)
	}
}

package scan

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
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

func TestBaseline_CapIsReportedAsAWarning(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{`)
	for i := 0; i < 60; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `"/r%d":{"get":{"responses":{"200":{"description":"ok"}}}}`, i)
	}
	b.WriteString("}}")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/openapi.json" {
			_, _ = w.Write([]byte(b.String()))
			return
		}
		_, _ = w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	rep, err := Run(context.Background(), Config{Target: srv.URL + "/", Selection: Selection{Profile: "quick"},
		Runtime: Runtime{Version: "test"}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(rep.Warnings, "\n"), "not requested") {
		t.Fatalf("60 operations on the quick profile (cap 50) gave no warning: %v", rep.Warnings)
	}
}

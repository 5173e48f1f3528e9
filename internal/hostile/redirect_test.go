package hostile

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// pathLog records the paths a test server was asked for.
type pathLog struct {
	mu    sync.Mutex
	paths []string
}

func (l *pathLog) add(p string) {
	l.mu.Lock()
	l.paths = append(l.paths, p)
	l.mu.Unlock()
}

func (l *pathLog) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.paths...)
}

func TestHostile_RedirectLoopStopsAtFiveHops(t *testing.T) {
	var hits, highest atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		n, _ := strconv.Atoi(strings.Trim(r.URL.Path, "/"))
		for {
			h := highest.Load()
			if int64(n) <= h || highest.CompareAndSwap(h, int64(n)) {
				break
			}
		}
		http.Redirect(w, r, fmt.Sprintf("/%d", n+1), http.StatusFound)
	}))
	defer srv.Close()
	rep, _ := runScan(t, srv.URL+"/", nil)
	st := rep.Stats
	t.Logf("stats %+v, highest hop %d, server hits %d", st, highest.Load(), hits.Load())
	if st.RedirectsFollowed <= 0 {
		t.Errorf("redirects_followed = %d, want > 0", st.RedirectsFollowed)
	}
	// The chain starts at / (hop 0): following at most five redirects
	// reaches /5 and never /6.
	if highest.Load() > 5 {
		t.Errorf("the scan reached hop %d of a redirect loop, want at most 5", highest.Load())
	}
	// Every hop is a request the budget counts.
	if hits.Load() > st.Requests {
		t.Errorf("server saw %d requests, stats.requests = %d", hits.Load(), st.Requests)
	}
}

func TestHostile_SelfRedirectLoopEnds(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Path, http.StatusMovedPermanently)
	}))
	defer srv.Close()
	rep, took := runScan(t, srv.URL+"/", nil)
	if rep.Stats.RedirectsFollowed > 5*max(rep.Stats.Requests, 1) {
		t.Errorf("redirects_followed = %d for %d requests", rep.Stats.RedirectsFollowed, rep.Stats.Requests)
	}
	t.Logf("stats %+v in %v", rep.Stats, took)
}

func TestHostile_LongRedirectChainFollowsAtMostFive(t *testing.T) {
	// /0 -> /1 -> ... -> /10 -> 200: a chain of ten is never followed to its end.
	var reachedEnd atomic.Int64
	log := &pathLog{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log.add(r.URL.Path)
		if r.URL.Path == "/" {
			_, _ = w.Write([]byte(`<html><body><a href="/chain/0">start</a></body></html>`))
			return
		}
		if n, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/chain/")); err == nil {
			if n >= 10 {
				reachedEnd.Add(1)
				_, _ = w.Write([]byte("end"))
				return
			}
			http.Redirect(w, r, fmt.Sprintf("/chain/%d", n+1), http.StatusFound)
			return
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()
	rep, _ := runScan(t, srv.URL+"/", nil)
	if reachedEnd.Load() != 0 {
		t.Errorf("a ten-hop chain was followed to its end %d times", reachedEnd.Load())
	}
	sawChain := false
	for _, p := range log.all() {
		sawChain = sawChain || strings.HasPrefix(p, "/chain/")
	}
	if !sawChain {
		t.Fatalf("the scan never followed the link to the chain: %v", log.all())
	}
	if rep.Stats.RedirectsFollowed <= 0 {
		t.Errorf("redirects_followed = %d, want > 0", rep.Stats.RedirectsFollowed)
	}
}

func TestHostile_RedirectToOffScopeHostIsNotFollowed(t *testing.T) {
	off := newSink(t)
	offURL := "http://" + off.Addr()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			_, _ = w.Write([]byte(`<html><body><a href="/r302">a</a><a href="/r307">b</a><a href="/rproto">c</a>` +
				`<a href="/ruserinfo">d</a><a href="/rback">e</a><a href="/api/json">f</a></body></html>`))
		case "/r302":
			http.Redirect(w, r, offURL+"/r302target", http.StatusFound)
		case "/r307":
			http.Redirect(w, r, offURL+"/r307target", http.StatusTemporaryRedirect)
		case "/rproto":
			w.Header().Set("Location", "//"+off.Addr()+"/rprototarget")
			w.WriteHeader(http.StatusFound)
		case "/ruserinfo":
			w.Header().Set("Location", "http://"+r.Host+"@"+off.Addr()+"/userinfo")
			w.WriteHeader(http.StatusFound)
		case "/rback":
			w.Header().Set("Location", `http:\\`+off.Addr()+`\rbacktarget`)
			w.WriteHeader(http.StatusFound)
		case "/api/json":
			w.Header().Set("Content-Type", "application/json")
			_, _ = fmt.Fprintf(w, `{"_links":{"self":{"href":%q}},"next":"//%s/halproto","url":%q}`,
				offURL+"/hal", off.Addr(), offURL+"/jsonurl")
		default:
			// every other path redirects off scope
			http.Redirect(w, r, offURL+"/catchall"+r.URL.Path, http.StatusMovedPermanently)
		}
	}))
	defer srv.Close()
	rep, _ := runScan(t, srv.URL+"/", nil)
	off.assertUntouched(t)
	if rep.Stats.Requests == 0 {
		t.Errorf("the scan sent no request")
	}
}

func TestHostile_LinksAndSpecOnOffScopeHostAreNotRequested(t *testing.T) {
	off := newSink(t)
	offURL := "http://" + off.Addr()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			w.Header().Add("Link", "<"+offURL+`/openapi.json>; rel="service-desc"`)
			w.Header().Set("Refresh", "0; url="+offURL+"/refresh")
			_, _ = fmt.Fprintf(w, `<html><head><base href="%[1]s/"><link rel="service-desc" href="%[1]s/openapi.json">`+
				`<meta http-equiv="refresh" content="0;url=%[1]s/meta"></head><body>`+
				`<a href="%[1]s/crawl-off">x</a><a href="//%[2]s/protorel">y</a><a href="relative-after-base">z</a>`+
				`<form method="get" action="%[1]s/form"><input name="q"></form>`+
				`<script>const ui = SwaggerUIBundle({url: "%[1]s/swagger.json"})</script>`+
				`<redoc spec-url="%[1]s/redoc.json"></redoc></body></html>`, offURL, off.Addr())
		case "/openapi.json":
			w.Header().Set("Content-Type", "application/json")
			_, _ = fmt.Fprintf(w, `{"openapi":"3.0.0","info":{"title":"t","version":"1"},
				"servers":[{"url":"%[1]s/api"}],
				"paths":{"/items":{"get":{"servers":[{"url":"%[1]s/opserver"}],"responses":{"200":{"description":"ok"}}}},
				"/cb":{"get":{"parameters":[{"name":"url","in":"query","required":true,"schema":{"type":"string","example":"%[1]s/ssrf"}}],"responses":{"200":{"description":"ok"}}}},
				"/ext":{"get":{"responses":{"200":{"$ref":"%[1]s/ref.json"}}}}}}`, offURL)
		default:
			_, _ = w.Write([]byte(`{}`))
		}
	}))
	defer srv.Close()
	runScan(t, srv.URL+"/", nil)
	off.assertUntouched(t)
}

func TestHostile_StateChangingLinksAreNeverRequested(t *testing.T) {
	links := []string{"/logout", "/log%6fut", "/api/users/1/delete", "/items?action=delete", "/Sign-Out",
		"/account/deactivateAll", "/session/end_session", "/oauth/endsession", "/api/v1/logout2",
		"/cart/clear", "/api/account/close", "/admin/users/1/ban", "/api/purgeCache", "/api/DELETE",
		"/api/tokens/invalidate", "/api/x/wipeAll", "/subscription/unsubscribe.php"}
	var page strings.Builder
	page.WriteString("<html><body>")
	for _, l := range links {
		page.WriteString(`<a href="` + l + `">l</a>`)
	}
	for i := 0; i < 5; i++ {
		fmt.Fprintf(&page, `<a href="/page/%d">p</a>`, i)
	}
	page.WriteString(`<form method="get" action="/search"><input type="hidden" name="op" value="delete"></form>`)
	page.WriteString(`<form method="GET" action="/api/account/remove-me"></form></body></html>`)
	log := &pathLog{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log.add(r.URL.RequestURI())
		_, _ = w.Write([]byte(page.String()))
	}))
	defer srv.Close()
	runScan(t, srv.URL+"/", nil)
	words := []string{"logout", "log%6fut", "delete", "sign-out", "deactivate", "end_session", "endsession",
		"clear", "close", "ban", "purge", "invalidate", "wipe", "unsubscribe", "remove-me"}
	sawPage := false
	for _, p := range log.all() {
		lp := strings.ToLower(p)
		sawPage = sawPage || strings.HasPrefix(lp, "/page/")
		for _, w := range words {
			if strings.Contains(lp, w) {
				t.Errorf("the scan requested the state-changing link %s", p)
				break
			}
		}
	}
	if !sawPage {
		t.Errorf("the crawler never followed a safe link: %v", log.all())
	}
}

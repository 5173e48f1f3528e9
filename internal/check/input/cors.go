package input

import (
	"net/url"
	"strings"

	"github.com/parapet-scanner/parapet/internal/check"
	"github.com/parapet-scanner/parapet/internal/engine"
	"github.com/parapet-scanner/parapet/internal/evidence"
	"github.com/parapet-scanner/parapet/internal/finding"
)

// CORS behaviours, worst first within a credentials setting.
const (
	corsReflected = "reflected-origin"
	corsNull      = "null-origin"
	corsWildcard  = "wildcard"
)

// corsObservation is what one response said about cross-origin reads.
type corsObservation struct {
	probe       probe
	ex          *engine.Exchange
	sentOrigin  string
	allowOrigin string
	behaviour   string // "" when the response grants nothing notable
	credentials bool
}

func (o corsObservation) severity() finding.Severity {
	switch o.behaviour {
	case corsReflected, corsNull:
		if o.credentials {
			return finding.High
		}
		return finding.Medium
	case corsWildcard:
		return finding.Low
	}
	return ""
}

// signature identifies a behaviour, to tell whether paths behave alike.
func (o corsObservation) signature() string {
	if o.behaviour == "" {
		return ""
	}
	if o.credentials {
		return o.behaviour + "+credentials"
	}
	return o.behaviour
}

// observeCORS classifies the CORS headers of a response to a request sent
// with Origin: sent.
func observeCORS(p probe, ex *engine.Exchange, sent string) corsObservation {
	o := corsObservation{probe: p, ex: ex, sentOrigin: sent}
	acao := strings.TrimSpace(ex.Header.Get("Access-Control-Allow-Origin"))
	o.allowOrigin = acao
	o.credentials = strings.EqualFold(strings.TrimSpace(ex.Header.Get("Access-Control-Allow-Credentials")), "true")
	switch {
	case acao == "":
	case acao == "*":
		o.behaviour = corsWildcard
	case strings.EqualFold(acao, "null"):
		o.behaviour = corsNull
	case sent != "null" && strings.EqualFold(strings.TrimRight(acao, "/"), sent):
		o.behaviour = corsReflected
	}
	return o
}

func reflected(obs []corsObservation) bool {
	for _, o := range obs {
		if o.behaviour == corsReflected {
			return true
		}
	}
	return false
}

// worstPerPath keeps, for each probed URL, its worst observation (or an
// empty one when the URL answered without granting anything).
func worstPerPath(obs []corsObservation) ([]string, map[string]corsObservation) {
	var order []string
	worst := map[string]corsObservation{}
	for _, o := range obs {
		cur, ok := worst[o.probe.url]
		if !ok {
			order = append(order, o.probe.url)
			worst[o.probe.url] = o
			continue
		}
		if o.severity().Rank() > cur.severity().Rank() {
			worst[o.probe.url] = o
		}
	}
	return order, worst
}

// reportCORS emits one finding for the site when every probed path behaves
// alike, else one per path that grants cross-origin reads.
func (c *Check) reportCORS(t *check.Target, obs []corsObservation, emit check.Emit) {
	order, worst := worstPerPath(obs)
	sigs := map[string]bool{}
	for _, u := range order {
		sigs[worst[u].signature()] = true
	}
	if len(sigs) == 1 {
		o := worst[order[0]]
		if o.behaviour != "" {
			emit(c.corsFinding(t, o, obs, true))
		}
		return
	}
	for _, u := range order {
		if o := worst[u]; o.behaviour != "" {
			emit(c.corsFinding(t, o, obs, false))
		}
	}
}

func (c *Check) corsFinding(t *check.Target, o corsObservation, all []corsObservation, site bool) finding.Finding {
	var title, desc, note string
	switch o.behaviour {
	case corsReflected:
		title = "CORS reflects arbitrary origins"
		if strings.HasPrefix(o.sentOrigin, "https://parapet-") && strings.HasSuffix(o.sentOrigin, ".example") {
			desc = "The API copies any Origin header into Access-Control-Allow-Origin: it answered an origin made up by the scanner. "
		} else {
			desc = "The API's origin check accepts a look-alike origin (a prefix or suffix match on the host name), which anyone can register. "
		}
		note = "Origin " + o.sentOrigin + " was echoed in Access-Control-Allow-Origin"
	case corsNull:
		title = "CORS allows the null origin"
		desc = "The API answers `Access-Control-Allow-Origin: null`. Sandboxed iframes, data: URLs and local files all send " +
			"Origin: null, so any web page can obtain that origin and read the API's responses. "
		note = "Access-Control-Allow-Origin: null"
	default:
		title = "CORS allows any origin"
		desc = "The API answers `Access-Control-Allow-Origin: *`, so any web page can read its responses. That is fine for " +
			"truly public data, but it must never cover responses that depend on the caller's network position or credentials. "
		note = "Access-Control-Allow-Origin: *"
	}
	switch {
	case o.credentials && o.behaviour == corsWildcard:
		desc += "It also sends Access-Control-Allow-Credentials: true; browsers refuse that combination, but it shows the " +
			"intent to share credentialed responses, and a later change to reflect the origin would make it exploitable."
		note += " with Access-Control-Allow-Credentials: true"
	case o.credentials:
		desc += "With Access-Control-Allow-Credentials: true, a malicious site visited by a logged-in user can send " +
			"requests with the user's cookies and read the answers: their data, tokens and CSRF tokens."
		note += " with Access-Control-Allow-Credentials: true"
	case o.behaviour != corsWildcard:
		desc += "Credentials are not allowed, so cookies are not sent, but any site can still read responses that rely on " +
			"the visitor's network position (intranet APIs, IP allow-lists)."
	}
	u, _ := url.Parse(o.probe.url)
	loc := finding.Location{URL: siteURL(u), Path: "/", In: finding.InSite}
	if !site {
		loc = finding.Location{Method: o.ex.Method, URL: o.probe.url, Path: o.probe.path, Param: "Origin", In: finding.InHeader}
	}
	var behaviours []map[string]any
	for _, x := range all {
		behaviours = append(behaviours, map[string]any{
			"url": x.probe.url, "method": x.ex.Method, "origin_sent": x.sentOrigin,
			"allow_origin": x.allowOrigin, "allow_credentials": x.credentials, "behaviour": x.behaviour,
		})
	}
	return finding.Finding{
		Check:       KindCORS,
		Category:    finding.InputValidation,
		Severity:    o.severity(),
		Confidence:  finding.Confirmed,
		Title:       title,
		Description: desc,
		Remediation: check.Remediation(t, "Allow only an explicit list of trusted origins (exact scheme, host and port match, never a prefix, suffix or regex on the Origin header), never allow `null`, and send Access-Control-Allow-Credentials: true only for those trusted origins. Use `*` only for public, unauthenticated data.",
			[2]string{"django", "Django (django-cors-headers): set CORS_ALLOWED_ORIGINS to the exact origins; never CORS_ALLOW_ALL_ORIGINS = True together with CORS_ALLOW_CREDENTIALS = True."},
			[2]string{"express", "Express (cors): cors({ origin: ['https://app.example.com'], credentials: true }) — never origin: true or a callback that accepts every origin."},
			[2]string{"spring", "Spring: @CrossOrigin / CorsConfiguration with setAllowedOrigins(List.of(...)); avoid allowedOriginPatterns(\"*\") with allowCredentials(true)."},
			[2]string{"aspnet", "ASP.NET Core: policy.WithOrigins(\"https://app.example.com\"); never SetIsOriginAllowed(_ => true) with AllowCredentials()."},
			[2]string{"flask", "Flask-CORS: CORS(app, origins=[\"https://app.example.com\"], supports_credentials=True) — not origins=\"*\" with credentials."},
			[2]string{"rails", "Rails (rack-cors): origins 'app.example.com' in config/initializers/cors.rb; never a regex like /.*/."},
			[2]string{"laravel", "Laravel: config/cors.php 'allowed_origins' => ['https://app.example.com'], and no '*' with 'supports_credentials' => true."},
			[2]string{"nginx", "nginx: do not `add_header Access-Control-Allow-Origin $http_origin`; match $http_origin against a map of allowed origins."},
		),
		CWE:       "CWE-942",
		Location:  loc,
		Evidence:  []finding.Evidence{evidence.From(o.ex, t.Mask, note, "")},
		Details:   map[string]any{"behaviour": o.behaviour, "allow_credentials": o.credentials, "observations": behaviours},
		Reproduce: evidence.Curl(o.ex, t.Mask),
	}
}

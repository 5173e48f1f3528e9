package exposure

import (
	"bytes"
	"net/http"
	"regexp"
	"sort"
	"strings"

	"github.com/parapet-scanner/parapet/internal/finding"
)

// debugHit is one debug page or stack trace seen in a response.
type debugHit struct {
	// framework is the stack name of what produced the page ("django",
	// "werkzeug", "express", …) or, for a bare stack trace, its language
	// ("python", "java", "node", "dotnet", "go", "ruby", "php").
	framework string
	// site is true when the page comes from a site-wide setting (debug mode,
	// the framework's default error handler): one finding for the whole site.
	site bool
	// debugMode is true for an interactive debugger or a framework debug mode
	// that dumps settings, routes or source (high severity).
	debugMode bool
	// interactive is true when the page offers code execution (a console).
	interactive bool
	severity    finding.Severity
	// signal says, in our words, what was recognised.
	signal string
	// focus is a substring of the body to centre the evidence on.
	focus string
	// version is the framework version the page shows, or "".
	version string
}

// Anchors of the debug-page detectors.
var (
	aDjangoDebug    = anchor("DEBUG = True")
	aDjangoDebug2   = anchor("DEBUG=True")
	aDjangoURLconf  = anchor("Using the URLconf defined in")
	aDjangoVersion  = anchor("Django Version:")
	aWerkzeug       = anchor("Werkzeug Debugger")
	aWerkzeug2      = anchor("__debugger__=yes")
	aWerkzeug3      = anchor("Werkzeug powered traceback interpreter")
	aStarlette      = anchor("Starlette Debugger")
	aRailsCaught    = anchor("Action Controller: Exception caught")
	aRailsTraces    = anchor("Application Trace")
	aWhoops         = anchor("Whoops! There was an error")
	aWhoops2        = anchor(`class="Whoops container"`)
	aIgnition       = anchor("ignition")
	aIgnition2      = anchor("Ignition")
	aIlluminate     = anchor("Illuminate")
	aLaravelFrames  = anchor("laravel/framework/src/Illuminate")
	aLaravelFrames2 = anchor(`laravel\/framework\/src\/Illuminate`)
	aSymfonyToolbar = anchor(`class="sf-toolbar`)
	aSymfonyWdt     = anchor(`id="sfwdt`)
	aSymfonyExc     = anchor("Symfony\\Component\\ErrorHandler")
	aAspCoreDev     = anchor("An unhandled exception occurred while processing the request")
	aAspCoreText    = anchor("\nHEADERS\n=======")
	aAspYSOD        = anchor("Server Error in '")
	aWhitelabel     = anchor("Whitelabel Error Page")
	aPyTraceback    = anchor("Traceback (most recent call last)")
	aPyLine         = anchor(", line ")
	aFrameTab       = anchor("\tat ")
	aFrameTabEsc    = anchor(`\tat `)
	aFrameSpaces    = anchor("   at ")
	aFrameNbsp      = anchor("&nbsp;at ")
	aFrameNewline   = anchor("\nat ")
	aFrameNLEsc     = anchor(`\nat `)
	aGoroutine      = anchor("goroutine ")
	aRubyFrame      = anchor(".rb:")
	aPHPOnLine      = anchor(" on line ")
	aPHPOnLineB     = anchor("</b> on line <b>")
	aPHPStack       = anchor("Stack trace:")
	aPHPStackEsc    = anchor(`Stack trace:\n#0 `)
	aDotnetLine     = anchor(":line ")
)

var (
	djangoVersionRe = regexp.MustCompile(`Django Version:(?:\s*</th>)?\s*(?:<td>)?\s*([0-9]+\.[0-9]+(?:\.[0-9]+)?(?:[a-z]+[0-9]*)?)`)
	pythonVersionRe = regexp.MustCompile(`Python Version:(?:\s*</th>)?\s*(?:<td>)?\s*([0-9]+\.[0-9]+(?:\.[0-9]+)?)`)
	aspnetVersionRe = regexp.MustCompile(`ASP\.NET Version:\s*([0-9]+(?:\.[0-9]+){1,3})`)
	dotnetVersionRe = regexp.MustCompile(`\.NET Framework Version:\s*([0-9]+(?:\.[0-9]+){1,3})`)
	evalexRe        = regexp.MustCompile(`EVALEX\s*=\s*true`)
	werkzeugVerRe   = regexp.MustCompile(`Werkzeug/([0-9]+\.[0-9]+(?:\.[0-9]+)?)`)
	laravelVerRe    = regexp.MustCompile(`"(?:laravel_version|framework_version)"\s*:\s*"([0-9]+\.[0-9]+(?:\.[0-9]+)?)"`)

	// Stack frames, as they appear raw, JSON-escaped or HTML-escaped. The
	// prefix group accepts what precedes "at" in each encoding.
	framePrefix = `(?:^|[\s;>]|\\[nt])`
	// Java: at com.example.Foo.bar(Foo.java:42), at java.base/java.lang.Thread.run(Thread.java:833)
	javaFrameRe = regexp.MustCompile(framePrefix + `at (?:[\w$.@-]*/{1,2})?[\w$]+(?:\.[\w$<>-]+)+\((?:[\w$-]+\.(?:java|kt|scala|groovy|clj):\d+|Native Method|Unknown Source)\)`)
	// Node: at fn (/app/x.js:5:9), at /app/x.js:5:9, at async fn (node:internal/x:1:2)
	nodeFrameRe = regexp.MustCompile(framePrefix + `at (?:async )?(?:(?:new )?[^\s()<>]+(?: \[as [^\]\s]+\])? \()?(?:[^\s()<>]*[/\\.\]][^\s()<>]*|node:[^\s()<>]+|<anonymous>):\d+:\d+\)?`)
	// .NET with file and line: at Ns.Type.Method(Args) in /src/File.cs:line 42
	dotnetFrameRe = regexp.MustCompile(framePrefix + "at [\\w.`<>$\\[\\],+|-]+\\([^()\\n]*\\) in [^\\n<\"]+?:line \\d+")
	// .NET without files: at System.Web.Mvc.ControllerActionInvoker.InvokeAction(…)
	dotnetSysFrameRe = regexp.MustCompile(framePrefix + "at (?:System|Microsoft)\\.[\\w.`<>$\\[\\],+|-]+\\([^()\\n]*\\)")
	dotnetExcRe      = regexp.MustCompile(`\b(?:System|Microsoft)(?:\.\w+)*\.\w*Exception\b`)
	// Python: File "/app/x.py", line 3, in view — raw, JSON-escaped or HTML-escaped quotes.
	pyFrameRe = regexp.MustCompile(`File (?:"|\\"|&quot;|&#34;|&#x22;)[^"\n<>]+?(?:"|\\"|&quot;|&#34;|&#x22;), line \d+, in `)
	// Go: goroutine 1 [running]: followed by a frame with a .go file.
	goHeaderRe = regexp.MustCompile(`goroutine \d+ \[[a-zA-Z ,]+(?:, \d+ minutes)?\]:`)
	goFrameRe  = regexp.MustCompile(`[\w./-]+\.go:\d+`)
	// Ruby: app/models/user.rb:12:in `save' (Ruby 3.4 quotes with ' on both sides).
	rubyFrameRe = regexp.MustCompile("[\\w./-]+\\.rb:\\d+:in [`'][^'\\n]+'")
	// PHP frames: #0 /var/www/x.php(12): f()
	phpFrameRe = regexp.MustCompile(`#\d+ (?:/|[A-Za-z]:\\|\\/)[^\n(]+\.(?:php|phtml|inc)\(\d+\): `)
	// PHP display_errors: "<b>Warning</b>:  … in <b>/x.php</b> on line <b>2</b>" or plain.
	phpErrorRe = regexp.MustCompile(`(?:<b>)?(Fatal error|Parse error|Warning|Notice|Deprecated|Catchable fatal error|Recoverable fatal error|Strict Standards|User Error|User Warning)(?:</b>)?:\s+[^\n]+? in (?:<b>)?(?:/|[A-Za-z]:\\)[^<\n]+?\.(?:php|phtml|inc)(?:</b>)? on line (?:<b>)?\d+`)
	// PHP uncaught exception: the message and the "thrown in … on line" part are
	// separated by the stack trace.
	phpUncaughtRe = regexp.MustCompile(`(?:<b>)?Fatal error(?:</b>)?:\s+Uncaught [\w\\]+`)
)

// detectDebug finds framework debug pages and stack traces in p.
func detectDebug(p *page) []debugHit {
	if p.spec || p.class == classScript {
		return nil
	}
	h := &p.hits
	b := p.body
	var out []debugHit
	add := func(d debugHit) { out = append(out, d) }

	// Django: the technical 500 and 404 pages and the welcome page exist only
	// with DEBUG = True.
	if h.any(aDjangoDebug, aDjangoDebug2, aDjangoURLconf, aDjangoVersion) {
		if d, ok := djangoPage(p); ok {
			add(d)
		}
	}
	// Werkzeug debugger (Flask's debug mode).
	if h.any(aWerkzeug, aWerkzeug2, aWerkzeug3) {
		d := debugHit{framework: "werkzeug", site: true, debugMode: true, severity: finding.High,
			signal: "Werkzeug interactive debugger page", focus: firstOf(b, "Traceback", "Werkzeug Debugger", "__debugger__")}
		if evalexRe.Match(b) || bytes.Contains(b, []byte("Interactive Console")) {
			d.interactive = true
			d.signal = "Werkzeug interactive debugger with the code-execution console enabled (EVALEX)"
		}
		if m := werkzeugVerRe.FindStringSubmatch(p.ex.Header.Get("Server")); m != nil {
			d.version = m[1]
		}
		add(d)
	}
	if h.has(aStarlette) && bytes.Contains(b, []byte("<title>Starlette Debugger</title>")) {
		add(debugHit{framework: "starlette", site: true, debugMode: true, severity: finding.High,
			signal: "Starlette/FastAPI debug traceback page (debug=True)", focus: "Starlette Debugger"})
	}
	// Rails development error pages (HTML) and the development JSON error shape.
	if h.has(aRailsCaught) {
		add(debugHit{framework: "rails", site: true, debugMode: true, severity: finding.High,
			signal: "Rails development error page (Action Controller: Exception caught)", focus: "Action Controller: Exception caught"})
	} else if h.has(aRailsTraces) && bytes.Contains(b, []byte("Framework Trace")) && bytes.Contains(b, []byte(`"traces"`)) {
		add(debugHit{framework: "rails", site: true, debugMode: true, severity: finding.High,
			signal: "Rails development error response with Application/Framework traces", focus: "Application Trace"})
	}
	// Laravel / PHP debug renderers.
	if d, ok := laravelPage(p); ok {
		add(d)
	}
	if h.any(aSymfonyToolbar, aSymfonyWdt) && p.class == classHTML {
		add(debugHit{framework: "symfony", site: true, debugMode: true, severity: finding.High,
			signal: "Symfony web debug toolbar (the profiler is reachable)", focus: "sf-toolbar"})
	} else if h.has(aSymfonyExc) && p.class == classHTML && bytes.Contains(b, []byte("exception-message")) {
		add(debugHit{framework: "symfony", site: true, debugMode: true, severity: finding.High,
			signal: "Symfony debug exception page", focus: "exception-message"})
	}
	// ASP.NET.
	if h.has(aAspCoreDev) || (h.has(aAspCoreText) && dotnetFrameRe.Match(p.frameText())) {
		add(debugHit{framework: "aspnet", site: true, debugMode: true, severity: finding.High,
			signal: "ASP.NET Core developer exception page", focus: firstOf(b, "An unhandled exception occurred", "HEADERS")})
	} else if h.has(aAspYSOD) && bytes.Contains(b, []byte("Stack Trace:")) && bytes.Contains(b, []byte(" Application.")) {
		d := debugHit{framework: "aspnet", site: true, severity: finding.Medium,
			signal: "ASP.NET error page with stack trace (customErrors off)", focus: "Stack Trace:"}
		if m := aspnetVersionRe.FindSubmatch(b); m != nil {
			d.version = string(m[1])
		}
		add(d)
	}
	// Spring Boot's Whitelabel page shows a trace only when
	// server.error.include-stacktrace allows it.
	if h.has(aWhitelabel) && countFrames(javaFrameRe, p.frameText(), 2) >= 2 {
		add(debugHit{framework: "spring", site: true, severity: finding.Medium,
			signal: "Spring Boot Whitelabel error page with a Java stack trace", focus: "Whitelabel Error Page"})
	}
	// Express/finalhandler development error page: <pre>Error: …<br> &nbsp; &nbsp;at …</pre>.
	if h.has(aFrameNbsp) && p.class == classHTML && bytes.Contains(b, []byte("<title>Error</title>")) &&
		countFrames(nodeFrameRe, p.frameText(), 2) >= 2 {
		add(debugHit{framework: "express", site: true, severity: finding.Medium,
			signal: "Express default error handler with stack trace (NODE_ENV is not production)", focus: "&nbsp;at "})
	}
	// PHP display_errors.
	if h.any(aPHPOnLine, aPHPOnLineB) && !hasFramework(out, "laravel") {
		phpText := windows(b, []string{" on line ", "</b> on line <b>", "Fatal error"}, 1024, 256)
		if m := phpUncaughtRe.Find(phpText); m != nil && (phpFrameRe.Match(b) || bytes.Contains(b, []byte(" thrown in "))) {
			add(debugHit{framework: "php", site: true, severity: finding.Medium,
				signal: "PHP uncaught exception with file path and stack trace (display_errors on)", focus: string(m)})
		} else if m := phpErrorRe.FindSubmatch(phpText); m != nil {
			kind := string(m[1])
			d := debugHit{framework: "php", site: true, severity: finding.Low,
				signal: "PHP error message with file path (display_errors on)", focus: string(m[0][:min(len(m[0]), 60)])}
			if strings.Contains(kind, "rror") || phpFrameRe.Match(b) {
				d.severity = finding.Medium
				d.signal = "PHP fatal error with file path and stack trace (display_errors on)"
			}
			add(d)
		}
	}
	if len(out) > 0 {
		return out // the framework page explains any stack trace it shows
	}
	if d, ok := bareStackTrace(p); ok {
		add(d)
	}
	return out
}

func djangoPage(p *page) (debugHit, bool) {
	b := p.body
	banner := bytes.Contains(b, []byte("seeing this error because you have")) &&
		p.hits.any(aDjangoDebug)
	welcome := bytes.Contains(b, []byte("DEBUG=True is in your settings file"))
	urlconf := p.hits.has(aDjangoURLconf) && bytes.Contains(b, []byte("Django tried these URL patterns"))
	meta := p.hits.has(aDjangoVersion) && bytes.Contains(b, []byte("Exception Value:"))
	if !banner && !welcome && !urlconf && !meta {
		return debugHit{}, false
	}
	d := debugHit{framework: "django", site: true, debugMode: true, severity: finding.High}
	switch {
	case urlconf:
		d.signal = "Django technical 404 page listing the URL patterns (DEBUG = True)"
		d.focus = "Using the URLconf defined in"
	case welcome:
		d.signal = "Django default welcome page (DEBUG = True)"
		d.focus = "DEBUG=True is in your settings file"
	default:
		d.signal = "Django technical 500 page with traceback, request data and settings (DEBUG = True)"
		d.focus = firstOf(b, "Exception Value:", "Traceback", "DEBUG = True")
	}
	if m := djangoVersionRe.FindSubmatch(b); m != nil {
		d.version = string(m[1])
	}
	return d, true
}

func laravelPage(p *page) (debugHit, bool) {
	h := &p.hits
	b := p.body
	d := debugHit{framework: "laravel", site: true, debugMode: true, severity: finding.High}
	switch {
	case h.any(aWhoops, aWhoops2):
		d.signal = "Whoops pretty error page (debug mode)"
		d.focus = "Whoops"
		if !h.has(aIlluminate) {
			d.framework = "whoops"
		}
	case h.any(aIgnition, aIgnition2) && p.class == classHTML && (h.has(aIlluminate) || bytes.Contains(b, []byte("Laravel"))) &&
		(bytes.Contains(b, []byte("window.ignite")) || bytes.Contains(b, []byte("laravel-ignition")) ||
			bytes.Contains(b, []byte("facade/ignition")) || bytes.Contains(b, []byte("spatie/ignition")) ||
			bytes.Contains(b, []byte("Ignition"))):
		d.signal = "Laravel Ignition error page (APP_DEBUG=true)"
		d.focus = firstOf(b, "Illuminate", "Ignition", "ignition")
	case h.any(aLaravelFrames, aLaravelFrames2) && p.class == classHTML:
		d.signal = "Laravel debug error page with framework stack frames (APP_DEBUG=true)"
		d.focus = "laravel/framework/src/Illuminate"
	case h.has(aIlluminate) && p.class == classJSON && bytes.Contains(b, []byte(`"trace"`)) &&
		bytes.Contains(b, []byte(`"exception"`)) && bytes.Contains(b, []byte(`"file"`)):
		d.signal = "Laravel JSON error with exception class, file and trace (APP_DEBUG=true)"
		d.focus = `"exception"`
	default:
		return debugHit{}, false
	}
	if m := laravelVerRe.FindSubmatch(b); m != nil {
		d.version = string(m[1])
	}
	return d, true
}

// bareStackTrace finds a stack trace that no known framework page explains:
// an application that puts tracebacks in its error responses.
func bareStackTrace(p *page) (debugHit, bool) {
	if p.class == classHTML && p.ex.Status < http.StatusBadRequest {
		// An ordinary page that quotes a trace (a blog post, documentation)
		// is not an error response.
		return debugHit{}, false
	}
	h := &p.hits
	b := p.body
	frames := h.any(aFrameTab, aFrameTabEsc, aFrameSpaces, aFrameNbsp, aFrameNewline, aFrameNLEsc)
	var ft []byte
	if frames {
		ft = p.frameText()
	}
	d := debugHit{severity: finding.Medium}
	switch {
	case h.has(aPyLine) && (h.has(aPyTraceback) && pyFrameRe.Match(b) || countFrames(pyFrameRe, b, 2) >= 2):
		d.framework, d.signal, d.focus = "python", "Python traceback", firstOf(b, "Traceback (most recent call last)", "File ")
	case frames && countFrames(javaFrameRe, ft, 2) >= 2:
		d.framework, d.signal = "java", "Java stack trace"
		d.focus = firstMatch(javaFrameRe, ft)
	case frames && h.has(aDotnetLine) && dotnetFrameRe.Match(ft),
		frames && countFrames(dotnetSysFrameRe, ft, 2) >= 2 && dotnetExcRe.Match(ft):
		d.framework, d.signal = "dotnet", ".NET stack trace"
		d.focus = firstMatch(dotnetSysFrameRe, ft)
		if d.focus == "" {
			d.focus = firstMatch(dotnetFrameRe, ft)
		}
	case frames && countFrames(nodeFrameRe, ft, 2) >= 2:
		d.framework, d.signal = "node", "Node.js stack trace"
		d.focus = firstMatch(nodeFrameRe, ft)
	case h.has(aGoroutine) && goHeaderRe.Match(b) && goFrameRe.Match(windows(b, []string{"goroutine "}, 0, 1024)):
		d.framework, d.signal, d.focus = "go", "Go panic with goroutine stack", "goroutine "
	case h.has(aRubyFrame) && countFrames(rubyFrameRe, windows(b, []string{".rb:"}, 256, 256), 2) >= 2:
		d.framework, d.signal = "ruby", "Ruby backtrace"
		d.focus = firstMatch(rubyFrameRe, windows(b, []string{".rb:"}, 256, 256))
	case h.any(aPHPStack, aPHPStackEsc) && phpFrameRe.Match(b):
		d.framework, d.signal, d.focus = "php", "PHP stack trace", "Stack trace:"
	default:
		return debugHit{}, false
	}
	return d, true
}

// countFrames counts matches of re in b, stopping at limit.
func countFrames(re *regexp.Regexp, b []byte, limit int) int {
	return len(re.FindAllIndex(b, limit))
}

func firstMatch(re *regexp.Regexp, b []byte) string {
	loc := re.FindIndex(b)
	if loc == nil {
		return ""
	}
	return strings.TrimLeft(string(b[loc[0]:min(loc[1], loc[0]+80)]), " \t\r\n;>\\nt")
}

// firstOf returns the first of lits that occurs in b, or "".
func firstOf(b []byte, lits ...string) string {
	for _, l := range lits {
		if bytes.Contains(b, []byte(l)) {
			return l
		}
	}
	return ""
}

func hasFramework(ds []debugHit, name string) bool {
	for _, d := range ds {
		if d.framework == name {
			return true
		}
	}
	return false
}

// frameLits are what precedes a stack frame of Java, Node and .NET.
var frameLits = []string{"\tat ", `\tat `, "   at ", "&nbsp;at ", "\nat ", `\nat `}

// frameText returns the parts of the body around stack-frame markers, where
// the frame expressions run (instead of over the whole body).
func (p *page) frameText() []byte {
	if p.frames == nil {
		p.frames = windows(p.body, frameLits, 64, 512)
	}
	return p.frames
}

// windows returns copies of the parts of b around the first occurrences of
// each literal (before bytes ahead, after bytes behind), joined by NUL bytes
// so that no match spans two parts. It bounds the text later regular
// expressions read in a large body.
func windows(b []byte, lits []string, before, after int) []byte {
	type span struct{ lo, hi int }
	var spans []span
	for _, lit := range lits {
		n := 0
		eachIndex(b, lit, func(i int) bool {
			if n++; n > maxNear {
				return false
			}
			spans = append(spans, span{max(0, i-before), min(len(b), i+len(lit)+after)})
			return true
		})
	}
	if len(spans) == 0 {
		return []byte{}
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].lo < spans[j].lo })
	var out []byte
	cur := spans[0]
	flush := func() {
		if len(out) > 0 {
			out = append(out, 0)
		}
		out = append(out, b[cur.lo:cur.hi]...)
	}
	for _, s := range spans[1:] {
		if s.lo <= cur.hi {
			cur.hi = max(cur.hi, s.hi)
			continue
		}
		flush()
		cur = s
	}
	flush()
	return out
}

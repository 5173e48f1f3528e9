package discover

import (
	"net/url"
	"path"
	"strings"
	"unicode"
)

// stateChangingWords are words that, as a whole word of a path segment or of
// a query key or value, make a link look state-changing. The crawler never
// follows such links, even though it only sends GET: plenty of applications
// log out, delete or unsubscribe on a GET.
var stateChangingWords = map[string]bool{
	"logout": true, "signout": true, "logoff": true, "signoff": true,
	"delete": true, "remove": true, "destroy": true, "unsubscribe": true,
	"drop": true, "reset": true, "revoke": true, "cancel": true,
	"disable": true, "deactivate": true, "purge": true, "wipe": true,
	"kill": true, "shutdown": true, "terminate": true, "erase": true,
	"truncate": true,
}

// stateChangingPairs are the same words written as two: "log-out",
// "sign_out", "shut down".
var stateChangingPairs = map[[2]string]bool{
	{"log", "out"}: true, {"sign", "out"}: true, {"log", "off"}: true,
	{"sign", "off"}: true, {"shut", "down"}: true,
}

// LooksStateChanging reports whether following u might change state on the
// target: a path segment, query key or query value holds one of the words
// of the crawler's deny list as a whole word ("/account/logout",
// "/items/1/delete", "?action=remove", "/log-out", "/deleteItem"), but not
// inside a longer word ("/deleted-items", "/dropdown").
func LooksStateChanging(u *url.URL) bool {
	if u == nil {
		return false
	}
	for _, seg := range strings.Split(u.Path, "/") {
		if hasStateChangingWord(seg) {
			return true
		}
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		// An unparsable query is checked as raw text.
		return hasStateChangingWord(u.RawQuery)
	}
	for k, vs := range q {
		if hasStateChangingWord(k) {
			return true
		}
		for _, v := range vs {
			if hasStateChangingWord(v) {
				return true
			}
		}
	}
	return false
}

func hasStateChangingWord(s string) bool {
	words := splitWords(s)
	for i, w := range words {
		if stateChangingWords[w] {
			return true
		}
		if i+1 < len(words) && stateChangingPairs[[2]string{w, words[i+1]}] {
			return true
		}
	}
	return false
}

// splitWords splits s into lowercase words at non-alphanumeric characters
// and at camelCase boundaries: "deleteItem" → delete, item; "log-out" →
// log, out; "HTMLLogout" → html, logout.
func splitWords(s string) []string {
	if len(s) > 256 {
		s = s[:256]
	}
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	rs := []rune(s)
	for i, r := range rs {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			flush()
			continue
		}
		if unicode.IsUpper(r) && len(cur) > 0 {
			prev := rs[i-1]
			nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
				flush()
			}
		}
		cur = append(cur, r)
	}
	flush()
	return words
}

// staticExtensions are files the crawler does not fetch: they hold no API.
var staticExtensions = map[string]bool{
	".css": true, ".js": true, ".mjs": true, ".map": true,
	".png": true, ".jpg": true, ".jpeg": true, ".gif": true, ".svg": true, ".ico": true, ".webp": true, ".bmp": true, ".avif": true,
	".woff": true, ".woff2": true, ".ttf": true, ".otf": true, ".eot": true,
	".pdf": true, ".zip": true, ".gz": true, ".tgz": true, ".tar": true, ".rar": true, ".7z": true,
	".mp3": true, ".mp4": true, ".webm": true, ".ogg": true, ".wav": true, ".avi": true, ".mov": true,
	".exe": true, ".dmg": true, ".apk": true, ".iso": true, ".bin": true,
	".doc": true, ".docx": true, ".xls": true, ".xlsx": true, ".ppt": true, ".pptx": true,
}

// isStaticAsset reports whether u names a static file by its extension.
func isStaticAsset(u *url.URL) bool {
	return staticExtensions[strings.ToLower(path.Ext(u.Path))]
}

package discover

import (
	"net/url"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// stateChangingWords are words that, as a whole word of a path segment or of
// a query key or value, make a link look state-changing. The crawler never
// follows such links, even though it only sends GET: plenty of applications
// log out, delete or unsubscribe on a GET.
var stateChangingWords = map[string]bool{
	// sessions
	"logout": true, "signout": true, "logoff": true, "signoff": true,
	"endsession": true, "expire": true, "invalidate": true, "revoke": true,
	// deleting data
	"delete": true, "del": true, "rm": true, "remove": true, "destroy": true,
	"drop": true, "purge": true, "wipe": true, "erase": true, "truncate": true,
	"clear": true, "flush": true, "unlink": true, "detach": true,
	"rollback": true, "archive": true,
	// accounts and subscriptions
	"unsubscribe": true, "unregister": true, "deregister": true,
	"unfollow": true, "disable": true, "deactivate": true, "suspend": true,
	"ban": true, "close": true, "cancel": true, "reset": true,
	// processes and machines
	"kill": true, "shutdown": true, "terminate": true, "restart": true,
	"reboot": true, "disconnect": true, "uninstall": true,
}

// stateChangingPairs are the same words written as two: "log-out",
// "sign_out", "shut down", "end_session".
var stateChangingPairs = map[[2]string]bool{
	{"log", "out"}: true, {"sign", "out"}: true, {"log", "off"}: true,
	{"sign", "off"}: true, {"shut", "down"}: true, {"end", "session"}: true,
	{"roll", "back"}: true, {"un", "subscribe"}: true,
}

// maxURLWords bounds the words LooksStateChanging examines in one URL. A
// URL with more words than that is treated as state-changing: its words
// are not examined, and it is not worth the risk.
const maxURLWords = 2000

// LooksStateChanging reports whether following u might change state on the
// target: a path segment, query key or query value holds one of the words
// of the crawler's deny list as a whole word ("/account/logout",
// "/items/1/delete", "?action=remove", "/log-out", "/deleteItem",
// "/api/v1/logout2"), but not inside a longer word ("/deleted-items",
// "/dropdown"). Words are compared without the digits that start or end
// them. Every word counts wherever it stands; a URL with more than
// maxURLWords words is state-changing.
func LooksStateChanging(u *url.URL) bool {
	if u == nil {
		return false
	}
	budget := maxURLWords
	for _, seg := range strings.Split(u.Path, "/") {
		if hasStateChangingWord(seg, &budget) {
			return true
		}
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		// An unparsable query is checked as raw text.
		return hasStateChangingWord(u.RawQuery, &budget)
	}
	for k, vs := range q {
		if hasStateChangingWord(k, &budget) {
			return true
		}
		for _, v := range vs {
			if hasStateChangingWord(v, &budget) {
				return true
			}
		}
	}
	return false
}

// NamesStateChange reports whether a name (an operationId, a path template)
// holds a word of the deny list, by the rules of LooksStateChanging.
func NamesStateChange(s string) bool {
	budget := maxURLWords
	return hasStateChangingWord(s, &budget)
}

// hasStateChangingWord reports whether s holds a deny-listed word, or more
// words than *budget has left (which it decrements).
func hasStateChangingWord(s string, budget *int) bool {
	words, ok := splitWords(s, *budget)
	*budget -= len(words)
	if !ok {
		return true
	}
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
// and at camelCase boundaries, and strips the digits that start or end a
// word: "deleteItem" → delete, item; "log-out" → log, out; "HTMLLogout" →
// html, logout; "logout2" → logout. Words that are only digits are left
// out. It stops after max words and then reports false.
func splitWords(s string, max int) ([]string, bool) {
	var words []string
	start := -1 // byte offset of the current word
	flush := func(end int) bool {
		if start < 0 {
			return true
		}
		w := strings.Trim(s[start:end], "0123456789")
		start = -1
		if w == "" {
			return true
		}
		if len(words) >= max {
			return false
		}
		words = append(words, strings.ToLower(w))
		return true
	}
	var prev rune
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			if !flush(i) {
				return words, false
			}
		} else {
			if unicode.IsUpper(r) && start >= 0 {
				next, _ := utf8.DecodeRuneInString(s[i+size:])
				if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && unicode.IsLower(next)) {
					if !flush(i) {
						return words, false
					}
				}
			}
			if start < 0 {
				start = i
			}
		}
		prev = r
		i += size
	}
	if !flush(len(s)) {
		return words, false
	}
	return words, true
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

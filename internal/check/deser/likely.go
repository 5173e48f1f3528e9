package deser

import (
	"strings"
	"unicode"
)

// Names of cookies and parameters that often carry serialized state, most
// telling first. A location with such a name is probed even when no blob
// was seen there (the value may be signed, encrypted, or simply absent from
// what the scan saw).
var (
	likelyCookieNames = []string{
		"pickle", "serialized", "state", "profile", "data", "obj", "object", "cart", "prefs", "session",
		"sess", "remember", "user", "auth", "sid", "token",
	}
	likelyParamNames = []string{
		"pickle", "serialized", "viewstate", "payload", "state", "data", "object", "obj", "blob", "profile",
		"cart", "prefs", "ctx", "session", "token",
	}
)

// notLikely are name words of values that are never deserialized objects:
// anti-forgery tokens, analytics and load-balancer cookies.
var notLikely = []string{"csrf", "xsrf", "_ga", "_gid", "utm", "__cf", "cf_", "awsalb", "lang", "locale", "theme"}

// likelyName returns the position in list of the first entry that a word
// of name starts or ends with (sessionid, user_data, cartState, X-Session-
// Data), or -1.
func likelyName(name string, list []string) int {
	if name == "" || len(name) > 64 {
		return -1
	}
	lower := strings.ToLower(name)
	for _, bad := range notLikely {
		if strings.Contains(lower, bad) {
			return -1
		}
	}
	words := splitWords(name)
	for i, want := range list {
		for _, w := range words {
			if w == want || len(want) >= 4 && (strings.HasPrefix(w, want) || strings.HasSuffix(w, want)) {
				return i
			}
		}
	}
	return -1
}

// splitWords splits a name into lowercase words at punctuation and
// camelCase boundaries.
func splitWords(name string) []string {
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	rs := []rune(name)
	for i, r := range rs {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			flush()
		case unicode.IsUpper(r) && i > 0 && unicode.IsLower(rs[i-1]):
			flush()
			cur = append(cur, r)
		default:
			cur = append(cur, r)
		}
	}
	flush()
	return words
}

package engine

import (
	"crypto/tls"
	"mime"
	"net/http"
	"strings"
	"time"
)

// Request is what a check asks the engine to send.
type Request struct {
	Method string
	URL    string
	Header http.Header
	Body   []byte
	// Check is the id of the check sending the request, for the exchange log.
	Check string
	// LLMChat marks a text-only POST to an endpoint that looks like an LLM chat
	// API: the one POST the method policy allows without --active.
	LLMChat bool
	// NoRedirect returns the first response instead of following redirects.
	NoRedirect bool
	// Spec marks the fetch of an OpenAPI document or one of its $refs: such a
	// request may also go to Scope.SpecHosts.
	Spec bool
}

// Exchange is one request the engine sent and what came back. Body holds the
// response body after decompression, capped at the scan's body budget; in the
// exchange log it is cut further to LoggedBodyBytes.
type Exchange struct {
	Seq            int64
	Check          string
	Method         string
	URL            string
	RequestHeader  http.Header
	RequestBody    []byte
	FinalURL       string
	Redirects      []string
	Status         int
	Proto          string
	Header         http.Header
	Body           []byte
	BodyTruncated  bool
	TLS            *tls.ConnectionState
	Started        time.Time
	Duration       time.Duration
	Err            error
	OffScopeTarget string // a redirect target that was not followed because it is out of scope
}

// ContentType returns the media type of the response, lowercased, without parameters.
func (e *Exchange) ContentType() string {
	if e == nil || e.Header == nil {
		return ""
	}
	mt, _, err := mime.ParseMediaType(e.Header.Get("Content-Type"))
	if err != nil {
		return strings.ToLower(strings.TrimSpace(strings.SplitN(e.Header.Get("Content-Type"), ";", 2)[0]))
	}
	return mt
}

// SetCookies parses the response's Set-Cookie headers.
func (e *Exchange) SetCookies() []*http.Cookie {
	if e == nil || e.Header == nil {
		return nil
	}
	return (&http.Response{Header: e.Header}).Cookies()
}

// RequestCookies parses the Cookie header the request carried.
func (e *Exchange) RequestCookies() []*http.Cookie {
	if e == nil || e.RequestHeader == nil {
		return nil
	}
	return (&http.Request{Header: e.RequestHeader}).Cookies()
}

// OK reports whether the exchange got a response at all.
func (e *Exchange) OK() bool { return e != nil && e.Err == nil && e.Status > 0 }

// Bounds on what the exchange log keeps of a response's headers.
const (
	loggedHeaderValueBytes = 1 << 10
	loggedHeaderBytes      = 16 << 10
)

// forLog returns the copy the exchange log keeps: the body cut to
// LoggedBodyBytes and header values cut too, in new backing arrays so that
// the full response can be freed.
func (e *Exchange) forLog() *Exchange {
	c := *e
	if len(c.Body) > LoggedBodyBytes {
		c.Body = append([]byte(nil), c.Body[:LoggedBodyBytes]...)
		c.BodyTruncated = true
	}
	c.Header = CapHeader(e.Header, loggedHeaderValueBytes, loggedHeaderBytes)
	return &c
}

// CapHeader returns a copy of h whose values are cut to perValue bytes and
// whose total size stays under total bytes; headers past the total are dropped.
func CapHeader(h http.Header, perValue, total int) http.Header {
	if h == nil {
		return nil
	}
	out := make(http.Header, len(h))
	size := 0
	for k, vs := range h {
		for _, v := range vs {
			if len(v) > perValue {
				v = v[:perValue]
			}
			size += len(k) + len(v)
			if size > total {
				return out
			}
			out[k] = append(out[k], strings.Clone(v))
		}
	}
	return out
}

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

func (e *Exchange) forLog() *Exchange {
	c := *e
	if len(c.Body) > LoggedBodyBytes {
		c.Body = c.Body[:LoggedBodyBytes:LoggedBodyBytes]
		c.BodyTruncated = true
	}
	return &c
}

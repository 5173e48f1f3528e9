package deser

import (
	"net/http"

	"github.com/parapet-scanner/parapet/internal/check"
)

// Samples for the fixtures: a protocol-4 pickle of shop.models.Profile in
// urlsafe base64 without padding (as Django apps often put it in cookies),
// and a Java serialized java.util.HashMap in standard base64.
const (
	samplePickle   = "gASVWAAAAAAAAACMEGRlbW9fc2hvcC5tb2RlbHOUjAdQcm9maWxllJOUKYGUfZQojAR1c2VylIwFYWxpY2WUjARyb2xllIwIY3VzdG9tZXKUjARjYXJ0lF2UKEtlS81ldWIu"
	sampleJSONType = `{"$type":"Shop.Models.Cart, Shop","items":[{"$type":"Shop.Models.Line, Shop","sku":"A1"}]}`
)

// Fixtures implements check.WithFixtures.
func (*Check) Fixtures() []check.Fixture {
	return []check.Fixture{
		{
			Name: "pickle in a cookie",
			Kind: "deserialization/python-pickle",
			Vulnerable: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.SetCookie(w, &http.Cookie{Name: "profile", Value: samplePickle, Path: "/"})
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(`{"user":"alice"}`))
			}),
			Safe: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				// A Django signed cookie and a session id: ordinary tokens.
				http.SetCookie(w, &http.Cookie{Name: "profile", Value: "eyJ1c2VyIjoiYWxpY2UifQ:1sXb2c:Qm9hdGxvYWRzb2ZzaWduYXR1cmVieXRlcw", Path: "/"})
				http.SetCookie(w, &http.Cookie{Name: "sessionid", Value: "k3j9d8f7g6h5j4k3l2m1n0b9v8c7x6z5", Path: "/"})
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(`{"user":"alice"}`))
			}),
		},
		{
			Name: "Json.NET $type in a response",
			Kind: "deserialization/json-type-indicator",
			Vulnerable: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(sampleJSONType))
			}),
			Safe: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/ld+json")
				_, _ = w.Write([]byte(`{"@context":"https://schema.org","@type":"Product","name":"Lamp","sku":"A1"}`))
			}),
		},
	}
}

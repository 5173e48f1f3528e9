package exposure

import (
	"net/http"
	"strings"

	"github.com/parapet-scanner/parapet/internal/check"
)

// Fixtures returns a vulnerable and a safe small target per kind, for the
// registry's generic table test.
func (c *Check) Fixtures() []check.Fixture {
	return []check.Fixture{
		{
			Name:       "django technical 404 on unknown paths",
			Kind:       KindDebugPage,
			Vulnerable: djangoFixture(true),
			Safe:       djangoFixture(false),
		},
		{
			Name:       "AWS key pair in a config endpoint",
			Kind:       KindSecret,
			Vulnerable: jsonFixture(`{"service":"billing","region":"eu-west-1","aws_access_key_id":"` + fakeAWSKeyID + `","aws_secret_access_key":"` + fakeAWSSecret + `"}`),
			Safe:       jsonFixture(`{"service":"billing","region":"eu-west-1","password_min_length":12,"secret_rotation_days":90,"aws_access_key_id":null,"password":"********"}`),
		},
		{
			Name:       "user list with emails and card numbers",
			Kind:       KindPersonalData,
			Vulnerable: jsonFixture(`{"users":[{"id":7,"name":"Maria Lopez","email":"maria.lopez@corp-mail.test","card_number":"4556737586899855"},{"id":8,"name":"Tom Brandt","email":"t.brandt@corp-mail.test","card_number":"5271 8521 6940 1770"}]}`),
			Safe:       jsonFixture(`{"users":[{"id":7,"name":"Maria Lopez","email":"m***@corp-mail.test","card_last4":"9855","created_ms":1700000000000},{"id":8,"name":"Tom Brandt","email":"t***@corp-mail.test","card_last4":"1770","order_id":"4556737586899855"}]}`),
		},
		{
			Name:       "DynamoDB error on a malformed item id",
			Kind:       KindInternalError,
			Path:       "/api/items/1",
			Vulnerable: itemsFixture(true),
			Safe:       itemsFixture(false),
		},
	}
}

// Fake, format-valid credentials, assembled so that secret scanners reading
// the source do not flag them.
const (
	fakeAWSKeyID  = "AKIA" + "Q3EGRZ7XK2M4NB5T"
	fakeAWSSecret = "q8Zr2Lw5Tn7Yb1Xc4Vd9" + "Pk3Hs6Fj0Gm2Na5Ue8Ri"
)

func jsonFixture(body string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path != "/" {
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"error":"not found"}`))
			return
		}
		_, _ = w.Write([]byte(body))
	})
}

// djangoFixture answers unknown paths the way Django 3.2 does with DEBUG = True
// (vulnerable) or with a JSON 404 (safe).
func djangoFixture(debug bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"links":{"items":"/api/items/"}}`))
			return
		}
		if !debug {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"detail":"Not found."}`))
			return
		}
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(strings.ReplaceAll(django404Page, "{path}", htmlEscape(r.URL.Path))))
	})
}

// itemsFixture serves /api/items/<id>; a non-numeric id reaches DynamoDB
// unchecked in the vulnerable variant.
func itemsFixture(vulnerable bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		id, ok := strings.CutPrefix(r.URL.Path, "/api/items/")
		switch {
		case !ok:
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"error":"not found"}`))
		case id != "" && strings.Trim(id, "0123456789") == "":
			_, _ = w.Write([]byte(`{"id":` + id + `,"title":"Mug","price":"9.50"}`))
		case vulnerable:
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte(`{"error":"An error occurred (ValidationException) when calling the GetItem operation: The parameter cannot be converted to a numeric value: ` +
				strings.ReplaceAll(id, `"`, `\"`) + `"}`))
		default:
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":"bad request"}`))
		}
	})
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#x27;").Replace(s)
}

// django404Page is the shape of Django 3.2's technical 404 page (trimmed).
const django404Page = `<!DOCTYPE html>
<html lang="en">
<head>
  <meta http-equiv="content-type" content="text/html; charset=utf-8">
  <title>Page not found at {path}</title>
  <meta name="robots" content="NONE,NOARCHIVE">
</head>
<body>
  <div id="summary">
    <h1>Page not found <span>(404)</span></h1>
    <table class="meta">
      <tr>
        <th>Request Method:</th>
        <td>GET</td>
      </tr>
      <tr>
        <th>Request URL:</th>
        <td>http://127.0.0.1{path}</td>
      </tr>
    </table>
  </div>
  <div id="info">
      <p>
      Using the URLconf defined in <code>shop_api.urls</code>,
      Django tried these URL patterns, in this order:
      </p>
      <ol>
          <li>api/items/&lt;int:item_id&gt;</li>
          <li>api/users/</li>
          <li>admin/</li>
      </ol>
      <p>
          The current path, <code>{path}</code>, didn’t match any of these.
      </p>
  </div>
  <div id="explanation">
    <p>
      You’re seeing this error because you have <code>DEBUG = True</code> in
      your Django settings file. Change that to <code>False</code>, and Django
      will display a standard 404 page.
    </p>
  </div>
</body>
</html>
`

package deser

import (
	"strings"
	"testing"

	"github.com/parapet-scanner/parapet/internal/check"
	"github.com/parapet-scanner/parapet/internal/check/deser/canary"
	fp "github.com/parapet-scanner/parapet/internal/fingerprint"
	"github.com/parapet-scanner/parapet/internal/sniff"
)

func targetWith(ids ...string) *check.Target {
	st := fp.NewStack()
	for _, id := range ids {
		st.Add(fp.Tech{Name: id})
	}
	return &check.Target{Stack: st}
}

func TestRemediation_EachStackGetsItsOwnFix(t *testing.T) {
	cases := []struct {
		name   string
		format sniff.Format
		lang   lang
		stack  []string
		dyn    *dynamoAttr
		want   []string
		reject []string
	}{
		{"django+dynamodb pickle", sniff.PythonPickle, langPython, []string{fp.Django, fp.DynamoDB}, &dynamoAttr{attribute: "profile", path: "profile", typ: "B"},
			[]string{"In Django", "signing.loads(value, salt=", "max_age=", "model_validate", "JSONSerializer", "TypeSerializer().serialize", "TypeDeserializer().deserialize", "dynamodb:LeadingKeys", "dynamodb:Attributes"}, []string{"##", "Flask"}},
		{"django+redis pickle", sniff.PythonPickle, langPython, []string{fp.Django, fp.Redis}, nil,
			[]string{"In Django", "django_redis.serializers.json.JSONSerializer"}, []string{"DynamoDB"}},
		{"django+postgres pickle", sniff.PythonPickle, langPython, []string{fp.Django, fp.PostgreSQL}, nil,
			[]string{"In Django", "models.JSONField"}, []string{"DynamoDB", "Redis"}},
		{"flask pickle", sniff.PythonPickle, langPython, []string{fp.Flask}, nil,
			[]string{"In Flask", "URLSafeTimedSerializer(app.secret_key", "pickle.loads"}, []string{"Django"}},
		{"flask+dynamodb", sniff.PythonPickle, langPython, []string{fp.Flask, fp.DynamoDB}, nil,
			[]string{"In Flask", "TypeSerializer", "no write permission"}, nil},
		{"fastapi+sqlite", sniff.PythonPickle, langPython, []string{fp.FastAPI, fp.SQLite}, nil,
			[]string{"In FastAPI", "model_validate_json(raw)", "SQLAlchemy `JSON`"}, nil},
		{"fastapi jsonpickle", sniff.JSONTypeKey, langPython, []string{fp.FastAPI}, nil,
			[]string{"In FastAPI", "jsonpickle.decode(raw)"}, nil},
		{"express node-serialize", sniff.JSONTypeKey, langNode, []string{fp.Express}, nil,
			[]string{"In Express", "cookieParser(process.env.COOKIE_SECRET)", "signed: true", "JSON.parse(req.signedCookies.profile)", "node-serialize"}, nil},
		{"express+dynamodb", sniff.JSONTypeKey, langNode, []string{fp.Express, fp.DynamoDB}, nil,
			[]string{"In Express", "marshall(profile)", "dynamodb:LeadingKeys"}, []string{"TypeSerializer"}},
		{"laravel", sniff.PHPSerialized, langPHP, []string{fp.Laravel}, nil,
			[]string{"In Laravel", "json_decode($value, true, 16, JSON_THROW_ON_ERROR)", "Validator::make", "'allowed_classes' => false", "stopgap"}, nil},
		{"php", sniff.PHPSerialized, langPHP, []string{fp.PHP}, nil,
			[]string{"json_decode($v, true, 16, JSON_THROW_ON_ERROR)", "'allowed_classes' => false", "hash_equals"}, []string{"Laravel"}},
		{"rails marshal", sniff.RubyMarshal, langRuby, []string{fp.Rails}, nil,
			[]string{"In Rails", "JSON.parse(value)", "ActiveSupport::MessageVerifier.new(secret, serializer: JSON)", "cookies_serializer = :json", "never `Marshal.load`"}, nil},
		{"rails yaml", sniff.YAMLTags, langRuby, []string{fp.Rails}, nil,
			[]string{"In Rails", "YAML.safe_load"}, nil},
		{"spring java", sniff.JavaSerialized, langJava, []string{fp.Spring}, nil,
			[]string{"In Spring", "ObjectInputStream", "jdk.serialFilter=!*", "activateDefaultTyping"}, nil},
		{"spring jackson", sniff.JSONTypeKey, langJava, []string{fp.Spring}, nil,
			[]string{"In Spring", "enableDefaultTyping", "Id.CLASS", "BasicPolymorphicTypeValidator"}, nil},
		{"aspnet json.net", sniff.JSONTypeKey, langDotNet, []string{fp.ASPNet}, nil,
			[]string{"In ASP.NET", "System.Text.Json", "TypeNameHandling.None", "BinaryFormatter is obsolete"}, nil},
		{"kestrel implies aspnet", sniff.JSONTypeKey, langDotNet, []string{fp.Kestrel}, nil,
			[]string{"In ASP.NET"}, nil},
		{"yaml of no known library on a flask stack", sniff.YAMLTags, langAny, []string{fp.Flask}, nil,
			[]string{"In Flask", "yaml.safe_load"}, nil},
		// A pickle relayed by an Express front end: Python advice, not JavaScript.
		{"pickle on express", sniff.PythonPickle, langPython, []string{fp.Express}, nil,
			[]string{"pickle.loads", "json.loads"}, []string{"In Express"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := remediation(tc.format, tc.lang, targetWith(tc.stack...), tc.dyn)
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("lacks %q:\n%s", w, got)
				}
			}
			for _, r := range tc.reject {
				if strings.Contains(got, r) {
					t.Errorf("should not contain %q:\n%s", r, got)
				}
			}
			if strings.Contains(got, "\n") || strings.Contains(got, "```") || strings.Contains(got, "#") && !strings.Contains(got, "USER#") && strings.Contains(got, "##") {
				t.Errorf("not plain one-paragraph text:\n%s", got)
			}
			if len(got) > 900 {
				t.Errorf("too long for a terminal (%d bytes):\n%s", len(got), got)
			}
		})
	}
}

func TestRemediation_UnknownStackGetsGenericAdvice(t *testing.T) {
	for _, tc := range []struct {
		format sniff.Format
		lang   lang
		want   string
	}{
		{sniff.PythonPickle, langPython, "Exchange JSON instead of pickles"},
		{sniff.JavaSerialized, langJava, "jdk.serialFilter=!*"},
		{sniff.PHPSerialized, langPHP, "JSON_THROW_ON_ERROR"},
		{sniff.RubyMarshal, langRuby, "Marshal.load"},
		{sniff.YAMLTags, langAny, "safe loader"},
		{sniff.JSONTypeKey, langAny, "Do not let the JSON choose its types"},
		{sniff.JSONTypeKey, langNode, "JSON.parse(v)"},
		{sniff.JSONTypeKey, langDotNet, "TypeNameHandling.None"},
	} {
		for _, tgt := range []*check.Target{nil, targetWith(), targetWith(fp.Nginx)} {
			got := remediation(tc.format, tc.lang, tgt, nil)
			if !strings.Contains(got, tc.want) {
				t.Errorf("%s/%s: lacks %q: %s", tc.format, tc.lang, tc.want, got)
			}
			for _, fw := range []string{"In Django", "In Flask", "In FastAPI", "In Express", "In Laravel", "In Rails", "In Spring", "In ASP.NET", "DynamoDB", "Redis"} {
				if strings.Contains(got, fw) {
					t.Errorf("%s/%s: generic advice names %q: %s", tc.format, tc.lang, fw, got)
				}
			}
		}
	}
}

func TestMatchLang(t *testing.T) {
	for _, tc := range []struct {
		f      sniff.Format
		detail string
		want   lang
	}{
		{sniff.JSONTypeKey, "JSON type indicators: Json.NET $type ×2", langDotNet},
		{sniff.JSONTypeKey, "JSON type indicators: jsonpickle py/ keys ×1", langPython},
		{sniff.JSONTypeKey, "JSON type indicators: Jackson/fastjson @class/@type ×1", langJava},
		{sniff.JSONTypeKey, "JSON type indicators: node-serialize _$$ND_FUNC$$_ ×1", langNode},
		{sniff.JSONTypeKey, "JSON type indicators: jsonpickle py/ keys ×1, Json.NET $type ×1", langAny},
		{sniff.YAMLTags, "YAML: 1 language tag, first !!python/object/apply → os.system", langPython},
		{sniff.YAMLTags, "YAML: 2 language tags, first !ruby/object → Gem::Installer", langRuby},
		{sniff.YAMLTags, "YAML: 1 language tag, first !!javax.script.ScriptEngineManager", langJava},
		{sniff.PythonPickle, "", langPython},
		{sniff.RubyMarshal, "", langRuby},
	} {
		if got := matchLang(tc.f, tc.detail); got != tc.want {
			t.Errorf("matchLang(%s, %q) = %q, want %q", tc.f, tc.detail, got, tc.want)
		}
	}
	if canaryLang(canary.NodeSerialize) != langNode || canaryLang(canary.Jackson) != langJava || canaryLang(canary.JSONNet) != langDotNet {
		t.Error("canaryLang")
	}
}

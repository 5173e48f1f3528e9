package deser

import (
	"strings"

	"github.com/parapet-scanner/parapet/internal/check"
	"github.com/parapet-scanner/parapet/internal/check/deser/canary"
	fp "github.com/parapet-scanner/parapet/internal/fingerprint"
	"github.com/parapet-scanner/parapet/internal/sniff"
)

// lang is the language whose deserializer a value is meant for.
type lang string

const (
	langAny    lang = "" // YAML or JSON type keys of no known library
	langPython lang = "python"
	langJava   lang = "java"
	langPHP    lang = "php"
	langRuby   lang = "ruby"
	langNode   lang = "node"
	langDotNet lang = "dotnet"
)

// Stores that the stack-specific advice knows.
const (
	storeRedis = "redis"
	storeSQL   = "sql"
)

// matchLang returns the language of a sniffed value: the format's own, or,
// for YAML tags and JSON type keys, the library the tags or keys belong to.
func matchLang(f sniff.Format, detail string) lang {
	switch f {
	case sniff.PythonPickle:
		return langPython
	case sniff.JavaSerialized:
		return langJava
	case sniff.PHPSerialized:
		return langPHP
	case sniff.RubyMarshal:
		return langRuby
	case sniff.YAMLTags:
		switch {
		case strings.Contains(detail, "python/"):
			return langPython
		case strings.Contains(detail, "ruby/"):
			return langRuby
		case strings.Contains(detail, "!!java") || strings.Contains(detail, "!!javax") || strings.Contains(detail, "!!com.") || strings.Contains(detail, "!!org."):
			return langJava
		}
	case sniff.JSONTypeKey:
		// The detail counts each library's keys; one library alone names
		// the language.
		var found []lang
		for _, c := range []struct {
			key string
			l   lang
		}{{"jsonpickle", langPython}, {"Json.NET", langDotNet}, {"Jackson", langJava}, {"node-serialize", langNode}} {
			if strings.Contains(detail, c.key) {
				found = append(found, c.l)
			}
		}
		if len(found) == 1 {
			return found[0]
		}
	}
	return langAny
}

// canaryLang is the language of the deserializer a canary kind proves.
func canaryLang(k canary.Kind) lang {
	switch k {
	case canary.Pickle, canary.YAMLPython, canary.Jsonpickle:
		return langPython
	case canary.Java, canary.Jackson, canary.YAMLJava:
		return langJava
	case canary.PHP:
		return langPHP
	case canary.YAMLRuby, canary.RubyMarshal:
		return langRuby
	case canary.JSONNet:
		return langDotNet
	case canary.NodeSerialize:
		return langNode
	}
	return langAny
}

// stackFix is the advice for one fingerprinted framework or language.
type stackFix struct {
	ids  []string // fingerprint ids, any of which selects this fix
	lang lang
	fix  func(f sniff.Format, l lang) string
}

// stackFixes are tried in order, frameworks before their language: a
// pickle on a Django target gets Django's fix; a pickle seen on an Express
// target (a front end relaying it to a Python service) gets the generic
// Python fix, not advice about JavaScript code that does not unpickle.
var stackFixes = []stackFix{
	{[]string{fp.Django}, langPython, djangoFix},
	{[]string{fp.Flask}, langPython, flaskFix},
	{[]string{fp.FastAPI}, langPython, fastAPIFix},
	{[]string{fp.Python, fp.Gunicorn, fp.Uvicorn, fp.Werkzeug, fp.WSGIRef, fp.ModWSGI, fp.Hypercorn, fp.Daphne, fp.Waitress}, langPython, langFix(langPython)},
	{[]string{fp.Express}, langNode, expressFix},
	{[]string{fp.Node, fp.NextJS}, langNode, langFix(langNode)},
	{[]string{fp.Laravel}, langPHP, laravelFix},
	{[]string{fp.PHP, fp.Symfony, fp.HHVM}, langPHP, langFix(langPHP)},
	{[]string{fp.Rails}, langRuby, railsFix},
	{[]string{fp.Ruby, fp.Puma, fp.WEBrick, fp.Passenger}, langRuby, langFix(langRuby)},
	{[]string{fp.Spring}, langJava, springFix},
	{[]string{fp.Java, fp.Tomcat, fp.Jetty, fp.Undertow, fp.WildFly, fp.JBoss, fp.GlassFish, fp.Servlet, fp.JSP}, langJava, langFix(langJava)},
	{[]string{fp.ASPNet, fp.Kestrel, fp.ASPNetMVC, fp.IIS, fp.HTTPSys}, langDotNet, aspnetFix},
}

// langFix is the generic fix of a language, for a stack known only by its
// language or server.
func langFix(l lang) func(sniff.Format, lang) string {
	return func(f sniff.Format, _ lang) string { return genericFix(f, l) }
}

func (s stackFix) on(t *check.Target) bool {
	for _, id := range s.ids {
		if t.Has(id) {
			return true
		}
	}
	return false
}

// remediation returns fix advice for a serialized value of format f meant
// for language l: a short fix with code for the fingerprinted stack, then,
// when the value is kept in a store (DynamoDB, Redis, SQL), how to store it
// safely. With no stack known it is the format's generic advice.
func remediation(f sniff.Format, l lang, t *check.Target, dyn *dynamoAttr) string {
	fix, fixLang := "", l
	for _, s := range stackFixes {
		// A value of a known language gets the fix of a stack in that
		// language; YAML or JSON type keys of no known library get the
		// fix of whatever stack was fingerprinted.
		if (l == langAny || s.lang == l) && s.on(t) {
			fix, fixLang = s.fix(f, l), s.lang
			break
		}
	}
	if fix == "" {
		fix = genericFix(f, l)
	}
	if st := storeOf(t, dyn); st != "" {
		if s := storeFix(st, fixLang); s != "" {
			fix += " " + s
		}
	}
	return fix
}

// storeOf names the store the application keeps objects in: DynamoDB when
// the value sat in DynamoDB wire format or the stack includes DynamoDB,
// else Redis or an SQL database the stack revealed, else "".
func storeOf(t *check.Target, dyn *dynamoAttr) string {
	switch {
	case dyn != nil || t.Has(fp.DynamoDB):
		return storeDynamoDB
	case t.Has(fp.Redis):
		return storeRedis
	case t.Has(fp.PostgreSQL) || t.Has(fp.MySQL) || t.Has(fp.SQLite) || t.Has(fp.MSSQL) || t.Has(fp.Oracle):
		return storeSQL
	}
	return ""
}

// dynamoIAM is the least-privilege advice for objects kept in DynamoDB.
const dynamoIAM = "Whoever can write the item controls what every reader restores: give the roles that read the table no write permission, " +
	"use a separate role for each writer, and narrow writers with the condition keys `dynamodb:LeadingKeys` and `dynamodb:Attributes`."

func storeFix(store string, l lang) string {
	switch store {
	case storeDynamoDB:
		typed := map[lang]string{
			langPython: "In DynamoDB store JSON or typed attributes, not a pickled `B` attribute: `TypeSerializer().serialize(profile.model_dump())` on write, `TypeDeserializer().deserialize(item[\"profile\"])` and the same schema validation on read.",
			langNode:   "In DynamoDB store typed attributes, not serialized blobs: `marshall(profile)` on write, `unmarshall(item)` and the same schema validation on read (@aws-sdk/util-dynamodb).",
			langPHP:    "In DynamoDB store typed attributes, not serialized strings: `$marshaler->marshalItem($data)` on write, `$marshaler->unmarshalItem($item)` and the same validation on read (Aws\\DynamoDb\\Marshaler).",
			langRuby:   "In DynamoDB store plain attribute hashes (`client.put_item(table_name: t, item: profile.to_h)`), not Marshal dumps, and validate what `get_item` returns.",
			langJava:   "In DynamoDB store typed attributes (DynamoDbEnhancedClient with a `@DynamoDbBean` DTO) or a JSON string, not serialized objects, and validate on read.",
			langDotNet: "In DynamoDB store typed attributes (`DynamoDBContext` with a POCO, or `Document.FromJson(json)`), not BinaryFormatter output, and validate on read.",
		}[l]
		if typed == "" {
			typed = "In DynamoDB store JSON or typed attributes (boto3's TypeSerializer/TypeDeserializer, the SDKs' marshallers), not serialized objects in `B` attributes, and validate every item on read."
		}
		return typed + " " + dynamoIAM
	case storeRedis:
		return map[lang]string{
			langPython: "In Redis cache `json.dumps(data)`, not pickles (django-redis: `\"SERIALIZER\": \"django_redis.serializers.json.JSONSerializer\"`), and validate after `json.loads`.",
			langNode:   "In Redis cache `JSON.stringify(data)` and validate after `JSON.parse`.",
			langPHP:    "In Redis cache `json_encode($data)`, not `serialize()` (phpredis: `Redis::OPT_SERIALIZER` = `Redis::SERIALIZER_JSON`), and validate after decoding.",
			langRuby:   "In Redis cache `data.to_json`, not `Marshal.dump`, and validate after `JSON.parse`.",
			langJava:   "In Redis use a JSON serializer for your DTOs (Spring Data Redis: `Jackson2JsonRedisSerializer<CartDto>`, not `JdkSerializationRedisSerializer`).",
			langDotNet: "In Redis cache `JsonSerializer.Serialize(dto)` and validate after deserializing it into the DTO.",
		}[l]
	case storeSQL:
		return map[lang]string{
			langPython: "In SQL use a JSON column (`models.JSONField`, SQLAlchemy `JSON`) instead of pickled blobs (`PickleType`, PickledObjectField), and validate on read.",
			langPHP:    "In SQL store `json_encode($data)` in a JSON column, not `serialize()` output, and validate on read.",
			langRuby:   "In SQL use a JSON column or `serialize :prefs, coder: JSON`, not YAML or Marshal coders, and validate on read.",
			langJava:   "In SQL store JSON (a JSON column mapped to a DTO), not serialized objects in BLOB columns, and validate on read.",
			langNode:   "In SQL store JSON in a JSON column and validate on read.",
			langDotNet: "In SQL store JSON in a JSON column, not BinaryFormatter blobs, and validate on read.",
		}[l]
	}
	return ""
}

// genericFix is the advice for a format when the stack is unknown (or only
// the language is).
func genericFix(f sniff.Format, l lang) string {
	switch {
	case f == sniff.YAMLTags && l == langPython:
		return "Load YAML with `yaml.safe_load(text)`, never `yaml.load(text, Loader=yaml.Loader)` or `yaml.unsafe_load`, and validate the result against a schema (pydantic, jsonschema); better, accept JSON."
	case f == sniff.YAMLTags && l == langRuby:
		return "Load YAML with `YAML.safe_load(text)` (Psych, no permitted classes), never `YAML.unsafe_load` or `YAML.load` on Psych < 4, and validate the result; better, accept JSON."
	case f == sniff.YAMLTags && l == langJava:
		return "Load YAML with `new Yaml(new SafeConstructor(new LoaderOptions()))` (SnakeYAML), never the default constructor, and map it to a DTO; better, accept JSON."
	case f == sniff.YAMLTags:
		return "Load YAML from clients with a safe loader that refuses language tags: `yaml.safe_load` (Python), `YAML.safe_load` (Ruby), SnakeYAML's `SafeConstructor` (Java); better, accept JSON validated against a schema."
	case f == sniff.JSONTypeKey && l == langPython:
		return "Replace `jsonpickle.decode(text)` with `json.loads(text)` validated by a schema (`Profile.model_validate_json(text)` with pydantic); jsonpickle imports and calls whatever the JSON names."
	case f == sniff.JSONTypeKey && l == langJava:
		return "Keep Jackson's default typing off (no `activateDefaultTyping`/`enableDefaultTyping`, no `@JsonTypeInfo(use = Id.CLASS)`) and read DTOs: `mapper.readValue(json, CartDto.class)`; for polymorphism use `Id.NAME` with `@JsonSubTypes` or a `BasicPolymorphicTypeValidator` allow-list."
	case f == sniff.JSONTypeKey && l == langAny:
		return "Do not let the JSON choose its types: Json.NET `TypeNameHandling = TypeNameHandling.None`, Jackson without default typing, `json.loads` instead of `jsonpickle.decode`, `JSON.parse` instead of node-serialize's `unserialize`; validate what you parse against a schema."
	}
	switch l {
	case langPython:
		return "Exchange JSON instead of pickles: replace `pickle.loads(data)` with `json.loads(data)` validated by a schema (`Profile.model_validate_json(data)` with pydantic, or jsonschema); sign what the client carries (itsdangerous `URLSafeTimedSerializer(key).loads(v, max_age=3600)`) or keep objects server-side behind an opaque id."
	case langJava:
		return "Replace `new ObjectInputStream(in).readObject()` with JSON mapped to a DTO (`mapper.readValue(body, CartDto.class)`, Jackson without default typing); until it is gone, reject every class with `-Djdk.serialFilter=!*` or allow only your DTOs (`com.example.dto.*;!*`)."
	case langPHP:
		return "Replace `unserialize($v)` with `json_decode($v, true, 16, JSON_THROW_ON_ERROR)` and validate the fields you use; `unserialize($v, ['allowed_classes' => false])` is only a stopgap. Sign what the client carries and check `hash_equals(hash_hmac('sha256', $v, $key), $mac)` before decoding."
	case langRuby:
		return "Replace `Marshal.load(Base64.decode64(v))` with `JSON.parse(v)` and validate it; never `Marshal.load` client data. Rack sessions: `use Rack::Session::Cookie, secret: ENV['SESSION_SECRET'], coder: Rack::Session::Cookie::Base64::JSON.new`."
	case langNode:
		return "Replace `serialize.unserialize(v)` with `JSON.parse(v)` validated by a schema (zod `Profile.parse(JSON.parse(v))`, or ajv); node-serialize, funcster and similar libraries evaluate functions, never use them on client data."
	case langDotNet:
		return "Deserialize into a DTO with System.Text.Json (`JsonSerializer.Deserialize<CartDto>(json)`), or keep Json.NET's `TypeNameHandling = TypeNameHandling.None` (or an `ISerializationBinder` allow-list); remove BinaryFormatter, LosFormatter, SoapFormatter and NetDataContractSerializer, which are obsolete and unsafe by design."
	}
	return "Exchange plain JSON validated against a schema instead of serialized objects; keep objects that must be cached on the server and hand the client only an opaque random id."
}

func djangoFix(f sniff.Format, l lang) string {
	switch {
	case f == sniff.YAMLTags:
		return "In Django, replace `yaml.load(text, Loader=yaml.Loader)` with `yaml.safe_load(text)`, or accept JSON, and validate the result (a form, DRF serializer or pydantic model)."
	case f == sniff.JSONTypeKey && l == langPython:
		return "In Django, replace `jsonpickle.decode(value)` with `signing.loads(value, salt=\"profile\", max_age=3600)` (django.core.signing: signed JSON) and validate it, e.g. `Profile.model_validate(data)` (pydantic) or a DRF serializer."
	}
	return "In Django, replace `pickle.loads(base64.urlsafe_b64decode(value))` with `data = signing.loads(value, salt=\"profile\", max_age=3600)` (django.core.signing: signed JSON) and validate it, e.g. `Profile.model_validate(data)` (pydantic) or a DRF serializer; keep `SESSION_SERIALIZER = \"django.contrib.sessions.serializers.JSONSerializer\"`."
}

func flaskFix(f sniff.Format, l lang) string {
	if f == sniff.YAMLTags {
		return "In Flask, replace `yaml.load(request.data, Loader=yaml.Loader)` with `yaml.safe_load(request.data)`, or accept `request.get_json()`, and validate the result (pydantic or jsonschema)."
	}
	call := "pickle.loads(value)"
	if f == sniff.JSONTypeKey && l == langPython {
		call = "jsonpickle.decode(value)"
	}
	return "In Flask, replace `" + call + "` with `data = URLSafeTimedSerializer(app.secret_key, salt=\"profile\").loads(value, max_age=3600)` (itsdangerous: signed JSON) and validate it (`Profile.model_validate(data)` with pydantic, or jsonschema); Flask's own session is already signed JSON."
}

func fastAPIFix(f sniff.Format, l lang) string {
	call := "pickle.loads(raw)"
	switch {
	case f == sniff.YAMLTags:
		call = "yaml.load(raw, Loader=yaml.Loader)"
	case f == sniff.JSONTypeKey && l == langPython:
		call = "jsonpickle.decode(raw)"
	}
	return "In FastAPI, declare the value as a pydantic model and parse it with `Profile.model_validate_json(raw)` instead of `" + call + "`; if the client must carry it, sign it (`URLSafeTimedSerializer(SECRET, salt=\"profile\").loads(raw, max_age=3600)`) and validate the result."
}

func expressFix(sniff.Format, lang) string {
	return "In Express, exchange signed JSON: `app.use(cookieParser(process.env.COOKIE_SECRET))`, `res.cookie('profile', JSON.stringify(p), { signed: true, httpOnly: true })`, " +
		"then `Profile.parse(JSON.parse(req.signedCookies.profile))` (zod, or ajv) to read it. Never use node-serialize's `unserialize` (or funcster, serialize-to-js): they evaluate functions."
}

func laravelFix(sniff.Format, lang) string {
	return "In Laravel, replace `unserialize($value)` with `$data = json_decode($value, true, 16, JSON_THROW_ON_ERROR);` then `Validator::make($data, [...])->validate();`; " +
		"store structured data with JSON casts (`protected $casts = ['cart' => 'array'];`), keep `protected static $serialize = false;` in EncryptCookies and APP_KEY secret. " +
		"`unserialize($value, ['allowed_classes' => false])` is only a stopgap."
}

func railsFix(f sniff.Format, _ lang) string {
	if f == sniff.YAMLTags {
		return "In Rails, replace `YAML.load`/`YAML.unsafe_load` with `YAML.safe_load(text)`, or accept JSON with strong parameters, and use `serialize :prefs, coder: JSON` for stored attributes."
	}
	return "In Rails, replace `Marshal.load(Base64.decode64(value))` with `JSON.parse(value)` and strong parameters, or verify it: `ActiveSupport::MessageVerifier.new(secret, serializer: JSON).verify(value)`; " +
		"set `config.action_dispatch.cookies_serializer = :json`, and never `Marshal.load` client data."
}

func springFix(f sniff.Format, l lang) string {
	switch {
	case f == sniff.YAMLTags:
		return "In Spring, load YAML with `new Yaml(new SafeConstructor(new LoaderOptions()))`, or accept JSON bound to a DTO (`@RequestBody @Valid CartDto cart`)."
	case f == sniff.JSONTypeKey:
		return "In Spring, bind JSON to DTOs (`@RequestBody @Valid CartDto cart`) with Jackson's default typing off: no `activateDefaultTyping`/`enableDefaultTyping`, no `@JsonTypeInfo(use = Id.CLASS)`; " +
			"for polymorphism use `Id.NAME` with `@JsonSubTypes` or a `BasicPolymorphicTypeValidator` allow-list."
	}
	return "In Spring, replace `new ObjectInputStream(in).readObject()` with JSON bound to a DTO (`@RequestBody @Valid CartDto cart`, Jackson without `activateDefaultTyping`), and remove HttpInvoker/RMI endpoints; " +
		"until it is gone, start the JVM with `-Djdk.serialFilter=!*` (or allow only your DTOs: `com.example.dto.*;!*`)."
}

func aspnetFix(sniff.Format, lang) string {
	return "In ASP.NET, bind DTOs with System.Text.Json (`[FromBody] CartDto cart` or `JsonSerializer.Deserialize<CartDto>(json)`, with validation attributes); " +
		"in Json.NET keep `TypeNameHandling = TypeNameHandling.None` (or an `ISerializationBinder` allow-list). BinaryFormatter is obsolete and unsafe: remove it, with LosFormatter and NetDataContractSerializer."
}

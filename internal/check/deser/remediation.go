package deser

import (
	"github.com/parapet-scanner/parapet/internal/check"
	"github.com/parapet-scanner/parapet/internal/sniff"
)

// remediation returns fix advice for the format, specific to the stack when
// the scan fingerprinted it.
func remediation(f sniff.Format, t *check.Target) string {
	has := t.Has
	switch f {
	case sniff.PythonPickle:
		base := "Never unpickle data a client can reach: pickle.loads runs code chosen by whoever wrote the bytes, and signing only helps while the key stays secret. " +
			"Exchange plain JSON instead and validate it against a schema (pydantic, jsonschema or marshmallow) before use. "
		switch {
		case has("django"):
			return base + "In Django: replace pickle.loads/dumps with json (or django.core.signing.dumps/loads, which use JSON) plus schema validation; " +
				"keep SESSION_SERIALIZER = 'django.contrib.sessions.serializers.JSONSerializer' (PickleSerializer is removed in Django 5.0); " +
				"store model state in DynamoDB as JSON or typed attributes (boto3's TypeSerializer), not as pickled Binary attributes, " +
				"and re-validate what you read back from the store."
		case has("flask") || has("werkzeug"):
			return base + "In Flask: keep session data JSON (Flask's default itsdangerous serializer), and do not put pickled objects in cookies, hidden fields or caches the client can write."
		case has("fastapi"):
			return base + "In FastAPI: declare the state as a pydantic model and let the framework parse JSON into it."
		}
		return base + "If objects must be cached server-side, keep them server-side and hand the client only an opaque random id."
	case sniff.JavaSerialized:
		base := "Do not deserialize client-supplied Java objects. Replace ObjectInputStream on request data with JSON mapped to explicit DTOs (Jackson without default typing). " +
			"Where Java serialization cannot be removed yet, install an ObjectInputFilter (JEP 290, jdk.serialFilter) that allows only the expected classes and rejects everything else. "
		if has("spring") {
			return base + "In Spring: remove HttpInvoker/RMI endpoints and any custom HttpMessageConverter that reads application/x-java-serialized-object."
		}
		return base
	case sniff.PHPSerialized:
		base := "Do not call unserialize() on client data: object injection runs magic methods (__wakeup, __destruct) of any loaded class. Use json_encode/json_decode instead. " +
			"If unserialize() must stay for now, call it with ['allowed_classes' => false] and sign the value with hash_hmac, verifying with hash_equals before decoding. "
		if has("laravel") {
			return base + "In Laravel: store structured data as JSON casts, and keep APP_KEY secret and rotated; encrypted cookies must not carry serialized objects."
		}
		return base
	case sniff.YAMLTags:
		base := "Load YAML from clients with a safe loader only, which refuses language tags: yaml.safe_load in Python (never yaml.load with the full or unsafe Loader), " +
			"Psych.safe_load in Ruby, SnakeYAML's SafeConstructor in Java. Better, accept JSON validated against a schema. "
		if has("rails") {
			return base + "In Rails: use YAML.safe_load with permitted_classes limited to plain data, and avoid serialize :column with YAML coders for client data."
		}
		return base
	case rubyMarshal:
		base := "Never call Marshal.load on data a client can reach: it rebuilds any class named in the bytes and runs its marshal_load or _load. Exchange JSON instead and validate it. "
		if has("rails") {
			return base + "In Rails: set config.action_dispatch.cookies_serializer = :json, use MessageVerifier/MessageEncryptor with serializer: JSON, and keep secret_key_base secret and rotated."
		}
		return base + "With Rack::Session::Cookie, configure a JSON coder (or keep sessions server-side) and keep the secret long, random and rotated."
	case sniff.JSONTypeKey:
		return "Do not let clients choose the types a JSON document becomes. Json.NET: keep TypeNameHandling = None (or use a SerializationBinder allow-list). " +
			"Jackson: do not enable default typing or @JsonTypeInfo(use = Id.CLASS) for client data; use a PolymorphicTypeValidator allow-list. " +
			"jsonpickle: replace jsonpickle.decode with json.loads plus schema validation. node-serialize: replace unserialize with JSON.parse; it evaluates functions."
	}
	return "Do not deserialize data a client can reach; exchange plain JSON validated against a schema."
}

// Writes node-serialize positive samples for internal/sniff.
//   (cd /tmp/nodeser && npm install node-serialize@0.0.4) && NODE_PATH=/tmp/nodeser/node_modules node gen_node.js
// node-serialize marks functions with _$$ND_FUNC$$_ and eval()s them in
// unserialize(); the samples are its real serialize() output.
const fs = require("fs");
const path = require("path");
const serialize = require("node-serialize");

const out = path.join(__dirname, "..", "positive");
const lines = [];
function put(file, value, enc, how) {
  fs.writeFileSync(path.join(out, file), value);
  lines.push(JSON.stringify({ classes: [], encoding: enc, exact: true, file, format: "json-type-indicator",
    how: how + " (node-serialize 0.0.4)", strong: true }));
}
const obj = { user: "bob", admin: false, greet: function () { return "hi " + this.user; } };
const s = serialize.serialize(obj);
put("node_serialize.json", s, "raw", "serialize.serialize({user, admin, greet: function})");
put("node_serialize.b64", Buffer.from(s).toString("base64"), "base64",
  "base64 of serialize.serialize({user, admin, greet: function}) (a cookie value)");
put("node_serialize_field.txt", JSON.parse(s).greet, "raw",
  "the greet field's string value alone, as a JSON field sniffer would pass it");
fs.writeFileSync(path.join(out, "node.manifest.jsonl"), lines.join("\n") + "\n");
console.log("node samples written");

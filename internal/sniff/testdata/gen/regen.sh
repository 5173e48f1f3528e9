#!/bin/sh
# Regenerates the committed corpus. See README.md for the tools it needs.
set -eu
cd "$(dirname "$0")"
rm -f ../positive/* ../negative/*
/usr/bin/python3 gen_pickle.py
/usr/bin/python3 gen_text.py
/usr/bin/python3 gen_negative.py
go run gen_images.go
php gen_php.php
ruby gen_ruby.rb
ruby gen_ruby_marshal.rb
tmp=$(mktemp -d)
javac -d "$tmp" Gen.java && java -cp "$tmp" Gen
CP=/usr/share/java/jackson-databind.jar:/usr/share/java/jackson-core.jar:/usr/share/java/jackson-annotations.jar
javac -cp "$CP" -d "$tmp" GenJackson.java && java -cp "$CP:$tmp" GenJackson >/dev/null
if [ ! -d "$tmp/node_modules/node-serialize" ]; then
	(cd "$tmp" && npm install --no-audit --no-fund --silent node-serialize@0.0.4)
fi
NODE_PATH="$tmp/node_modules" node gen_node.js
mcs -out:"$tmp/GenNrbf.exe" GenNrbf.cs && mono "$tmp/GenNrbf.exe"
rm -rf "$tmp"

# Writes Psych (Ruby YAML) positive samples for internal/sniff.
#   ruby gen_ruby.rb
# Expected classes are the Ruby classes dumped.
require "yaml"
require "json"
require "base64"
require "set"

module Shop
  class Profile
    def initialize
      @name = "alice"
      @roles = ["admin"]
      @address = Address.new
    end
  end
  class Address
    def initialize
      @city = "Springfield"
    end
  end
  class Prefs < Hash
  end
end

OUT = File.join(__dir__, "..", "positive")
lines = []
put = lambda do |file, value, enc, classes, how|
  File.binwrite(File.join(OUT, file), value)
  lines << JSON.generate({ "classes" => classes, "encoding" => enc, "exact" => true, "file" => file,
                           "format" => "yaml-tags", "how" => how + " (Ruby #{RUBY_VERSION}, Psych #{Psych::VERSION})",
                           "strong" => true })
end

doc = YAML.dump({ "profile" => Shop::Profile.new, "at" => Time.at(0).utc })
put.call("ruby_object.yaml", doc, "raw", ["Shop::Profile", "Shop::Address"], "YAML.dump(hash with Shop::Profile)")
prefs = Shop::Prefs.new
prefs["theme"] = "dark"
doc = YAML.dump(prefs)
put.call("ruby_hash.yaml", doc, "raw", ["Shop::Prefs"], "YAML.dump(Shop::Prefs < Hash)")
put.call("ruby_object.b64", Base64.strict_encode64(YAML.dump(Shop::Profile.new)), "base64",
         ["Shop::Profile", "Shop::Address"], "Base64.strict_encode64(YAML.dump(Shop::Profile.new))")
File.write(File.join(OUT, "ruby.manifest.jsonl"), lines.join("\n") + "\n")
puts "ruby samples written"

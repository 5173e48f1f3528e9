# Writes Ruby Marshal (format 4.8) samples for internal/sniff:
#   ../positive/marshal_*            + ../positive/marshal.manifest.jsonl
#   ../negative/ruby_marshal.txt     benign look-alikes (random bytes behind
#                                    04 08, short BAh tokens, JSON-signed and
#                                    encrypted Rails/Rack values)
# Run from this directory: ruby gen_ruby_marshal.rb
# Needs Debian's ruby (3.1), ruby-rack and ruby-activesupport.
#
# Every positive sample is Marshal.dump output of real objects (or real
# Rack/ActiveSupport output around it). The expected classes are the ones
# the generator dumped, listed in the order Marshal.dump writes them
# (pre-order: an object's class before its instance variables); `exact`
# is false where a library object adds classes of its own. Each sample is
# checked with Marshal.load before it is written.
require "base64"
require "bigdecimal"
require "cgi"
require "date"
require "json"
require "set"
require "stringio"
require "zlib"
require "rack"
require "rack/session/cookie"
require "active_support"
require "active_support/message_verifier"
require "active_support/message_encryptor"

module Shop
  class Address
    def initialize(city)
      @city = city
      @zip = "62704"
    end
  end

  class Profile
    def initialize
      @name = "alice"
      @roles = [:admin, :editor, :admin]
      @address = Address.new("Springfield")
      @visits = 1 << 40                # a Bignum on the wire
      @score = 9.75
      @tags = { "vip" => true, :since => 2019 }
    end
  end

  CartLine = Struct.new(:sku, :qty, :price)

  class Cart
    def initialize
      line = CartLine.new("MUG-001", 2, BigDecimal("12.50"))
      @lines = [line, line, CartLine.new("TEE-XL", 1, BigDecimal("19.00"))] # the repeat is an '@' link
      @updated_at = Time.at(1_700_000_000, in: "UTC")
      @coupon = nil
    end
  end

  class Tag < String; end
  class Settings < Hash; end
  module Tracking; end
end

# A class with a non-ASCII (UTF-8) name.
class Café
  def initialize
    @größe = "groß"
  end
end

OUT = File.join(__dir__, "..", "positive")
NEG = File.join(__dir__, "..", "negative")
lines = []
put = lambda do |file, value, enc, classes, how, exact: true, strong: true|
  File.binwrite(File.join(OUT, file), value)
  lines << JSON.generate({ "classes" => classes, "encoding" => enc, "exact" => exact, "file" => file,
                           "format" => "ruby-marshal", "how" => how + " (Ruby #{RUBY_VERSION})",
                           "strong" => strong })
end
gzip = lambda do |s|
  io = StringIO.new("".b)
  z = Zlib::GzipWriter.new(io)
  z.mtime = 0
  z.write(s)
  z.close
  io.string
end
load_ok = ->(d) { Marshal.load(d) }
# The encoding name the sniffer documents for URL-safe text: base64url when
# it uses '-' or '_' or omits padding, otherwise (the text is then also
# valid standard base64) base64.
url_label = ->(t) { t.match?(/[-_]/) || t.size % 4 != 0 ? "base64url" : "base64" }

# --- a user class with nested objects, symbols and links -----------------
profile = Marshal.dump(Shop::Profile.new)
load_ok.(profile)
pc = ["Shop::Profile", "Shop::Address"]
put.("marshal_profile.bin", profile, "raw", pc, "Marshal.dump(Shop::Profile.new)")
put.("marshal_profile.b64", Base64.strict_encode64(profile), "base64", pc, "Base64.strict_encode64(Marshal.dump(Shop::Profile.new))")
put.("marshal_profile.b64url", Base64.urlsafe_encode64(profile), url_label.(Base64.urlsafe_encode64(profile)), pc,
     "Base64.urlsafe_encode64(Marshal.dump(Shop::Profile.new)), padded")
put.("marshal_profile_nopad.b64url", Base64.urlsafe_encode64(profile, padding: false),
     url_label.(Base64.urlsafe_encode64(profile, padding: false)), pc,
     "Base64.urlsafe_encode64(..., padding: false)")
put.("marshal_profile.hex", profile.unpack1("H*"), "hex", pc, "Marshal.dump(...).unpack1('H*')")
put.("marshal_profile.pct", CGI.escape(profile), "percent", pc, "CGI.escape(Marshal.dump(Shop::Profile.new))")
put.("marshal_profile_b64.pct", CGI.escape(Base64.strict_encode64(profile)), "percent+base64", pc,
     "CGI.escape(Base64.strict_encode64(Marshal.dump(...)))")
put.("marshal_profile_gzip.b64", Base64.strict_encode64(gzip.(profile)), "base64+gzip", pc,
     "Base64.strict_encode64(gzip(Marshal.dump(...)))")
put.("marshal_profile_zlib.b64", Base64.strict_encode64(Zlib::Deflate.deflate(profile)), "base64+zlib", pc,
     "Base64.strict_encode64(Zlib::Deflate.deflate(Marshal.dump(...))) (Rails cache entries compress this way)")
put.("marshal_profile_gzip.hex", gzip.(profile).unpack1("H*"), "hex+gzip", pc, "gzip(Marshal.dump(...)).unpack1('H*')")

# --- Struct, _dump (BigDecimal, Time) and object links --------------------
cart = Marshal.dump(Shop::Cart.new)
load_ok.(cart)
raise "no link in the cart" unless cart.include?("@\x06") || cart.include?("@\x07") || cart.include?("@\x08")
put.("marshal_cart.b64", Base64.strict_encode64(cart), "base64", ["Shop::Cart", "Shop::CartLine", "BigDecimal", "Time"],
     "Marshal.dump(Shop::Cart) with Struct lines, BigDecimal (_dump), Time (_dump + ivars), a repeated line (@ link)")

# --- core and stdlib objects ------------------------------------------------
misc = {
  "range" => (1..10),
  "set" => Set[1, 2],
  "date" => Date.new(2024, 5, 1),
  "rational" => Rational(1, 3),
  "regexp" => /ab+c/ix,
  "error" => RuntimeError.new("boom"),
  "big" => -(2**70),
  "inf" => Float::INFINITY,
  "sym" => :"grüße",
  "bin" => "\xff\x00".b,
}
md = Marshal.dump(misc)
load_ok.(md)
put.("marshal_stdlib.b64", Base64.strict_encode64(md), "base64", ["Range", "Set", "Date", "Rational", "RuntimeError"],
     "Marshal.dump(Hash of Range, Set, Date, Rational, Regexp, RuntimeError, Bignum, Float, UTF-8 Symbol, binary String)",
     exact: false)
put.("marshal_stdlib.b64url", Base64.urlsafe_encode64(md), url_label.(Base64.urlsafe_encode64(md)),
     ["Range", "Set", "Date", "Rational", "RuntimeError"], "Base64.urlsafe_encode64 of the same Hash", exact: false)

# --- user subclasses (C), extended objects (e), class and module refs ------
tag = Shop::Tag.new("sale")
tag.instance_variable_set(:@color, "red")
settings = Shop::Settings.new
settings["theme"] = "dark"
tracked = Object.new
tracked.extend(Shop::Tracking)
defaults = Hash.new("n/a")
defaults[:lang] = "en"
sub = Marshal.dump([tag, settings, tracked, Shop::Profile, Shop::Tracking, defaults])
load_ok.(sub)
put.("marshal_subclasses.b64", Base64.strict_encode64(sub), "base64",
     ["Shop::Tag", "Shop::Settings", "Shop::Tracking", "Object", "Shop::Profile"],
     "Marshal.dump([String subclass with an ivar, Hash subclass, Object extended with a module, a class, a module, Hash with default])")

# --- plain data: a Rails-style session hash (no class at all) --------------
session = { "session_id" => "9f86d081884c7d659a2feaa0c55ad015", "_csrf_token" => "x" * 43, "user_id" => 42,
            "flash" => { "discard" => [], "flashes" => { "notice" => "Signed in." } } }
sd = Marshal.dump(session)
load_ok.(sd)
put.("marshal_session_hash.b64", Base64.strict_encode64(sd), "base64", [], "Marshal.dump(session Hash of Strings, Integer, nested Hash)")
str = Marshal.dump("hello world")
put.("marshal_string.b64", Base64.strict_encode64(str), "base64", [], "Marshal.dump(\"hello world\") (String with its encoding ivar)")

# --- deep nesting ------------------------------------------------------------
deep = Shop::Address.new("Shelbyville")
40.times { |i| deep = (i.even? ? [deep] : { "k" => deep }) }
dd = Marshal.dump(deep)
load_ok.(dd)
put.("marshal_nested.b64url", Base64.urlsafe_encode64(dd, padding: false), url_label.(Base64.urlsafe_encode64(dd, padding: false)),
     ["Shop::Address"],
     "Marshal.dump(Shop::Address nested in 40 alternating Arrays and Hashes), unpadded")

# --- non-ASCII class and instance variable names ---------------------------
cafe = Marshal.dump(Café.new)
load_ok.(cafe)
put.("marshal_utf8_class.b64", Base64.strict_encode64(cafe), "base64", ["Café"], "Marshal.dump(Café.new) (UTF-8 class and ivar names)")

# --- rubygems objects (marshal_dump) ---------------------------------------
gems = Marshal.dump([Gem::Version.new("3.1.2"), Gem::Requirement.new("~> 2.0")])
load_ok.(gems)
put.("marshal_gem_version.b64", Base64.strict_encode64(gems), "base64", ["Gem::Version", "Gem::Requirement"],
     "Marshal.dump([Gem::Version, Gem::Requirement]) (marshal_dump)")

# --- a cut stream ------------------------------------------------------------
put.("marshal_truncated.b64", Base64.strict_encode64(cart)[0, 80], "base64", ["Shop::Cart", "Shop::CartLine"],
     "first 80 characters of the cart sample (Marshal.load: marshal data too short)", strong: false)
begin
  Marshal.load(Base64.decode64(Base64.strict_encode64(cart)[0, 80]))
  raise "truncated sample loaded"
rescue ArgumentError => e
  raise e unless e.message.include?("too short")
end

# --- the class-not-found canary ---------------------------------------------
# Built by Marshal.dump itself: define the class, dump an instance, remove
# the constant; Marshal.load must then fail on the name before anything else.
Object.const_set(:ParapetCanary, Class.new)
canary = Marshal.dump(ParapetCanary.new)
Object.send(:remove_const, :ParapetCanary)
begin
  Marshal.load(canary)
  raise "canary loaded"
rescue ArgumentError => e
  raise "unexpected canary error: #{e.message}" unless e.message == "undefined class/module ParapetCanary"
end
put.("marshal_canary.b64", Base64.strict_encode64(canary), "base64", ["ParapetCanary"],
     "Marshal.dump of an instance of ParapetCanary (no ivars), constant removed afterwards; Marshal.load raises ArgumentError: undefined class/module ParapetCanary")

# --- Rack::Session::Cookie (Rack 2.2, default Base64::Marshal coder) --------
app = lambda do |env|
  env["rack.session"]["user_id"] = 42
  env["rack.session"]["cart"] = [1, 2, 3]
  [200, {}, ["ok"]]
end
res = Rack::Session::Cookie.new(app, secret: "s" * 64).call(Rack::MockRequest.env_for("/"))
cookie = res[1]["Set-Cookie"][/\Arack\.session=([^;]+)/, 1]
raise "no rack cookie" unless cookie
put.("marshal_rack_cookie.txt", cookie, CGI.unescape(cookie) == cookie ? "base64" : "percent+base64", ["Rack::Session::SessionId"],
     "Set-Cookie value of Rack::Session::Cookie (secret set: base64(Marshal)--hmac) around a session with user_id and cart (Rack #{Rack.release})")

# --- ActiveSupport::MessageVerifier with the Marshal serializer -------------
av = ActiveSupport::VERSION::STRING
verifier = ActiveSupport::MessageVerifier.new("k" * 64, serializer: Marshal)
signed = verifier.generate({ "user_id" => 7, "remember" => Shop::Address.new("Ogdenville") })
put.("marshal_rails_signed.txt", signed, "base64", ["Shop::Address"],
     "ActiveSupport::MessageVerifier(serializer: Marshal).generate(Hash with a Shop::Address) (Rails signed cookie, ActiveSupport #{av})")
put.("marshal_rails_signed.pct", CGI.escape(signed), CGI.escape(signed) == signed ? "base64" : "percent+base64", ["Shop::Address"],
     "the same signed value, CGI.escape'd as in a Set-Cookie header")
purposed = verifier.generate({ "user_id" => 7, "remember" => Shop::Address.new("Ogdenville") }, purpose: "cookie.remember_me")
put.("marshal_rails_purpose.txt", purposed, "base64+base64", ["Shop::Address"],
     "MessageVerifier#generate(..., purpose: 'cookie.remember_me'): base64 of the {\"_rails\":{\"message\":base64(Marshal)}} envelope, --digest (Rails 5.2+ cookies, ActiveSupport #{av})")

# --- embedded in a larger text ----------------------------------------------
html = %(<form method="post" action="/checkout"><input type="hidden" name="cart_state" value="#{Base64.strict_encode64(cart)}"><button>Pay</button></form>)
put.("marshal_embedded.html", html, "base64", ["Shop::Cart", "Shop::CartLine", "BigDecimal", "Time"],
     "base64 Marshal of the cart in a hidden form field of an HTML page")
json = JSON.generate({ "status" => "ok", "state" => Base64.strict_encode64(profile), "next" => "/api/v1/items?page=2" })
put.("marshal_embedded.json", json, "base64", pc, "base64 Marshal of the profile in a JSON field")

File.write(File.join(OUT, "marshal.manifest.jsonl"), lines.join("\n") + "\n")
puts "marshal: #{lines.size} positive samples"

# --- negative look-alikes ----------------------------------------------------
rng = Random.new(20240508)
neg = []
[["\x04\x08".b, 30], ["\x04\x08{".b, 10], ["\x04\x08[".b, 10], ["\x04\x08o:".b, 10], ["\x04\x08I\"".b, 10],
 ["\x04\x08u:".b, 5], ["\x04\x08c".b, 5], ["\x04\x08S:".b, 5]].each do |prefix, n|
  n.times do |i|
    b = prefix + rng.bytes(10 + rng.rand(90))
    neg << case i % 5
           when 0 then Base64.strict_encode64(b)
           when 1 then Base64.urlsafe_encode64(b, padding: false)
           when 2 then b.unpack1("H*")
           when 3 then CGI.escape(Base64.strict_encode64(b))
           else Base64.strict_encode64(b) + "--" + rng.bytes(20).unpack1("H*")
           end
  end
end
# Tokens that merely start with "BAh"/"BAg", and Marshal streams too short
# to be looked at (under 16 characters of base64).
alphabet = [*"A".."Z", *"a".."z", *"0".."9"]
20.times { neg << %w[BAh BAg].sample(random: rng) + Array.new(13 + rng.rand(30)) { alphabet.sample(random: rng) }.join }
[nil, true, 42, :a, [1], 1.5].each { |v| neg << Base64.strict_encode64(Marshal.dump(v)) }
neg << "0408" + rng.bytes(30).unpack1("H*")
# JSON-serialized signed and encrypted values (Rails 5.2+/7 defaults, Rack's JSON coder).
jv = ActiveSupport::MessageVerifier.new("k" * 64, serializer: JSON)
neg << jv.generate({ "user_id" => 7 })
neg << jv.generate({ "user_id" => 7 }, purpose: "cookie.user_id")
neg << CGI.escape(jv.generate({ "cart" => [1, 2], "flash" => { "notice" => "Saved" } }, purpose: "cookie.cart"))
enc = ActiveSupport::MessageEncryptor.new("e" * 32, cipher: "aes-256-gcm", serializer: Marshal)
neg << enc.encrypt_and_sign({ "user_id" => 7 })
neg << CGI.escape(enc.encrypt_and_sign({ "user_id" => 7 }, purpose: "cookie._app_session"))
res = Rack::Session::Cookie.new(app, secret: "s" * 64, coder: Rack::Session::Cookie::Base64::JSON.new)
                           .call(Rack::MockRequest.env_for("/"))
neg << res[1]["Set-Cookie"][/\Arack\.session=([^;]+)/, 1]
neg << "eyJ2IjoxLCJ1c2VyIjoiYWRhIn0--" + rng.bytes(32).unpack1("H*")
neg << "2024-04-08--" + rng.bytes(20).unpack1("H*")
neg << "release notes -- see https://example.com/changelog--v2 for details"
neg.each { |v| raise "newline in #{v.inspect}" if v.include?("\n") }
File.write(File.join(NEG, "ruby_marshal.txt"), neg.join("\n") + "\n")
puts "marshal: #{neg.size} negative values"

# frozen_string_literal: true

require 'base64'
require 'json'
require 'openssl'
require 'time'

# Raised for a session token the fixed variant refuses (answered with 400).
class BadSessionToken < StandardError; end

# vulnerable: token = Base64.urlsafe_encode64(Marshal.dump(session)) — restored with
# Marshal.load, i.e. the client chooses which objects get built (code execution by design).
class MarshalSessionCodec
  def encode(session)
    Base64.urlsafe_encode64(Marshal.dump(session))
  end

  def decode(token)
    obj = Marshal.load(Base64.urlsafe_decode64(token))
    # an old token of another shape: start a fresh guest session
    obj.is_a?(ShopSession) ? obj : ShopSession.guest
  end
end

# fixed: token = base64url(JSON) "--" hex(HMAC-SHA256(key, base64url(JSON))). The signature is
# checked in constant time before anything is parsed; the JSON document is then validated field
# by field and only plain values are used to build the session. Marshal is never called.
class SignedJsonSessionCodec
  KEYS = %w[v id user locale cart created_at].freeze
  USER_RE = /\A[a-z0-9_.-]{1,32}\z/
  ID_RE = /\A[0-9a-f]{16}\z/
  TOKEN_RE = /\A([A-Za-z0-9_-]{1,4096})--([0-9a-f]{64})\z/
  MAX_LINES = 50

  def initialize(key)
    raise ArgumentError, 'session signing key too short' if key.nil? || key.bytesize < 32

    @key = key
  end

  def encode(session)
    doc = { v: 1, id: session.id, user: session.user, locale: session.locale,
            cart: session.cart.map { |l| { sku: l.sku, qty: l.qty } }, created_at: session.created_at.to_i }
    payload = Base64.urlsafe_encode64(JSON.generate(doc), padding: false)
    "#{payload}--#{sign(payload)}"
  end

  def decode(token)
    m = TOKEN_RE.match(token.to_s) or raise BadSessionToken, 'malformed token'
    raise BadSessionToken, 'bad signature' unless OpenSSL.secure_compare(sign(m[1]), m[2])

    doc = begin
      JSON.parse(Base64.urlsafe_decode64(m[1]), max_nesting: 4)
    rescue JSON::ParserError, ArgumentError
      raise BadSessionToken, 'token is not JSON'
    end
    build(doc)
  end

  private

  def sign(payload)
    OpenSSL::HMAC.hexdigest('SHA256', @key, payload)
  end

  def build(doc)
    raise BadSessionToken, 'not an object' unless doc.is_a?(Hash) && doc.keys.sort == KEYS.sort
    raise BadSessionToken, 'bad version' unless doc['v'] == 1
    raise BadSessionToken, 'bad id' unless doc['id'].is_a?(String) && ID_RE.match?(doc['id'])
    raise BadSessionToken, 'bad user' unless doc['user'].is_a?(String) && USER_RE.match?(doc['user'])
    raise BadSessionToken, 'bad locale' unless ShopSession::LOCALES.include?(doc['locale'])
    raise BadSessionToken, 'bad created_at' unless doc['created_at'].is_a?(Integer) && doc['created_at'].between?(0, 2**40)

    cart = doc['cart']
    raise BadSessionToken, 'bad cart' unless cart.is_a?(Array) && cart.size <= MAX_LINES

    lines = cart.map do |l|
      unless l.is_a?(Hash) && l.keys.sort == %w[qty sku] && Catalog.include?(l['sku']) &&
             l['qty'].is_a?(Integer) && l['qty'].between?(1, 99)
        raise BadSessionToken, 'bad cart line'
      end

      CartLine.new(l['sku'], l['qty'])
    end
    ShopSession.new(id: doc['id'], user: doc['user'], locale: doc['locale'], cart: lines,
                    created_at: Time.at(doc['created_at']).utc)
  end
end

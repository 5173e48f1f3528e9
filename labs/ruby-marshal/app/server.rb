# frozen_string_literal: true

# Parapet lab: a small WEBrick JSON API whose session travels as a token in the
# X-Session-Token header (or the `session` query parameter).
#   ruby app/server.rb --port N     (binds 127.0.0.1 only; LAB_VARIANT=vulnerable|fixed)
# The vulnerable variant restores the token with Marshal.load (code execution by design):
# never bind it anywhere but 127.0.0.1.

require 'json'
require 'logger'
require 'optparse'
require 'webrick'
require_relative 'models'
require_relative 'session_codec'

VARIANT = ENV['LAB_VARIANT'] == 'fixed' ? 'fixed' : 'vulnerable'
HOST = '127.0.0.1'
port = Integer(ENV.fetch('LAB_PORT', '8741'))
OptionParser.new { |o| o.on('--port N', Integer) { |n| port = n } }.parse!

LOG = Logger.new($stderr)
CODEC = if VARIANT == 'fixed'
          SignedJsonSessionCodec.new(ENV.fetch('LAB_SESSION_SECRET', ''))
        else
          MarshalSessionCodec.new
        end
TOKEN_HEADER = 'X-Session-Token'

class NotFound < StandardError; end
class MethodNotAllowed < StandardError
  attr_reader :allow

  def initialize(allow)
    super('method not allowed')
    @allow = allow
  end
end
class Unprocessable < StandardError; end

# The shop API: a tiny router over WEBrick requests.
class ShopApp
  ROUTES = {
    '/' => %w[GET],
    '/health' => %w[GET],
    '/api/products' => %w[GET],
    '/api/session' => %w[GET POST DELETE],
    '/api/cart' => %w[GET POST DELETE]
  }.freeze

  def call(req, res)
    path = req.path == '/' ? '/' : req.path.chomp('/')
    methods = ROUTES[path] or raise NotFound
    raise MethodNotAllowed, methods unless methods.include?(req.request_method) || req.request_method == 'HEAD'

    status, body = route(req.request_method == 'HEAD' ? 'GET' : req.request_method, path, req, res)
    json(res, status, body)
  rescue NotFound
    json(res, 404, error: 'not found')
  rescue MethodNotAllowed => e
    res['Allow'] = e.allow.join(', ')
    json(res, 405, error: 'method not allowed')
  rescue Unprocessable => e
    json(res, 422, error: e.message)
  rescue BadSessionToken, JSON::ParserError => e
    LOG.warn("#{req.request_method} #{req.unparsed_uri}: 400 #{e.class}: #{e.message}")
    json(res, 400, error: 'bad request')
  rescue WEBrick::HTTPStatus::ClientError => e # e.g. a malformed query string
    LOG.warn("#{req.request_method} #{req.unparsed_uri}: 400 #{e.class}")
    json(res, 400, error: 'bad request')
  rescue StandardError => e
    # The full story goes to the log; the client only learns that something failed.
    LOG.error("#{req.request_method} #{req.unparsed_uri}: #{e.class}: #{e.message}\n  #{e.backtrace&.first(8)&.join("\n  ")}")
    json(res, 500, error: 'internal server error')
  end

  private

  def route(method, path, req, res)
    case [method, path]
    when ['GET', '/']
      [200, { name: 'Parapet shop session API (Ruby)',
              links: { products: '/api/products', session: '/api/session', cart: '/api/cart', health: '/health' },
              session: { header: TOKEN_HEADER, query: 'session' } }]
    when ['GET', '/health'] then [200, { status: 'ok' }]
    when ['GET', '/api/products'] then [200, { products: Catalog.all }]
    when ['GET', '/api/session']
      session = current_session(req)
      [200, session_view(session, res)]
    when ['POST', '/api/session']
      # demo sign-in: no password, a new session for the named user
      body = json_body(req)
      user = body['user'].to_s.downcase
      locale = body.fetch('locale', 'en')
      raise Unprocessable, 'user must be 1-32 of a-z 0-9 _ . -' unless SignedJsonSessionCodec::USER_RE.match?(user)
      raise Unprocessable, "locale must be one of #{ShopSession::LOCALES.join(', ')}" unless ShopSession::LOCALES.include?(locale)

      [201, session_view(ShopSession.new(user: user, locale: locale), res)]
    when ['DELETE', '/api/session'] then [200, session_view(ShopSession.guest, res)]
    when ['GET', '/api/cart']
      [200, cart_view(current_session(req), res)]
    when ['POST', '/api/cart']
      session = current_session(req)
      body = json_body(req)
      sku = body['sku']
      qty = body.fetch('qty', 1)
      raise Unprocessable, 'unknown sku' unless sku.is_a?(String) && Catalog.include?(sku)
      raise Unprocessable, 'qty must be an integer between 1 and 99' unless qty.is_a?(Integer) && qty.between?(1, 99)

      [201, cart_view(session.add(sku, qty), res)]
    when ['DELETE', '/api/cart']
      session = current_session(req)
      session.cart.clear
      [200, cart_view(session, res)]
    end
  end

  def current_session(req)
    token = req[TOKEN_HEADER]
    token = req.query['session'] if token.nil? || token.empty?
    return ShopSession.guest if token.nil? || token.empty?

    CODEC.decode(token.to_s)
  end

  def json_body(req)
    return {} if req.body.nil? || req.body.empty?

    doc = JSON.parse(req.body)
    doc.is_a?(Hash) ? doc : {}
  end

  def token_for(session, res)
    token = CODEC.encode(session)
    res[TOKEN_HEADER] = token
    token
  end

  def session_view(session, res)
    { session: session.to_h, session_token: token_for(session, res) }
  end

  def cart_view(session, res)
    { items: session.cart.map(&:to_h), total_cents: session.total_cents, currency: 'EUR',
      session_token: token_for(session, res) }
  end

  def json(res, status, body)
    res.status = status
    res['Content-Type'] = 'application/json; charset=utf-8'
    if VARIANT == 'fixed'
      res['X-Content-Type-Options'] = 'nosniff'
      res['Cache-Control'] = 'no-store'
    end
    res.body = "#{JSON.generate(body)}\n"
  end
end

app = ShopApp.new
server = WEBrick::HTTPServer.new(
  BindAddress: HOST, Port: port, DoNotReverseLookup: true,
  Logger: WEBrick::Log.new($stderr, WEBrick::Log::INFO),
  AccessLog: [[$stderr, WEBrick::AccessLog::COMMON_LOG_FORMAT]]
)
# Every method goes to the app (mount_proc would leave DELETE to WEBrick's HTML 405 page).
class AppServlet < WEBrick::HTTPServlet::AbstractServlet
  def service(req, res)
    @options.first.call(req, res)
  end
end
server.mount('/', AppServlet, app)
%w[TERM INT].each { |sig| trap(sig) { server.shutdown } }
LOG.info("ruby-marshal (#{VARIANT}) listening on http://#{HOST}:#{port}/")
server.start

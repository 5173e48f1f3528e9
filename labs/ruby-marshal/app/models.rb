# frozen_string_literal: true

require 'securerandom'

# Catalogue of the shop (prices in cents).
module Catalog
  PRODUCTS = {
    'MUG-001' => { name: 'Enamel camp mug', price_cents: 1450, stock: 31 },
    'TEE-014' => { name: 'Organic cotton tee', price_cents: 2400, stock: 12 },
    'BAG-007' => { name: 'Waxed canvas tote', price_cents: 5900, stock: 4 },
    'CAP-002' => { name: 'Six-panel cap', price_cents: 1900, stock: 0 }
  }.freeze

  def self.all
    PRODUCTS.map { |sku, p| { sku: sku, name: p[:name], price_cents: p[:price_cents], in_stock: p[:stock].positive? } }
  end

  def self.include?(sku)
    PRODUCTS.key?(sku)
  end

  def self.price(sku)
    PRODUCTS.fetch(sku)[:price_cents]
  end
end

# One line of the cart.
CartLine = Struct.new(:sku, :qty) do
  def subtotal_cents
    Catalog.price(sku) * qty
  end

  def to_h
    { sku: sku, name: Catalog::PRODUCTS.fetch(sku)[:name], qty: qty,
      price_cents: Catalog.price(sku), subtotal_cents: subtotal_cents }
  end
end

# The shopper's session: who they are, their locale and their cart. It travels to the client
# as a token (see session_codec.rb) and comes back on every request.
class ShopSession
  LOCALES = %w[en de fr es nl].freeze

  attr_reader :id, :user, :locale, :cart, :created_at

  def initialize(user: 'guest', locale: 'en', id: SecureRandom.hex(8), cart: [], created_at: Time.now.utc)
    @id = id
    @user = user
    @locale = locale
    @cart = cart
    @created_at = created_at
  end

  def self.guest
    new
  end

  def add(sku, qty)
    line = @cart.find { |l| l.sku == sku }
    if line
      line.qty += qty
    else
      @cart << CartLine.new(sku, qty)
    end
    self
  end

  def remove(sku)
    !@cart.reject! { |l| l.sku == sku }.nil?
  end

  def total_cents
    @cart.sum(&:subtotal_cents)
  end

  def guest?
    @user == 'guest'
  end

  def to_h
    { id: @id, user: @user, locale: @locale, guest: guest?, cart_count: @cart.sum(&:qty),
      created_at: @created_at.utc.iso8601 }
  end
end

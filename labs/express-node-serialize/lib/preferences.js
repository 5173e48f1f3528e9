'use strict';
// Shopper preferences kept client-side in the `prefs` cookie.
//
// vulnerable: the preferences object (including its price formatter function) is written with
// node-serialize and read back with unserialize() on every request that carries the cookie.
// node-serialize eval()s any string that starts with `_$$ND_FUNC$$_`, so the cookie is code.
//
// fixed: the cookie is base64url(JSON) signed by cookie-parser (HMAC-SHA256, cookie-signature);
// a missing or bad signature, malformed JSON or an off-schema document is rejected with 400.
// node-serialize is never loaded.

const COOKIE = 'prefs';
const MAX_AGE_MS = 30 * 24 * 3600 * 1000;

const THEMES = ['light', 'dark', 'high-contrast'];
const LANGUAGES = ['en', 'de', 'fr', 'es', 'nl'];
const CURRENCIES = ['EUR', 'USD', 'GBP'];
const NAME_RE = /^[\p{L}\p{N} .'-]{1,40}$/u;

class BadPreferences extends Error {
  constructor(reason) {
    super(reason);
    this.name = 'BadPreferences';
    this.status = 400;
    this.expose = false;
  }
}

function defaults() {
  return {
    displayName: 'guest',
    theme: 'light',
    language: 'en',
    currency: 'EUR',
    newsletter: false,
    notifications: { email: true, sms: false },
    updatedAt: Date.now(),
  };
}

function isPlainObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v) &&
    Object.getPrototypeOf(v) === Object.prototype;
}

// validate returns a fresh object holding only the allowed keys, or throws BadPreferences.
// partial=true checks an update (every key optional), else a whole stored document.
function validate(input, partial) {
  if (!isPlainObject(input)) throw new BadPreferences('preferences must be an object');
  const allowed = ['displayName', 'theme', 'language', 'currency', 'newsletter', 'notifications', 'updatedAt'];
  for (const k of Object.keys(input)) {
    if (!allowed.includes(k)) throw new BadPreferences(`unknown field ${k}`);
  }
  const out = {};
  const need = (k) => { if (!(k in input) && !partial) throw new BadPreferences(`missing field ${k}`); return k in input; };
  if (need('displayName')) {
    if (typeof input.displayName !== 'string' || !NAME_RE.test(input.displayName)) throw new BadPreferences('bad displayName');
    out.displayName = input.displayName;
  }
  if (need('theme')) {
    if (!THEMES.includes(input.theme)) throw new BadPreferences('bad theme');
    out.theme = input.theme;
  }
  if (need('language')) {
    if (!LANGUAGES.includes(input.language)) throw new BadPreferences('bad language');
    out.language = input.language;
  }
  if (need('currency')) {
    if (!CURRENCIES.includes(input.currency)) throw new BadPreferences('bad currency');
    out.currency = input.currency;
  }
  if (need('newsletter')) {
    if (typeof input.newsletter !== 'boolean') throw new BadPreferences('bad newsletter');
    out.newsletter = input.newsletter;
  }
  if (need('notifications')) {
    const n = input.notifications;
    if (!isPlainObject(n) || Object.keys(n).length !== 2 ||
        typeof n.email !== 'boolean' || typeof n.sms !== 'boolean') throw new BadPreferences('bad notifications');
    out.notifications = { email: n.email, sms: n.sms };
  }
  if (!partial) {
    if (!Number.isSafeInteger(input.updatedAt) || input.updatedAt < 0) throw new BadPreferences('bad updatedAt');
    out.updatedAt = input.updatedAt;
  }
  return out;
}

function formatFixed(cents, currency) {
  return (cents / 100).toFixed(2) + ' ' + currency;
}

// ---- vulnerable: node-serialize ------------------------------------------------------------

function vulnerableStore() {
  const serialize = require('node-serialize');

  function fresh() {
    const p = defaults();
    // Kept with the preferences so a shopper's price format survives between visits
    // (the reason this code base picked node-serialize over JSON: it keeps functions).
    p.formatPrice = function (cents) { return (cents / 100).toFixed(2) + ' ' + this.currency; };
    return p;
  }

  return {
    load(req) {
      const raw = req.cookies[COOKIE];
      if (!raw) return { prefs: fresh(), fromCookie: false };
      const restored = serialize.unserialize(Buffer.from(raw, 'base64').toString('utf8'));
      return { prefs: Object.assign(fresh(), restored), fromCookie: true };
    },
    save(res, prefs) {
      const blob = Buffer.from(serialize.serialize(prefs)).toString('base64');
      res.cookie(COOKIE, blob, { maxAge: MAX_AGE_MS, path: '/' });
    },
    update(prefs, body) {
      // "the form only has these fields anyway"
      for (const k of ['displayName', 'theme', 'language', 'currency', 'newsletter', 'notifications']) {
        if (body && k in body) prefs[k] = body[k];
      }
      prefs.updatedAt = Date.now();
      return prefs;
    },
    price(prefs, cents) { return prefs.formatPrice(cents); },
    clear(res) { res.clearCookie(COOKIE, { path: '/' }); },
    view(prefs) { return prefs; }, // res.json drops the function
  };
}

// ---- fixed: signed JSON + validation -------------------------------------------------------

function fixedStore() {
  const opts = { maxAge: MAX_AGE_MS, path: '/', httpOnly: true, sameSite: 'lax', secure: true, signed: true };
  return {
    load(req) {
      const present = Object.prototype.hasOwnProperty.call(req.cookies, COOKIE) ||
        Object.prototype.hasOwnProperty.call(req.signedCookies, COOKIE);
      if (!present) return { prefs: defaults(), fromCookie: false };
      const token = req.signedCookies[COOKIE]; // false when the signature does not verify
      if (typeof token !== 'string' || !/^[A-Za-z0-9_-]{1,2048}$/.test(token)) throw new BadPreferences('unsigned or tampered cookie');
      let doc;
      try {
        doc = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
      } catch (e) {
        throw new BadPreferences('cookie is not JSON');
      }
      return { prefs: validate(doc, false), fromCookie: true };
    },
    save(res, prefs) {
      res.cookie(COOKIE, Buffer.from(JSON.stringify(validate(prefs, false))).toString('base64url'), opts);
    },
    update(prefs, body) {
      const changes = validate(body, true);
      return Object.assign({}, prefs, changes, { updatedAt: Date.now() });
    },
    price(prefs, cents) { return formatFixed(cents, prefs.currency); },
    clear(res) { res.clearCookie(COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure: true }); },
    view(prefs) { return prefs; },
  };
}

module.exports = {
  COOKIE, THEMES, LANGUAGES, CURRENCIES, BadPreferences,
  store(variant) { return variant === 'fixed' ? fixedStore() : vulnerableStore(); },
};

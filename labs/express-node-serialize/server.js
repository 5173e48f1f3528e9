'use strict';
// Parapet lab: a small Express storefront API whose shopper preferences live in a cookie.
// Usage: node server.js --port N   (binds 127.0.0.1 only; LAB_VARIANT=vulnerable|fixed)
// The vulnerable variant unserializes attacker input with node-serialize (code execution by
// design): never bind it anywhere but 127.0.0.1.

const crypto = require('crypto');
const express = require('express');
const cookieParser = require('cookie-parser');
const { store, BadPreferences, COOKIE } = require('./lib/preferences');

const VARIANT = process.env.LAB_VARIANT === 'fixed' ? 'fixed' : 'vulnerable';
const HOST = '127.0.0.1';
const portArg = process.argv.indexOf('--port');
const PORT = Number(portArg > 0 ? process.argv[portArg + 1] : process.env.LAB_PORT || 8721);

const PRODUCTS = [
  { id: 1, sku: 'MUG-001', title: 'Enamel camp mug', priceCents: 1450, stock: 31 },
  { id: 2, sku: 'TEE-014', title: 'Organic cotton tee', priceCents: 2400, stock: 12 },
  { id: 3, sku: 'BAG-007', title: 'Waxed canvas tote', priceCents: 5900, stock: 4 },
  { id: 4, sku: 'CAP-002', title: 'Six-panel cap', priceCents: 1900, stock: 0 },
];

const app = express();
const prefsStore = store(VARIANT);

if (VARIANT === 'fixed') {
  // LAB_COOKIE_SECRET comes from start.sh (random per run dir); never a constant in code.
  const secret = process.env.LAB_COOKIE_SECRET || crypto.randomBytes(32).toString('hex');
  app.disable('x-powered-by');
  app.set('env', 'production');
  app.use(cookieParser(secret));
  app.use((req, res, next) => {
    res.set({ 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store' });
    next();
  });
} else {
  app.use(cookieParser());
}
app.use(express.json({ limit: '16kb' }));

// dropQueuedPrefs removes a prefs cookie queued earlier in the same response.
function dropQueuedPrefs(res) {
  const queued = [].concat(res.getHeader('Set-Cookie') || []).filter((c) => !c.startsWith(`${COOKIE}=`));
  if (queued.length) res.setHeader('Set-Cookie', queued); else res.removeHeader('Set-Cookie');
}
function savePrefs(res, prefs) {
  dropQueuedPrefs(res);
  prefsStore.save(res, prefs);
}

// Every request restores the shopper's preferences from the cookie when it carries one;
// API calls hand out a cookie to shoppers who have none yet.
app.use((req, res, next) => {
  const { prefs, fromCookie } = prefsStore.load(req);
  req.prefs = prefs;
  if (!fromCookie && req.path.startsWith('/api/')) savePrefs(res, prefs);
  next();
});

app.get('/', (req, res) => {
  res.json({
    name: 'Parapet storefront preferences API',
    links: {
      preferences: '/api/preferences',
      products: '/api/products',
      product: '/api/products/1',
      health: '/health',
    },
  });
});

app.get('/health', (req, res) => res.json({ status: 'ok' }));

app.get('/api/preferences', (req, res) => {
  savePrefs(res, req.prefs);
  res.json({ preferences: prefsStore.view(req.prefs), greeting: `Welcome back, ${req.prefs.displayName}!` });
});

app.post('/api/preferences', (req, res) => {
  const prefs = prefsStore.update(req.prefs, req.body);
  savePrefs(res, prefs);
  res.json({ preferences: prefsStore.view(prefs), greeting: `Welcome back, ${prefs.displayName}!` });
});

app.delete('/api/preferences', (req, res) => {
  dropQueuedPrefs(res);
  prefsStore.clear(res);
  res.status(204).end();
});

function productView(prefs, p) {
  return { id: p.id, sku: p.sku, title: p.title, price: prefsStore.price(prefs, p.priceCents), inStock: p.stock > 0 };
}

app.get('/api/products', (req, res) => {
  res.json({ currency: req.prefs.currency, products: PRODUCTS.map((p) => productView(req.prefs, p)) });
});

app.get('/api/products/:id', (req, res, next) => {
  if (VARIANT === 'fixed' && !/^[0-9]{1,6}$/.test(req.params.id)) return next(new BadPreferences('bad id'));
  const p = PRODUCTS.find((x) => String(x.id) === req.params.id);
  if (!p) return res.status(404).json({ error: 'product not found' });
  res.json(productView(req.prefs, p));
});

if (VARIANT === 'fixed') {
  app.use((req, res) => res.status(404).json({ error: 'not found' }));
  // eslint-disable-next-line no-unused-vars
  app.use((err, req, res, next) => {
    const status = err instanceof BadPreferences || (err.status >= 400 && err.status < 500) ? 400 : 500;
    console.error(`${new Date().toISOString()} ${req.method} ${req.originalUrl} -> ${status}: ${err.name}: ${err.message}`);
    res.status(status).json({ error: status === 400 ? 'bad request' : 'server error' });
  });
}
// vulnerable: no error handler of its own, so Express's default one answers; NODE_ENV is unset,
// so it prints the error's stack (HTML <pre>) — a typical development deployment.

const server = app.listen(PORT, HOST, () => {
  console.log(`express-node-serialize (${VARIANT}) listening on http://${HOST}:${PORT}/`);
});
for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => server.close(() => process.exit(0)));
}

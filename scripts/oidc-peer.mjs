// A real OpenID Connect provider (the npm package oidc-provider) for the dashboard's sign-in tests, on 127.0.0.1.
//   node scripts/oidc-peer.mjs <port> <state dir> <node_modules dir>
// Clients: observe-test and observe-other, public (PKCE, no secret), native, so any loopback port may be the redirect.
// Users: alice (observe-admins), rita (observe-responders), vic (observe-viewers), nora (staff only: no dashboard role).
// Signing in: /interaction/<uid> shows a one-field form; POST /interaction/<uid>/login with login=<user> signs them in
// (no password: this provider exists for tests); the consent it then asks for is given at once, for every scope asked.
// POST /test/rotate replaces the signing key (the old one stays published, as in a real rollover) and answers the new kid.
// The signing keys, private parts included, are in <state dir>/oidc-keys.json, current first, so tests can sign tokens
// the dashboard must refuse for reasons the provider never produces (expired, wrong audience).
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [port, stateDir, modules] = process.argv.slice(2);
if (!port || !stateDir || !modules) {
  console.error('usage: node scripts/oidc-peer.mjs <port> <state dir> <node_modules dir>');
  process.exit(2);
}

const { default: Provider } = await import(pathToFileURL(join(modules, 'oidc-provider', 'lib', 'index.js')).href);
const issuer = `http://127.0.0.1:${port}`;

const accounts = {
  alice: { name: 'Alice Admin', email: 'alice@example.test', groups: ['staff', 'observe-admins'] },
  rita: { name: 'Rita Responder', email: 'rita@example.test', groups: ['observe-responders'] },
  vic: { name: 'Vic Viewer', email: 'vic@example.test', groups: ['observe-viewers'] },
  nora: { name: 'Nora Nobody', email: 'nora@example.test', groups: ['staff'] },
};

const client = (id) => ({
  client_id: id,
  application_type: 'native',
  token_endpoint_auth_method: 'none',
  grant_types: ['authorization_code'],
  response_types: ['code'],
  redirect_uris: ['http://127.0.0.1/signin-oidc'],
  post_logout_redirect_uris: ['http://127.0.0.1/signout-callback-oidc'],
});

function newKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), use: 'sig', alg: 'RS256' };
}

let keys = [newKey()];

function build() {
  writeFileSync(join(stateDir, 'oidc-keys.json'), JSON.stringify({ keys }, null, 2));
  const provider = new Provider(issuer, {
    clients: [client('observe-test'), client('observe-other')],
    jwks: { keys },
    cookies: { keys: ['observe-oidc-peer-cookie-key'] },
    claims: { openid: ['sub'], profile: ['name'], email: ['email'], groups: ['groups'] },
    scopes: ['openid', 'profile', 'email', 'groups'],
    features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
    pkce: { required: () => true },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(ctx, id) {
      const account = accounts[id];
      if (!account) return undefined;
      return { accountId: id, claims: () => ({ sub: id, ...account }) };
    },
  });
  return provider;
}

let provider = build();

function readBody(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.on('data', (chunk) => { body += chunk; if (body.length > 10000) reject(new Error('body too large')); });
    req.on('end', () => resolve(new URLSearchParams(body)));
    req.on('error', reject);
  });
}

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function handle(req, res) {
  const url = new URL(req.url, issuer);
  const login = url.pathname.match(/^\/interaction\/([^/]+)\/login$/);
  const show = url.pathname.match(/^\/interaction\/([^/]+)$/);
  if (req.method === 'POST' && url.pathname === '/test/rotate') {
    keys = [newKey(), keys[0]];
    provider = build();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ kid: keys[0].kid }));
    return;
  }
  if (req.method === 'GET' && show) {
    const details = await provider.interactionDetails(req, res);
    if (details.prompt.name === 'consent') {
      // Native clients are always asked for consent; the test user always gives it, for whatever is missing.
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
      const missing = details.prompt.details;
      grant.addOIDCScope(missing.missingOIDCScope?.join(' ') || details.params.scope);
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
      const grantId = await grant.save();
      await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(
      `<!doctype html><title>Sign in</title><form method="post" action="/interaction/${escape(details.uid)}/login">` +
      `<label>User <input name="login" autofocus></label><button>Sign in</button></form>`);
    return;
  }
  if (req.method === 'POST' && login) {
    const body = await readBody(req);
    const accountId = body.get('login');
    if (!accounts[accountId]) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end(`no such test user: ${accountId}`);
      return;
    }
    await provider.interactionFinished(req, res, { login: { accountId } }, { mergeWithLastSubmission: false });
    return;
  }
  provider.callback()(req, res);
}

createServer((req, res) => {
  handle(req, res).catch((err) => {
    console.error(err);
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err));
  });
}).listen(Number(port), '127.0.0.1', () => console.log(`oidc-provider on ${issuer}`));

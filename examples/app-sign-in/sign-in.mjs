#!/usr/bin/env node
// Signs in to the Kundenportal the way the mobile app does, from a terminal:
// OAuth 2.0 authorization code with PKCE for a native app (RFC 8252), with
// the system browser and a loopback redirect, like `gh auth login`.
//
//   node examples/app-sign-in/sign-in.mjs http://127.0.0.1:3000
//
// It prints who signed in and the first page of their documents, then signs
// the app out again (revokes the refresh token). No build step: plain Node
// (20 or newer) and oauth4webapi from the repository's node_modules.

import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import * as oauth from 'oauth4webapi';

// The app is a public client: it cannot keep a secret (anyone can unpack an
// app), so it has none. PKCE and the exact redirect address protect the code.
const client = { client_id: 'kundenportal-app' };
const clientAuth = oauth.None();

/** How long the user may take in the browser. */
const BROWSER_TIMEOUT_MS = 5 * 60 * 1000;

const arg = process.argv[2];
if (arg === '-h' || arg === '--help') {
  console.log('Aufruf: node examples/app-sign-in/sign-in.mjs [PORTAL-ADRESSE]   (ohne: http://127.0.0.1:3000)');
  process.exit(0);
}
const issuer = new URL(arg ?? 'http://127.0.0.1:3000');

// oauth4webapi talks only https. Plain http is allowed here for a portal on
// this machine (`make run`) and nowhere else: a real app never does this.
const onThisMachine = ['127.0.0.1', '[::1]', 'localhost'].includes(issuer.hostname);
const localHttp = issuer.protocol === 'http:' && onThisMachine ? { [oauth.allowInsecureRequests]: true } : {};

try {
  await main();
} catch (error) {
  console.error(`✗ ${describe(error)}`);
  process.exitCode = 1;
}

async function main() {
  // 1. Discovery (RFC 8414): the app knows only the portal's address and
  //    reads every endpoint from its metadata, so the portal may move them.
  const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...localHttp }));

  // 2. PKCE (RFC 7636): a fresh secret per sign-in. Only its hash travels
  //    through the browser; whoever catches the redirect has the code but
  //    not the verifier, and the code is worthless without it.
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const codeChallenge = await oauth.calculatePKCECodeChallenge(codeVerifier);
  // `state` ties the answer to this request: a redirect that some web page
  // sent the browser to with its own code is not taken.
  const state = oauth.generateRandomState();

  // 3. The way back (RFC 8252 §7.3): a server on a loopback port the system
  //    picks. 127.0.0.1, not "localhost": that name may resolve elsewhere,
  //    and the portal only accepts the literal loopback addresses.
  const loopback = await listenOnLoopback();
  const redirectUri = `http://127.0.0.1:${loopback.port}/callback`;

  // 4. The browser: the user signs in at the portal (password, the first
  //    sign-in's steps), sees which app asks and allows it. The app never
  //    sees the password. The system browser, not a web view inside the app:
  //    the user can trust the address bar and is often signed in already.
  const authorizationUrl = new URL(as.authorization_endpoint);
  authorizationUrl.search = new URLSearchParams({
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: redirectUri,
    code_challenge: codeChallenge,
    code_challenge_method: 'S256',
    state,
  }).toString();
  console.log(`! Die Anmeldung geht im Browser weiter. Falls er sich nicht öffnet, diese Adresse öffnen:\n  ${authorizationUrl}`);
  openBrowser(authorizationUrl.href);

  const callbackUrl = await loopback.callback;
  // Checks `state` and turns an `error` (e.g. access_denied after
  // "Ablehnen") into an exception; what is left carries the code.
  const callbackParams = oauth.validateAuthResponse(as, client, callbackUrl, state);

  // 5. The code for tokens, with the verifier and the same redirect_uri.
  //    A code works once and for about a minute: trade it right away.
  const tokens = await oauth.processAuthorizationCodeResponse(
    as,
    client,
    await oauth.authorizationCodeGrantRequest(as, client, clientAuth, callbackParams, redirectUri, codeVerifier, localHttp),
  );
  // The access token goes with every API request and lives 15 minutes
  // (`expires_in`). The refresh token gets a new pair when it has run out
  // (grant_type=refresh_token) and works once: keep only the newest, in the
  // Keychain / Android Keystore. Presenting a used one ends the whole sign-in,
  // and so does a password change or "auf allen anderen Geräten abmelden":
  // the app then hears invalid_grant and asks the user to sign in again.

  // 6. The API, with `Authorization: Bearer`. A 401 means the access token
  //    has run out or the sign-in has ended: refresh once, else sign in again.
  const me = await apiGet(as, tokens.access_token, '/api/v1/me');
  // `name` is an object (salutation, first and last name) with a ready `display`.
  const name = typeof me.name === 'string' ? me.name : (me.name?.display ?? me.username);
  console.log(`✓ Angemeldet als ${name} (${me.username}), Kunde ${me.customer.number} ${me.customer.name}`);

  const documents = await apiGet(as, tokens.access_token, '/api/v1/documents?limit=10');
  if (documents.items.length === 0) console.log('  Keine Dokumente.');
  for (const document of documents.items) {
    console.log(`  ${document.created}  ${document.type.name.padEnd(12)}  ${document.number}${document.new ? '  (neu)' : ''}`);
  }
  if (documents.next_cursor) console.log(`  … weitere Dokumente mit ?cursor=${encodeURIComponent(documents.next_cursor)}`);
  // A PDF: GET /api/v1/documents/{id}/pdf with the same header.

  // 7. Sign the app out (RFC 7009): revoking the refresh token ends the app's
  //    sign-in at the portal, its access token included. An app does this on
  //    "Abmelden"; this example does it because it keeps no tokens.
  await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, clientAuth, tokens.refresh_token, localHttp));
  console.log('✓ Wieder abgemeldet (Refresh-Token widerrufen).');
}

/** Listens on 127.0.0.1 on a free port; `callback` resolves with the first
 *  request to /callback, whose browser gets a short page to close. */
async function listenOnLoopback() {
  let settle;
  const callback = new Promise((resolve, reject) => (settle = { resolve, reject }));
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', `http://127.0.0.1:${server.address().port}`);
    if (request.method !== 'GET' || url.pathname !== '/callback') {
      // The browser also asks for /favicon.ico and the like.
      response.writeHead(404).end();
      return;
    }
    const done = url.searchParams.has('code') ? 'Anmeldung abgeschlossen' : 'Anmeldung nicht abgeschlossen';
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    response.end(
      `<!doctype html><html lang="de"><meta charset="utf-8"><title>${done}</title>` +
        `<h1>${done}</h1><p>Sie können dieses Fenster schließen.</p></html>`,
    );
    // One answer is all the app takes: stop listening once it is sent.
    response.on('finish', () => stop());
    settle.resolve(url);
  });
  const timer = setTimeout(() => {
    stop();
    settle.reject(new Error('Keine Antwort aus dem Browser nach 5 Minuten.'));
  }, BROWSER_TIMEOUT_MS);
  function stop() {
    clearTimeout(timer);
    server.close();
    server.closeAllConnections();
  }
  await new Promise((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  return { port: server.address().port, callback };
}

/** Opens `url` in the system browser; the printed address is the fallback. */
function openBrowser(url) {
  const [command, args, extra] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', `"${url}"`], { windowsVerbatimArguments: true }]
        : ['xdg-open', [url]];
  try {
    const child = spawn(command, args, { stdio: 'ignore', detached: true, ...extra });
    child.on('error', () => {}); // no opener installed: the printed address remains
    child.unref();
  } catch {
    // as above
  }
}

/** GET of the portal's API with the access token; the parsed JSON. */
async function apiGet(as, accessToken, path) {
  const headers = new Headers({ accept: 'application/json' });
  const response = await oauth.protectedResourceRequest(accessToken, 'GET', new URL(path, as.issuer), headers, null, localHttp);
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
  return response.json();
}

/** An error as one line for the terminal. */
function describe(error) {
  if (error instanceof oauth.AuthorizationResponseError) {
    return error.error === 'access_denied'
      ? 'Im Browser wurde „Ablehnen“ gewählt.'
      : `Die Anmeldung wurde abgelehnt: ${error.error}${error.error_description ? ` (${error.error_description})` : ''}`;
  }
  if (error instanceof oauth.ResponseBodyError) {
    return `Das Portal lehnt ab: ${error.error}${error.error_description ? ` (${error.error_description})` : ''}, HTTP ${error.status}`;
  }
  if (error instanceof oauth.WWWAuthenticateChallengeError) {
    const challenge = error.cause[0];
    return `Das Portal verlangt eine neue Anmeldung: ${challenge?.parameters.error ?? challenge?.scheme ?? 'HTTP 401'}`;
  }
  if (error?.cause?.code === 'ECONNREFUSED') return `Keine Verbindung zu ${issuer.origin}: läuft das Portal (make run)?`;
  return error instanceof Error ? error.message : String(error);
}

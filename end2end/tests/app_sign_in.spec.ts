// The mobile app's sign-in against the real server, played the way the app
// plays it (OAuth 2.0 for native apps, RFC 8252): oauth4webapi discovers the
// portal, makes a PKCE pair, the app listens on a loopback port of its own,
// the browser signs in (first sign-in included) and allows the app, the code
// comes back to the loopback server and is traded for tokens. Then the app's
// API with the access token: /me, the documents page by page, one PDF, and
// another customer's document refused like one that does not exist. Refresh
// tokens are spent when used: one presented twice ends the whole sign-in;
// a code works once; revocation ends the sign-in. "Ablehnen" tells the app
// access_denied, and a redirect_uri that is not a loopback address gets an
// error page on the portal, never a redirect.
import { test, expect, Page } from '@playwright/test';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as oauth from 'oauth4webapi';
import { AxeBuilder } from '@axe-core/playwright';
import { Validator } from '@seriousme/openapi-schema-validator';
import {
  TestCustomer, TestDocument, addDocument, addDocuments, createCustomer, createReadyCustomer, expectNoViolations,
  firstSignInSteps, samplePdf, signIn, submitLogin, waitForHydration,
} from './helpers';

const CLIENT: oauth.Client = { client_id: 'kundenportal-app' };
/** The test server is plain http on 127.0.0.1; oauth4webapi only talks https unless told. */
const INSECURE = { [oauth.allowInsecureRequests]: true };
const CONSENT = /\/app-freigabe(\?|$)/;
const CLOSE_WINDOW = 'Sie können dieses Fenster schließen.';
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const TYPE_NAMES: Record<string, string> = { rechnung: 'Rechnung', gutschrift: 'Gutschrift', mahnung: 'Mahnung', lieferschein: 'Lieferschein' };

interface ApiDocument {
  id: number | string;
  number: string;
  type: { key: string; name: string };
  created: string;
  provided: string;
  visible_until: string;
  new: boolean;
}

interface DocumentList {
  items: ApiDocument[];
  next_cursor: string | null;
}

interface Me {
  username: string;
  /** The contract names it only; the server sends an object (`display`, first and last name). */
  name: unknown;
  email: string;
  customer: { number: string; name: string };
  rights: { main_user: boolean; manage_users: boolean; manage_forwardings: boolean };
  notification: unknown;
}

// ---- the app's side ---------------------------------------------------------

/** RFC 8414 discovery, as the app starts: everything else comes from the metadata. */
async function discover(baseURL: string): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(baseURL);
  const response = await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...INSECURE });
  return oauth.processDiscoveryResponse(issuer, response);
}

/** The app's redirect target (RFC 8252 §7.3): a real server on 127.0.0.1,
 *  on a port the system chose. It answers the browser with a short page and
 *  keeps every callback for the test to take. */
interface Loopback {
  redirectUri: string;
  /** The next callback's address; fails after `timeout` ms without one. */
  next(timeout?: number): Promise<URL>;
  /** Callbacks that arrived and were not taken. */
  pending(): URL[];
  close(): Promise<void>;
}

async function startLoopback(): Promise<Loopback> {
  const arrived: URL[] = [];
  let origin = '';
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', origin);
    if (request.method !== 'GET' || url.pathname !== '/callback') {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Nicht gefunden');
      return;
    }
    arrived.push(url);
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    response.end(`<!doctype html><html lang="de"><meta charset="utf-8"><title>Kundenportal-App</title><p>${CLOSE_WINDOW}</p></html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    redirectUri: `${origin}/callback`,
    async next(timeout = 15_000) {
      for (const deadline = Date.now() + timeout; arrived.length === 0; ) {
        if (Date.now() > deadline) throw new Error(`no callback at ${origin}/callback within ${timeout} ms`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return arrived.shift()!;
    },
    pending: () => [...arrived],
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** One authorization request: its address, and what the app keeps to check the answer. */
interface Authorization {
  url: URL;
  state: string;
  verifier: string;
  redirectUri: string;
}

async function authorizationRequest(as: oauth.AuthorizationServer, redirectUri: string): Promise<Authorization> {
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const url = new URL(as.authorization_endpoint!);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: CLIENT.client_id,
    redirect_uri: redirectUri,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
  }).toString();
  return { url, state, verifier, redirectUri };
}

/** The code (from the checked callback) traded for tokens, with `verifier` (the request's unless given). */
async function codeGrant(as: oauth.AuthorizationServer, auth: Authorization, callback: URLSearchParams, verifier = auth.verifier) {
  const response = await oauth.authorizationCodeGrantRequest(as, CLIENT, oauth.None(), callback, auth.redirectUri, verifier, INSECURE);
  return oauth.processAuthorizationCodeResponse(as, CLIENT, response);
}

async function refresh(as: oauth.AuthorizationServer, refreshToken: string) {
  const response = await oauth.refreshTokenGrantRequest(as, CLIENT, oauth.None(), refreshToken, INSECURE);
  return oauth.processRefreshTokenResponse(as, CLIENT, response);
}

async function revoke(as: oauth.AuthorizationServer, token: string) {
  const response = await oauth.revocationRequest(as, CLIENT, oauth.None(), token, INSECURE);
  expect(response.status, 'revocation answers 200').toBe(200);
  await oauth.processRevocationResponse(response);
}

/** The OAuth error (RFC 6749 §5.2) a token request was refused with. */
async function refusal(attempt: Promise<unknown>): Promise<{ status: number; error: string }> {
  const failure = await attempt.then(() => undefined, (error: unknown) => error);
  expect(failure, 'the token endpoint should have refused').toBeInstanceOf(oauth.ResponseBodyError);
  const { status, error } = failure as oauth.ResponseBodyError;
  return { status, error };
}

/** A GET of the app's API, as the app sends it (`Authorization: Bearer`). */
function api(base: string, path: string, accessToken?: string): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (accessToken !== undefined) headers.authorization = `Bearer ${accessToken}`;
  return fetch(new URL(path, base), { headers, redirect: 'manual' });
}

async function apiJson<T>(base: string, path: string, accessToken: string): Promise<T> {
  const response = await api(base, path, accessToken);
  const body = await response.text();
  expect(response.status, `GET ${path}: ${body}`).toBe(200);
  expect(response.headers.get('content-type'), `GET ${path}`).toMatch(/^application\/json/);
  return JSON.parse(body) as T;
}

/** 401 with the RFC 6750 challenge and a JSON body. */
async function expectInvalidToken(response: Response, what: string) {
  const body = await response.text();
  expect(response.status, `${what}: ${body}`).toBe(401);
  expect(response.headers.get('www-authenticate'), what).toMatch(/^Bearer\b.*\berror="invalid_token"/);
  expect(response.headers.get('content-type'), what).toMatch(/^application\/json/);
  expect(() => JSON.parse(body), what).not.toThrow();
}

// ---- the browser's side -----------------------------------------------------

/** Opens the authorization request; signs in when the portal asks for it
 *  (a browser still signed in goes straight on); ends on the consent page,
 *  taken over by the WASM unless JavaScript is off (`script: false`). */
async function openConsent(page: Page, auth: Authorization, customer: TestCustomer, script = true) {
  await page.goto(auth.url.href);
  if (new URL(page.url()).pathname === '/login') await submitLogin(page, customer.username, customer.password);
  await expect(page).toHaveURL(CONSENT);
  await expect(page.getByRole('heading', { level: 1, name: 'App-Zugriff erlauben' })).toBeVisible();
  if (script) await waitForHydration(page);
}

/** Clicks "Erlauben" or "Ablehnen" and returns the callback the app got. */
async function answerConsent(page: Page, loopback: Loopback, button: 'Erlauben' | 'Ablehnen'): Promise<URL> {
  await page.getByRole('button', { name: button, exact: true }).click();
  const callback = await loopback.next().catch((error: Error) => {
    throw new Error(`${error.message}; the browser is at ${page.url()}`);
  });
  // The browser ends on the app's page, not on the portal's.
  await expect(page.getByText(CLOSE_WINDOW)).toBeVisible();
  return callback;
}

/** A whole authorization for a browser that may still be signed in: the app's tokens. */
async function signInApp(page: Page, as: oauth.AuthorizationServer, loopback: Loopback, customer: TestCustomer, script = true) {
  const auth = await authorizationRequest(as, loopback.redirectUri);
  await openConsent(page, auth, customer, script);
  const callback = oauth.validateAuthResponse(as, CLIENT, await answerConsent(page, loopback, 'Erlauben'), auth.state);
  return { auth, callback, tokens: await codeGrant(as, auth, callback) };
}

// ---- the tests ----------------------------------------------------------------

test('the app signs in with PKCE at the first sign-in, reads its documents, and a spent refresh token ends the sign-in', async ({ page, baseURL }) => {
  test.slow();
  const base = baseURL!;
  const customer = createCustomer('app');
  const documents: TestDocument[] = [
    { number: 'RE-APP-0001', type: 'rechnung', created: '2026-09-01' },
    { number: 'GS-APP-0002', type: 'gutschrift', created: '2026-09-02' },
    { number: 'RE-APP-0003', type: 'rechnung', created: '2026-09-03' },
    { number: 'MA-APP-0004', type: 'mahnung', created: '2026-09-04' },
    { number: 'LS-APP-0005', type: 'lieferschein', created: '2026-09-05' },
  ];
  addDocuments(customer.number, documents);
  const stranger = createCustomer('app-fremd');
  const strangersDocument = addDocument(stranger.number, { number: `RE-${stranger.number}`, type: 'rechnung', created: '2026-09-06' });

  // Discovery: the metadata the app relies on.
  const as = await discover(base);
  const issuer = base.replace(/\/$/, '');
  expect(as).toMatchObject({
    issuer,
    authorization_endpoint: `${issuer}/oauth/authorize`,
    token_endpoint: `${issuer}/oauth/token`,
    revocation_endpoint: `${issuer}/oauth/revoke`,
    response_types_supported: ['code'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['none'],
    revocation_endpoint_auth_methods_supported: ['none'],
  });
  expect([...(as.grant_types_supported ?? [])].sort()).toEqual(['authorization_code', 'refresh_token']);

  const loopback = await startLoopback();
  try {
    // The browser: login, the first sign-in's two steps, then back to the app's request.
    const auth = await authorizationRequest(as, loopback.redirectUri);
    await page.goto(auth.url.href);
    await expect(page).toHaveURL(/\/login(\?|$)/);
    await submitLogin(page, customer.username, customer.password);
    await firstSignInSteps(page, customer);
    await expect(page).toHaveURL(CONSENT);

    // The consent page: says which app, two choices, accessible, fits a phone.
    await expect(page.getByRole('heading', { level: 1, name: 'App-Zugriff erlauben' })).toBeVisible();
    await expect(page.locator('body')).toContainText('Kundenportal-App');
    await expect(page.getByRole('button', { name: 'Erlauben', exact: true })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Ablehnen', exact: true })).toBeVisible();
    await expectNoViolations(page);
    await page.setViewportSize({ width: 375, height: 740 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, 'horizontal scroll at 375 px').toBeLessThanOrEqual(0);
    await expect(page.getByRole('button', { name: 'Erlauben', exact: true })).toBeVisible();
    await expectNoViolations(page);

    // Erlauben: the code comes back to the app with its state.
    const callback = await answerConsent(page, loopback, 'Erlauben');
    expect(callback.origin + callback.pathname).toBe(loopback.redirectUri);
    expect(callback.searchParams.get('state')).toBe(auth.state);
    expect(callback.searchParams.get('code')).toBeTruthy();
    expect(callback.searchParams.has('error')).toBe(false);
    const params = oauth.validateAuthResponse(as, CLIENT, callback, auth.state);

    const tokens = await codeGrant(as, auth, params);
    expect(tokens.token_type).toBe('bearer'); // oauth4webapi lowercases "Bearer"
    expect(tokens.expires_in).toBe(900);
    expect(typeof tokens.refresh_token).toBe('string');
    const access = tokens.access_token;

    // Who signed in.
    const me = await apiJson<Me>(base, '/api/v1/me', access);
    expect(me).toMatchObject({
      username: customer.username,
      name: expect.anything(),
      email: customer.email,
      customer: { number: customer.number, name: 'Testkunde app' },
      rights: { main_user: true, manage_users: expect.any(Boolean), manage_forwardings: expect.any(Boolean) },
    });
    expect(me).toHaveProperty('notification');

    // The documents, two at a time along the cursor: each exactly once, newest first.
    const seen: ApiDocument[] = [];
    const pageSizes: number[] = [];
    let cursor: string | null = null;
    do {
      const query = new URLSearchParams({ limit: '2' });
      if (cursor !== null) query.set('cursor', cursor);
      const list: DocumentList = await apiJson<DocumentList>(base, `/api/v1/documents?${query}`, access);
      pageSizes.push(list.items.length);
      seen.push(...list.items);
      cursor = list.next_cursor;
    } while (cursor !== null && pageSizes.length < 10);
    expect(pageSizes).toEqual([2, 2, 1]);
    expect(cursor).toBeNull();
    expect(seen.map((item) => item.number).sort()).toEqual(documents.map((document) => document.number).sort());
    expect(new Set(seen.map((item) => String(item.id))).size).toBe(documents.length);
    const provided = seen.map((item) => Date.parse(item.provided));
    expect(provided, 'newest first').toEqual([...provided].sort((a, b) => b - a));
    for (const item of seen) {
      const put = documents.find((document) => document.number === item.number)!;
      expect(item, item.number).toMatchObject({ type: { key: put.type, name: TYPE_NAMES[put.type] }, created: put.created, new: true });
      expect(item.provided, item.number).toMatch(RFC3339);
      expect(item.visible_until, item.number).toMatch(RFC3339);
      expect(Date.parse(item.visible_until), item.number).toBeGreaterThan(Date.parse(item.provided));
    }

    // One document, then its PDF: the bytes the operator provided.
    const chosen = seen[0];
    expect(await apiJson<ApiDocument>(base, `/api/v1/documents/${chosen.id}`, access)).toEqual(chosen);
    const pdf = await api(base, `/api/v1/documents/${chosen.id}/pdf`, access);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    const bytes = Buffer.from(await pdf.arrayBuffer());
    expect(bytes.equals(samplePdf(`${chosen.type.key} ${chosen.number}`)), 'the PDF as provided').toBe(true);

    // Another customer's document is refused exactly like one that does not exist.
    const missing = Number(strangersDocument) + 1_000_000;
    for (const suffix of ['', '/pdf']) {
      const foreign = await api(base, `/api/v1/documents/${strangersDocument}${suffix}`, access);
      const absent = await api(base, `/api/v1/documents/${missing}${suffix}`, access);
      const answer = async (response: Response) => ({
        status: response.status,
        type: response.headers.get('content-type'),
        body: await response.text(),
      });
      const [foreignAnswer, absentAnswer] = [await answer(foreign), await answer(absent)];
      expect(foreignAnswer.status, `another customer's document${suffix}`).toBe(404);
      expect(foreignAnswer, `another customer's document${suffix} like a missing one`).toEqual(absentAnswer);
      expect(JSON.parse(foreignAnswer.body)).toMatchObject({ error: expect.any(String) });
    }

    // Without a token, or with one the portal never issued: 401 with a challenge.
    const anonymous = await api(base, '/api/v1/me');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
    await expectInvalidToken(await api(base, '/api/v1/me', 'A'.repeat(43)), 'an unknown token');
    await expectInvalidToken(await api(base, '/api/v1/documents?limit=2', 'A'.repeat(43)), 'an unknown token on the documents');

    // Refresh: a new pair, the new access token works.
    const refreshed = await refresh(as, tokens.refresh_token!);
    expect(refreshed.access_token).not.toBe(access);
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect(refreshed.expires_in).toBe(900);
    expect((await apiJson<Me>(base, '/api/v1/me', refreshed.access_token)).username).toBe(customer.username);

    // The spent refresh token again: refused, and the whole sign-in ends
    // (the app or a thief has the newer one; nobody can tell which).
    expect(await refusal(refresh(as, tokens.refresh_token!))).toEqual({ status: 400, error: 'invalid_grant' });
    await expectInvalidToken(await api(base, '/api/v1/me', refreshed.access_token), 'the access token of an ended sign-in');
    expect(await refusal(refresh(as, refreshed.refresh_token!))).toEqual({ status: 400, error: 'invalid_grant' });
    expect(loopback.pending()).toEqual([]);
  } finally {
    await loopback.close();
  }
});

test('a code works once and only with its verifier; a revoked refresh token ends the app sign-in', async ({ page, browser, baseURL }) => {
  test.slow();
  const base = baseURL!;
  const customer = await createReadyCustomer(browser, 'app-einmal');
  const as = await discover(base);
  const loopback = await startLoopback();
  try {
    // The same code twice: refused, and the sign-in it was traded for ends (RFC 6749 §4.1.2).
    const first = await signInApp(page, as, loopback, customer);
    expect((await apiJson<Me>(base, '/api/v1/me', first.tokens.access_token)).username).toBe(customer.username);
    expect(await refusal(codeGrant(as, first.auth, first.callback))).toEqual({ status: 400, error: 'invalid_grant' });
    await expectInvalidToken(await api(base, '/api/v1/me', first.tokens.access_token), 'after the code was presented again');
    expect(await refusal(refresh(as, first.tokens.refresh_token!))).toEqual({ status: 400, error: 'invalid_grant' });

    // PKCE: a code with another verifier (someone who caught the redirect) is refused.
    const auth = await authorizationRequest(as, loopback.redirectUri);
    await openConsent(page, auth, customer);
    const callback = oauth.validateAuthResponse(as, CLIENT, await answerConsent(page, loopback, 'Erlauben'), auth.state);
    const stolen = await refusal(codeGrant(as, auth, callback, oauth.generateRandomCodeVerifier()));
    expect(stolen).toEqual({ status: 400, error: 'invalid_grant' });

    // Revocation (RFC 7009): the refresh token is gone, and its sign-in with it.
    const revoked = await signInApp(page, as, loopback, customer);
    await revoke(as, revoked.tokens.refresh_token!);
    expect(await refusal(refresh(as, revoked.tokens.refresh_token!))).toEqual({ status: 400, error: 'invalid_grant' });
    await expectInvalidToken(await api(base, '/api/v1/me', revoked.tokens.access_token), 'after revocation');
    // A token the portal does not know (any more) is no error: the answer tells nothing.
    await revoke(as, revoked.tokens.refresh_token!);
    await revoke(as, 'A'.repeat(43));
    expect(loopback.pending()).toEqual([]);
  } finally {
    await loopback.close();
  }
});

test('Ablehnen tells the app access_denied with its state, and no code', async ({ page, browser, baseURL }) => {
  const customer = await createReadyCustomer(browser, 'app-ablehnen');
  const as = await discover(baseURL!);
  const loopback = await startLoopback();
  try {
    const auth = await authorizationRequest(as, loopback.redirectUri);
    await openConsent(page, auth, customer);
    const callback = await answerConsent(page, loopback, 'Ablehnen');
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('state')).toBe(auth.state);
    expect(callback.searchParams.has('code')).toBe(false);
    expect(() => oauth.validateAuthResponse(as, CLIENT, callback, auth.state)).toThrow(oauth.AuthorizationResponseError);
  } finally {
    await loopback.close();
  }
});

test('a redirect_uri that is not a loopback address gets an error page on the portal, never a redirect', async ({ page, browser, baseURL }) => {
  const as = await discover(baseURL!);
  const elsewhere: string[] = [];
  await page.context().route((url) => url.hostname.endsWith('evil.example'), async (route) => {
    elsewhere.push(route.request().url());
    await route.abort();
  });
  const tryAll = async (who: string) => {
    for (const redirectUri of ['https://evil.example/cb', 'http://127.0.0.1.evil.example/cb']) {
      const auth = await authorizationRequest(as, redirectUri);
      const direct = await page.request.get(auth.url.href, { maxRedirects: 0 });
      expect(direct.status(), `${who}, ${redirectUri}`).toBe(400);
      expect(direct.headers()['location'], `${who}, ${redirectUri}`).toBeUndefined();
      const shown = await page.goto(auth.url.href);
      expect(shown!.status(), `${who}, ${redirectUri}`).toBe(400);
      const shownAt = new URL(page.url());
      expect(shownAt.origin + shownAt.pathname, `${who}, ${redirectUri}: still on the portal`).toBe(as.authorization_endpoint);
    }
  };
  await tryAll('signed out');
  const customer = await createReadyCustomer(browser, 'app-fremdziel');
  await signIn(page, customer.username, customer.password);
  await expect(page.getByRole('heading', { name: 'Hauptansicht', exact: true })).toBeVisible();
  await tryAll('signed in');
  expect(elsewhere).toEqual([]);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  // The consent form is sent by the browser itself and answered with a 302
  // to the app's loopback address: the page's Content-Security-Policy
  // (form-action) must let that redirect through.
  test('login and Erlauben still bring the code to the app', async ({ page, browser, baseURL }) => {
    const customer = await createReadyCustomer(browser, 'app-ohne-js');
    const as = await discover(baseURL!);
    const loopback = await startLoopback();
    try {
      const { tokens } = await signInApp(page, as, loopback, customer, false);
      expect((await apiJson<Me>(baseURL!, '/api/v1/me', tokens.access_token)).username).toBe(customer.username);
    } finally {
      await loopback.close();
    }
  });
});

test('the API is described in a valid OpenAPI 3.1 document and on a page of the portal that passes axe', async ({ page, request }) => {
  const answer = await request.get('/api/v1/openapi.json');
  expect(answer.status()).toBe(200);
  const document = await answer.json();
  expect(document.openapi).toMatch(/^3\.1\./);
  const result = await new Validator().validate(document);
  expect(result.errors ?? [], 'valid against the OpenAPI 3.1 schema').toEqual([]);
  expect(result.valid).toBe(true);
  for (const path of ['/api/v1/me', '/api/v1/documents', '/api/v1/documents/{id}/pdf', '/oauth/token']) {
    expect(Object.keys(document.paths)).toContain(path);
  }

  await page.goto('/api/docs');
  await expect(page.getByRole('heading', { level: 1, name: 'API des Kundenportals' })).toBeVisible();
  await expect(page.getByRole('heading', { level: 3, name: /GET \/api\/v1\/documents$/ })).toBeVisible();
  const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  expect(axe.violations.map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target).join(', ')}`)).toEqual([]);
});

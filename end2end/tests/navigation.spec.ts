// Moving between the signed-in pages inside one loaded document
// (public/navigation.js): a marker set on `window` survives every step, the
// title follows, focus moves to the new page's heading and the change is
// announced, back restores the scroll position, attributes of the old page
// do not linger, the document list shows what its server function renders,
// a refused form keeps what was typed, a form keeps its
// clicked button and the query string of its action, and a fetch that fails
// becomes a normal page load. Links to PDFs and sign-out stay page loads.
import { test, expect, Page } from '@playwright/test';
import { TestCustomer, addDocuments, createReadyCustomer, expectNoViolations, signIn, waitForHydration, expectRefusedAt } from './helpers';

let customer: TestCustomer;

test.beforeAll(async ({ browser }) => {
  customer = await createReadyCustomer(browser, 'navigation');
  // Enough documents for a page that scrolls.
  addDocuments(
    customer.number,
    Array.from({ length: 60 }, (_, i) => ({ number: `NAV-${String(i).padStart(3, '0')}`, type: 'rechnung', created: '2026-10-01' })),
  );
});

test.describe.configure({ mode: 'serial' });

/** Signs in and marks this document: the mark is gone after any page load. */
async function signedIn(page: Page) {
  await signIn(page, customer.username, customer.password);
  await expect(page.getByRole('heading', { name: 'Hauptansicht', exact: true })).toBeVisible();
  await waitForHydration(page);
  await page.evaluate(() => { (window as unknown as { kpSameDocument: boolean }).kpSameDocument = true; });
}

const sameDocument = (page: Page) => page.evaluate(() => (window as unknown as { kpSameDocument?: boolean }).kpSameDocument === true);

/** What a page change inside the document must leave behind. */
async function arrivedAt(page: Page, path: RegExp, heading: string) {
  await expect(page).toHaveURL(path);
  await expect(page.locator('main h1')).toHaveText(heading);
  await expect(page).toHaveTitle(`${heading} – Kundenportal`);
  await expect(page.locator('main h1')).toBeFocused();
  await expect(page.locator('#kp-announcer')).toHaveText(`${heading} – Kundenportal`);
  expect(await sameDocument(page), `${heading} opened inside the same document`).toBe(true);
}

test('every signed-in page opens inside one document, announced, with focus on its heading', async ({ page }) => {
  await signedIn(page);
  const menu = page.getByRole('navigation', { name: 'Hauptmenü' });
  const steps: [string, RegExp, string][] = [
    ['Dokumente', /\/dokumente$/, 'Dokumente'],
    ['Weiterleitungen', /\/weiterleitungen$/, 'Weiterleitungen'],
    ['Benutzer', /\/benutzer$/, 'Benutzer'],
    ['Aktivitätsprotokoll', /\/aktivitaet$/, 'Aktivitätsprotokoll'],
  ];
  for (const [link, path, heading] of steps) {
    await menu.getByRole('link', { name: link }).click();
    await arrivedAt(page, path, heading);
    // Only the page shown is the current one: the old page's mark is gone.
    await expect(menu.locator('[aria-current="page"]')).toHaveCount(1);
    await expect(menu.getByRole('link', { name: link })).toHaveAttribute('aria-current', 'page');
    await expectNoViolations(page);
  }
  await page.getByRole('button', { name: 'Benutzermenü' }).click();
  await page.getByRole('link', { name: 'Profil' }).click();
  await arrivedAt(page, /\/profil$/, 'Profil');
  await expectNoViolations(page);

  // Back and forward stay in the document too.
  await page.goBack();
  await arrivedAt(page, /\/aktivitaet$/, 'Aktivitätsprotokoll');
  await page.goBack();
  await arrivedAt(page, /\/benutzer$/, 'Benutzer');
  await page.goForward();
  await arrivedAt(page, /\/aktivitaet$/, 'Aktivitätsprotokoll');
});

test('a new page starts at the top and back returns to where the list was', async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 700 });
  await signedIn(page);
  await page.goto('/dokumente?anzahl=50');
  await waitForHydration(page);
  await page.evaluate(() => { (window as unknown as { kpSameDocument: boolean }).kpSameDocument = true; });
  await page.evaluate(() => window.scrollTo(0, 1500));
  await expect.poll(() => page.evaluate(() => window.scrollY)).toBeGreaterThan(1000);
  const where = await page.evaluate(() => window.scrollY);
  // The delivery log of a document further down: another signed-in page.
  await page.getByRole('link', { name: /^Versand von / }).nth(30).click();
  await expect(page).toHaveURL(/\/versandprotokoll\?dokument=\d+$/);
  expect(await page.evaluate(() => window.scrollY)).toBe(0);
  await page.goBack();
  await expect(page).toHaveURL(/\/dokumente\?anzahl=50$/);
  await expect.poll(() => page.evaluate(() => window.scrollY)).toBeGreaterThan(where - 50);
  expect(await sameDocument(page)).toBe(true);
});

test('the Dokumente filters, paging, sorting and search call the list\'s server function and show its answer in place', async ({ page }) => {
  await signedIn(page);
  await page.getByRole('navigation', { name: 'Hauptmenü' }).getByRole('link', { name: 'Dokumente' }).click();
  await arrivedAt(page, /\/dokumente$/, 'Dokumente');
  const rows = page.locator('main tbody tr');
  const requests: string[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.pathname === '/dokumente' || url.pathname.startsWith('/api/documents/')) requests.push(`${request.method()} ${url.pathname}`);
  });

  await page.getByLabel('Pro Seite').selectOption('50');
  await page.getByRole('button', { name: 'Anzeigen' }).click();
  await expect(page).toHaveURL(/\/dokumente\?anzahl=50$/);
  await expect(rows).toHaveCount(50);
  await expect(page.getByRole('button', { name: 'Anzeigen' })).toBeFocused();

  // The next page starts at the top of the list, and says where it is.
  await page.getByRole('navigation', { name: 'Seiten' }).getByRole('link', { name: 'Weiter' }).click();
  await expect(page).toHaveURL(/anzahl=50&seite=2/);
  await expect(rows).toHaveCount(10);
  await expect(page.locator('main .result-count')).toBeFocused();
  await expect(page.locator('#kp-announcer')).toHaveText('60 Dokumente, Seite 2 von 2');

  // A column header: the order turns, the focus stays on the header, the form carries the order along.
  await page.getByRole('link', { name: 'Nummer' }).click();
  await expect(page).toHaveURL(/sortierung=nummer&richtung=auf&anzahl=50$/);
  await expect(rows.first()).toContainText('NAV-000');
  await expect(page.getByRole('link', { name: 'Nummer' })).toBeFocused();
  await expect(page.getByRole('columnheader', { name: 'Nummer' })).toHaveAttribute('aria-sort', 'ascending');
  await expect(page.locator('form.filters input[name="sortierung"]')).toHaveValue('nummer');
  await expectNoViolations(page);

  // Search as you type: the address follows without a new history entry, the field keeps the focus.
  const search = page.locator('#suche');
  await search.click();
  await search.pressSequentially('NAV-01', { delay: 30 });
  await expect(page).toHaveURL(/suche=NAV-01&sortierung=nummer/);
  await expect(rows).toHaveCount(10);
  await expect(rows.first()).toContainText('NAV-010');
  await expect(search).toBeFocused();
  await expect(search).toHaveValue('NAV-01');

  // "Zurücksetzen" empties the form as it shows the whole list.
  await page.getByRole('link', { name: 'Zurücksetzen' }).click();
  await expect(page).toHaveURL(/\/dokumente$/);
  await expect(rows).toHaveCount(25);
  await expect(search).toHaveValue('');
  await expect(page.getByLabel('Pro Seite')).toHaveValue('25');
  await expect(page.locator('form.filters input[name="sortierung"]')).toHaveValue('bereitstellung');
  expect(await sameDocument(page)).toBe(true);
  // Each step called the server function; no page was fetched for them.
  expect(requests.filter((request) => request === 'POST /api/documents/show').length).toBeGreaterThanOrEqual(5);
  expect(requests.filter((request) => request.endsWith(' /dokumente'))).toEqual([]);

  // Back: the search, as the address says.
  await page.goBack();
  await expect(page).toHaveURL(/suche=NAV-01/);
  await expect(rows).toHaveCount(10);
  await expect(search).toHaveValue('NAV-01');
  await page.goBack();
  await expect(page).toHaveURL(/anzahl=50&seite=2/);
  await expect(rows).toHaveCount(10);
  await expect(page.getByLabel('Pro Seite')).toHaveValue('50');
  expect(await sameDocument(page)).toBe(true);

  // A call that fails becomes a page load of the address it asked for.
  await page.route('**/api/documents/show', (route) => route.abort('failed'));
  await page.getByRole('navigation', { name: 'Seiten' }).getByRole('link', { name: 'Zurück' }).click();
  await expect(page).toHaveURL(/\/dokumente\?anzahl=50&vor=/);
  await expect(rows).toHaveCount(50);
  expect(await sameDocument(page), 'the page was loaded anew').toBe(false);
});

test('the list ignores what the user has moved on from: a search still waiting, an answer that comes late', async ({ page }) => {
  await signedIn(page);
  await page.getByRole('navigation', { name: 'Hauptmenü' }).getByRole('link', { name: 'Dokumente' }).click();
  await arrivedAt(page, /\/dokumente$/, 'Dokumente');
  const calls: string[] = [];
  page.on('request', (request) => { if (request.url().endsWith('/api/documents/show')) calls.push(request.postData() ?? ''); });

  // A key typed, then a column header within the typing pause: the header's list stays.
  await page.locator('#suche').fill('NAV-01');
  await page.getByRole('link', { name: 'Nummer' }).click();
  await expect(page).toHaveURL(/sortierung=nummer&richtung=auf$/);
  await expect(page.getByRole('link', { name: 'Nummer' })).toBeFocused();
  // Longer than the typing pause (400 ms): the search that was waiting never goes out.
  await page.waitForTimeout(800);
  expect(calls).toHaveLength(1);
  await expect(page).toHaveURL(/sortierung=nummer&richtung=auf$/);
  await expect(page.locator('#suche')).toHaveValue('');

  // An answer that arrives after the user went to another page changes nothing there.
  await page.route('**/api/documents/show', async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await route.continue();
  });
  const late = page.waitForResponse('**/api/documents/show');
  await page.getByRole('navigation', { name: 'Seiten' }).getByRole('link', { name: 'Weiter' }).click();
  await page.getByRole('navigation', { name: 'Hauptmenü' }).getByRole('link', { name: 'Weiterleitungen' }).click();
  await arrivedAt(page, /\/weiterleitungen$/, 'Weiterleitungen');
  await late;
  await page.waitForTimeout(300);
  await expect(page).toHaveURL(/\/weiterleitungen$/);
  await expect(page.locator('main h1')).toHaveText('Weiterleitungen');
  expect(await sameDocument(page)).toBe(true);
});

test('a form calls its server function: a refusal stays in place with what was typed, the password excepted, a success shows the new page', async ({ page }) => {
  await signedIn(page);
  await page.getByRole('navigation', { name: 'Hauptmenü' }).getByRole('link', { name: 'Weiterleitungen' }).click();
  await arrivedAt(page, /\/weiterleitungen$/, 'Weiterleitungen');
  await waitForHydration(page);
  const sent: { method: string; path: string; accept: string; kind: string }[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (!['document', 'fetch', 'xhr'].includes(request.resourceType()) || url.pathname.startsWith('/pkg/')) return;
    sent.push({ method: request.method(), path: url.pathname + url.search, accept: request.headers()['accept'] ?? '', kind: request.resourceType() });
  });
  await page.locator('#forwarding-email').fill('buchhaltung@ziel.example');
  await page.locator('#forwarding-confirm').fill('anders@ziel.example');
  await page.getByRole('button', { name: 'Speichern' }).click();
  // The message stands at the field it is about, and the focus goes there.
  await expectRefusedAt(page, '#forwarding-confirm', 'Die beiden E-Mail-Adressen stimmen nicht überein.');
  await expect(page.locator('#forwarding-email')).not.toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('#forwarding-email')).toHaveValue('buchhaltung@ziel.example');
  await expect(page.locator('#forwarding-confirm')).toHaveValue('anders@ziel.example');
  expect(sent, 'one call of the server function, its typed answer read in place, no page fetched').toEqual([
    { method: 'POST', path: '/api/forwardings/add', accept: 'application/json', kind: 'fetch' },
  ]);
  expect(await sameDocument(page)).toBe(true);
  await expectNoViolations(page);
  // Corrected, the mark goes with the message; the page the function names comes in place.
  sent.length = 0;
  await page.locator('#forwarding-confirm').fill('buchhaltung@ziel.example');
  await page.getByRole('button', { name: 'Speichern' }).click();
  await expect(page.getByText('Die Weiterleitung ist gespeichert.')).toBeVisible();
  await expect(page).toHaveURL(/\/weiterleitungen\?hinzugefuegt=1$/);
  await expect(page.locator('table.forwarding-table tbody tr', { hasText: 'buchhaltung@ziel.example' })).toBeVisible();
  await expect(page.locator('[aria-invalid="true"]')).toHaveCount(0);
  expect(sent.map(({ method, path, kind }) => `${method} ${path} ${kind}`)).toEqual([
    'POST /api/forwardings/add fetch',
    'GET /weiterleitungen?hinzugefuegt=1 fetch',
  ]);
  expect(await sameDocument(page)).toBe(true);

  // Profil → Passwort: a wrong current password; the password fields come back empty.
  await page.getByRole('button', { name: 'Benutzermenü' }).click();
  await page.getByRole('link', { name: 'Profil' }).click();
  await arrivedAt(page, /\/profil$/, 'Profil');
  // The Passwort section is open from the start.
  await page.locator('#current').fill('Falsch-Wort-99');
  await page.locator('#password').fill('Neues-Wort-123');
  await page.locator('#confirm').fill('Neues-Wort-123');
  await page.getByRole('button', { name: 'Passwort ändern' }).click();
  await expectRefusedAt(page, '#current', 'Das aktuelle Passwort ist nicht korrekt.');
  await expect(page.locator('#current')).toHaveValue('');
  await expect(page.locator('#password')).toHaveValue('');
  expect(await sameDocument(page)).toBe(true);
});

test('a form keeps its clicked button, a file and the query string of its action', async ({ page }) => {
  await signedIn(page);
  await page.getByRole('navigation', { name: 'Hauptmenü' }).getByRole('link', { name: 'Dokumente' }).click();
  await arrivedAt(page, /\/dokumente$/, 'Dokumente');
  // A form of the kind the navigation must send as the browser would: two
  // buttons with a name and value, a file input, and a query string in the action.
  await page.evaluate(() => {
    const form = document.createElement('form');
    form.method = 'post';
    form.action = '/api/navigation-probe?bereich=test';
    form.enctype = 'multipart/form-data';
    form.innerHTML = '<input name="feld" value="wert"><input type="file" name="datei">'
      + '<button name="aktion" value="eins">Eins</button><button name="aktion" value="zwei">Zwei</button>';
    document.querySelector('main')!.append(form);
  });
  await page.locator('input[name="datei"]').setInputFiles({ name: 'beleg.txt', mimeType: 'text/plain', buffer: Buffer.from('Inhalt') });
  let sent: { url: string; body: string; kind: string } | null = null;
  await page.route('**/api/navigation-probe**', async (route) => {
    const request = route.request();
    sent = { url: request.url(), body: request.postDataBuffer()?.toString('latin1') ?? '', kind: request.resourceType() };
    await route.fulfill({ status: 303, headers: { location: '/dokumente?geschickt=1' } });
  });
  await page.getByRole('button', { name: 'Zwei' }).click();
  await expect(page).toHaveURL(/\/dokumente\?geschickt=1$/);
  expect(sent).not.toBeNull();
  expect(sent!.kind).toBe('fetch');
  expect(sent!.url).toMatch(/\/api\/navigation-probe\?bereich=test$/);
  expect(sent!.body).toContain('name="aktion"\r\n\r\nzwei');
  expect(sent!.body).not.toContain('\r\n\r\neins');
  expect(sent!.body).toContain('filename="beleg.txt"');
  expect(sent!.body).toContain('Inhalt');
  expect(await sameDocument(page)).toBe(true);
});

test('a failing fetch becomes a normal page load, never a dead click', async ({ page }) => {
  await signedIn(page);
  await page.route('**/weiterleitungen', (route) => (route.request().resourceType() === 'fetch' ? route.abort('failed') : route.continue()));
  await page.getByRole('navigation', { name: 'Hauptmenü' }).getByRole('link', { name: 'Weiterleitungen' }).click();
  await expect(page).toHaveURL(/\/weiterleitungen$/);
  await expect(page.locator('main h1')).toHaveText('Weiterleitungen');
  expect(await sameDocument(page), 'the page was loaded anew').toBe(false);
});

test('PDFs and signing out stay page loads of their own', async ({ page }) => {
  await signedIn(page);
  await page.getByRole('navigation', { name: 'Hauptmenü' }).getByRole('link', { name: 'Dokumente' }).click();
  await arrivedAt(page, /\/dokumente$/, 'Dokumente');
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: / herunterladen$/ }).first().click();
  expect((await download).suggestedFilename()).toMatch(/^Rechnung_NAV-\d+\.pdf$/);
  await page.getByRole('button', { name: 'Benutzermenü' }).click();
  await page.getByRole('button', { name: 'Abmelden' }).click();
  await expect(page).toHaveURL(/\/login$/);
  expect(await sameDocument(page), 'signing out loaded the login page').toBe(false);
});

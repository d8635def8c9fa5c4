// Every signed-in page at 375 px and at 1280 px: nothing wider than the
// screen, and no word broken inside (a document number or an address may
// wrap at its punctuation). On a phone the Dokumente filters fold behind a
// "Filter" button (open while a filter is set) and the navigation tabs show
// that there is more to the side.
import { test, expect } from '@playwright/test';
import { TestCustomer, addDocuments, brokenWords, createReadyCustomer, signIn, waitForHydration, widerThanTheScreen } from './helpers';

let customer: TestCustomer;

test.beforeAll(async ({ browser }) => {
  customer = await createReadyCustomer(browser, 'layout');
  addDocuments(customer.number, [
    { number: 'RE-2026-0001', type: 'rechnung', created: '2026-10-01' },
    { number: 'GS-2026-0002', type: 'gutschrift', created: '2026-10-02' },
    { number: 'LS-2026-0003', type: 'lieferschein', created: '2026-10-03' },
    { number: 'MA-2026-0004', type: 'mahnung', created: '2026-10-04' },
    // A long number puts the table under pressure: the other columns must not give up whole words for it.
    { number: 'RE-2026-0005-SAMMELRECHNUNG-ALLE-STANDORTE-NOVEMBER', type: 'rechnung', created: '2026-10-05' },
  ]);
});

test.describe.configure({ mode: 'serial' });

const PAGES = ['/', '/dokumente', '/weiterleitungen', '/benutzer', '/aktivitaet', '/profil'];

for (const width of [375, 1280]) {
  test(`at ${width} px no page is wider than the screen and no word is broken inside`, async ({ page }) => {
    await page.setViewportSize({ width, height: 900 });
    await signIn(page, customer.username, customer.password);
    await expect(page.getByRole('heading', { name: 'Hauptansicht', exact: true })).toBeVisible();
    const documentId = await (async () => {
      await page.goto('/dokumente');
      const href = await page.getByRole('link', { name: /^Versand von / }).first().getAttribute('href');
      return href!.split('dokument=')[1];
    })();
    for (const path of [...PAGES, `/versandprotokoll?dokument=${documentId}`]) {
      await page.goto(path);
      await waitForHydration(page);
      await expect(page.locator('main h1')).toBeVisible();
      expect(await widerThanTheScreen(page), `${path} at ${width} px`).toEqual([]);
      expect(await brokenWords(page), `${path} at ${width} px`).toEqual([]);
    }
  });
}

for (const width of [375, 1280]) {
  test(`at ${width} px the API reference fits the screen without a word broken inside`, async ({ page }) => {
    await page.setViewportSize({ width, height: 900 });
    await page.goto('/api/docs');
    await expect(page.locator('main h1')).toBeVisible();
    expect(await widerThanTheScreen(page), `/api/docs at ${width} px`).toEqual([]);
    expect(await brokenWords(page), `/api/docs at ${width} px`).toEqual([]);
  });
}

for (const width of [375, 1280]) {
  test(`at ${width} px the app's consent page fits the screen without a word broken inside`, async ({ page }) => {
    await page.setViewportSize({ width, height: 900 });
    await signIn(page, customer.username, customer.password);
    const request = new URLSearchParams({
      response_type: 'code', client_id: 'kundenportal-app', redirect_uri: 'http://127.0.0.1:49152/callback',
      code_challenge: 'dgN_VRKVwf4ejzyBOY6iP05o7Z4bLbfzPYOeqaoWKdQ', code_challenge_method: 'S256', state: 'layout',
    });
    await page.goto(`/oauth/authorize?${request}`);
    await expect(page.getByRole('heading', { level: 1, name: 'App-Zugriff erlauben' })).toBeVisible();
    expect(await widerThanTheScreen(page), `/app-freigabe at ${width} px`).toEqual([]);
    expect(await brokenWords(page), `/app-freigabe at ${width} px`).toEqual([]);
  });
}

test('on a phone the filters fold behind "Filter", open while a filter is set, and the first documents are on the first screen', async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 700 });
  await signIn(page, customer.username, customer.password);
  await page.goto('/dokumente');
  const toggle = page.locator('summary', { hasText: 'Filter' });
  await expect(toggle).toBeVisible();
  await expect(page.getByLabel('Typ')).toBeHidden();
  const firstRow = page.locator('main tbody tr').first();
  const box = await firstRow.boundingBox();
  expect(box!.y, 'the first document starts on the first screen').toBeLessThan(700);
  await toggle.click();
  await expect(page.getByLabel('Typ')).toBeVisible();
  await page.getByLabel('Typ').selectOption('rechnung');
  await page.getByRole('button', { name: 'Anzeigen' }).click();
  await expect(page).toHaveURL(/typ=rechnung/);
  await expect(page.getByLabel('Typ'), 'open while a filter is set').toBeVisible();
  await page.goto('/dokumente?typ=rechnung');
  await expect(page.getByLabel('Typ'), 'open on a fresh load with a filter').toBeVisible();
});

test('on a desktop the filters are there without a click', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await signIn(page, customer.username, customer.password);
  await page.goto('/dokumente');
  await expect(page.getByLabel('Typ')).toBeVisible();
  await expect(page.locator('summary', { hasText: 'Filter' })).toBeHidden();
});

test('on a phone the navigation tabs show that there is more to the side', async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 700 });
  await signIn(page, customer.username, customer.password);
  await page.goto('/dokumente');
  const tabs = page.getByRole('navigation', { name: 'Hauptmenü' });
  const { scrollable, shaded } = await tabs.evaluate((nav) => ({
    scrollable: nav.scrollWidth > nav.clientWidth,
    shaded: getComputedStyle(nav).backgroundImage.includes('radial-gradient'),
  }));
  expect(scrollable, 'more tabs than fit').toBe(true);
  expect(shaded, 'a shade at the edge with more behind it').toBe(true);
});

// Dokumente in Chromium against the real server: the list's search, type
// filter, sort and paging live in the address; a PDF opens in a new tab and
// downloads under its name; the list works without JavaScript and at 375 px.
import { test, expect, Page } from '@playwright/test';
import * as fs from 'fs';
import { AxeBuilder } from '@axe-core/playwright';
import { TestCustomer, addDocuments, createReadyCustomer, samplePdf, signIn, waitForHydration } from './helpers';

let customer: TestCustomer;

test.beforeAll(async ({ browser }) => {
  customer = await createReadyCustomer(browser, 'dokumente');
  const documents = [];
  for (let i = 1; i <= 30; i++) {
    documents.push({ number: `RE-2026-${String(i).padStart(4, '0')}`, type: 'rechnung', created: `2026-10-${String((i % 28) + 1).padStart(2, '0')}` });
  }
  documents.push({ number: 'GS-2026-0001', type: 'gutschrift', created: '2026-11-02' });
  documents.push({ number: 'MA-2026-0001', type: 'mahnung', created: '2026-11-03' });
  addDocuments(customer.number, documents);
});

const rows = (page: Page) => page.locator('table.document-table tbody tr');

/** Signs in and waits for the start page, so that no later navigation cuts the sign-in short. */
async function signedIn(page: Page) {
  await signIn(page, customer.username, customer.password);
  await expect(page.getByRole('heading', { name: 'Hauptansicht', exact: true })).toBeVisible();
}

test('search, type filter, sort and paging, each in the address', async ({ page }) => {
  await signedIn(page);
  await expect(page.getByText('32 neue Dokumente')).toBeVisible();
  await page.getByRole('link', { name: /Dokumente/ }).first().click();
  await expect(page).toHaveURL(/\/dokumente$/);
  await waitForHydration(page);
  await expect(page.getByRole('status')).toHaveText('32 Dokumente');
  await expect(rows(page)).toHaveCount(25);
  await expect(rows(page).first()).toContainText('MA-2026-0001');
  await expect(rows(page).first().getByText('neu', { exact: true })).toBeVisible();

  // Search as you type.
  await page.getByLabel('Suche').fill('0012');
  await expect(page).toHaveURL(/suche=0012/);
  await expect(rows(page)).toHaveCount(1);
  await expect(rows(page).first()).toContainText('RE-2026-0012');

  // Type filter, then sort by number, then the next page.
  await page.getByLabel('Suche').fill('');
  await page.getByLabel('Typ').selectOption('rechnung');
  await page.getByRole('button', { name: 'Anzeigen' }).click();
  await expect(page).toHaveURL(/typ=rechnung/);
  await expect(page.getByRole('status')).toHaveText('30 Dokumente');
  await page.getByRole('link', { name: 'Nummer' }).click();
  await expect(page).toHaveURL(/sortierung=nummer&richtung=auf/);
  await expect(rows(page).first()).toContainText('RE-2026-0001');
  await expect(page.getByRole('columnheader', { name: 'Nummer' })).toHaveAttribute('aria-sort', 'ascending');
  await page.getByRole('link', { name: 'Weiter', exact: true }).click();
  await expect(page).toHaveURL(/seite=2/);
  await expect(page.getByRole('navigation', { name: 'Seiten' }).getByText('Seite 2 von 2')).toBeVisible();
  await expect(rows(page)).toHaveCount(5);
  await expect(rows(page).first()).toContainText('RE-2026-0026');

  // Back and forward walk the states.
  await page.goBack();
  await expect(rows(page).first()).toContainText('RE-2026-0001');
  await page.goForward();
  await expect(rows(page).first()).toContainText('RE-2026-0026');
});

test('Ansehen opens the PDF in a new tab, Herunterladen saves it under its name', async ({ page, context }) => {
  await signedIn(page);
  await page.goto('/dokumente?suche=GS-2026-0001');
  await waitForHydration(page);
  const row = rows(page).first();
  await expect(row).toContainText('Gutschrift');

  const pdfResponse = context.waitForEvent('response', (response) => /\/dokumente\/\d+\/pdf$/.test(response.url()));
  const [popup] = await Promise.all([page.waitForEvent('popup'), row.getByRole('link', { name: /ansehen/ }).click()]);
  const response = await pdfResponse;
  expect(response.status()).toBe(200);
  expect(response.headers()['content-type']).toBe('application/pdf');
  expect(response.headers()['content-disposition']).toContain('inline');
  await popup.close();

  const [download] = await Promise.all([page.waitForEvent('download'), row.getByRole('link', { name: /herunterladen/ }).click()]);
  expect(download.suggestedFilename()).toBe('Gutschrift_GS-2026-0001.pdf');
  const saved = fs.readFileSync((await download.path())!);
  expect(saved.equals(samplePdf('gutschrift GS-2026-0001'))).toBe(true);

  // Opened: no longer new for this user.
  await page.reload();
  await expect(rows(page).first().getByText('neu', { exact: true })).toHaveCount(0);
});

test('Alle herunterladen (ZIP) saves the filtered documents as one file', async ({ page }) => {
  await signedIn(page);
  await page.goto('/dokumente?typ=gutschrift');
  await waitForHydration(page);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Alle herunterladen (ZIP)' }).click()]);
  expect(download.suggestedFilename()).toMatch(/^Dokumente_\d{4}-\d{2}-\d{2}\.zip$/);
  const zip = fs.readFileSync((await download.path())!);
  expect(zip.subarray(0, 4).toString('latin1')).toBe('PK\x03\x04');
  expect(zip.includes(Buffer.from('Gutschrift_GS-2026-0001.pdf'))).toBe(true);
  expect(zip.includes(samplePdf('gutschrift GS-2026-0001'))).toBe(true);
  expect(zip.includes(Buffer.from('Rechnung_'))).toBe(false);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the list, its filter form and its links work', async ({ page }) => {
    await signedIn(page);
    await page.goto('/dokumente');
    await expect(page.getByText('32 Dokumente')).toBeVisible();
    await page.getByLabel('Typ').selectOption('mahnung');
    await page.getByRole('button', { name: 'Anzeigen' }).click();
    await expect(page).toHaveURL(/typ=mahnung/);
    await expect(rows(page)).toHaveCount(1);
    await page.goto('/dokumente?typ=rechnung&anzahl=25');
    await page.getByRole('link', { name: 'Weiter', exact: true }).click();
    await expect(page.getByRole('navigation', { name: 'Seiten' }).getByText('Seite 2 von 2')).toBeVisible();
  });
});

test.describe('on a phone', () => {
  test.use({ viewport: { width: 375, height: 740 } });

  test('every document is a card and nothing is wider than the screen', async ({ page }) => {
    await signedIn(page);
    await page.goto('/dokumente');
    await waitForHydration(page);
    await expect(rows(page).first()).toBeVisible();
    await expect(rows(page).first().locator('td[data-label="Nummer"]')).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  });
});

test('axe finds no WCAG 2.1 AA violation on the list, on a desktop and on a phone', async ({ page }) => {
  await signedIn(page);
  for (const viewport of [{ width: 1280, height: 800 }, { width: 375, height: 740 }]) {
    await page.setViewportSize(viewport);
    await page.goto('/dokumente?typ=rechnung');
    await waitForHydration(page);
    await expect(rows(page).first()).toBeVisible();
    const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), `${viewport.width} px`).toEqual([]);
  }
});

// E-invoices in Chromium against the real server: the Dokumente list marks
// a Factur-X PDF and a bare XRechnung with amount and due date (a plain PDF
// not), "Nur E-Rechnungen" filters with and without JavaScript, the XML
// downloads byte for byte as it was embedded, and the readable page shows
// parties, dates, lines and totals — for the customer's own documents only.
// The list and the page pass axe and fit 375 px.
import { test, expect, Page } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';
import {
  TestCustomer, addDocument, addEInvoice, ciiInvoiceXml, createCustomer, createReadyCustomer, expectNoViolations, facturXPdf, fitsAt375,
  signIn, waitForHydration,
} from './helpers';

const XRECHNUNG = path.resolve(__dirname, '../../app/src/documents/einvoice/fixtures/ubl_xrechnung_invoice.xml');

let customer: TestCustomer;
let facturXId: string;
let xrechnungId: string;
let foreignId: string;
const facturXXml = ciiInvoiceXml({
  number: 'FX-2026-0001',
  issueDate: '2026-11-02',
  dueDate: '2026-12-02',
  total: '1190.00',
  seller: 'Muster Versorgung GmbH',
  buyer: 'Testkunde E-Rechnung',
});

test.beforeAll(async ({ browser }) => {
  customer = await createReadyCustomer(browser, 'erechnung');
  addDocument(customer.number, { number: 'RE-2026-0100', type: 'rechnung', created: '2026-11-01' });
  facturXId = addEInvoice(customer.number, { number: 'FX-2026-0001', type: 'rechnung', created: '2026-11-02', file: facturXPdf('Rechnung FX-2026-0001', facturXXml) });
  // The repository's XRechnung fixture, as the billing system would send it: RE-2024-0042, 238.00 EUR, due 30 July 2024.
  xrechnungId = addEInvoice(customer.number, { number: 'RE-2024-0042', type: 'rechnung', created: '2024-06-30', file: fs.readFileSync(XRECHNUNG), extension: 'xml' });
  // Another customer's e-invoice (no sign-in needed for it).
  const foreign = createCustomer('erechnung-fremd');
  foreignId = addEInvoice(foreign.number, {
    number: 'FX-FREMD-1', type: 'rechnung', created: '2026-11-02',
    file: facturXPdf('Rechnung FX-FREMD-1', ciiInvoiceXml({ number: 'FX-FREMD-1', issueDate: '2026-11-02', total: '119.00', seller: 'Fremdfirma AG' })),
  });
});

const rows = (page: Page) => page.locator('table.document-table tbody tr');
const row = (page: Page, number: string) => rows(page).filter({ hasText: number });

async function signedIn(page: Page) {
  await signIn(page, customer.username, customer.password);
  await expect(page.getByRole('heading', { name: 'Hauptansicht', exact: true })).toBeVisible();
}

test('the list marks e-invoices with amount and due date, filters them, and hands out the XML as embedded', async ({ page }) => {
  await signedIn(page);
  await page.goto('/dokumente');
  await waitForHydration(page);
  await expect(rows(page)).toHaveCount(3);

  const facturX = row(page, 'FX-2026-0001');
  await expect(facturX.locator('.badge-einvoice')).toHaveText('E-Rechnung (Profil EN 16931)');
  await expect(facturX.locator('.badge-einvoice')).toHaveAttribute('title', 'Profil EN 16931');
  await expect(facturX).toContainText('1.190,00 €');
  await expect(facturX).toContainText('fällig 02.12.2026');
  const xrechnung = row(page, 'RE-2024-0042');
  await expect(xrechnung.locator('.badge-einvoice')).toBeVisible();
  await expect(xrechnung).toContainText('238,00 €');
  await expect(xrechnung).toContainText('fällig 30.07.2024');
  const plain = row(page, 'RE-2026-0100');
  await expect(plain.locator('.badge-einvoice')).toHaveCount(0);
  await expect(plain.getByRole('link', { name: /XML/ })).toHaveCount(0);
  // A bare XML is viewed as its readable page, not as a PDF.
  await expect(xrechnung.getByRole('link', { name: 'Rechnung RE-2024-0042 ansehen', exact: true }))
    .toHaveAttribute('href', `/dokumente/${xrechnungId}/e-rechnung`);

  await expectNoViolations(page);
  await fitsAt375(page, 'Dokumente with e-invoices');

  // "Nur E-Rechnungen", shown in place: the plain PDF leaves; "Zurücksetzen" unticks it again.
  await page.getByLabel('Nur E-Rechnungen').check();
  await page.getByRole('button', { name: 'Anzeigen' }).click();
  await expect(page).toHaveURL(/art=e-rechnung/);
  await expect(page.getByRole('status')).toHaveText('2 Dokumente');
  await expect(rows(page)).toHaveCount(2);
  await expect(row(page, 'RE-2026-0100')).toHaveCount(0);
  await page.getByRole('link', { name: 'Zurücksetzen' }).click();
  await expect(page).toHaveURL(/\/dokumente$/);
  await expect(rows(page)).toHaveCount(3);
  await expect(page.getByLabel('Nur E-Rechnungen')).not.toBeChecked();

  // The XML, byte for byte the one inside the PDF, under the document's name.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    row(page, 'FX-2026-0001').getByRole('link', { name: 'XML von Rechnung FX-2026-0001 herunterladen' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('Rechnung_FX-2026-0001.xml');
  expect(fs.readFileSync((await download.path())!)).toEqual(Buffer.from(facturXXml, 'utf8'));
});

test('the readable page shows parties, dates, lines and totals, for the own documents only', async ({ page }) => {
  await signedIn(page);
  await page.goto('/dokumente');
  // The bare XRechnung: "Ansehen" is its readable page.
  await row(page, 'RE-2024-0042').getByRole('link', { name: 'Rechnung RE-2024-0042 ansehen', exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/dokumente/${xrechnungId}/e-rechnung$`));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Rechnung RE-2024-0042');
  const seller = page.locator('section.einvoice-party').filter({ has: page.getByRole('heading', { name: 'Rechnungssteller' }) });
  await expect(seller).toContainText('ACME GmbH');
  await expect(seller).toContainText('10115 Berlin');
  await expect(seller).toContainText('USt-IdNr. DE111222333');
  const buyer = page.locator('section.einvoice-party').filter({ has: page.getByRole('heading', { name: 'Rechnungsempfänger' }) });
  await expect(buyer).toContainText('Stadt Musterstadt');
  const details = page.locator('dl.einvoice-details');
  await expect(details).toContainText('30.06.2024');
  await expect(details).toContainText('30.07.2024');
  await expect(details).toContainText('991-01234-56');
  await expect(details).toContainText('DE75 5121 0800 1245 1261 99');
  const lines = page.getByRole('table', { name: 'Positionen' });
  await expect(lines.getByRole('row')).toHaveCount(3);
  await expect(lines.getByRole('row').nth(1)).toContainText('Beratung');
  await expect(lines.getByRole('row').nth(1)).toContainText('10 Stunden');
  await expect(lines.getByRole('row').nth(1)).toContainText('15,00 €');
  await expect(lines.getByRole('row').nth(1)).toContainText('19 %');
  await expect(lines.getByRole('row').nth(2)).toContainText('1 Stück');
  const totals = page.locator('dl.einvoice-totals');
  await expect(totals).toContainText('200,00 €');
  await expect(totals).toContainText('38,00 €');
  await expect(totals).toContainText('238,00 €');
  await expect(page.getByRole('link', { name: 'XML herunterladen' })).toHaveAttribute('href', `/dokumente/${xrechnungId}/xml`);
  await expect(page.getByRole('link', { name: /PDF ansehen/ })).toHaveCount(0);
  await expectNoViolations(page);
  await fitsAt375(page, 'readable XRechnung');

  // A Factur-X PDF: "Lesen" in the list; its page offers the PDF too.
  await page.getByRole('link', { name: 'Zurück zu den Dokumenten' }).click();
  await row(page, 'FX-2026-0001').getByRole('link', { name: 'Rechnung FX-2026-0001 als E-Rechnung lesen' }).click();
  await expect(page).toHaveURL(new RegExp(`/dokumente/${facturXId}/e-rechnung$`));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Rechnung FX-2026-0001');
  await expect(page.locator('dl.einvoice-totals')).toContainText('1.190,00 €');
  await expect(page.getByRole('link', { name: 'PDF ansehen (neues Fenster)' })).toHaveAttribute('href', `/dokumente/${facturXId}/pdf`);

  // Another customer's e-invoice: not found, nothing of it shown.
  const response = await page.goto(`/dokumente/${foreignId}/e-rechnung`);
  expect(response!.status()).toBe(404);
  await expect(page.getByRole('alert')).toHaveText('Die Seite oder der Eintrag wurde nicht gefunden.');
  await expect(page.getByText('Fremdfirma')).toHaveCount(0);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('"Nur E-Rechnungen" is a plain form field', async ({ page }) => {
    await signedIn(page);
    await page.goto('/dokumente');
    await page.getByLabel('Nur E-Rechnungen').check();
    await page.getByRole('button', { name: 'Anzeigen' }).click();
    await expect(page).toHaveURL(/art=e-rechnung/);
    await expect(page.getByRole('status')).toHaveText('2 Dokumente');
    await expect(rows(page)).toHaveCount(2);
    await expect(page.getByLabel('Nur E-Rechnungen')).toBeChecked();
    await expect(row(page, 'FX-2026-0001')).toContainText('fällig 02.12.2026');
  });
});

// E-invoices passed on by mail, in Chromium against the real server: a
// forwarding set up on the Weiterleitungen page to send only the invoice
// XML, confirmed from its mail, forwards a Factur-X invoice with the XML as
// its one attachment, byte for byte; Profil's "E-Rechnung (XML) mitsenden"
// adds the XML to "mit Anhang"; the radio group passes axe and fits 375 px;
// without JavaScript a refused form keeps what was chosen.
import { test, expect, Page } from '@playwright/test';
import {
  TestCustomer, addEInvoice, attachmentOf, ciiInvoiceXml, createReadyCustomer, expectNoViolations, expectRefusedAt, facturXPdf,
  fitsAt375, linkFromMail, signIn, waitForHydration, waitForMail } from './helpers';

// ---- the mails' attachments ---------------------------------------------------

/** How many files a mail attaches, and the content type of each, in order. */
function attachmentTypes(mail: string): string[] {
  return mail.split(/\r\n--/).filter((part) => part.includes('Content-Disposition: attachment')).map((part) => {
    const headers = part.slice(0, part.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ');
    return /Content-Type: ([^;\r\n]+)/.exec(headers)![1].trim();
  });
}

/** The second attachment, where the first is what `attachmentOf` reads. */
function secondAttachmentOf(mail: string): { name: string; bytes: Buffer } | undefined {
  const first = mail.indexOf('Content-Disposition: attachment');
  const second = mail.indexOf('Content-Disposition: attachment', first + 1);
  return second < 0 ? undefined : attachmentOf(mail.slice(second));
}

let customer: TestCustomer;

test.beforeAll(async ({ browser }) => {
  customer = await createReadyCustomer(browser, 'erechnung-weiter');
});

/** The invoice inbox the forwarding of the XML goes to. */
function xmlAddress(): string {
  return `xml@${customer.number.toLowerCase()}.example`;
}

async function signedIn(page: Page) {
  await signIn(page, customer.username, customer.password);
  await expect(page.getByRole('heading', { name: 'Hauptansicht', exact: true })).toBeVisible();
}

test.describe.configure({ mode: 'serial' });

test('a forwarding set up to send only the XML forwards a Factur-X invoice as its XML alone', async ({ page, browser }) => {
  const address = xmlAddress();
  await signedIn(page);
  await page.goto('/weiterleitungen');
  await waitForHydration(page);
  const sends = page.getByRole('group', { name: 'Anhang' });
  await expect(sends.getByRole('radio', { name: 'PDF', exact: true })).toBeChecked();
  await expect(sends).toContainText('Dokumente ohne E-Rechnung werden immer als PDF gesendet.');
  await expectNoViolations(page);
  await fitsAt375(page, 'Weiterleitungen with the choice of attachment');

  await page.locator('#forwarding-email').fill(address);
  await page.getByLabel('E-Mail bestätigen').fill(address);
  await page.getByLabel('Dokumententyp').selectOption({ label: 'Rechnung' });
  await sends.getByRole('radio', { name: 'nur die E-Rechnung (XML)' }).check();
  await page.getByRole('button', { name: 'Speichern' }).click();
  await expect(page.getByText('Die Weiterleitung ist gespeichert.')).toBeVisible();
  const row = page.locator('table.forwarding-table tbody tr', { hasText: address });
  await expect(row).toContainText('nur die E-Rechnung (XML)');
  await expect(row).toContainText('wartet auf Bestätigung');
  await expectNoViolations(page);
  await fitsAt375(page, 'Weiterleitungen with a forwarding of the XML');

  // The recipient sees what will come, and confirms in a browser of their own.
  const link = await linkFromMail(address, '/weiterleitung-bestaetigen');
  const recipient = await browser.newContext();
  const recipientPage = await recipient.newPage();
  await recipientPage.goto(link);
  await expect(recipientPage.locator('dl.facts')).toContainText('nur die E-Rechnung (XML)');
  await waitForHydration(recipientPage);
  await recipientPage.getByRole('button', { name: 'Weiterleitung bestätigen' }).click();
  await expect(recipientPage.getByText('Die Weiterleitung ist bestätigt')).toBeVisible();
  await recipient.close();
  await page.reload();
  await expect(row).toContainText('aktiv');

  const xml = Buffer.from(ciiInvoiceXml({ number: 'RE-X-1', issueDate: '2026-11-20', total: '1190.00' }), 'utf8');
  addEInvoice(customer.number, { number: 'RE-X-1', type: 'rechnung', created: '2026-11-20', file: facturXPdf('Rechnung RE-X-1', xml) });
  const forwarded = await waitForMail(address, (m) => m.includes('Subject: Rechnung RE-X-1'));
  expect(attachmentTypes(forwarded)).toEqual(['application/xml']);
  const attachment = attachmentOf(forwarded)!;
  expect(attachment.name).toBe('Rechnung_RE-X-1.xml');
  expect(attachment.bytes.equals(xml)).toBe(true);
});

test('Profil: "E-Rechnung (XML) mitsenden" adds the XML to "mit Anhang"', async ({ page }) => {
  await signedIn(page);
  await page.goto('/profil');
  await waitForHydration(page);
  await page.locator('summary', { hasText: 'E-Mail-Benachrichtigung' }).click();
  const withXml = page.getByRole('checkbox', { name: 'E-Rechnung (XML) mitsenden' });
  await expect(withXml).not.toBeChecked();
  await page.getByLabel('mit Anhang').check();
  await withXml.check();
  await page.getByRole('button', { name: 'Speichern' }).click();
  await expect(page.getByText('Ihre Auswahl ist gespeichert.')).toBeVisible();
  await expectNoViolations(page);
  await fitsAt375(page, 'Profil with the XML checkbox');
  // Loaded anew, the section starts closed.
  await page.goto('/profil');
  await page.locator('summary', { hasText: 'E-Mail-Benachrichtigung' }).click();
  await expect(page.getByLabel('mit Anhang')).toBeChecked();
  await expect(withXml).toBeChecked();

  const xml = Buffer.from(ciiInvoiceXml({ number: 'RE-X-2', issueDate: '2026-11-21', total: '238.00' }), 'utf8');
  const pdf = facturXPdf('Rechnung RE-X-2', xml);
  addEInvoice(customer.number, { number: 'RE-X-2', type: 'rechnung', created: '2026-11-21', file: pdf });
  const mail = await waitForMail(customer.email, (m) => m.includes('Rechnung_RE-X-2.pdf'));
  expect(attachmentTypes(mail)).toEqual(['application/pdf', 'application/xml']);
  expect(attachmentOf(mail)!.bytes.equals(pdf)).toBe(true);
  const second = secondAttachmentOf(mail)!;
  expect(second.name).toBe('Rechnung_RE-X-2.xml');
  expect(second.bytes.equals(xml)).toBe(true);
  // The forwarding of the XML sends this one as its XML alone, as before.
  const forwarded = await waitForMail(xmlAddress(), (m) => m.includes('Subject: Rechnung RE-X-2'));
  expect(attachmentTypes(forwarded)).toEqual(['application/xml']);
  expect(attachmentOf(forwarded)!.bytes.equals(xml)).toBe(true);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the choice is posted with the form and a refused form keeps it', async ({ page }) => {
    const address = `beides@${customer.number.toLowerCase()}.example`;
    await signedIn(page);
    await page.goto('/weiterleitungen');
    await page.locator('#forwarding-email').fill(address);
    await page.getByLabel('E-Mail bestätigen').fill(`anders-${address}`);
    await page.getByRole('radio', { name: 'PDF und E-Rechnung (XML)' }).check();
    await page.getByRole('button', { name: 'Speichern' }).click();
    await expectRefusedAt(page, '#forwarding-confirm', 'Die beiden E-Mail-Adressen stimmen nicht überein.');
    await expect(page.getByRole('radio', { name: 'PDF und E-Rechnung (XML)' })).toBeChecked();

    await page.locator('#forwarding-email').fill(address);
    await page.getByLabel('E-Mail bestätigen').fill(address);
    await page.getByRole('button', { name: 'Speichern' }).click();
    await expect(page.getByText('Die Weiterleitung ist gespeichert.')).toBeVisible();
    await expect(page.locator('table.forwarding-table tbody tr', { hasText: address })).toContainText('PDF und E-Rechnung (XML)');

    await page.goto('/profil');
    await page.locator('summary', { hasText: 'E-Mail-Benachrichtigung' }).click();
    await page.getByRole('checkbox', { name: 'E-Rechnung (XML) mitsenden' }).uncheck();
    await page.getByRole('button', { name: 'Speichern' }).click();
    await expect(page).toHaveURL(/bereich=benachrichtigung&gespeichert=1/);
    await expect(page.getByRole('checkbox', { name: 'E-Rechnung (XML) mitsenden' })).not.toBeChecked();
    await expect(page.getByLabel('mit Anhang')).toBeChecked();
  });
});

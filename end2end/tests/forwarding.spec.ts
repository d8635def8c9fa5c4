// New-document mails and Weiterleitungen in Chromium against the real
// server: the notification choice in Profil, a document delivered through
// the API arriving with its PDF in the mail folder, a forwarding confirmed
// from its mail that forwards Rechnungen only, its removal, the delivery
// log, a sub-user without the right, and the forms without JavaScript.
import { test, expect, Page, APIRequestContext } from '@playwright/test';
import {
  TestCustomer, attachmentOf, createReadyCustomer, expectNoViolations, finishFirstSignIn, linkFromMail, mailFiles, operator,
  operatorOutput, samplePdf, signIn, waitForHydration, waitForMail, expectRefusedAt } from './helpers';

let customer: TestCustomer;
let apiKey: string;

test.beforeAll(async ({ browser }) => {
  customer = await createReadyCustomer(browser, 'weiterleitung');
  apiKey = operatorOutput(['apikey', 'create', '--name', `e2e-${customer.number}`]).trim();
});

async function signedIn(page: Page) {
  await signIn(page, customer.username, customer.password);
  await expect(page.getByRole('heading', { name: 'Hauptansicht', exact: true })).toBeVisible();
}

/** Delivers a document the way the operator's billing system does. */
async function ingest(request: APIRequestContext, number: string, type: string, pdf: Buffer) {
  const response = await request.post('/api/v1/documents', {
    headers: { Authorization: `Bearer ${apiKey}` },
    multipart: {
      customer: customer.number,
      number,
      type,
      created: '2026-11-20',
      file: { name: `${number}.pdf`, mimeType: 'application/pdf', buffer: pdf },
    },
  });
  expect(response.status(), await response.text()).toBe(201);
}

test.describe.configure({ mode: 'serial' });

test('mit Anhang: the PDF arrives with the mail', async ({ page, request }) => {
  await signedIn(page);
  await page.goto('/profil');
  await waitForHydration(page);
  await page.locator('summary', { hasText: 'E-Mail-Benachrichtigung' }).click();
  await expect(page.getByRole('group', { name: 'Bereitstellung von Dokumenten' })).toBeVisible();
  await expect(page.getByLabel('nur Benachrichtigung')).toBeChecked();
  await page.getByLabel('mit Anhang').check();
  await page.getByRole('button', { name: 'Speichern' }).click();
  await expect(page.getByText('Ihre Auswahl ist gespeichert.')).toBeVisible();
  await expectNoViolations(page);
  await page.reload();
  await page.locator('summary', { hasText: 'E-Mail-Benachrichtigung' }).click();
  await expect(page.getByLabel('mit Anhang')).toBeChecked();

  const pdf = samplePdf('Rechnung RE-E2E-1');
  await ingest(request, 'RE-E2E-1', 'rechnung', pdf);
  const mail = await waitForMail(customer.email, (m) => m.includes('Rechnung_RE-E2E-1.pdf'));
  const attachment = attachmentOf(mail)!;
  expect(attachment.name).toBe('Rechnung_RE-E2E-1.pdf');
  expect(attachment.bytes.equals(pdf)).toBe(true);
});

test('a forwarding, confirmed from its mail, forwards Rechnungen and is removed again', async ({ page, browser, request }) => {
  const address = `fibu-${customer.number.toLowerCase()}@steuer.example`;
  await signedIn(page);
  await page.getByRole('navigation', { name: 'Hauptmenü' }).getByRole('link', { name: 'Weiterleitungen' }).click();
  await expect(page.getByRole('heading', { name: 'Weiterleitungen', exact: true })).toBeVisible();
  await waitForHydration(page);

  await page.locator('#forwarding-email').fill(address);
  await page.getByLabel('E-Mail bestätigen').fill(`anders-${address}`);
  await page.getByLabel('Dokumententyp').selectOption({ label: 'Rechnung' });
  await page.getByRole('button', { name: 'Speichern' }).click();
  await expectRefusedAt(page, '#forwarding-confirm', 'Die beiden E-Mail-Adressen stimmen nicht überein.');
  await expect(page.locator('#forwarding-email')).toHaveValue(address);
  await page.locator('#forwarding-email').fill(address);
  await page.getByLabel('E-Mail bestätigen').fill(address);
  await page.getByLabel('Dokumententyp').selectOption({ label: 'Rechnung' });
  await page.getByRole('button', { name: 'Speichern' }).click();
  await expect(page.getByText('Die Weiterleitung ist gespeichert.')).toBeVisible();
  const row = page.locator('table.forwarding-table tbody tr');
  await expect(row).toHaveCount(1);
  await expect(row).toContainText(address);
  await expect(row).toContainText('Rechnung');
  await expect(row).toContainText('wartet auf Bestätigung');

  // The recipient confirms in a browser of their own.
  const link = await linkFromMail(address, '/weiterleitung-bestaetigen');
  const recipient = await browser.newContext();
  const recipientPage = await recipient.newPage();
  await recipientPage.goto(link);
  await expect(recipientPage.getByText(address)).toBeVisible();
  await waitForHydration(recipientPage);
  await expectNoViolations(recipientPage);
  await recipientPage.getByRole('button', { name: 'Weiterleitung bestätigen' }).click();
  await expect(recipientPage.getByText('Die Weiterleitung ist bestätigt')).toBeVisible();
  await recipient.close();
  await page.reload();
  await expect(row).toContainText('aktiv');

  const invoice = samplePdf('Rechnung RE-E2E-2');
  await ingest(request, 'RE-E2E-2', 'rechnung', invoice);
  const forwarded = await waitForMail(address, (m) => m.includes('Subject: Rechnung RE-E2E-2'));
  expect(attachmentOf(forwarded)!.name).toBe('Rechnung_RE-E2E-2.pdf');
  expect(attachmentOf(forwarded)!.bytes.equals(invoice)).toBe(true);
  expect(forwarded).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click');

  // A Gutschrift: the main user gets it (mit Anhang), the forwarding does not.
  await ingest(request, 'GS-E2E-1', 'gutschrift', samplePdf('Gutschrift GS-E2E-1'));
  await waitForMail(customer.email, (m) => m.includes('Gutschrift_GS-E2E-1.pdf'));
  expect(mailFiles().filter((m) => m.includes(`To: ${address}`) && m.includes('GS-E2E-1'))).toEqual([]);

  // The delivery log of the invoice, from the Dokumente list.
  await page.goto('/dokumente?suche=RE-E2E-2');
  await page.getByRole('link', { name: 'Versand von Rechnung RE-E2E-2' }).click();
  await expect(page.getByRole('heading', { name: 'Versandprotokoll' })).toBeVisible();
  const log = page.locator('table.delivery-table tbody');
  await expect(log).toContainText(address);
  await expect(log).toContainText('Weiterleitung');
  await expect(log).toContainText('versendet');
  await expectNoViolations(page);

  await page.goto('/weiterleitungen');
  await waitForHydration(page);
  await row.getByRole('link', { name: `Weiterleitung an ${address} entfernen` }).click();
  await expect(page.getByText('wirklich entfernen?')).toBeVisible();
  await expectNoViolations(page);
  await page.getByRole('button', { name: 'Entfernen' }).click();
  await expect(page.getByText('Die Weiterleitung wurde entfernt.')).toBeVisible();
  await expect(page.getByText('Es sind noch keine Weiterleitungen eingerichtet.')).toBeVisible();
});

test('a sub-user without the right has no Weiterleitungen entry and gets 403', async ({ page }) => {
  const username = `ohne-recht-${customer.number.toLowerCase()}`;
  operator(['user', 'add', '--customer', customer.number, '--username', username, '--email', `${username}@kunden.example`,
    '--initial-password', 'Start-Passwort-1']);
  await signIn(page, username, 'Start-Passwort-1');
  await finishFirstSignIn(page, { number: customer.number, username, email: '', password: 'Start-Passwort-1' });
  const navigation = page.getByRole('navigation', { name: 'Hauptmenü' });
  await expect(navigation.getByRole('link', { name: 'Dokumente' })).toBeVisible();
  await expect(navigation.getByRole('link', { name: 'Weiterleitungen' })).toHaveCount(0);
  const response = await page.goto('/weiterleitungen');
  expect(response!.status()).toBe(403);
  await expect(page.getByRole('alert')).toHaveText('Dafür fehlt Ihnen die Berechtigung.');
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the forwarding form and the notification choice work as plain forms', async ({ page }) => {
    await signedIn(page);
    await page.goto('/weiterleitungen');
    await page.locator('#forwarding-email').fill('nojs@steuer.example');
    await page.getByLabel('E-Mail bestätigen').fill('nojs@anders.example');
    await page.getByRole('button', { name: 'Speichern' }).click();
    await expectRefusedAt(page, '#forwarding-confirm', 'Die beiden E-Mail-Adressen stimmen nicht überein.');
    await page.locator('#forwarding-email').fill('nojs@steuer.example');
    await page.getByLabel('E-Mail bestätigen').fill('nojs@steuer.example');
    await page.getByRole('button', { name: 'Speichern' }).click();
    await expect(page.getByText('Die Weiterleitung ist gespeichert.')).toBeVisible();
    const row = page.locator('table.forwarding-table tbody tr', { hasText: 'nojs@steuer.example' });
    await expect(row).toContainText('alle Typen');
    await row.getByRole('link', { name: /entfernen/ }).click();
    await page.getByRole('button', { name: 'Entfernen' }).click();
    await expect(page.getByText('Die Weiterleitung wurde entfernt.')).toBeVisible();

    await page.goto('/profil');
    await page.locator('summary', { hasText: 'E-Mail-Benachrichtigung' }).click();
    await page.getByLabel('keine').check();
    await page.getByRole('button', { name: 'Speichern' }).click();
    await expect(page).toHaveURL(/bereich=benachrichtigung&gespeichert=1/);
    await expect(page.getByText('Ihre Auswahl ist gespeichert.')).toBeVisible();
    await expect(page.getByLabel('keine')).toBeChecked();
  });
});

test('Weiterleitungen at 375 px: nothing wider than the screen', async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 740 });
  await signedIn(page);
  await page.goto('/weiterleitungen');
  await waitForHydration(page);
  await expect(page.getByLabel('E-Mail bestätigen')).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
});

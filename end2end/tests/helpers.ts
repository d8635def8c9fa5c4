import { createHmac } from 'crypto';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Browser, Page, expect, test } from '@playwright/test';
import { AxeBuilder } from '@axe-core/playwright';

const root = path.resolve(__dirname, '..', '..');
const binary = path.join(root, 'target/debug/kundenportal');

export interface TestCustomer {
  number: string;
  username: string;
  email: string;
  password: string;
}

/** Runs the operator CLI against the portal under test. */
export function operator(args: string[]) {
  execFileSync(binary, args, {
    cwd: root,
    env: { ...process.env, KP_DATA_DIR: process.env.E2E_DATA_DIR!, KP_BASE_URL: process.env.E2E_BASE_URL!, KP_LOG: 'error' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function addCustomer(label: string, initialPassword?: string): TestCustomer {
  const unique = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  const username = `${label}-${unique}`;
  const customer = { number: `E2E-${unique}`, username, email: `${username}@kunden.example`, password: initialPassword ?? '' };
  const args = [
    'customer', 'add',
    '--number', customer.number,
    '--name', `Testkunde ${label}`,
    '--username', customer.username,
    '--email', customer.email,
  ];
  if (initialPassword) args.push('--initial-password', initialPassword);
  operator(args);
  return customer;
}

/** Creates a customer with its own main user through the operator CLI. The
 *  password is an initial one: the first sign-in asks for an own password. */
export function createCustomer(label: string, password = 'Start-Passwort-1'): TestCustomer {
  return addCustomer(label, password);
}

/** Creates a customer whose main user gets an invitation mail instead. */
export function createInvitedCustomer(label: string): TestCustomer {
  return addCustomer(label);
}

/** Waits until the WASM has taken over the page (the app marks `<html>`). */
export async function waitForHydration(page: Page) {
  await page.locator('html[data-hydrated="true"]').waitFor({ state: 'attached' });
}

export async function signIn(page: Page, username: string, password: string) {
  await page.goto('/login');
  await submitLogin(page, username, password);
}

/** Fills in and sends the login form the page is on: also the one a
 *  redirect led to (an app's sign-in), whose address must stay as it is. */
export async function submitLogin(page: Page, username: string, password: string) {
  await page.getByLabel('Benutzername').fill(username);
  await page.getByLabel('Passwort').fill(password);
  await page.getByRole('button', { name: 'Login' }).click();
  // Sent by the page's WASM (a fetch, then the next page) or by the browser:
  // done once the login page is left or says why not.
  const left = page.waitForURL((url) => url.pathname !== '/login').then(() => true, () => false);
  const refused = page.getByRole('alert').waitFor().then(() => true, () => false);
  await Promise.race([left, refused]);
}

/** On the first-sign-in pages: sets `newPassword` and accepts the privacy notice. */
export async function finishFirstSignIn(page: Page, customer: TestCustomer, newPassword = 'Eigenes-Wort-77') {
  await firstSignInSteps(page, customer, newPassword);
  await expect(page.getByRole('heading', { name: 'Hauptansicht' })).toBeVisible();
}

/** The first-sign-in pages' two steps (own password, privacy notice); where
 *  they lead (Hauptansicht, or back to where the sign-in began) is the
 *  caller's to check. */
export async function firstSignInSteps(page: Page, customer: TestCustomer, newPassword = 'Eigenes-Wort-77') {
  await expect(page).toHaveURL(/\/passwort-festlegen(\?|$)/);
  await page.locator('#password').fill(newPassword);
  await page.locator('#confirm').fill(newPassword);
  await page.getByRole('button', { name: 'Passwort ändern' }).click();
  await expect(page).toHaveURL(/\/datenschutz-akzeptieren(\?|$)/);
  await page.getByRole('button', { name: 'Datenschutzhinweise akzeptieren' }).click();
  // Leaving the page: the step is done (an error would keep the browser here).
  await expect(page).not.toHaveURL(/\/datenschutz-akzeptieren(\?|$)/);
  customer.password = newPassword;
}

/** A customer whose main user has finished the first sign-in (in a browser
 *  context of its own, which is closed again). */
export async function createReadyCustomer(browser: Browser, label: string): Promise<TestCustomer> {
  const customer = createCustomer(label);
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, customer.username, customer.password);
  await finishFirstSignIn(page, customer);
  await context.close();
  return customer;
}

/** Waits for the mail the portal wrote (no SMTP in these tests) to `recipient`
 *  that holds a link to `page`, and returns that link. */
export async function linkFromMail(recipient: string, linkPath: string): Promise<string> {
  const dir = path.join(process.env.E2E_DATA_DIR!, 'mail');
  for (let attempt = 0; attempt < 100; attempt++) {
    const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.eml')) : [];
    for (const file of files) {
      const text = fs.readFileSync(path.join(dir, file), 'utf8').replace(/=\r?\n/g, '').replace(/=3D/g, '=');
      if (!text.includes(`To: ${recipient}`)) continue;
      const match = text.match(new RegExp(`https?://[^\\s"<>]+${linkPath}\\?token=[A-Za-z0-9_-]+`));
      if (match) return match[0];
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no mail to ${recipient} with a ${linkPath} link in ${dir}`);
}

/** A small but complete PDF (one page with `text`), as a viewer opens it. */
export function samplePdf(text: string): Buffer {
  const content = `BT /F1 18 Tf 72 720 Td (${text.replace(/[()\\]/g, '')}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  body += offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('');
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

export interface TestDocument {
  number: string;
  type: string;
  created: string;
  provided?: string;
}

/** Provides one document to a customer through `kundenportal document add`
 *  (the PDF is `samplePdf("<type> <number>")`) and returns its id. */
export function addDocument(customerNumber: string, document: TestDocument): string {
  const dir = fs.mkdtempSync(path.join(process.env.E2E_DATA_DIR!, 'add-'));
  const file = path.join(dir, 'dokument.pdf');
  fs.writeFileSync(file, samplePdf(`${document.type} ${document.number}`));
  const args = ['document', 'add', '--customer', customerNumber, '--number', document.number, '--type', document.type, '--created', document.created];
  if (document.provided) args.push('--provided', document.provided);
  const id = operatorOutput([...args, file]).trim();
  if (!/^\d+$/.test(id)) throw new Error(`document add printed ${JSON.stringify(id)} instead of an id`);
  return id;
}

/** Provides documents to a customer through `kundenportal document import`. */
export function addDocuments(customerNumber: string, documents: TestDocument[]) {
  const dir = fs.mkdtempSync(path.join(process.env.E2E_DATA_DIR!, 'import-'));
  const lines = documents.map((document, i) => {
    fs.writeFileSync(path.join(dir, `${i}.pdf`), samplePdf(`${document.type} ${document.number}`));
    return `${customerNumber};${document.number};${document.type};${document.created};${i}.pdf`;
  });
  fs.writeFileSync(path.join(dir, 'liste.csv'), lines.join('\n') + '\n');
  operator(['document', 'import', path.join(dir, 'liste.csv')]);
}

// ---- accessibility ----------------------------------------------------------

const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

type Violation = Awaited<ReturnType<AxeBuilder['analyze']>>['violations'][number];

/** One violation as a few readable lines: rule, impact, help, and per
 *  element its selector and what axe says to fix. */
function readable(violation: Violation): string {
  const nodes = violation.nodes.map((node) => {
    const target = node.target.map((part) => (Array.isArray(part) ? part.join(' >>> ') : part)).join(' ');
    const summary = (node.failureSummary ?? '').replace(/\s*\n\s*/g, ' / ');
    return `  ${target}: ${summary}`;
  });
  return [`${violation.id} [${violation.impact ?? 'unknown'}] ${violation.help} (${violation.helpUrl})`, ...nodes].join('\n');
}

/** Runs axe on the page as it is now (once the WASM has taken over) and
 *  fails with the violations' ids, targets and summaries. */
export async function expectNoViolations(page: Page) {
  await waitForHydration(page);
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  if (results.violations.length > 0) {
    await test.info().attach('axe-violations.json', {
      body: JSON.stringify(results.violations, null, 2),
      contentType: 'application/json',
    });
  }
  // The address without the token of a mailed link.
  const where = page.url().replace(/token=[^&#]+/, 'token=…');
  expect(results.violations.map(readable), `axe: WCAG 2.1 AA violations on ${where}`).toEqual([]);
}


/** Asserts that a refused form says `message` at the input `field`: marked
 *  invalid, the message shown and read with it, the focus on it — and not
 *  also as an alert above the form. */
export async function expectRefusedAt(page: Page, field: string, message: string) {
  const input = page.locator(field);
  await expect(input).toHaveAttribute('aria-invalid', 'true');
  await expect(input).toHaveAccessibleDescription(new RegExp(escapeRegExp(message)));
  await expect(page.locator(`${field}-fehler`)).toHaveText(message);
  await expect(input).toBeFocused();
  await expect(page.getByRole('alert').filter({ hasText: message })).toHaveCount(0);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// ---- operator and mail folder ----------------------------------------------

/** Runs the operator CLI and returns what it printed. */
export function operatorOutput(args: string[]): string {
  return execFileSync(binary, args, {
    cwd: root,
    env: { ...process.env, KP_DATA_DIR: process.env.E2E_DATA_DIR!, KP_BASE_URL: process.env.E2E_BASE_URL!, KP_LOG: 'error' },
    stdio: ['ignore', 'pipe', 'pipe'],
  }).toString('utf8');
}

/** The mails the portal wrote to its folder so far, as raw text. */
export function mailFiles(): string[] {
  const dir = path.join(process.env.E2E_DATA_DIR!, 'mail');
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => f.endsWith('.eml')).sort().map((f) => fs.readFileSync(path.join(dir, f), 'utf8'));
}

/** Waits for a mail to `recipient` that `matches`, and returns it. */
export async function waitForMail(recipient: string, matches: (mail: string) => boolean = () => true): Promise<string> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const found = mailFiles().find((mail) => mail.includes(`To: ${recipient}`) && matches(mail));
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no matching mail to ${recipient}`);
}

/** The attachment of a mail: its file name and bytes (base64 decoded). */
export function attachmentOf(mail: string): { name: string; bytes: Buffer } | undefined {
  const start = mail.indexOf('Content-Disposition: attachment');
  if (start < 0) return undefined;
  const part = mail.slice(start);
  const name = /filename="([^"]+)"/.exec(part)![1];
  const bodyStart = part.indexOf('\r\n\r\n') + 4;
  const bodyEnd = part.indexOf('\r\n--', bodyStart);
  return { name, bytes: Buffer.from(part.slice(bodyStart, bodyEnd).replace(/\s+/g, ''), 'base64') };
}

// ---- layout ------------------------------------------------------------------

/** Words (letters and digits between anything else) whose text the browser
 *  laid out on more than one line, and generated labels that may wrap. */
export async function brokenWords(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const broken: string[] = [];
    const main = document.querySelector('main')!;
    const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    while (walker.nextNode()) {
      const node = walker.currentNode as Text;
      const parent = node.parentElement;
      if (!parent || parent.closest('.visually-hidden') || !parent.getClientRects().length) continue;
      for (const match of node.data.matchAll(/[\p{L}\p{N}]{2,}/gu)) {
        range.setStart(node, match.index!);
        range.setEnd(node, match.index! + match[0].length);
        const lines = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
        if (lines.size > 1) broken.push(`${match[0]} (in ${parent.tagName.toLowerCase()}.${parent.className})`);
      }
    }
    // Card labels come from `data-label` (a generated ::before): they must not wrap.
    for (const cell of document.querySelectorAll('main td[data-label]')) {
      const before = getComputedStyle(cell, '::before');
      if (before.content !== 'none' && before.whiteSpace !== 'nowrap') broken.push(`label ${cell.getAttribute('data-label')}`);
    }
    return broken;
  });
}

export async function widerThanTheScreen(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    // Inside something clipped to nothing (a table head that only screen readers get), nothing shows.
    const clippedAway = (element: Element) => {
      for (let at: Element | null = element; at; at = at.parentElement) {
        if (getComputedStyle(at).clip !== 'auto' && at.getBoundingClientRect().width <= 1) return true;
      }
      return false;
    };
    return [...document.querySelectorAll('body *')]
      .filter((element) => {
        const rect = element.getBoundingClientRect();
        return rect.width > 0 && (rect.right > width + 1 || rect.left < -1) && !element.closest('.side-nav, .visually-hidden') && !clippedAway(element);
      })
      .map((element) => `${element.tagName.toLowerCase()}.${element.className}`);
  });
}


/** At 375 px: nothing wider than the screen and no word broken inside; then the width it had. */
export async function fitsAt375(page: Page, what: string) {
  const before = page.viewportSize()!;
  await page.setViewportSize({ width: 375, height: 800 });
  expect(await widerThanTheScreen(page), `${what} at 375 px`).toEqual([]);
  expect(await brokenWords(page), `${what} at 375 px`).toEqual([]);
  await page.setViewportSize(before);
}

// ---- second factor ----------------------------------------------------------

/** RFC 4648 base32 (no padding) to bytes. */
function base32(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const char of text.replace(/\s+/g, '').toUpperCase()) bits += alphabet.indexOf(char).toString(2).padStart(5, '0');
  const bytes = [];
  for (let at = 0; at + 8 <= bits.length; at += 8) bytes.push(parseInt(bits.slice(at, at + 8), 2));
  return Buffer.from(bytes);
}

/** The RFC 6238 code (SHA-1, 6 digits, 30 s) of `secret` at `at` milliseconds. */
export function totp(secret: string, at = Date.now()): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)));
  const mac = createHmac('sha1', base32(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const value = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return value.toString().padStart(6, '0');
}

// ---- e-invoices --------------------------------------------------------------

function xmlText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A minimal but complete EN 16931 invoice in CII (ZUGFeRD / Factur-X), like
 *  app/src/documents/einvoice/fixtures/cii_en16931.xml: one line at 19 % VAT
 *  whose net amount and tax add up to `total` (the gross amount, "1190.00"),
 *  due in full. Dates as YYYY-MM-DD. */
export function ciiInvoiceXml(invoice: {
  number: string;
  issueDate: string;
  dueDate?: string;
  total: string;
  seller?: string;
  buyer?: string;
}): string {
  const totalCents = Math.round(Number(invoice.total) * 100);
  const netCents = Math.round(totalCents / 1.19);
  const taxCents = totalCents - netCents;
  const money = (cents: number) => (cents / 100).toFixed(2);
  const day = (iso: string) => `<udt:DateTimeString format="102">${iso.replace(/-/g, '')}</udt:DateTimeString>`;
  const due = invoice.dueDate
    ? `<ram:SpecifiedTradePaymentTerms><ram:DueDateDateTime>${day(invoice.dueDate)}</ram:DueDateDateTime></ram:SpecifiedTradePaymentTerms>`
    : '';
  return `<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
    xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
    xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">
  <rsm:ExchangedDocumentContext>
    <ram:GuidelineSpecifiedDocumentContextParameter><ram:ID>urn:cen.eu:en16931:2017</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter>
  </rsm:ExchangedDocumentContext>
  <rsm:ExchangedDocument>
    <ram:ID>${xmlText(invoice.number)}</ram:ID>
    <ram:TypeCode>380</ram:TypeCode>
    <ram:IssueDateTime>${day(invoice.issueDate)}</ram:IssueDateTime>
  </rsm:ExchangedDocument>
  <rsm:SupplyChainTradeTransaction>
    <ram:IncludedSupplyChainTradeLineItem>
      <ram:AssociatedDocumentLineDocument><ram:LineID>1</ram:LineID></ram:AssociatedDocumentLineDocument>
      <ram:SpecifiedTradeProduct><ram:Name>Leistungen laut Vertrag</ram:Name></ram:SpecifiedTradeProduct>
      <ram:SpecifiedLineTradeAgreement>
        <ram:NetPriceProductTradePrice><ram:ChargeAmount>${money(netCents)}</ram:ChargeAmount></ram:NetPriceProductTradePrice>
      </ram:SpecifiedLineTradeAgreement>
      <ram:SpecifiedLineTradeDelivery><ram:BilledQuantity unitCode="C62">1</ram:BilledQuantity></ram:SpecifiedLineTradeDelivery>
      <ram:SpecifiedLineTradeSettlement>
        <ram:ApplicableTradeTax>
          <ram:TypeCode>VAT</ram:TypeCode>
          <ram:CategoryCode>S</ram:CategoryCode>
          <ram:RateApplicablePercent>19.00</ram:RateApplicablePercent>
        </ram:ApplicableTradeTax>
        <ram:SpecifiedTradeSettlementLineMonetarySummation>
          <ram:LineTotalAmount>${money(netCents)}</ram:LineTotalAmount>
        </ram:SpecifiedTradeSettlementLineMonetarySummation>
      </ram:SpecifiedLineTradeSettlement>
    </ram:IncludedSupplyChainTradeLineItem>
    <ram:ApplicableHeaderTradeAgreement>
      <ram:SellerTradeParty>
        <ram:Name>${xmlText(invoice.seller ?? 'Muster Versorgung GmbH')}</ram:Name>
        <ram:PostalTradeAddress>
          <ram:PostcodeCode>10115</ram:PostcodeCode>
          <ram:LineOne>Hauptstraße 1</ram:LineOne>
          <ram:CityName>Berlin</ram:CityName>
          <ram:CountryID>DE</ram:CountryID>
        </ram:PostalTradeAddress>
        <ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">DE123456789</ram:ID></ram:SpecifiedTaxRegistration>
      </ram:SellerTradeParty>
      <ram:BuyerTradeParty>
        <ram:Name>${xmlText(invoice.buyer ?? 'Testkunde GmbH')}</ram:Name>
        <ram:PostalTradeAddress>
          <ram:PostcodeCode>80333</ram:PostcodeCode>
          <ram:LineOne>Kundenweg 5</ram:LineOne>
          <ram:CityName>München</ram:CityName>
          <ram:CountryID>DE</ram:CountryID>
        </ram:PostalTradeAddress>
      </ram:BuyerTradeParty>
    </ram:ApplicableHeaderTradeAgreement>
    <ram:ApplicableHeaderTradeDelivery/>
    <ram:ApplicableHeaderTradeSettlement>
      <ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>
      <ram:SpecifiedTradeSettlementPaymentMeans>
        <ram:TypeCode>58</ram:TypeCode>
        <ram:PayeePartyCreditorFinancialAccount><ram:IBANID>DE02120300000000202051</ram:IBANID></ram:PayeePartyCreditorFinancialAccount>
      </ram:SpecifiedTradeSettlementPaymentMeans>
      <ram:ApplicableTradeTax>
        <ram:CalculatedAmount>${money(taxCents)}</ram:CalculatedAmount>
        <ram:TypeCode>VAT</ram:TypeCode>
        <ram:BasisAmount>${money(netCents)}</ram:BasisAmount>
        <ram:CategoryCode>S</ram:CategoryCode>
        <ram:RateApplicablePercent>19.00</ram:RateApplicablePercent>
      </ram:ApplicableTradeTax>
      ${due}
      <ram:SpecifiedTradeSettlementHeaderMonetarySummation>
        <ram:LineTotalAmount>${money(netCents)}</ram:LineTotalAmount>
        <ram:TaxBasisTotalAmount>${money(netCents)}</ram:TaxBasisTotalAmount>
        <ram:TaxTotalAmount currencyID="EUR">${money(taxCents)}</ram:TaxTotalAmount>
        <ram:GrandTotalAmount>${money(totalCents)}</ram:GrandTotalAmount>
        <ram:DuePayableAmount>${money(totalCents)}</ram:DuePayableAmount>
      </ram:SpecifiedTradeSettlementHeaderMonetarySummation>
    </ram:ApplicableHeaderTradeSettlement>
  </rsm:SupplyChainTradeTransaction>
</rsm:CrossIndustryInvoice>
`;
}

/** `samplePdf(text)` with `xml` attached as Factur-X / ZUGFeRD attach it:
 *  `factur-x.xml` (an /EmbeddedFile and its /Filespec, relationship
 *  Alternative), in the catalog's /AF and its /Names /EmbeddedFiles. */
export function facturXPdf(text: string, xml: string | Buffer): Buffer {
  const attachment = typeof xml === 'string' ? Buffer.from(xml, 'utf8') : xml;
  const content = `BT /F1 18 Tf 72 720 Td (${text.replace(/[()\\]/g, '')}) Tj ET`;
  const objects: Buffer[] = [
    '<< /Type /Catalog /Pages 2 0 R /AF [7 0 R] /Names << /EmbeddedFiles << /Names [(factur-x.xml) 7 0 R] >> >> >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ].map((object) => Buffer.from(object, 'latin1'));
  objects.push(Buffer.concat([
    Buffer.from(`<< /Type /EmbeddedFile /Subtype /text#2Fxml /Params << /Size ${attachment.length} >> /Length ${attachment.length} >>\nstream\n`, 'latin1'),
    attachment,
    Buffer.from('\nendstream', 'latin1'),
  ]));
  objects.push(Buffer.from('<< /Type /Filespec /F (factur-x.xml) /UF (factur-x.xml) /AFRelationship /Alternative /EF << /F 6 0 R /UF 6 0 R >> >>', 'latin1'));
  const parts: Buffer[] = [Buffer.from('%PDF-1.7\n', 'latin1')];
  let length = parts[0].length;
  const offsets: number[] = [];
  objects.forEach((object, i) => {
    offsets.push(length);
    const part = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`, 'latin1'), object, Buffer.from('\nendobj\n', 'latin1')]);
    parts.push(part);
    length += part.length;
  });
  let tail = `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  tail += offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('');
  tail += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${length}\n%%EOF\n`;
  parts.push(Buffer.from(tail, 'latin1'));
  return Buffer.concat(parts);
}

/** Provides `document.file` (a Factur-X PDF, or a bare invoice XML with
 *  `extension: 'xml'`) to a customer through `kundenportal document add`,
 *  as `addDocument` does, and returns its id. The document's number must be
 *  the invoice's. */
export function addEInvoice(customerNumber: string, document: TestDocument & { file: Buffer; extension?: 'pdf' | 'xml' }): string {
  const dir = fs.mkdtempSync(path.join(process.env.E2E_DATA_DIR!, 'add-'));
  const file = path.join(dir, `dokument.${document.extension ?? 'pdf'}`);
  fs.writeFileSync(file, document.file);
  const args = ['document', 'add', '--customer', customerNumber, '--number', document.number, '--type', document.type, '--created', document.created];
  if (document.provided) args.push('--provided', document.provided);
  const id = operatorOutput([...args, file]).trim();
  if (!/^\d+$/.test(id)) throw new Error(`document add printed ${JSON.stringify(id)} instead of an id`);
  return id;
}

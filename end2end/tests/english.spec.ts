// English: a browser that asks for English gets every page in English —
// no German word left (a list of words only German pages have), `<html
// lang="en">`, axe-clean — and the footer's switch, Profil → Sprache and
// mails follow the choice. The rest of the suite reads the German pages
// (playwright.config.ts asks for de-DE).
import { test, expect, Page, Browser } from '@playwright/test';
import { AxeBuilder } from '@axe-core/playwright';
import {
  TestCustomer, addDocuments, addEInvoice, ciiInvoiceXml, facturXPdf, createCustomer, expectNoViolations, fitsAt375, linkFromMail, totp, waitForHydration, waitForMail,
} from './helpers';

test.use({ locale: 'en-GB' });

// Whole words, any case, that an English page must not show. Chosen to be
// no English words: the usual German function words and the portal's own terms.
const GERMAN_WORDS = [
  'und', 'der', 'die', 'das', 'den', 'dem', 'nicht', 'bitte', 'Sie', 'Ihr', 'Ihre', 'Ihren', 'Ihrem', 'Ihrer', 'für', 'mit', 'oder',
  'ist', 'sind', 'wird', 'wurde', 'werden', 'kein', 'keine', 'noch', 'auch', 'eine', 'einen', 'zum', 'zur', 'vom', 'bei', 'über',
  'Passwort', 'Passwörter', 'Benutzer', 'Benutzername', 'Dokument', 'Dokumente', 'Dokumententyp', 'Anmelden', 'Anmeldung',
  'Anmeldungen', 'Abmelden', 'Weiterleitung', 'Weiterleitungen', 'Speichern', 'Zurück', 'Zurücksetzen', 'Rechnung', 'Gutschrift',
  'Datenschutzhinweise', 'Impressum', 'Kontakt', 'Profil', 'Hinzufügen', 'Entfernen', 'Löschen', 'Ändern', 'Bestätigen',
  'Seite', 'Hauptansicht', 'Aktivitätsprotokoll', 'Versandprotokoll', 'Zwei-Faktor-Anmeldung', 'gespeichert', 'Pflichtfelder',
  'Suche', 'Suchen', 'Zeitraum', 'Datum', 'Nummer', 'alle', 'neue', 'neues', 'Herunterladen', 'geladen', 'Benachrichtigung',
  'Anrede', 'Vorname', 'Nachname', 'Herr', 'Frau', 'Rechte', 'aktiv', 'deaktiviert', 'Einladung', 'Wiederherstellungscodes',
];
const GERMAN = new RegExp(`(?<![\\p{L}\\p{N}-])(${GERMAN_WORDS.join('|')})(?![\\p{L}\\p{N}-])`, 'iu');

/** What the page says to a reader and a screen reader: the title, the text
 *  (hidden parts too) and the texts of attributes — but not what is marked
 *  as another language (the switch's "Deutsch", operator content shown in
 *  German with a note). */
async function shownText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const foreign = (element: Element | null) => {
      const marked = element?.closest('[lang]')?.getAttribute('lang') ?? 'en';
      return !marked.startsWith('en');
    };
    const parts = [document.title];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const element = node.parentElement;
      if (!element || element.closest('script, style, template') || foreign(element)) continue;
      parts.push(node.textContent ?? '');
    }
    for (const element of document.querySelectorAll('[aria-label], [placeholder], [title], [alt], [value]')) {
      if (foreign(element)) continue;
      for (const name of ['aria-label', 'placeholder', 'title', 'alt']) {
        const value = element.getAttribute(name);
        if (value) parts.push(value);
      }
      if (element instanceof HTMLInputElement && ['submit', 'button'].includes(element.type)) parts.push(element.value);
    }
    return parts.join('\n');
  });
}

/** The page is English: `<html lang="en">`, no German word, axe-clean. */
async function expectEnglish(page: Page, what: string) {
  await expectEnglishWords(page, what);
  await expectNoViolations(page);
}

async function expectEnglishWords(page: Page, what: string) {
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  const text = await shownText(page);
  const lines = text.split('\n').filter((line) => GERMAN.test(line));
  expect(lines, `German words on ${what}`).toEqual([]);
}

/** Signs in through the English login form (by its fields, not their words). */
async function signInEnglish(page: Page, username: string, password: string) {
  await page.goto('/login');
  await page.locator('#username').fill(username);
  await page.locator('#login-password').fill(password);
  await page.locator('form:has(#login-password) button[type="submit"]').click();
  await expect(page).not.toHaveURL(/\/login/);
}

/** "Passwort vergessen" for `username`, in whichever language the page is. */
async function requestReset(page: Page, username: string) {
  await page.goto('/passwort-vergessen');
  await page.locator('#identifier').fill(username);
  await page.locator('main form button.primary').click();
  await expect(page.getByRole('status')).toBeVisible();
}

/** A customer whose main user finished the first sign-in in English, with documents. */
async function englishCustomer(browser: Browser, label: string): Promise<{ customer: TestCustomer; page: Page }> {
  const customer = createCustomer(label);
  addDocuments(customer.number, [
    { number: `${label}-1`, type: 'rechnung', created: '2026-11-02' },
    { number: `${label}-2`, type: 'gutschrift', created: '2026-11-20' },
  ]);
  const context = await browser.newContext({ locale: 'en-GB' });
  const page = await context.newPage();
  await signInEnglish(page, customer.username, customer.password);
  await expect(page).toHaveURL(/\/passwort-festlegen/);
  await expectEnglish(page, '/passwort-festlegen');
  await page.locator('#password').fill('Own-Word-2026x');
  await page.locator('#confirm').fill('Own-Word-2026x');
  await page.locator('form:has(#password) button.primary').click();
  await expect(page).toHaveURL(/\/datenschutz-akzeptieren/);
  await expectEnglish(page, '/datenschutz-akzeptieren');
  await page.locator('main form button.primary').click();
  await expect(page).not.toHaveURL(/\/datenschutz-akzeptieren/);
  customer.password = 'Own-Word-2026x';
  return { customer, page };
}

test.describe('English before sign-in', () => {
  for (const path of ['/login', '/passwort-vergessen', '/kontakt', '/datenschutz', '/impressum']) {
    test(`${path} is English`, async ({ page }) => {
      const response = await page.goto(path);
      expect(response!.status()).toBe(200);
      expect(response!.headers()['content-language']).toBe('en');
      await expectEnglish(page, path);
    });
  }

  test('the pages behind mailed links say in English that a link no longer works', async ({ page }) => {
    // As long as a real token, never issued.
    const token = 'English' + 'x'.repeat(36);
    for (const path of ['/einladung', '/passwort-neu', '/weiterleitung-bestaetigen', '/weiterleitung-beenden', '/email-bestaetigen']) {
      const response = await page.goto(`${path}?token=${token}`);
      expect(response!.status(), path).toBe(410);
      await expect(page.getByRole('alert')).toBeVisible();
      await expectEnglish(page, path);
    }
  });

  test('/api/docs is English (a page without script)', async ({ page }) => {
    await page.goto('/api/docs');
    await expectEnglishWords(page, '/api/docs');
    const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    expect(axe.violations.map((violation) => violation.id)).toEqual([]);
  });

  test('a page that is not there says so in English', async ({ page }) => {
    const response = await page.goto('/gibt-es-nicht');
    expect(response!.status()).toBe(404);
    await expectEnglish(page, '404');
  });

  test('a refused login says why in English, with and without JavaScript', async ({ page, browser }) => {
    await page.goto('/login');
    await waitForHydration(page);
    await page.locator('#username').fill('nobody-here');
    await page.locator('#login-password').fill('wrong password');
    await page.locator('form:has(#login-password) button[type="submit"]').click();
    await expect(page.getByRole('alert')).toBeVisible();
    await expect(page.locator('#username')).toHaveValue('nobody-here');
    await expectEnglish(page, 'refused login (JavaScript)');

    const plain = await browser.newContext({ locale: 'en-GB', javaScriptEnabled: false });
    const plainPage = await plain.newPage();
    await plainPage.goto('/login');
    await plainPage.locator('#username').fill('nobody-here');
    await plainPage.locator('#login-password').fill('wrong password');
    await plainPage.locator('form:has(#login-password) button[type="submit"]').click();
    await expect(plainPage.getByRole('alert')).toBeVisible();
    const text = await shownText(plainPage);
    expect(text.split('\n').filter((line) => GERMAN.test(line))).toEqual([]);
    await plain.close();
  });

  test('the footer switch is a plain link: German and back, kept by a cookie, without JavaScript', async ({ browser }) => {
    const context = await browser.newContext({ locale: 'de-DE', javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto('/passwort-vergessen');
    await expect(page.locator('html')).toHaveAttribute('lang', 'de');
    await page.locator('.language-switch a[hreflang="en"]').click();
    await expect(page).toHaveURL(/\/passwort-vergessen$/);
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await page.goto('/kontakt');
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await page.locator('.language-switch a[hreflang="de"]').click();
    await expect(page).toHaveURL(/\/kontakt$/);
    await expect(page.locator('html')).toHaveAttribute('lang', 'de');
    await context.close();
  });

  test('the switch never leads to another site', async ({ page }) => {
    await page.goto('/sprache/en?weiter=https://example.org/');
    await expect(page).toHaveURL(/127\.0\.0\.1:\d+\/(login)?$/);
  });
});

test.describe('English after sign-in', () => {
  test('every page behind the sign-in is English, and fits 375 px', async ({ browser }) => {
    const { customer, page } = await englishCustomer(browser, 'en-pages');
    const invoice = ciiInvoiceXml({ number: 'en-pages-3', issueDate: '2026-11-25', dueDate: '2026-12-09', total: '1190.00' });
    const einvoice = addEInvoice(customer.number, { number: 'en-pages-3', type: 'rechnung', created: '2026-11-25', file: facturXPdf('Invoice en-pages-3', invoice) });
    // A name with a salutation: the pages say "Ms", never "Frau".
    await page.goto('/profil?bereich=name');
    await page.locator('#salutation').selectOption('frau');
    await page.locator('#first-name').fill('Erika');
    await page.locator('#last-name').fill('Muster');
    await page.locator('form:has(#first-name) button.primary').click();
    await expect(page.locator('form:has(#first-name) .notice[role="status"]')).toBeVisible();
    await page.goto('/');
    await expect(page.locator('.welcome')).toContainText('Ms Erika Muster');
    const readable = `/dokumente/${einvoice}/e-rechnung`;
    for (const path of ['/', '/dokumente', '/dokumente?art=e-rechnung', readable, '/weiterleitungen', '/versandprotokoll', '/benutzer', '/aktivitaet', '/profil']) {
      await page.goto(path);
      await expect(page.locator('main h1')).toBeVisible();
      if (path === '/profil') {
        for (const section of await page.locator('details.profile-section').all()) await section.evaluate((d) => d.setAttribute('open', ''));
      }
      await expectEnglish(page, path);
    }
    // Money and days as an English reader writes them.
    await page.goto('/dokumente?art=e-rechnung');
    await expect(page.locator('main tbody tr')).toHaveCount(1);
    await expect(page.locator('main tbody tr')).toContainText('€1,190.00');
    await expect(page.locator('main tbody tr')).toContainText('09/12/2026');
    await page.setViewportSize({ width: 375, height: 800 });
    for (const path of ['/dokumente', readable, '/profil']) {
      await page.goto(path);
      await fitsAt375(page, `${path} in English`);
    }
  });

  test('the second factor in English: set-up, recovery codes, the second step', async ({ browser }) => {
    const { customer, page } = await englishCustomer(browser, 'en-2fa');
    await page.goto('/profil?bereich=zwei-faktor');
    await page.locator('form[action$="/auth/second_factor_begin"] button.primary').click();
    const secretShown = page.locator('.totp-secret');
    await expect(secretShown).toBeVisible();
    await expectEnglish(page, 'Profil → two-factor set-up');
    const secret = (await secretShown.innerText()).replace(/\s+/g, '');
    await page.locator('#setup-code').fill(totp(secret));
    await page.locator('form:has(#setup-code) button.primary').click();
    await expect(page).toHaveURL(/\/wiederherstellungscodes$/);
    await expectEnglish(page, '/wiederherstellungscodes');

    const other = await browser.newContext({ locale: 'en-GB' });
    const otherPage = await other.newPage();
    await otherPage.goto('/login');
    await otherPage.locator('#username').fill(customer.username);
    await otherPage.locator('#login-password').fill(customer.password);
    await otherPage.locator('form:has(#login-password) button.primary').click();
    await expect(otherPage).toHaveURL(/\/anmeldung-bestaetigen/);
    await expectEnglish(otherPage, '/anmeldung-bestaetigen');
    await other.close();
  });

  test('a refused form in English: the message at its field, what was typed kept', async ({ browser }) => {
    const { customer, page } = await englishCustomer(browser, 'en-refused');
    await page.goto('/profil?bereich=email');
    await waitForHydration(page);
    // The address it is already: refused by the server, at the field.
    const email = page.locator('#new-email');
    await email.fill(customer.email);
    await page.locator('#email-password').fill('Own-Word-2026x');
    await page.locator('form:has(#new-email) button.primary').click();
    await expect(email).toHaveAttribute('aria-invalid', 'true');
    await expect(email).toHaveValue(customer.email);
    await expect(page.locator('#email-password')).toHaveValue('');
    await expectEnglish(page, 'refused e-mail change');
  });

  test('Profil → Sprache: German chosen, the pages and the mails follow; English again', async ({ browser }) => {
    const { customer, page } = await englishCustomer(browser, 'en-setting');
    await page.goto('/profil?bereich=sprache');
    await page.locator('#sprache-de').check();
    await page.locator('form:has(#sprache-de) button[type="submit"]').click();
    await expect(page.locator('html')).toHaveAttribute('lang', 'de');
    await expect(page.getByRole('status')).toHaveText('Ihre Sprache ist gespeichert.');

    // A new browser that asks for English: the setting wins once signed in.
    const other = await browser.newContext({ locale: 'en-GB' });
    const otherPage = await other.newPage();
    await signInEnglish(otherPage, customer.username, customer.password);
    await expect(otherPage.locator('html')).toHaveAttribute('lang', 'de');
    await other.close();

    // Back to English: a mail to this user is English now.
    await page.goto('/profil?bereich=sprache');
    await page.locator('#sprache-en').check();
    await page.locator('form:has(#sprache-en) button[type="submit"]').click();
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    // Asked for from a German browser: the mail follows the user's setting.
    const german = await browser.newContext({ locale: 'de-DE' });
    await requestReset(await german.newPage(), customer.username);
    await german.close();
    const mail = await waitForMail(customer.email, (text) => text.includes('Content-Language: en'));
    expect(mail).toContain('/passwort-neu?token=');
  });

  test('a forgotten password mail comes in the language of the user, not of the browser asking', async ({ page, browser }) => {
    const { customer } = await englishCustomer(browser, 'en-mail');
    await requestReset(page, customer.username);
    const link = await linkFromMail(customer.email, '/passwort-neu');
    const mail = await waitForMail(customer.email, (text) => text.includes('/passwort-neu?token='));
    expect(link).toContain('/passwort-neu?token=');
    // The user has not chosen a language: the operator's default, German.
    expect(mail).toContain('Content-Language: de');
  });
});

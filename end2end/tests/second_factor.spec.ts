// The second factor (issue 23) as a user meets it: set up in Profil by
// reading the secret from the page and computing the codes here, as an
// authenticator app would; the sign-in's second step with a code and with a
// recovery code; a password reset that does not skip it; turning it off;
// the same without JavaScript; axe-core and 375 px on every new page.
import * as fs from 'fs';
import { test, expect, Page } from '@playwright/test';
import {
  TestCustomer, createReadyCustomer, fitsAt375, expectNoViolations, expectRefusedAt, linkFromMail, signIn, submitLogin, totp,
  waitForMail,
} from './helpers';

function wrongCode(secret: string): string {
  const near = [-30_000, 0, 30_000].map((delta) => totp(secret, Date.now() + delta));
  for (let n = 123456; ; n++) if (!near.includes(String(n))) return String(n);
}

const CODE_WRONG = 'Der Code ist nicht korrekt oder wurde schon verwendet. Bitte geben Sie den Code ein, den Ihre Authenticator-App gerade anzeigt.';

/** Profil → Zwei-Faktor-Anmeldung → einrichten, up to the recovery codes. Returns the secret and the codes. */
async function setUp(page: Page, checks: boolean): Promise<{ secret: string; codes: string[] }> {
  await page.goto('/profil?bereich=zwei-faktor');
  await page.getByRole('button', { name: 'Zwei-Faktor-Anmeldung einrichten' }).click();
  const qr = page.getByRole('img', { name: 'QR-Code zum Einrichten der Authenticator-App' });
  await expect(qr).toBeVisible();
  expect(await qr.locator('svg').count(), 'the QR code is inline SVG').toBe(1);
  const secret = (await page.locator('.totp-secret').innerText()).replace(/\s+/g, '');
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  await expect(page.getByRole('link', { name: 'Auf diesem Gerät in der Authenticator-App öffnen' })).toHaveAttribute('href', new RegExp(`^otpauth://totp/.*secret=${secret}`));
  if (checks) {
    await expectNoViolations(page);
    await fitsAt375(page, 'Profil → Zwei-Faktor-Anmeldung (QR code)');
    await page.getByLabel('Code aus der App').fill(wrongCode(secret));
    await page.getByRole('button', { name: 'Aktivieren' }).click();
    await expectRefusedAt(page, '#setup-code', CODE_WRONG);
  }
  await page.getByLabel('Code aus der App').fill(totp(secret));
  await page.getByRole('button', { name: 'Aktivieren' }).click();
  await expect(page).toHaveURL(/\/wiederherstellungscodes$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Wiederherstellungscodes' })).toBeVisible();
  const codes = await page.locator('.recovery-codes code').allInnerTexts();
  expect(codes).toHaveLength(10);
  return { secret, codes };
}

async function secondStepWith(page: Page, code: string) {
  await expect(page).toHaveURL(/\/anmeldung-bestaetigen(\?|$)/);
  await page.locator('#second-step-code').fill(code);
  await page.getByRole('button', { name: 'Anmelden' }).click();
}

test('set up in Profil, sign in with a code and a recovery code, a reset does not skip it, turn it off', async ({ page, browser }) => {
  const customer = await createReadyCustomer(browser, 'totp');
  await signIn(page, customer.username, customer.password);
  const { secret, codes } = await setUp(page, true);
  // The codes page: axe, 375 px, and the file holds the same codes.
  await expectNoViolations(page);
  await fitsAt375(page, '/wiederherstellungscodes');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Als Textdatei herunterladen' }).click()]);
  const file = fs.readFileSync((await download.path())!, 'utf8');
  for (const code of codes) expect(file).toContain(code);
  await page.getByRole('button', { name: 'Ich habe die Codes gespeichert' }).click();
  await expect(page).toHaveURL(/\/profil\?bereich=zwei-faktor/);
  await expect(page.getByText('Sie haben noch 10 Wiederherstellungscodes.')).toBeVisible();
  await page.goto('/wiederherstellungscodes');
  await expect(page.locator('.recovery-codes')).toHaveCount(0);
  expect(await waitForMail(customer.email, (mail) => mail.includes('Zwei-Faktor-Anmeldung') && mail.includes('eingeschaltet'))).toBeTruthy();

  // Another browser: the password leads to the second step, and nothing behind the login opens before the code.
  const other = await browser.newContext();
  const second = await other.newPage();
  await signIn(second, customer.username, customer.password);
  await expect(second).toHaveURL(/\/anmeldung-bestaetigen$/);
  await expect(second.getByRole('heading', { level: 1, name: 'Anmeldung bestätigen' })).toBeVisible();
  await expectNoViolations(second);
  await fitsAt375(second, '/anmeldung-bestaetigen');
  await second.goto('/dokumente');
  await expect(second).toHaveURL(/\/login$/);
  await second.goBack();
  await second.reload();
  await secondStepWith(second, wrongCode(secret));
  await expectRefusedAt(second, '#second-step-code', CODE_WRONG);
  // The confirming code's step is spent: the app's next code (the server allows one step of drift).
  await secondStepWith(second, totp(secret, Date.now() + 30_000));
  await expect(second.getByRole('heading', { name: 'Hauptansicht' })).toBeVisible();
  await other.close();

  // "Passwort vergessen": the new password is the first factor only; a recovery code is the second.
  const reset = await browser.newContext();
  const third = await reset.newPage();
  await third.goto('/passwort-vergessen');
  await third.getByLabel('Benutzername oder E-Mail-Adresse').fill(customer.email);
  await third.getByRole('button', { name: 'Link anfordern' }).click();
  await third.goto(await linkFromMail(customer.email, '/passwort-neu'));
  await third.locator('#password').fill('Zweites-Wort-42');
  await third.locator('#confirm').fill('Zweites-Wort-42');
  await third.getByRole('button', { name: 'Passwort speichern' }).click();
  await expect(third).toHaveURL(/\/login\?passwort=neu$/);
  await submitLogin(third, customer.username, 'Zweites-Wort-42');
  await secondStepWith(third, codes[0]);
  await expect(third.getByRole('heading', { name: 'Hauptansicht' })).toBeVisible();
  expect(await waitForMail(customer.email, (mail) => mail.includes('Wiederherstellungscode verwendet'))).toBeTruthy();
  await reset.close();
  customer.password = 'Zweites-Wort-42';

  // Off: the password and a code (here a recovery code); then the password alone signs in.
  await signIn(page, customer.username, customer.password);
  await secondStepWith(page, codes[1]);
  await expect(page.getByRole('heading', { name: 'Hauptansicht' })).toBeVisible();
  await page.goto('/profil?bereich=zwei-faktor');
  await expect(page.getByText('Sie haben noch 8 Wiederherstellungscodes.')).toBeVisible();
  await page.locator('#second-factor-off-password').fill(customer.password);
  await page.locator('#second-factor-off-code').fill(codes[2]);
  await page.getByRole('button', { name: 'Zwei-Faktor-Anmeldung ausschalten' }).click();
  await expect(page.getByRole('status')).toContainText('Die Zwei-Faktor-Anmeldung ist ausgeschaltet');
  const fourth = await browser.newContext();
  const last = await fourth.newPage();
  await signIn(last, customer.username, customer.password);
  await expect(last.getByRole('heading', { name: 'Hauptansicht' })).toBeVisible();
  await fourth.close();
});

test('without JavaScript: set up, the second step refuses a wrong code next to the field and takes the right one', async ({ browser }) => {
  const customer: TestCustomer = await createReadyCustomer(browser, 'totp-ohne-js');
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto('/login');
  await submitLogin(page, customer.username, customer.password);
  const { secret } = await setUp(page, false);
  await page.getByRole('button', { name: 'Ich habe die Codes gespeichert' }).click();
  await expect(page.getByText('Sie haben noch 10 Wiederherstellungscodes.')).toBeVisible();

  const other = await browser.newContext({ javaScriptEnabled: false });
  const second = await other.newPage();
  await second.goto('/login');
  await submitLogin(second, customer.username, customer.password);
  await secondStepWith(second, wrongCode(secret));
  await expect(second.locator('#second-step-code')).toHaveAttribute('aria-invalid', 'true');
  await expect(second.locator('#second-step-code-fehler')).toContainText('Der Code ist nicht korrekt');
  await secondStepWith(second, totp(secret, Date.now() + 30_000));
  await expect(second.getByRole('heading', { name: 'Hauptansicht' })).toBeVisible();
  await other.close();
  await context.close();
});

test('the main user requires it for all: a colleague sets it up before anything else', async ({ browser }) => {
  const customer = await createReadyCustomer(browser, 'totp-pflicht');
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, customer.username, customer.password);
  // A colleague, invited by the main user, who has no second factor.
  await page.goto('/benutzer');
  const colleague = `kollege-${Date.now().toString(36)}`;
  await page.locator('#new-username').fill(colleague);
  await page.locator('#new-email').fill(`${colleague}@kunden.example`);
  await page.getByRole('button', { name: 'Benutzer hinzufügen' }).click();
  await expect(page.getByRole('status')).toContainText('Der Benutzer ist angelegt');

  await page.getByLabel('Zwei-Faktor-Anmeldung für alle Benutzer verlangen').check();
  await page.getByRole('button', { name: 'Speichern' }).click();
  await expect(page.getByRole('alert')).toContainText('zuerst für sich selbst ein');
  await setUp(page, false);
  await page.getByRole('button', { name: 'Ich habe die Codes gespeichert' }).click();
  await page.goto('/benutzer');
  await page.getByLabel('Zwei-Faktor-Anmeldung für alle Benutzer verlangen').check();
  await page.getByRole('button', { name: 'Speichern' }).click();
  await expect(page.getByRole('status')).toContainText('Die Zwei-Faktor-Anmeldung ist jetzt für alle Benutzer vorgeschrieben');
  await expect(page.locator('.second-factor-state').first()).toHaveText('Zwei-Faktor: ja');
  await expect(page.locator('.second-factor-state').nth(1)).toHaveText('Zwei-Faktor: nein');
  await expectNoViolations(page);

  // The colleague accepts the invitation and lands on the set-up, not on the start page.
  const theirs = await browser.newContext();
  const them = await theirs.newPage();
  await them.goto(await linkFromMail(`${colleague}@kunden.example`, '/einladung'));
  await them.locator('#password').fill('Kollegen-Wort-5');
  await them.locator('#confirm').fill('Kollegen-Wort-5');
  await them.getByRole('button', { name: /Passwort (speichern|festlegen)/ }).click();
  await expect(them).toHaveURL(/\/datenschutz-akzeptieren$/);
  await them.getByRole('button', { name: 'Datenschutzhinweise akzeptieren' }).click();
  await expect(them).toHaveURL(/\/zwei-faktor-einrichten$/);
  await expect(them.getByRole('heading', { level: 1, name: 'Zwei-Faktor-Anmeldung einrichten' })).toBeVisible();
  await them.getByRole('button', { name: 'Zwei-Faktor-Anmeldung einrichten' }).click();
  await expect(them.locator('.totp-secret')).toBeVisible();
  await expectNoViolations(them);
  await fitsAt375(them, '/zwei-faktor-einrichten');
  await them.goto('/dokumente');
  await expect(them).toHaveURL(/\/zwei-faktor-einrichten$/);
  const secret = (await them.locator('.totp-secret').innerText()).replace(/\s+/g, '');
  await them.getByLabel('Code aus der App').fill(totp(secret));
  await them.getByRole('button', { name: 'Aktivieren' }).click();
  await expect(them).toHaveURL(/\/wiederherstellungscodes$/);
  await them.getByRole('button', { name: 'Ich habe die Codes gespeichert' }).click();
  await them.goto('/dokumente');
  await expect(them.getByRole('heading', { level: 1, name: 'Dokumente' })).toBeVisible();
  await theirs.close();
  await context.close();
});

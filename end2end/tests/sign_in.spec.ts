import { test, expect, Browser, Page } from '@playwright/test';
import { createCustomer, createInvitedCustomer, createReadyCustomer, linkFromMail, operator, signIn, waitForHydration, expectRefusedAt } from './helpers';

test('first sign-in: own password with live rules, privacy notice, start page, Abmelden', async ({ page }) => {
  const customer = createCustomer('erst');
  await signIn(page, customer.username, customer.password);

  await expect(page).toHaveURL(/\/passwort-festlegen$/);
  await expect(page.getByRole('heading', { name: 'Passwort ändern' })).toBeVisible();
  // The rules follow the typing only once the WASM runs.
  await waitForHydration(page);
  const rule = (label: string) => page.locator('#password-rules li', { hasText: label });
  const password = page.locator('#password');

  await password.fill('Tonne-ohne-Zahl');
  await expect(rule('mindestens eine Zahl')).toHaveAttribute('data-met', 'false');
  await expect(rule('mindestens eine Zahl')).toHaveClass(/unmet/);
  await expect(rule('8 bis 16 Zeichen')).toHaveAttribute('data-met', 'true');

  await password.fill(customer.username);
  await expect(rule('nicht der Benutzername')).toHaveAttribute('data-met', 'false');

  await password.fill('Tonne-mit-Zahl-7');
  await expect(rule('mindestens eine Zahl')).toHaveAttribute('data-met', 'true');
  await expect(page.locator('#password-rules li[data-met="false"]')).toHaveCount(0);

  const confirm = page.locator('#confirm');
  await confirm.fill('Tonne-mit-Zahl-8');
  await expect(page.getByText('Die beiden Passwörter stimmen nicht überein.')).toBeVisible();
  await confirm.fill('Tonne-mit-Zahl-7');
  await expect(page.getByText('Die beiden Passwörter stimmen nicht überein.')).toBeHidden();
  await page.getByRole('button', { name: 'Passwort ändern' }).click();

  await expect(page).toHaveURL(/\/datenschutz-akzeptieren$/);
  await expect(page.getByRole('heading', { name: 'Datenschutzhinweise akzeptieren' })).toBeVisible();
  await expect(page.getByRole('link', { name: '› Datenschutzhinweise' })).toHaveAttribute('href', '/datenschutz');
  // Nothing else opens before the notice is accepted.
  await page.goto('/dokumente');
  await expect(page).toHaveURL(/\/datenschutz-akzeptieren$/);
  await page.getByRole('button', { name: 'Datenschutzhinweise akzeptieren' }).click();

  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('heading', { name: 'Hauptansicht' })).toBeVisible();
  await page.getByRole('button', { name: 'Benutzermenü' }).click();
  await page.getByRole('button', { name: 'Abmelden' }).click();
  await expect(page).toHaveURL(/\/login$/);

  await signIn(page, customer.username, 'Tonne-mit-Zahl-7');
  await expect(page.getByRole('heading', { name: 'Hauptansicht' })).toBeVisible();
});

test('Abbrechen on the first sign-in signs out', async ({ page }) => {
  const customer = createCustomer('abbruch');
  await signIn(page, customer.username, customer.password);
  await expect(page).toHaveURL(/\/passwort-festlegen$/);
  await page.getByRole('button', { name: 'Abbrechen' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto('/');
  await expect(page).toHaveURL(/\/login$/);
});

test('Passwort vergessen: the link from the mail sets a new password, then sign in', async ({ page, browser }) => {
  const customer = await createReadyCustomer(browser, 'vergessen');
  await page.goto('/login');
  await page.getByRole('link', { name: 'Passwort vergessen' }).click();
  await expect(page.getByRole('heading', { name: 'Passwort vergessen' })).toBeVisible();
  await page.getByLabel('Benutzername oder E-Mail-Adresse').fill(customer.email);
  await page.getByRole('button', { name: 'Link anfordern' }).click();
  await expect(page.getByRole('status')).toContainText('Falls zu Ihrer Angabe ein aktiver Benutzer gehört');

  const link = await linkFromMail(customer.email, '/passwort-neu');
  const response = await page.goto(link);
  expect(response!.headers()['referrer-policy']).toBe('no-referrer');
  await expect(page.getByRole('heading', { name: 'Neues Passwort' })).toBeVisible();
  await expect(page.getByText(customer.username)).toBeVisible();
  await page.locator('#password').fill('Frisch-Wort-31');
  await page.locator('#confirm').fill('Frisch-Wort-31');
  await page.getByRole('button', { name: 'Passwort speichern' }).click();

  await expect(page).toHaveURL(/\/login\?passwort=neu$/);
  await expect(page.getByRole('status')).toContainText('Ihr neues Passwort ist gespeichert');
  await signIn(page, customer.username, customer.password);
  await expect(page.getByRole('alert')).toHaveText('Benutzername oder Passwort ist falsch.');
  await signIn(page, customer.username, 'Frisch-Wort-31');
  await expect(page.getByRole('heading', { name: 'Hauptansicht' })).toBeVisible();

  await page.goto(link);
  await expect(page.getByRole('alert')).toContainText('ungültig, abgelaufen oder wurde bereits verwendet');
});

test('Passwort vergessen answers the same for a name that does not exist', async ({ page }) => {
  await page.goto('/passwort-vergessen');
  await page.getByLabel('Benutzername oder E-Mail-Adresse').fill('gibt-es-nicht-hier');
  await page.getByRole('button', { name: 'Link anfordern' }).click();
  await expect(page.getByRole('status')).toContainText('Falls zu Ihrer Angabe ein aktiver Benutzer gehört');
});

test('the first sign-in also works with JavaScript disabled', async ({ browser }) => {
  const customer = createCustomer('erst-nojs');
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await signIn(page, customer.username, customer.password);
  await expect(page).toHaveURL(/\/passwort-festlegen$/);
  // A refused form comes back with its message, also without JavaScript.
  await page.locator('#password').fill('Ohne-Skript-42');
  await page.locator('#confirm').fill('Ohne-Skript-43');
  await page.getByRole('button', { name: 'Passwort ändern' }).click();
  await expectRefusedAt(page, '#confirm', 'Die beiden Passwörter stimmen nicht überein.');
  await page.locator('#password').fill('Ohne-Skript-42');
  await page.locator('#confirm').fill('Ohne-Skript-42');
  await page.getByRole('button', { name: 'Passwort ändern' }).click();
  await expect(page).toHaveURL(/\/datenschutz-akzeptieren$/);
  await page.getByRole('button', { name: 'Datenschutzhinweise akzeptieren' }).click();
  await expect(page.getByRole('heading', { name: 'Hauptansicht' })).toBeVisible();
  await context.close();
});

test('an invitation link sets the first password, then the privacy notice, then the portal', async ({ page }) => {
  const customer = createInvitedCustomer('einladung');
  const link = await linkFromMail(customer.email, '/einladung');
  const response = await page.goto(link);
  expect(response!.headers()['referrer-policy']).toBe('no-referrer');
  await expect(page.getByRole('heading', { name: 'Passwort festlegen' })).toBeVisible();
  await expect(page.getByText(customer.username)).toBeVisible();
  await page.locator('#password').fill('Mein-Start-2026');
  await page.locator('#confirm').fill('Mein-Start-2026');
  await page.getByRole('button', { name: 'Passwort festlegen' }).click();
  await expect(page).toHaveURL(/\/datenschutz-akzeptieren$/);
  await page.getByRole('button', { name: 'Datenschutzhinweise akzeptieren' }).click();
  await expect(page.getByRole('heading', { name: 'Hauptansicht' })).toBeVisible();

  await page.goto(link);
  await expect(page.getByRole('alert')).toContainText('bereits verwendet');
});

/** A ready customer signed in twice: in `page`, which is left on Profil,
 *  and in a second browser context. */
async function signedInTwiceOnProfil(page: Page, browser: Browser, label: string) {
  const customer = await createReadyCustomer(browser, label);
  const other = await browser.newContext();
  const otherPage = await other.newPage();
  await signIn(otherPage, customer.username, customer.password);
  await expect(otherPage.getByRole('heading', { name: 'Hauptansicht' })).toBeVisible();

  await signIn(page, customer.username, customer.password);
  await expect(page.getByRole('heading', { name: 'Hauptansicht' })).toBeVisible();
  await page.goto('/profil');
  return { customer, other, otherPage };
}

test('Profil: a password change keeps this browser signed in and ends the other one', async ({ page, browser }) => {
  const { customer, other, otherPage } = await signedInTwiceOnProfil(page, browser, 'profil');
  await page.getByLabel('Aktuelles Passwort').fill(customer.password);
  await page.locator('#password').fill('Profil-Wort-55');
  await page.locator('#confirm').fill('Profil-Wort-55');
  await page.getByRole('button', { name: 'Passwort ändern' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Ihr Passwort wurde geändert' })).toBeVisible();
  await expect(page.locator('#current')).toHaveValue('');

  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Hauptansicht' })).toBeVisible();
  await otherPage.goto('/');
  await expect(otherPage).toHaveURL(/\/login$/);
  await other.close();
});

test('a password typed before the page became interactive is kept, and the rules show it', async ({ page }) => {
  const customer = createCustomer('frueh');
  await signIn(page, customer.username, customer.password);
  await expect(page).toHaveURL(/\/passwort-festlegen$/);

  // Load the page again with the WASM held back, as on a slow phone.
  let releaseWasm!: () => void;
  const wasmHeld = new Promise<void>((resolve) => { releaseWasm = resolve; });
  await page.route('**/pkg/*.wasm', async (route) => { await wasmHeld; await route.continue(); });
  await page.goto('/passwort-festlegen', { waitUntil: 'domcontentloaded' });
  await page.locator('#password').fill('Tonne-mit-Zahl-7');
  await page.locator('#confirm').fill('Tonne-mit-Zahl-7');
  expect(await page.locator('html').getAttribute('data-hydrated')).toBeNull();

  releaseWasm();
  await waitForHydration(page);
  await expect(page.locator('#password')).toHaveValue('Tonne-mit-Zahl-7');
  await expect(page.locator('#confirm')).toHaveValue('Tonne-mit-Zahl-7');
  await expect(page.locator('#password-rules li[data-met="true"]').first()).toBeVisible();
  await expect(page.locator('#password-rules li[data-met="false"]')).toHaveCount(0);
});

test('an expired password signs in only to set a new one', async ({ page, browser }) => {
  const customer = await createReadyCustomer(browser, 'abgelaufen');
  operator(['password', 'expire', '--on', '01.01.2000', '--customer', customer.number]);

  await signIn(page, customer.username, customer.password);
  await expect(page).toHaveURL(/\/passwort-festlegen$/);
  await expect(page.getByText('Ihr Passwort ist abgelaufen.')).toBeVisible();
  await page.goto('/profil');
  await expect(page).toHaveURL(/\/passwort-festlegen$/);

  await page.locator('#password').fill('Erneuert-Wort-8');
  await page.locator('#confirm').fill('Erneuert-Wort-8');
  await page.getByRole('button', { name: 'Passwort ändern' }).click();
  await expect(page.getByRole('heading', { name: 'Hauptansicht' })).toBeVisible();
});

test('Profil: signing out on all other devices keeps this browser signed in', async ({ page, browser }) => {
  const { other, otherPage } = await signedInTwiceOnProfil(page, browser, 'geraete');
  await page.getByText('Anmeldungen', { exact: true }).click();
  await page.getByRole('button', { name: 'Auf allen anderen Geräten abmelden' }).click();
  // The other browser, and the one createReadyCustomer used (closed, never signed out).
  await expect(page.getByRole('status')).toHaveText('2 Anmeldungen auf anderen Geräten wurden beendet.');

  await otherPage.goto('/');
  await expect(otherPage).toHaveURL(/\/login$/);
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Hauptansicht' })).toBeVisible();
  await other.close();
});

import { test, expect, Page } from '@playwright/test';
import { createCustomer, createReadyCustomer, signIn, waitForHydration } from './helpers';

test('signed out, the portal sends you to the login form', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole('heading', { name: 'Login' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Passwort vergessen' })).toBeVisible();
});

test('a wrong password gets the one German message', async ({ page }) => {
  const customer = createCustomer('falsch');
  await signIn(page, customer.username, 'Falsch-Wort-9');
  await expect(page.getByRole('alert')).toHaveText('Benutzername oder Passwort ist falsch.');
  await expect(page).toHaveURL(/\/login/);
});

test('with JavaScript the login calls its server function: a refusal in place keeps the name, not the password', async ({ page }) => {
  const customer = createCustomer('vorort');
  await page.goto('/login');
  await waitForHydration(page);
  const documents: string[] = [];
  page.on('request', (request) => { if (request.resourceType() === 'document') documents.push(request.url()); });
  const call = page.waitForRequest((request) => request.url().endsWith('/api/auth/login') && request.method() === 'POST');
  await page.getByLabel('Benutzername').fill(customer.username);
  await page.getByLabel('Passwort').fill('Falsch-Wort-9');
  await page.getByRole('button', { name: 'Login' }).click();
  await expect(page.getByRole('alert')).toHaveText('Benutzername oder Passwort ist falsch.');
  expect((await call).headers()['accept']).toBe('application/json');
  expect(documents, 'no page load').toEqual([]);
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByLabel('Benutzername')).toHaveValue(customer.username);
  await expect(page.getByLabel('Passwort')).toHaveValue('');
  // Again, right: one alert at most, and on to the first-sign-in step the server names.
  await page.getByLabel('Passwort').fill('Falsch-Wort-10');
  const second = page.waitForResponse((response) => response.url().endsWith('/api/auth/login'));
  await page.getByRole('button', { name: 'Login' }).click();
  expect((await second).status()).toBe(401);
  await expect(page.getByRole('alert')).toHaveCount(1);
  await page.getByLabel('Passwort').fill(customer.password);
  await page.getByRole('button', { name: 'Login' }).click();
  await expect(page).toHaveURL(/\/passwort-festlegen$/);
});

test('sign in, see the tiles and the user menu, sign out', async ({ page, browser }) => {
  const customer = await createReadyCustomer(browser, 'shell');
  await signIn(page, customer.username, customer.password);

  await expect(page.getByRole('heading', { name: 'Hauptansicht' })).toBeVisible();
  const nav = page.getByRole('navigation', { name: 'Hauptmenü' });
  for (const name of ['Dokumente', 'Weiterleitungen', 'Benutzer']) {
    await expect(nav.getByRole('link', { name })).toBeVisible();
  }
  await expect(page.locator('.tile')).toHaveCount(5);

  await page.getByRole('link', { name: /Dokumente/ }).first().click();
  await expect(page.getByRole('heading', { name: 'Dokumente' })).toBeVisible();

  await page.getByRole('button', { name: 'Benutzermenü' }).click();
  await expect(page.getByText(`@${customer.username}`)).toBeVisible();
  await expect(page.getByRole('link', { name: 'Profil' })).toBeVisible();
  await page.getByRole('button', { name: 'Abmelden' }).click();
  await expect(page).toHaveURL(/\/login$/);

  await page.goto('/dokumente');
  await expect(page).toHaveURL(/\/login$/);
});

test('sign-in works with JavaScript disabled', async ({ browser }) => {
  const customer = await createReadyCustomer(browser, 'nojs');
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await signIn(page, customer.username, 'Falsch-Wort-9');
  await expect(page.getByRole('alert')).toHaveText('Benutzername oder Passwort ist falsch.');
  await signIn(page, customer.username, customer.password);
  await expect(page.getByRole('heading', { name: 'Hauptansicht' })).toBeVisible();
  await context.close();
});

test('legal pages and the hotline are there without signing in', async ({ page }) => {
  await page.goto('/login');
  const footer = page.locator('footer');
  await expect(footer.getByText(/\*\*Festnetzpreis/)).toBeVisible();
  for (const [link, title] of [['Kontakt', 'Kontakt'], ['Datenschutzhinweise', 'Datenschutzhinweise'], ['Impressum', 'Impressum']]) {
    await footer.getByRole('link', { name: link }).click();
    await expect(page.getByRole('heading', { name: title, exact: true })).toBeVisible();
    await expect(page.locator('.prose p').first()).not.toBeEmpty();
  }
});

test('on a 375 px phone nothing overflows sideways', async ({ browser }) => {
  const customer = await createReadyCustomer(browser, 'phone');
  const context = await browser.newContext({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  await signIn(page, customer.username, customer.password);
  await expect(page.getByRole('heading', { name: 'Hauptansicht' })).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.getByRole('button', { name: 'Benutzermenü' }).click();
  const menu = page.locator('.user-menu .menu');
  const box = await menu.boundingBox();
  expect(box!.x).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width).toBeLessThanOrEqual(375);
  await context.close();
});

test('the page hydrates under the strict CSP', async ({ page }) => {
  const violations: string[] = [];
  page.on('console', (msg) => { if (/Content Security Policy/i.test(msg.text())) violations.push(msg.text()); });
  const response = await page.goto('/login', { waitUntil: 'networkidle' });
  const csp = response!.headers()['content-security-policy'];
  expect(csp).toMatch(/script-src 'nonce-[A-Za-z0-9_-]+' 'strict-dynamic' 'wasm-unsafe-eval'/);
  // The islands' WASM ran under that policy (it marks <html>), and the form
  // (a plain post) still answers.
  await waitForHydration(page);
  await page.getByLabel('Benutzername').fill('niemand-hier');
  await page.getByLabel('Passwort').fill('Falsch-Wort-9');
  await page.getByRole('button', { name: 'Login' }).click();
  await expect(page.getByRole('alert')).toHaveText('Benutzername oder Passwort ist falsch.');
  await waitForHydration(page);
  expect(violations).toEqual([]);
});

test('the user menu works by keyboard: Enter opens it, Escape closes it and focus returns', async ({ page, browser }) => {
  const customer = await createReadyCustomer(browser, 'tastatur');
  await signIn(page, customer.username, customer.password);
  await expect(page.getByRole('heading', { name: 'Hauptansicht' })).toBeVisible();
  // A whole page load, so the keyboard starts at the top of the document.
  await page.goto('/');
  await waitForHydration(page);

  const button = page.getByRole('button', { name: 'Benutzermenü' });
  await expect(button).toHaveAttribute('aria-expanded', 'false');
  const menuId = await button.getAttribute('aria-controls');
  expect(menuId).toBeTruthy();
  const menu = page.locator(`[id="${menuId}"]`);
  await expect(menu).toBeHidden();

  // Reach the button the way a keyboard does (skip link and brand come first).
  for (let presses = 0; presses < 10; presses++) {
    if (await button.evaluate((element) => element === document.activeElement)) break;
    await page.keyboard.press('Tab');
  }
  await expect(button).toBeFocused();

  await page.keyboard.press('Enter');
  await expect(button).toHaveAttribute('aria-expanded', 'true');
  await expect(menu).toBeVisible();
  await expect(menu.getByText(`@${customer.username}`)).toBeVisible();
  await expect(menu.getByRole('link', { name: 'Profil' })).toBeVisible();
  await expect(menu.getByRole('button', { name: 'Abmelden' })).toBeVisible();

  await page.keyboard.press('Escape');
  await expect(button).toHaveAttribute('aria-expanded', 'false');
  await expect(menu).toBeHidden();
  await expect(button).toBeFocused();

  // Escape from inside the menu closes it too, and focus goes back to the button.
  await page.keyboard.press('Enter');
  await expect(menu).toBeVisible();
  await page.keyboard.press('Tab');
  await expect(menu.getByRole('link', { name: 'Profil' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(button).toHaveAttribute('aria-expanded', 'false');
  await expect(menu).toBeHidden();
  await expect(button).toBeFocused();
});

/** The first Tab on a freshly loaded page reaches "Zum Inhalt springen",
 *  which then shows, and the page has exactly one `main`, the skip link's target. */
async function expectSkipLinkFirst(page: Page) {
  await waitForHydration(page);
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Zum Inhalt springen' });
  await expect(skip).toBeFocused();
  await expect(skip).toHaveAttribute('href', '#inhalt');
  const box = await skip.boundingBox();
  expect(box!.width).toBeGreaterThan(1);
  expect(box!.height).toBeGreaterThan(1);
  expect(box!.x).toBeGreaterThanOrEqual(0);
  expect(box!.y).toBeGreaterThanOrEqual(0);
  await expect(page.getByRole('main')).toHaveCount(1);
  await expect(page.locator('main')).toHaveCount(1);
  await expect(page.getByRole('main')).toHaveAttribute('id', 'inhalt');
}

test('the first Tab reaches the skip link, and there is one main landmark', async ({ page, browser }) => {
  await page.goto('/login');
  await expectSkipLinkFirst(page);

  const customer = await createReadyCustomer(browser, 'sprung');
  await signIn(page, customer.username, customer.password);
  await expect(page.getByRole('heading', { name: 'Hauptansicht' })).toBeVisible();
  await page.goto('/');
  await expectSkipLinkFirst(page);
});

test('the skip link moves keyboard focus into the main landmark', async ({ page }) => {
  await page.goto('/login');
  await waitForHydration(page);
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Zum Inhalt springen' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.locator('main#inhalt')).toBeFocused();
  // The next Tab goes on inside the content, not back to the header.
  await page.keyboard.press('Tab');
  expect(await page.evaluate(() => document.querySelector('main')!.contains(document.activeElement))).toBe(true);
});

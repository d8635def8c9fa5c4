import { test, expect } from '@playwright/test';
import { createCustomer, createReadyCustomer, signIn } from './helpers';

test('signed out, the portal sends you to the login form', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole('heading', { name: 'Login' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Passwort vergessen' })).toBeVisible();
});

test('a wrong password gets the one German message', async ({ page }) => {
  const customer = createCustomer('falsch');
  await signIn(page, customer.username, 'Falsch-Passwort-9');
  await expect(page.getByRole('alert')).toHaveText('Benutzername oder Passwort ist falsch.');
  await expect(page).toHaveURL(/\/login/);
});

test('sign in, see the tiles and the user menu, sign out', async ({ page, browser }) => {
  const customer = await createReadyCustomer(browser, 'shell');
  await signIn(page, customer.username, customer.password);

  await expect(page.getByRole('heading', { name: 'Hauptansicht' })).toBeVisible();
  const nav = page.getByRole('navigation', { name: 'Hauptmenü' });
  for (const name of ['Dokumente', 'Weiterleitungen', 'Benutzer']) {
    await expect(nav.getByRole('link', { name })).toBeVisible();
  }
  await expect(page.locator('.tile')).toHaveCount(4);

  await page.getByRole('link', { name: /Dokumente/ }).first().click();
  await expect(page.getByRole('heading', { name: 'Dokumente' })).toBeVisible();

  await page.getByLabel('Benutzermenü öffnen').click();
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
  await signIn(page, customer.username, 'Falsch-Passwort-9');
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
  await page.getByLabel('Benutzermenü öffnen').click();
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
  // Hydrated, the form goes through the server function and stays on the
  // page; without the WASM the browser would follow a redirect to ?fehler=.
  await page.getByLabel('Benutzername').fill('niemand-hier');
  await page.getByLabel('Passwort').fill('Falsch-Passwort-9');
  await page.getByRole('button', { name: 'Login' }).click();
  await expect(page.getByRole('alert')).toHaveText('Benutzername oder Passwort ist falsch.');
  expect(page.url()).not.toContain('fehler=');
  expect(violations).toEqual([]);
});

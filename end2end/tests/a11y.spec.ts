// Accessibility (WCAG 2.1 AA, axe-core): every page, in every state a customer
// meets it in, is checked with axe-core against WCAG 2.1 A and AA; the
// number of violations stays at 0.
import { test, expect, Page } from '@playwright/test';
import {
  TestCustomer, createCustomer, createInvitedCustomer, createReadyCustomer, expectNoViolations, linkFromMail, signIn, waitForHydration,
} from './helpers';

const heading = (page: Page, name: string) => page.getByRole('heading', { name, exact: true });

test.describe('axe, signed out', () => {
  const pages: { path: string; title: string; status?: number }[] = [
    { path: '/login', title: 'Login' },
    { path: '/passwort-vergessen', title: 'Passwort vergessen' },
    { path: '/kontakt', title: 'Kontakt' },
    { path: '/datenschutz', title: 'Datenschutzhinweise' },
    { path: '/impressum', title: 'Impressum' },
    { path: '/gibt-es-nicht', title: 'Seite nicht gefunden', status: 404 },
  ];
  for (const { path, title, status } of pages) {
    test(`${path}`, async ({ page }) => {
      const response = await page.goto(path);
      expect(response!.status()).toBe(status ?? 200);
      await expect(heading(page, title)).toBeVisible();
      await expectNoViolations(page);
    });
  }

  test('/passwort-vergessen, link requested', async ({ page }) => {
    await page.goto('/passwort-vergessen');
    await waitForHydration(page);
    await page.getByLabel('Benutzername oder E-Mail-Adresse').fill('gibt-es-nicht-hier');
    await page.getByRole('button', { name: 'Link anfordern' }).click();
    await expect(page.getByRole('status')).toContainText('Falls zu Ihrer Angabe ein aktiver Benutzer gehört');
    await expectNoViolations(page);
  });
});

test.describe('axe, pages behind a mailed link', () => {
  test('/passwort-neu with a link from a reset mail', async ({ page, browser }) => {
    const customer = await createReadyCustomer(browser, 'a11y-reset');
    await page.goto('/passwort-vergessen');
    await waitForHydration(page);
    await page.getByLabel('Benutzername oder E-Mail-Adresse').fill(customer.username);
    await page.getByRole('button', { name: 'Link anfordern' }).click();
    await expect(page.getByRole('status')).toContainText('Falls zu Ihrer Angabe ein aktiver Benutzer gehört');

    const link = await linkFromMail(customer.email, '/passwort-neu');
    const response = await page.goto(link);
    expect(response!.status()).toBe(200);
    await expect(heading(page, 'Neues Passwort')).toBeVisible();
    await expect(page.locator('#password')).toBeVisible();
    await expectNoViolations(page);
  });

  test('/einladung with a link from an invitation mail', async ({ page }) => {
    const customer = createInvitedCustomer('a11y-einladung');
    const link = await linkFromMail(customer.email, '/einladung');
    const response = await page.goto(link);
    expect(response!.status()).toBe(200);
    await expect(heading(page, 'Passwort festlegen')).toBeVisible();
    await expect(page.locator('#password')).toBeVisible();
    await expectNoViolations(page);
  });

  test('/einladung with an unknown token (expired or used)', async ({ page }) => {
    // As long as a real token (43 characters), but never issued.
    const token = 'A11y' + 'x'.repeat(39);
    const response = await page.goto(`/einladung?token=${token}`);
    expect(response!.status()).toBe(410);
    await expect(page.getByRole('alert')).toContainText('ungültig, abgelaufen oder wurde bereits verwendet');
    await expectNoViolations(page);
  });
});

test.describe('axe, first sign-in', () => {
  test('/passwort-festlegen', async ({ page }) => {
    const customer = createCustomer('a11y-erst');
    await signIn(page, customer.username, customer.password);
    await expect(page).toHaveURL(/\/passwort-festlegen$/);
    // Loaded whole, as a browser does after the sign-in without JavaScript.
    await page.goto('/passwort-festlegen');
    await expect(heading(page, 'Passwort ändern')).toBeVisible();
    await expect(page.locator('#password')).toBeVisible();
    await expectNoViolations(page);
  });

  test('/datenschutz-akzeptieren', async ({ page }) => {
    const customer = createCustomer('a11y-datenschutz');
    await signIn(page, customer.username, customer.password);
    await expect(page).toHaveURL(/\/passwort-festlegen$/);
    await page.locator('#password').fill('Eigenes-Wort-77');
    await page.locator('#confirm').fill('Eigenes-Wort-77');
    await page.getByRole('button', { name: 'Passwort ändern' }).click();
    await expect(page).toHaveURL(/\/datenschutz-akzeptieren$/);
    await page.goto('/datenschutz-akzeptieren');
    await expect(heading(page, 'Datenschutzhinweise akzeptieren')).toBeVisible();
    await expectNoViolations(page);
  });
});

test.describe('axe, signed in', () => {
  let customer: TestCustomer;

  test.beforeAll(async ({ browser }) => {
    customer = await createReadyCustomer(browser, 'a11y');
  });

  test.beforeEach(async ({ page }) => {
    await signIn(page, customer.username, customer.password);
    await expect(heading(page, 'Hauptansicht')).toBeVisible();
  });

  const pages: { path: string; title: string }[] = [
    { path: '/', title: 'Hauptansicht' },
    { path: '/dokumente', title: 'Dokumente' },
    { path: '/weiterleitungen', title: 'Weiterleitungen' },
    { path: '/benutzer', title: 'Benutzer' },
    { path: '/profil', title: 'Profil' },
    { path: '/aktivitaet', title: 'Aktivitätsprotokoll' },
  ];
  for (const { path, title } of pages) {
    test(`${path}`, async ({ page }) => {
      const response = await page.goto(path);
      expect(response!.status()).toBe(200);
      await expect(page).toHaveURL(new RegExp(`${path.replace(/\//g, '\\/')}$`));
      await expect(heading(page, title)).toBeVisible();
      await expectNoViolations(page);
    });
  }

  test('/ with the user menu open', async ({ page }) => {
    await page.goto('/');
    await waitForHydration(page);
    const button = page.getByRole('button', { name: 'Benutzermenü' });
    const menu = page.locator(`[id="${await button.getAttribute('aria-controls')}"]`);
    await button.click();
    await expect(button).toHaveAttribute('aria-expanded', 'true');
    await expect(menu.getByText(`@${customer.username}`)).toBeVisible();
    await expect(menu.getByRole('link', { name: 'Profil' })).toBeVisible();
    await expectNoViolations(page);
  });
});

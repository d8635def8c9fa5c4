// Passkeys (issue 23) with Chromium's virtual authenticator (CDP
// `WebAuthn.addVirtualAuthenticator`): add one in Profil, sign in with it
// (no password, no code: it counts as both factors), see when it was used,
// remove it. A relying party needs a domain, and the suite's portal answers
// at 127.0.0.1: a second instance of the same build, on the same data,
// answers as http://localhost:PORT.
import { ChildProcess, spawn } from 'child_process';
import * as path from 'path';
import { test, expect, Page } from '@playwright/test';
import { createReadyCustomer, expectNoViolations, fitsAt375, submitLogin } from './helpers';

const root = path.resolve(__dirname, '..', '..');
const port = Number(process.env.E2E_PORT ?? 3107) + 50;
const origin = `http://localhost:${port}`;
let portal: ChildProcess;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  portal = spawn(path.join(root, 'target/debug/kundenportal'), ['serve'], {
    cwd: root,
    env: {
      ...process.env,
      KP_DATA_DIR: process.env.E2E_DATA_DIR!,
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      KP_BASE_URL: origin,
      LEPTOS_SITE_ROOT: path.join(root, 'target/site'),
      KP_LOG: 'warn',
      KP_LIMIT_LOGIN_PER_MINUTE: '1000',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  for (let attempt = 0; attempt < 300; attempt++) {
    const up = await fetch(`http://127.0.0.1:${port}/kontakt`).then((answer) => answer.ok, () => false);
    if (up) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the second portal instance did not start');
});

test.afterAll(() => {
  portal?.kill();
});

async function virtualAuthenticator(page: Page) {
  const client = await page.context().newCDPSession(page);
  await client.send('WebAuthn.enable');
  await client.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
}

test('add a passkey in Profil, sign in with it alone, see it used, remove it', async ({ browser }) => {
  const customer = await createReadyCustomer(browser, 'passkey');
  const context = await browser.newContext({ baseURL: origin });
  const page = await context.newPage();
  await virtualAuthenticator(page);
  await page.goto('/login');
  await submitLogin(page, customer.username, customer.password);
  await expect(page.getByRole('heading', { name: 'Hauptansicht' })).toBeVisible();

  await page.goto('/profil?bereich=passkeys');
  await expect(page.getByText('Sie haben noch keinen Passkey.')).toBeVisible();
  const add = page.getByRole('button', { name: 'Passkey hinzufügen' });
  await expect(add).toBeVisible();
  await expectNoViolations(page);
  await fitsAt375(page, 'Profil → Passkeys');
  // No name (only spaces): said at the field.
  await page.getByLabel('Name des Passkeys').fill('   ');
  await add.click();
  await expect(page.locator('#passkey-name-fehler')).toHaveText('Bitte geben Sie dem Passkey einen Namen mit 1 bis 60 Zeichen.');
  await expect(page.locator('#passkey-name')).toHaveAttribute('aria-invalid', 'true');
  await page.getByLabel('Name des Passkeys').fill('Laptop');
  await add.click();
  await expect(page.getByRole('status')).toContainText('Der Passkey ist hinzugefügt');
  await expect(page.locator('.passkeys li')).toHaveCount(1);
  await expect(page.locator('.passkeys li')).toContainText('Laptop');
  await expect(page.locator('.passkeys li')).toContainText('noch nicht verwendet');

  // Signed out, the passkey alone signs in.
  await context.clearCookies();
  await page.goto('/login');
  const offer = page.getByRole('button', { name: 'Mit Passkey anmelden' });
  await expect(offer).toBeVisible();
  await expectNoViolations(page);
  await fitsAt375(page, '/login with the passkey offer');
  await offer.click();
  await expect(page.getByRole('heading', { name: 'Hauptansicht' })).toBeVisible();
  await page.goto('/profil?bereich=passkeys');
  await expect(page.locator('.passkeys li')).toContainText('zuletzt verwendet');

  // Removed, the same authenticator's passkey no longer signs in.
  await page.locator('.passkeys li').getByRole('button', { name: 'Passkey Laptop entfernen' }).click();
  await expect(page.getByRole('status')).toContainText('Der Passkey ist entfernt');
  await expect(page.locator('.passkeys li')).toHaveCount(0);
  await context.clearCookies();
  await page.goto('/login');
  await page.getByRole('button', { name: 'Mit Passkey anmelden' }).click();
  await expect(page.getByRole('alert')).toContainText('Der Passkey wurde nicht angenommen');
  await expect(page).toHaveURL(/\/login$/);
  await context.close();
});

test('without JavaScript the login page has no passkey button and the password path stays', async ({ browser }) => {
  const context = await browser.newContext({ baseURL: origin, javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto('/login');
  await expect(page.getByRole('button', { name: 'Login' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Mit Passkey anmelden' })).toBeHidden();
  await context.close();
});

// Profil and Benutzer in Chromium against the real server: a new name in
// the menu at once, a new e-mail address through the link mailed to it, a
// colleague invited by mail who sets a password and sees documents but no
// Benutzer entry until the main user grants the right, deactivation that
// sends the colleague's other browser to the login page at its next click,
// and the Aktivitätsprotokoll that shows all of it. axe, 375 px and the
// forms without JavaScript too.
import { test, expect, Page } from '@playwright/test';
import { TestCustomer, createReadyCustomer, expectNoViolations, linkFromMail, signIn, waitForHydration, waitForMail, expectRefusedAt } from './helpers';

let customer: TestCustomer;
const suffix = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`;
const colleague = { username: `kollegin-${suffix}`, email: `kollegin-${suffix}@kunden.example`, password: 'Kolleg-Wort-31' };

test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({ browser }) => {
  customer = await createReadyCustomer(browser, 'team');
});

async function signedIn(page: Page) {
  await signIn(page, customer.username, customer.password);
  await expect(page.getByRole('heading', { name: 'Hauptansicht', exact: true })).toBeVisible();
}

test('Profil: a new name shows in the menu at once', async ({ page }) => {
  await signedIn(page);
  await page.goto('/profil');
  await waitForHydration(page);
  await page.locator('summary', { hasText: /^Name$/ }).click();
  await page.getByLabel('Anrede').selectOption({ label: 'Frau' });
  await page.getByLabel('Vorname').fill('Erika');
  await page.getByLabel('Nachname').fill('Muster');
  await page.getByRole('button', { name: 'Speichern' }).click();
  await expect(page.getByText('Ihr Name ist gespeichert.')).toBeVisible();
  await page.getByRole('button', { name: 'Benutzermenü' }).click();
  await expect(page.locator('.menu-name')).toHaveText('Frau Erika Muster');
  await expectNoViolations(page);
});

test('Profil: a new e-mail address counts once its link was opened; the old one is told', async ({ page }) => {
  const oldEmail = customer.email;
  const newEmail = `neu-${suffix}@kunden.example`;
  await signedIn(page);
  await page.goto('/profil');
  await waitForHydration(page);
  await page.locator('summary', { hasText: /^E-Mail$/ }).click();
  await page.getByLabel('Neue E-Mail-Adresse').fill(newEmail);
  await page.getByLabel('Passwort zur Bestätigung').fill(customer.password);
  await page.getByRole('button', { name: 'E-Mail-Adresse ändern' }).click();
  await expect(page.getByText('Wir haben einen Bestätigungslink an die neue Adresse gesendet.')).toBeVisible();
  await expect(page.getByText(`Bestätigung ausstehend für ${newEmail}`)).toBeVisible();
  await expectNoViolations(page);

  const link = await linkFromMail(newEmail, '/email-bestaetigen');
  await page.goto(link);
  await expect(page.getByText(newEmail)).toBeVisible();
  await expectNoViolations(page);
  await page.getByRole('button', { name: 'E-Mail-Adresse bestätigen' }).click();
  await expect(page.getByText('Ihre neue E-Mail-Adresse ist bestätigt.')).toBeVisible();
  await waitForMail(oldEmail, (mail) => mail.replace(/=\r?\n/g, '').includes(newEmail));
  customer.email = newEmail;

  await page.goto('/profil');
  await page.locator('summary', { hasText: /^E-Mail$/ }).click();
  await expect(page.getByText(`Aktuelle Adresse: ${newEmail}`)).toBeVisible();
});

test('Benutzer: invite a colleague, grant a right, deactivate them while they are signed in', async ({ page, browser }) => {
  await signedIn(page);
  await page.getByRole('navigation', { name: 'Hauptmenü' }).getByRole('link', { name: 'Benutzer', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Benutzer', exact: true })).toBeVisible();
  await waitForHydration(page);
  // A taken name (the main user's own, in other letters): refused at the field, in place.
  await page.getByLabel('Benutzername').fill(customer.username.toUpperCase());
  await page.getByLabel('E-Mail').fill(colleague.email);
  await page.getByRole('button', { name: 'Benutzer hinzufügen' }).click();
  await expectRefusedAt(page, '#new-username', 'Dieser Benutzername ist bereits vergeben. Bitte wählen Sie einen anderen.');
  await expect(page.getByLabel('E-Mail')).toHaveValue(colleague.email);
  await expect(page).toHaveURL(/\/benutzer$/);
  await page.getByLabel('Benutzername').fill(colleague.username);
  await page.getByRole('button', { name: 'Benutzer hinzufügen' }).click();
  await expect(page.getByText('Der Benutzer ist angelegt.')).toBeVisible();
  await expect(page.locator('[aria-invalid="true"]')).toHaveCount(0);
  const row = page.locator('table.users-table tbody tr', { hasText: colleague.username });
  await expect(row.getByText('eingeladen')).toBeVisible();
  await expectNoViolations(page);

  // The colleague sets a password from the mail and sees documents, not Benutzer.
  const other = await browser.newContext();
  const colleaguePage = await other.newPage();
  await colleaguePage.goto(await linkFromMail(colleague.email, '/einladung'));
  await colleaguePage.locator('#password').fill(colleague.password);
  await colleaguePage.locator('#confirm').fill(colleague.password);
  await colleaguePage.getByRole('button', { name: 'Passwort festlegen' }).click();
  await colleaguePage.getByRole('button', { name: 'Datenschutzhinweise akzeptieren' }).click();
  await expect(colleaguePage.getByRole('heading', { name: 'Hauptansicht' })).toBeVisible();
  const colleagueNav = colleaguePage.getByRole('navigation', { name: 'Hauptmenü' });
  await expect(colleagueNav.getByRole('link', { name: 'Dokumente' })).toBeVisible();
  await expect(colleagueNav.getByRole('link', { name: 'Benutzer', exact: true })).toHaveCount(0);
  expect((await colleaguePage.goto('/benutzer'))!.status()).toBe(403);

  // The main user grants "Benutzer verwalten"; the colleague sees the entry.
  await page.reload();
  await expect(row.getByText('aktiv', { exact: true })).toBeVisible();
  await row.getByRole('link', { name: `Benutzer ${colleague.username} bearbeiten` }).click();
  const editBox = page.getByRole('group', { name: `Benutzer ${colleague.username} bearbeiten` });
  await editBox.getByLabel('Benutzer verwalten').check();
  await editBox.getByRole('button', { name: 'Rechte speichern' }).click();
  await expect(page.getByText('Die Rechte sind gespeichert.')).toBeVisible();
  await colleaguePage.goto('/');
  await expect(colleagueNav.getByRole('link', { name: 'Benutzer', exact: true })).toBeVisible();
  await waitForHydration(colleaguePage);

  // Unticking Aktiv asks first, then the colleague's next click lands on the login page.
  await page.getByRole('checkbox', { name: `${colleague.username} aktiv – deaktivieren` }).click();
  await expect(page.getByText(`Benutzer ${colleague.username} wirklich deaktivieren?`)).toBeVisible();
  await page.getByRole('button', { name: 'Deaktivieren' }).click();
  await expect(page.getByText('Der Benutzer ist deaktiviert.')).toBeVisible();
  await expect(row.getByText('deaktiviert')).toBeVisible();
  await colleagueNav.getByRole('link', { name: 'Dokumente' }).click();
  await expect(colleaguePage).toHaveURL(/\/login$/);
  await other.close();
});

test('Aktivitätsprotokoll shows these steps, filters and exports', async ({ page }) => {
  await signedIn(page);
  await page.getByRole('navigation', { name: 'Hauptmenü' }).getByRole('link', { name: 'Aktivitätsprotokoll' }).click();
  await expect(page.getByRole('heading', { name: 'Aktivitätsprotokoll' })).toBeVisible();
  const table = page.locator('table.activity-table');
  for (const what of ['Name geändert', 'E-Mail-Adresse geändert', 'Benutzer angelegt', 'Rechte geändert', 'Benutzer deaktiviert', 'Einladung angenommen']) {
    await expect(table.getByRole('cell', { name: what, exact: true }).first()).toBeVisible();
  }
  await expectNoViolations(page);
  await page.getByLabel('Benutzer', { exact: true }).selectOption({ label: colleague.username });
  await page.getByRole('button', { name: 'Anzeigen' }).click();
  await expect(page).toHaveURL(/benutzer=\d+/);
  await expect(table.getByRole('cell', { name: customer.username, exact: true })).toHaveCount(0);
  await expect(table.getByRole('cell', { name: colleague.username, exact: true }).first()).toBeVisible();
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Als CSV herunterladen' }).click();
  expect((await download).suggestedFilename()).toMatch(/^aktivitaet-.*\.csv$/);
});

test('Benutzer and Aktivitätsprotokoll work without JavaScript and at 375 px', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 375, height: 800 } });
  const page = await context.newPage();
  await signIn(page, customer.username, customer.password);
  await expect(page.getByRole('heading', { name: 'Hauptansicht', exact: true })).toBeVisible();
  await page.goto('/benutzer');
  await page.getByLabel('Benutzername').fill(colleague.username.toUpperCase());
  await page.getByLabel('E-Mail').fill('doppelt@kunden.example');
  await page.getByRole('button', { name: 'Benutzer hinzufügen' }).click();
  await expectRefusedAt(page, '#new-username', 'Dieser Benutzername ist bereits vergeben. Bitte wählen Sie einen anderen.');
  const second = `azubi-${suffix}`;
  await page.getByLabel('Benutzername').fill(second);
  await page.getByLabel('E-Mail').fill(`${second}@kunden.example`);
  await page.getByRole('button', { name: 'Benutzer hinzufügen' }).click();
  await expect(page.getByText('Der Benutzer ist angelegt.')).toBeVisible();
  const row = page.locator('table.users-table tbody tr', { hasText: second });
  await row.getByRole('link', { name: `Benutzer ${second} bearbeiten` }).click();
  await page.getByRole('link', { name: 'Entfernen' }).click();
  await page.getByRole('button', { name: 'Entfernen' }).click();
  await expect(page.getByText('Der Benutzer wurde entfernt.')).toBeVisible();
  await expect(page.locator('table.users-table tbody tr', { hasText: second })).toHaveCount(0);
  // Nothing wider than the phone.
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(375);

  // Profil with its new sections open (a plain post comes back with its section open).
  for (const section of ['name', 'email', 'anmeldungen']) {
    await page.goto(`/profil?bereich=${section}`);
    await expect(page.getByRole('heading', { name: 'Profil', exact: true })).toBeVisible();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
  }
  await expect(page.locator('.sign-ins .sign-in').first()).toBeVisible();

  await page.goto('/aktivitaet?benutzer=&von=2000-01-01&bis=');
  await expect(page.locator('table.activity-table').getByText('Benutzer entfernt', { exact: true }).first()).toBeVisible();
  const activityWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(activityWidth).toBeLessThanOrEqual(375);
  await context.close();
});

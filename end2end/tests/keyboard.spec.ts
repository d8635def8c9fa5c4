// By keyboard alone: on the login page, Dokumente, Weiterleitungen,
// Benutzer and Profil, Tab reaches every control in reading order, each
// with a visible focus, and the page's main form is completed without a
// mouse.
import { test, expect, Page } from '@playwright/test';
import { TestCustomer, addDocuments, createReadyCustomer, waitForHydration } from './helpers';

let customer: TestCustomer;

test.beforeAll(async ({ browser }) => {
  customer = await createReadyCustomer(browser, 'tastatur');
  addDocuments(customer.number, [
    { number: 'RE-TAST-1', type: 'rechnung', created: '2026-10-01' },
    { number: 'GS-TAST-2', type: 'gutschrift', created: '2026-10-02' },
  ]);
});

test.describe.configure({ mode: 'serial' });

interface Focused {
  key: string;
  visible: boolean;
}

/** Every control a keyboard should reach, in the order of the document. */
async function controlsInReadingOrder(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const selector = 'a[href], button:not([disabled]), input:not([type="hidden"]):not([disabled]), select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';
    return [...document.querySelectorAll(selector)]
      .filter((element) => element.checkVisibility({ visibilityProperty: true, opacityProperty: false }))
      .filter((element) => (element as HTMLElement).tabIndex >= 0)
      // A radio group is one stop for Tab (its checked radio); the arrow keys move within it.
      .filter((element) => {
        const radio = element as HTMLInputElement;
        if (radio.type !== 'radio' || radio.checked) return true;
        const group = radio.form?.querySelectorAll<HTMLInputElement>(`input[type="radio"][name="${CSS.escape(radio.name)}"]`) ?? [];
        return ![...group].some((other) => other.checked);
      })
      .map((element) => {
        const all = [...document.querySelectorAll('*')];
        return `${element.tagName.toLowerCase()}#${all.indexOf(element)}`;
      });
  });
}

/** Presses Tab until every control was visited once (or focus comes round again). */
async function tabThrough(page: Page, count: number): Promise<Focused[]> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.evaluate(() => window.scrollTo(0, 0));
  const seen: Focused[] = [];
  for (let presses = 0; seen.length < count && presses < count * 4; presses++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const element = document.activeElement as HTMLElement | null;
      if (!element || element === document.body) return null;
      const all = [...document.querySelectorAll('*')];
      const style = getComputedStyle(element);
      const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
      const shadow = style.boxShadow !== 'none';
      return { key: `${element.tagName.toLowerCase()}#${all.indexOf(element)}`, visible: outline || shadow };
    });
    if (!focused) continue;
    // A date field's day, month and year are one control.
    if (seen.length && seen[seen.length - 1].key === focused.key) continue;
    if (seen.some((earlier) => earlier.key === focused.key)) break;
    seen.push(focused);
  }
  return seen;
}

async function expectKeyboardWalk(page: Page, where: string) {
  const controls = await controlsInReadingOrder(page);
  const walked = await tabThrough(page, controls.length);
  expect(walked.map((f) => f.key), `${where}: every control, in reading order`).toEqual(controls);
  const invisible = walked.filter((f) => !f.visible).map((f) => f.key);
  expect(invisible, `${where}: a visible focus on each`).toEqual([]);
}

/** Focuses the control labelled `label` by pressing Tab, as a keyboard user gets there. */
async function tabTo(page: Page, selector: string) {
  const target = page.locator(selector).first();
  for (let presses = 0; presses < 80; presses++) {
    if (await target.evaluate((element) => element === document.activeElement)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${selector}`);
}

test('login: every control by Tab, and signing in without a mouse', async ({ page }) => {
  await page.goto('/login');
  await waitForHydration(page);
  await expectKeyboardWalk(page, '/login');
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await tabTo(page, '#username');
  await page.keyboard.type(customer.username);
  await page.keyboard.press('Tab');
  await page.keyboard.type(customer.password);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Hauptansicht', exact: true })).toBeVisible();
});

async function signedInByKeyboard(page: Page) {
  await page.goto('/login');
  await waitForHydration(page);
  await tabTo(page, '#username');
  await page.keyboard.type(customer.username);
  await page.keyboard.press('Tab');
  await page.keyboard.type(customer.password);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Hauptansicht', exact: true })).toBeVisible();
  await waitForHydration(page);
}

/** Types each value into the field Tab leads to, starting at `firstField`, then presses Enter on the submit button. */
async function completeByKeyboard(page: Page, firstField: string, values: string[], submit: string) {
  await tabTo(page, firstField);
  for (const [index, value] of values.entries()) {
    if (index > 0) await page.keyboard.press('Tab');
    await page.keyboard.type(value);
  }
  await tabTo(page, submit);
  await page.keyboard.press('Enter');
}

test('Dokumente: every control by Tab, and a filter chosen without a mouse', async ({ page }) => {
  await signedInByKeyboard(page);
  await page.goto('/dokumente');
  await waitForHydration(page);
  await expectKeyboardWalk(page, '/dokumente');
  await tabTo(page, '#typ');
  await page.keyboard.press('ArrowDown');
  await tabTo(page, 'form.filters button[type="submit"]');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/typ=/);
  await expect(page.locator('main tbody tr')).toHaveCount(1);
});

test('Weiterleitungen: every control by Tab, and a forwarding added without a mouse', async ({ page }) => {
  await signedInByKeyboard(page);
  await page.goto('/weiterleitungen');
  await waitForHydration(page);
  await expectKeyboardWalk(page, '/weiterleitungen');
  await completeByKeyboard(
    page,
    '#forwarding-email',
    ['tastatur@ziel.example', 'tastatur@ziel.example'],
    'form[action="/api/forwardings/add"] button[type="submit"]',
  );
  await expect(page.getByText('Die Weiterleitung ist gespeichert.', { exact: false })).toBeVisible();
  await expect(page.getByRole('cell', { name: 'tastatur@ziel.example' }).first()).toBeVisible();
});

test('Benutzer: every control by Tab, and a colleague added without a mouse', async ({ page }) => {
  await signedInByKeyboard(page);
  await page.goto('/benutzer');
  await waitForHydration(page);
  await expectKeyboardWalk(page, '/benutzer');
  await completeByKeyboard(
    page,
    'form[action="/api/users/add"] input[name="username"]',
    ['Tastenkollege', 'kollege@tastatur.example'],
    'form[action="/api/users/add"] button[type="submit"]',
  );
  await expect(page.getByText('Tastenkollege', { exact: true })).toBeVisible();
});

test('Profil: every control by Tab, and a new name saved without a mouse', async ({ page }) => {
  await signedInByKeyboard(page);
  await page.goto('/profil');
  await waitForHydration(page);
  await expectKeyboardWalk(page, '/profil');
  await tabTo(page, 'details.profile-section > summary');
  await page.keyboard.press('Enter');
  await completeByKeyboard(
    page,
    'form[action="/api/profile/set_name"] input[name="first_name"]',
    ['Tasja', 'Tastmann'],
    'form[action="/api/profile/set_name"] button[type="submit"]',
  );
  await page.getByRole('button', { name: 'Benutzermenü' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.locator('.menu-name')).toContainText('Tasja Tastmann');
});

// The demo store driven as a shopper would: browse, add to cart, choose a payment method,
// reload; the live profile keeps up. Saves a screenshot to tests/e2e/artifacts/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { serve, launch } from './harness.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const profileOf = async (page) => JSON.parse(await page.locator('#profile').textContent());

test('a shopper fills the cart, reloads, and the profile is still there', async () => {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  await page.goto(`${server.url}/`);
  await page.locator('#profile').filter({ hasText: '"events"' }).waitFor();

  await page.click('[data-consent="granted"]');
  await page.locator('.products li', { hasText: 'Whole milk' }).getByRole('button', { name: 'Add' }).click();
  await page.locator('.products li', { hasText: 'Yogurt' }).getByRole('button', { name: 'Add' }).click();
  await page.locator('.products li', { hasText: 'Yogurt' }).getByRole('button', { name: 'Add' }).click();
  await page.check('input[value="paypal"]');
  let profile = await profileOf(page);
  assert.equal(profile.cart.quantity, 3);
  assert.equal(profile.payment.session, 'paypal');
  assert.equal(await page.locator('#total').textContent(), '2.97');

  await page.reload();
  await page.locator('#profile').filter({ hasText: '"events"' }).waitFor();
  profile = await profileOf(page);
  assert.equal(profile.cart.quantity, 3, 'the cart survived the reload');
  assert.equal(profile.interest.categories[0].id, 'dairy');
  assert.match(await page.locator('#status').textContent(), /storage: local/);

  await mkdir(new URL('./artifacts/', import.meta.url), { recursive: true });
  await page.screenshot({ path: new URL('./artifacts/demo.png', import.meta.url).pathname, fullPage: true });

  await page.click('#forget');
  profile = await profileOf(page);
  assert.equal(profile.events, 0);
  const keys = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('demo:')));
  assert.deepEqual(keys, []);
  assert.deepEqual(errors, []);
  await context.close();
});

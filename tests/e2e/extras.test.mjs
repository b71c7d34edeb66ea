// Beyond payments in the demo: a Gold member's shipping and message, a first-time buyer's
// offer, the offer's frequency cap, identify() minimisation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch } from './harness.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

async function open(path) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e));
  // Functional tests: a generous decision deadline, so the first decision never depends on
  // how fast this machine loads the module (the no-flicker tests use the default).
  await page.goto(`${server.url}${path}${path.includes('?') ? '&' : '?'}deadline=30000`);
  await page.waitForFunction(() => document.querySelector('[data-personalize="payment-methods"]')?.dataset.personalizeState === 'ranked');
  return { context, page };
}

test('a Gold member: free express first, the Gold message, traits kept minimal', async () => {
  const { context, page } = await open('/?country=DE&consent=granted');
  assert.equal(await page.$eval('[data-shipping-option]', (e) => e.dataset.shippingOption), 'standard');
  await page.click('#gold');
  await page.waitForFunction(() => document.querySelector('[data-shipping-option]').dataset.shippingOption === 'express');
  assert.equal(await page.textContent('[data-shipping-option="express"] [data-personalize-badge]'), 'Free for Gold members');
  assert.equal(await page.textContent('[data-personalize-message="checkout-top"]'), 'Gold member: express delivery is on us.');
  assert.equal(await page.textContent('[data-personalize-message="trust"]'), 'Secure checkout: your card details never touch our servers.');
  const stored = await page.evaluate(() => JSON.stringify(localStorage));
  assert.ok(!stored.includes('demo-customer-42') && !stored.includes('dropped'), 'no raw id, no unlisted trait');
  const traits = await page.evaluate(() => window.personalizer.profile().traits);
  assert.equal(traits.loyaltyTier, 'gold');
  assert.match(traits.customer, /^[0-9a-f]{32}$/);
  // Outside express's markets it is listed last, never hidden.
  await page.selectOption('#country', 'US');
  await page.waitForFunction(() => document.querySelector('[data-shipping-option="express"]').dataset.personalizeEligible === 'false');
  assert.deepEqual(await page.$$eval('[data-shipping-option]', (els) => els.map((e) => e.dataset.shippingOption)), ['standard', 'pickup', 'express']);
  // A message never promises what the rules took away.
  await page.waitForFunction(() => !/express/.test(document.querySelector('[data-personalize-message="checkout-top"]').textContent));
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('a first-time buyer is offered the welcome discount, at most 3 times a week', async () => {
  const { context, page } = await open('/?country=DE&consent=granted');
  await page.click('#coffee button');
  await page.waitForFunction(() => document.getElementById('offer').dataset.offer === 'first_order_10');
  assert.equal(await page.textContent('#offer'), 'Welcome! 10% off your first order');
  for (let i = 0; i < 3; i++) {
    await page.reload();
    await page.waitForFunction(() => !!window.personalizer);
  }
  const d = await page.evaluate(() => window.personalizer.chooseOffer([{ id: 'first_order_10', percent: 10 }]));
  assert.equal(d.offer, null);
  assert.equal(d.reason, 'frequencyCap');
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('the merchant reads labels, each once; the card and the panel name the same items', async () => {
  const { context, page } = await open('/?country=DE&consent=granted');
  for (let i = 0; i < 2; i++) {
    await page.click('#coffee button');
    await page.check('input[value="paypal"]');
    await page.click('#checkout button[type="submit"]');
    await page.waitForFunction(() => /Thank you/.test(document.getElementById('message').textContent));
  }
  await page.click('#spaghetti button');
  await page.click('#tomato-sauce button');
  await page.click('#basil button');
  await page.waitForTimeout(300);
  const rows = await page.$$eval('#payment-reasons li, #shipping-reasons li', (els) => els.map((e) => e.textContent));
  const features = ['your_usual', 'share_of_orders', 'page_position', 'cart_value', 'abandonments', 'paypal_de'];
  for (const row of rows) {
    assert.ok(!features.some((f) => row.includes(f)), `a raw feature name: ${row}`);
    const labels = row.split(' — ')[1].split('; ').map((x) => x.replace(/ [+-][0-9.]+$/, ''));
    assert.equal(new Set(labels).size, labels.length, `a label twice: ${row}`);
  }
  const card = await page.textContent('[data-personalize-item] [data-field="reason"]');
  const id = await page.getAttribute('[data-personalize-item]', 'data-personalize-item');
  const panel = await page.evaluate((id) => window.personalizer.rankCrossSells({ limit: 4 }).items.find((i) => i.id === id).reasons.find((r) => r.kind === 'boughtWith'), id);
  assert.ok(panel.items.length <= 2);
  for (const item of panel.items) assert.ok(card.includes(await page.evaluate((i) => JSON.parse(document.querySelector('script[data-personalize="catalog"]').textContent).find((c) => c.item_id === i).item_name, item)), `${card} vs ${panel.items}`);
  assert.deepEqual(page.errors, []);
  await context.close();
});

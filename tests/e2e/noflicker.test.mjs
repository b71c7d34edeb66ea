// The shopper never sees the checkout change: decisions are made from the page's own
// order (applying three times is applying once), a list that misses the decision deadline
// keeps the page's order for the page view, and a list the shopper touched never moves.
// The demo store with its default deadline (150 ms) and the CSS contract.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch } from './harness.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const order = (page) => page.$$eval('[data-personalize="payment-methods"] [data-payment-method]', (els) => els.map((e) => e.dataset.paymentMethod));
const PAGE_ORDER = ['card', 'paypal', 'apple_pay', 'google_pay', 'klarna', 'ideal', 'sepa', 'sofort', 'alipay', 'wechat_pay', 'bank_transfer', 'gift_card'];

/** A returning shopper: consent given, history and model in storage (a warm-up visit). */
async function returning(query = '?country=DE&consent=granted') {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e));
  await page.goto(`${server.url}/${query}&deadline=30000`);
  await page.waitForFunction(() => document.querySelector('#model-status')?.textContent.startsWith('model '));
  await page.click('#coffee button');
  await page.evaluate(() => window.personalizer.flush());
  return { context, page };
}

test('applying three times is applying once: decisions come from the page order, the DOM is written once', async () => {
  const { context, page } = await returning();
  await page.reload();
  await page.waitForFunction(() => document.querySelector('[data-personalize="payment-methods"]').dataset.personalizeState === 'ranked');
  const first = await order(page);
  assert.notDeepEqual(first, PAGE_ORDER, 'the model reordered the list');
  const out = await page.evaluate(() => {
    const list = document.querySelector('[data-personalize="payment-methods"]');
    let writes = 0;
    new MutationObserver((r) => { writes += r.length; }).observe(list, { childList: true, subtree: true, attributes: true });
    const ranked = window.personalizer.rankPaymentMethods(
      ['card', 'paypal', 'apple_pay', 'google_pay', 'klarna', 'ideal', 'sepa', 'sofort', 'alipay', 'wechat_pay', 'bank_transfer', 'gift_card']
        .map((id) => ({ id, type: document.querySelector(`[data-payment-method="${id}"]`).dataset.paymentType })),
    ).items.map((i) => i.id);
    window.personalizer.apply();
    window.personalizer.apply();
    window.personalizer.apply();
    return new Promise((ok) => setTimeout(() => ok({ writes, ranked }), 100));
  });
  assert.equal(out.writes, 0, 'nothing written when nothing changed');
  assert.deepEqual(await order(page), first);
  assert.deepEqual(out.ranked, first, 'the shown order is the ranking of the page order');
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('a decision that misses the deadline keeps the page order for the page view, and says so', async () => {
  const { context, page } = await returning();
  // A slow phone: the module arrives 800 ms late.
  await page.route('**/pkg/checkout_personalizer_bg.wasm', async (route) => {
    await new Promise((ok) => setTimeout(ok, 800));
    await route.continue();
  });
  await page.goto(`${server.url}/?country=DE&consent=granted`);
  await page.waitForFunction(() => window.personalizer?.status().dom?.decision === 'late', null, { timeout: 20000 });
  assert.deepEqual(await order(page), PAGE_ORDER);
  assert.equal(await page.$eval('[data-personalize="payment-methods"]', (e) => e.dataset.personalizeState), 'late');
  // Nothing moves later in this page view, even on a model update.
  await page.evaluate(() => window.personalizer.apply());
  await page.waitForTimeout(300);
  assert.deepEqual(await order(page), PAGE_ORDER);
  // The exposure log says the shopper saw the page order.
  const late = await page.evaluate(() => window.personalizer.exportData().events.filter((e) => e.type === 'exposure' && e.exposure.late).length);
  assert.ok(late >= 1, 'a late exposure is logged');
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('a list the shopper touched never moves under them', async () => {
  const { context, page } = await returning('?country=DE&consent=granted');
  await page.reload();
  await page.waitForFunction(() => document.querySelector('[data-personalize="payment-methods"]').dataset.personalizeState === 'ranked');
  const before = await order(page);
  // The shopper focuses a method (keyboard), then the cart changes (which re-applies).
  await page.focus('input[value="klarna"]');
  await page.click('#bananas button');
  await page.click('#spaghetti button');
  await page.waitForTimeout(300);
  assert.deepEqual(await order(page), before);
  // Switching the country in the page's own control re-applies: the touched list stays.
  await page.selectOption('#country', 'NL');
  await page.waitForTimeout(300);
  assert.deepEqual(await order(page), before);
  assert.deepEqual(page.errors, []);
  await context.close();
});

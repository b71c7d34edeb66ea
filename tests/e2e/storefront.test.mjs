// The demo store and the snippet-only page, driven as a shopper would, in Debian's Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { serve, launch, WWW } from './harness.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const BREAKFAST = ['bananas', 'coffee', 'orange-juice', 'granola', 'whole-milk', 'cereal', 'yogurt', 'berries'];

async function open(path, viewport = { width: 1400, height: 1000 }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e));
  // Functional tests: a generous decision deadline, so the first decision never depends on
  // how fast this machine loads the module (the no-flicker tests use the default).
  await page.goto(`${server.url}${path}${path.includes('?') ? '&' : '?'}deadline=30000`);
  await page.waitForFunction(() => !!window.personalizer || !!window.checkoutPersonalizer?.ready);
  return { context, page };
}

const order = (page) => page.$$eval('[data-personalize="payment-methods"] [data-payment-method]', (els) => els.map((e) => e.dataset.paymentMethod));
const ineligible = (page) => page.$$eval('[data-personalize-eligible="false"]', (els) => els.map((e) => e.dataset.paymentMethod));
const crossSells = (page) => page.$$eval('[data-personalize-item]', (els) => els.map((e) => e.dataset.personalizeItem));
const addToCart = (page, id) => page.click(`#${id} button`);
const modelLoaded = (page) => page.waitForFunction(() => document.querySelector('[data-personalize="payment-methods"]')?.dataset.personalizeState === 'ranked');

test('browsing and adding items: the checkout offers cross-sells that fit the cart', async () => {
  const { context, page } = await open('/?country=DE');
  await modelLoaded(page);
  await addToCart(page, 'whole-milk');
  await addToCart(page, 'cereal');
  await page.waitForFunction(() => document.querySelectorAll('[data-personalize-item]').length === 4);
  const items = await crossSells(page);
  assert.ok(!items.includes('whole-milk') && !items.includes('cereal'), `never the cart: ${items}`);
  assert.ok(BREAKFAST.includes(items[0]) && BREAKFAST.includes(items[1]), `breakfast partners first: ${items}`);
  const reason = await page.textContent('[data-personalize-item] [data-field="reason"]');
  assert.match(reason, /Often bought with/);
  // The cross-sell's own button tracks the item: it lands in the cart.
  await page.click('[data-personalize-item] button');
  await page.waitForFunction((id) => window.personalizer.profile().cart.items.some((l) => l.id === id), items[0]);
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('a returning shopper whose history shows one payment method sees it first', async () => {
  const { context, page } = await open('/?country=GB&consent=granted');
  await modelLoaded(page);
  assert.equal((await order(page))[0], 'card', 'no history: the page order leads');
  for (let i = 0; i < 2; i++) {
    await addToCart(page, 'coffee');
    await page.check('input[value="paypal"]');
    await page.click('#checkout button[type="submit"]');
    await page.waitForFunction(() => /Thank you/.test(document.getElementById('message').textContent));
  }
  await page.reload();
  await page.waitForFunction(() => !!window.personalizer);
  await modelLoaded(page);
  assert.equal((await order(page))[0], 'paypal');
  assert.notEqual(await page.textContent('[data-payment-method="paypal"] [data-personalize-badge]'), '');
  const first = await page.evaluate(() => window.personalizer.rankPaymentMethods(['card', 'paypal']).items[0]);
  assert.equal(first.id, 'paypal');
  assert.ok(first.reasons.some((r) => r.feature === 'your_usual' && r.contribution > 0 && r.label === 'Your usual'), JSON.stringify(first.reasons));
  const profile = await page.evaluate(() => window.personalizer.profile());
  assert.equal(profile.orders.total, 2, 'the reload kept the profile');
  await context.close();
});

test('switching country changes which methods are eligible; nodes move in place, state survives', async () => {
  const { context, page } = await open('/?country=DE&consent=granted');
  await modelLoaded(page);
  await page.evaluate(() => { document.querySelector('[data-payment-method="card"]').__mark = 42; });
  await page.selectOption('#country', 'NL');
  await page.waitForFunction(() => document.querySelector('[data-payment-method]').dataset.paymentMethod === 'ideal');
  const nl = await ineligible(page);
  assert.ok(nl.includes('alipay') && nl.includes('sofort') && !nl.includes('ideal'), `NL: ${nl}`);
  const all = await order(page);
  assert.equal(all.length, 12, 'never hidden');
  assert.deepEqual(all.slice(-nl.length).sort(), [...nl].sort(), 'ineligible methods come last');
  await page.selectOption('#country', 'CN');
  await page.waitForFunction(() => !document.querySelector('[data-payment-method="alipay"]').hasAttribute('data-personalize-eligible'));
  const cn = await ineligible(page);
  assert.ok(cn.includes('ideal') && !cn.includes('alipay') && !cn.includes('wechat_pay'), `CN: ${cn}`);
  assert.equal((await order(page))[0], 'alipay');
  // Choosing a method never moves the list under the shopper: the same node stays where it
  // is, checked and focused (the choice shapes the next page view).
  const before = await order(page);
  await page.check('input[value="card"]');
  await page.waitForTimeout(150);
  assert.deepEqual(await order(page), before);
  assert.equal(await page.evaluate(() => document.querySelector('[data-payment-method="card"]').__mark), 42);
  assert.equal(await page.isChecked('input[value="card"]'), true);
  assert.equal(await page.evaluate(() => document.activeElement?.value), 'card');
  assert.deepEqual(page.errors, []);

  await mkdir(new URL('./artifacts/', import.meta.url), { recursive: true });
  await page.selectOption('#country', 'DE');
  await addToCart(page, 'spaghetti');
  await addToCart(page, 'tomato-sauce');
  await page.waitForTimeout(200);
  await page.screenshot({ path: new URL('./artifacts/checkout.png', import.meta.url).pathname, fullPage: true });
  await context.close();
});

test('consent denied: a whole session leaves localStorage empty', async () => {
  const { context, page } = await open('/?consent=denied&country=DE');
  await modelLoaded(page);
  await addToCart(page, 'chips');
  await addToCart(page, 'salsa');
  await page.check('input[value="paypal"]');
  await page.click('#checkout button[type="submit"]');
  await page.evaluate(() => { window.dispatchEvent(new Event('pagehide')); window.personalizer.flush(); });
  assert.equal(await page.evaluate(() => localStorage.length), 0);
  assert.equal((await page.evaluate(() => window.personalizer.profile())).orders.total, 1, 'the session still personalises');
  await context.close();
});

test('a broken model URL leaves the page order, with no error in the page', async () => {
  const { context, page } = await open('/?model=models/missing.cpm&country=NL');
  const original = await order(page);
  await page.waitForFunction(() => /model not loaded/.test(document.getElementById('model-status').textContent));
  assert.deepEqual(await order(page), original);
  assert.equal(await page.getAttribute('[data-personalize="payment-methods"]', 'data-personalize-state'), 'noModel');
  assert.match(await page.textContent('#model-status'), /HTTP 404/);
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('the snippet-only page: queued calls, dataLayer events and Consent Mode all work', async () => {
  const { context, page } = await open('/snippet-demo.html?consent=granted');
  await page.waitForFunction(() => document.querySelector('[data-personalize="payment-methods"]').dataset.personalizeState === 'ranked');
  assert.equal((await order(page))[0], 'ideal', 'NL context from the snippet config');
  const profile = await page.evaluate(() => window.checkoutPersonalizer.personalizer.profile());
  assert.deepEqual(profile.cart.items.map((l) => l.id).sort(), ['cereal', 'whole-milk'], 'dataLayer event before load + queued track');
  await page.waitForFunction(() => document.querySelectorAll('[data-personalize-item]').length === 2);
  // Events pushed to dataLayer after load are ingested too.
  await page.evaluate(() => dataLayer.push({ event: 'add_to_cart', ecommerce: { items: [{ item_id: 'bananas', price: 1.99 }] } }));
  await page.waitForFunction(() => window.checkoutPersonalizer.personalizer.profile().cart.quantity === 3);
  // A store tagged with gtag.js alone (GA4's gtag examples): its commands, a Date among
  // them, pass by; its ecommerce events are ingested like GTM's pushes.
  await page.evaluate(() => {
    gtag('js', new Date());
    gtag('config', 'G-TEST000000', { send_page_view: false });
    gtag('event', 'login', { method: 'Google' });
    gtag('event', 'add_to_cart', { currency: 'EUR', value: 4.98, items: [{ item_id: 'apples', item_name: 'Apples', price: '2.49', quantity: 2 }] });
  });
  await page.waitForFunction(() => window.checkoutPersonalizer.personalizer.profile().cart.quantity === 5);
  // GTM's eventCallback (a function), a long unrelated string and a deep custom object cost
  // only themselves: the event is read.
  await page.evaluate(() => dataLayer.push({
    event: 'add_to_cart', eventCallback() {}, eventTimeout: 2000, debug: 'x'.repeat(10000),
    custom: { a: { b: { c: { d: { e: { f: 1 } } } } } },
    ecommerce: { items: [{ item_id: 'pears', price: '3.10', note: '☕'.repeat(3000) }] },
  }));
  await page.waitForFunction(() => window.checkoutPersonalizer.personalizer.profile().cart.quantity === 6);
  const apples = await page.evaluate(() => window.checkoutPersonalizer.personalizer.profile().cart.items.find((l) => l.id === 'apples'));
  assert.equal(apples?.quantity, 2, JSON.stringify(apples));
  await page.evaluate(() => window.checkoutPersonalizer.personalizer.flush());
  assert.ok((await page.evaluate(() => Object.keys(localStorage))).some((k) => k.startsWith('snippet:')));
  // Consent withdrawn through Consent Mode: everything stored is erased.
  await page.evaluate(() => gtag('consent', 'update', { personalization_storage: 'denied' }));
  assert.deepEqual(await page.evaluate(() => Object.keys(localStorage)), []);
  assert.deepEqual(page.errors, []);
  await context.close();

  // Consent Mode denied from the start: nothing stored at all.
  const denied = await open('/snippet-demo.html');
  await denied.page.waitForFunction(() => window.checkoutPersonalizer.ready === true);
  await denied.page.evaluate(() => window.checkoutPersonalizer.personalizer.flush());
  assert.equal(await denied.page.evaluate(() => localStorage.length), 0);
  await denied.context.close();
});

test('the snippet is under 1 KB minified and a failed load leaves the page as it was', async () => {
  const html = await readFile(new URL('snippet.html', `file://${WWW}`), 'utf8');
  const js = html.match(/<script>([\s\S]*)<\/script>/)[1];
  const minified = js.replace(/\/\/.*$/gm, '').replace(/\s+/g, ' ').replace(/\s*([{}();,=:|])\s*/g, '$1');
  assert.ok(minified.length <= 1024, `${minified.length} bytes`);

  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  await page.route('**/boot.js', (route) => route.abort());
  await page.goto(`${server.url}/snippet-demo.html`);
  await page.waitForFunction(() => window.checkoutPersonalizer.failed === true);
  assert.deepEqual(await order(page), ['card', 'paypal', 'alipay', 'ideal']);
  await page.evaluate(() => window.checkoutPersonalizer.push(['track', { type: 'page_view' }]));
  assert.deepEqual(errors, []);
  await context.close();
});

test('catalogue data is rendered as text only: no markup, no script URLs', async () => {
  const { context, page } = await open('/?country=DE');
  await modelLoaded(page);
  await page.evaluate(() => {
    window.personalizer.setCatalog([
      { item_id: 'bananas', item_name: '<img src=x onerror="window.__xss=1">', price: 1, url: 'javascript:window.__xss=2' },
      { item_id: 'coffee', item_name: 'Coffee', url: ' JAVASCRIPT:alert(1)' },
      { item_id: 'granola', item_name: 'Granola', url: '/granola' },
    ]);
  });
  await page.waitForFunction(() => document.querySelectorAll('[data-personalize-item]').length === 3);
  await page.waitForTimeout(100);
  assert.equal(await page.evaluate(() => window.__xss), undefined);
  const names = await page.$$eval('[data-personalize-item] [data-field="name"]', (els) => els.map((e) => e.textContent));
  assert.ok(names.includes('<img src=x onerror="window.__xss=1">'), 'shown literally');
  assert.equal(await page.$$eval('[data-personalize-item] img', (els) => els.length), 0);
  const hrefs = await page.$$eval('[data-personalize-item] [data-field="url"]', (els) => els.map((e) => e.getAttribute('href')));
  assert.deepEqual(hrefs.filter(Boolean), ['/granola']);
  await context.close();
});

// Consent and erasure as real pages run them, in Chromium: gtag's Consent Mode (partial
// updates, regions, malformed commands), storage untouched before consent, a withdrawal
// reaching every tab, and pages that feed the module odd values (a "€" currency, a "C"
// locale, a catalogue of thousands, attach() twice).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, openHarness } from './harness.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const ours = (page, ns = 'cp') => page.evaluate((ns) => Object.keys(localStorage).filter((k) => k.startsWith(`${ns}:`)), ns);

test('Consent Mode as gtag keeps it: analytics alone stores nothing, regions hold, bad commands never throw', async () => {
  const context = await browser.newContext();
  const page = await openHarness(context, server.url);
  const out = await page.evaluate(() => {
    window.dataLayer = [];
    window.gtag = function () { window.dataLayer.push(arguments); };
    // Google's documented pattern: deny in the EEA first, grant everywhere else.
    gtag('consent', 'default', { ad_storage: 'denied', analytics_storage: 'denied', personalization_storage: 'denied', region: ['DE', 'FR', 'NL'] });
    gtag('consent', 'default', { ad_storage: 'granted', analytics_storage: 'granted', personalization_storage: 'granted' });
    const de = new window.cp.Personalizer({ namespace: 'de', consentMode: { region: 'DE' } });
    const us = new window.cp.Personalizer({ namespace: 'us', consentMode: { region: 'US' } });
    const out = { de: de.status().consent, us: us.status().consent };
    de.track({ type: 'page_view' });
    de.flush();
    // The banner grants analytics only: personalisation storage stays off.
    gtag('consent', 'update', { analytics_storage: 'granted' });
    de.track({ type: 'page_view' });
    de.flush();
    out.afterAnalytics = de.status().consent;
    out.keysAfterAnalytics = Object.keys(localStorage).filter((k) => k.startsWith('de:'));
    // A command with nothing readable never throws out of the page's own push.
    try { gtag('consent', 'update', null); window.dataLayer.push(['consent', 'update']); out.threw = false; } catch (e) { out.threw = String(e); }
    gtag('consent', 'update', { personalization_storage: 'granted' });
    de.track({ type: 'page_view' });
    de.flush();
    out.afterGrant = de.status().consent;
    out.keysAfterGrant = Object.keys(localStorage).filter((k) => k.startsWith('de:')).length;
    gtag('consent', 'update', { personalization_storage: 'denied' });
    out.keysAfterDeny = Object.keys(localStorage).filter((k) => k.startsWith('de:')).length;
    return out;
  });
  assert.equal(out.de, 'denied', 'an EEA visitor under the EEA default');
  assert.equal(out.us, 'granted');
  assert.equal(out.afterAnalytics, 'denied');
  assert.deepEqual(out.keysAfterAnalytics, []);
  assert.equal(out.threw, false);
  assert.equal(out.afterGrant, 'granted');
  assert.ok(out.keysAfterGrant >= 2, `${out.keysAfterGrant} keys`);
  assert.equal(out.keysAfterDeny, 0);
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('nothing touches localStorage before consent: not even its length', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.addInitScript(() => {
    window.__storageCalls = [];
    const real = Object.getOwnPropertyDescriptor(window, 'localStorage').get;
    Object.defineProperty(window, 'localStorage', {
      configurable: true,
      get() { window.__storageCalls.push(new Error().stack.includes('checkout_personalizer') ? 'module' : 'page'); return real.call(window); },
    });
  });
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e));
  await page.goto(`${server.url}/harness.html`);
  await page.waitForFunction(() => window.cpReady === true);
  const calls = await page.evaluate(() => {
    window.__storageCalls.length = 0;
    const p = new window.cp.Personalizer({ consent: 'pending', flushDelayMs: 0 });
    p.track({ type: 'add_to_cart', items: [{ item_id: 'a', price: 1 }] });
    p.flush();
    p.rankPaymentMethods(['card']);
    p.identify({ customer_id: 'C-1', traits: { loyaltyTier: 'gold' } });
    p.exportData();
    window.dispatchEvent(new Event('pagehide'));
    const before = window.__storageCalls.length;
    p.setConsent('granted');
    return { before, after: window.__storageCalls.length };
  });
  assert.equal(calls.before, 0, 'no access at all before consent');
  assert.ok(calls.after > 0, 'storage is used once granted');
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('a withdrawal in one tab erases and silences every other tab; forget() there drops the old identity here', async () => {
  const context = await browser.newContext();
  const a = await openHarness(context, server.url);
  const b = await openHarness(context, server.url);
  const start = (page) => page.evaluate(() => {
    window.p = new window.cp.Personalizer({ namespace: 'w', consent: 'granted', flushDelayMs: 0 });
    window.p.identify({ customer_id: 'C-7', traits: { loyaltyTier: 'gold' } });
    window.p.track({ type: 'add_to_cart', items: [{ item_id: 'x', price: 1 }] });
    window.p.flush();
  });
  await start(a);
  await start(b);
  const oldId = await b.evaluate(() => window.p.exportData().userId);
  assert.ok(oldId);
  // forget() in a: b drops what it held (events, traits, id) and never writes them back.
  await a.evaluate(() => window.p.forget());
  await b.waitForFunction(() => window.p.profile().events === 0);
  await b.evaluate(() => { window.p.track({ type: 'page_view' }); window.p.flush(); });
  const kept = await b.evaluate(() => window.p.exportData());
  assert.notEqual(kept.userId, oldId);
  assert.equal(kept.traits, null);
  assert.ok(!(await b.evaluate(() => JSON.stringify(localStorage))).includes(oldId));
  // A withdrawal in a: b erases too and writes nothing more, whatever it tracks.
  await a.evaluate(() => window.p.setConsent('denied'));
  await b.waitForFunction(() => window.p.status().consent === 'denied');
  await b.evaluate(() => {
    window.p.track({ type: 'add_to_cart', items: [{ item_id: 'y', price: 1 }] });
    window.p.identify({ customer_id: 'C-7' });
    window.p.flush();
    window.dispatchEvent(new Event('pagehide'));
  });
  assert.deepEqual(await ours(b, 'w'), []);
  assert.deepEqual([...a.errors, ...b.errors], []);
  await context.close();
});

test('odd page values never trap the module: a "€" currency, a "C" locale, 2000 catalogue items, attach() twice', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, 'language', { get: () => 'C' });
    Object.defineProperty(Navigator.prototype, 'languages', { get: () => ['C'] });
  });
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e));
  await page.goto(`${server.url}/harness.html`);
  await page.waitForFunction(() => window.cpReady === true);
  const out = await page.evaluate(async () => {
    const items = Array.from({ length: 2000 }, (_, i) => ({ item_id: `sku-${i}`, item_name: `Item ${i}`, price: '2.50', currency: i === 0 ? '€' : 'XTS' }));
    document.body.innerHTML = `
      <ul data-personalize="cross-sell" data-limit="3"><template><li><b data-field="name"></b> <span data-field="price"></span></li></template></ul>
      <fieldset data-personalize="payment-methods"><label data-payment-method="card">Card</label><label data-payment-method="paypal">PayPal</label></fieldset>
      <script type="application/json" data-personalize="catalog">${JSON.stringify(items)}</script>`;
    window.dataLayer = [{ event: 'add_to_cart', ecommerce: { items: [{ item_id: 'one', price: '1.00' }] } }];
    const p = new window.cp.Personalizer({ consent: 'granted', decisionDeadlineMs: 60000 });
    p.attach();
    p.attach(); // twice: nothing ingested twice
    p.detach();
    window.dataLayer.push({ event: 'add_to_cart', ecommerce: { items: [{ item_id: 'two', price: 1 }] } });
    p.attach();
    window.dataLayer.push({ event: 'add_to_cart', ecommerce: { items: [{ item_id: 'three', price: 1 }] } });
    await new Promise((r) => setTimeout(r, 100));
    p.apply();
    return {
      cards: [...document.querySelectorAll('[data-personalize-item]')].map((e) => [e.dataset.personalizeItem, e.querySelector('[data-field="price"]').textContent]),
      cart: p.profile().cart.items.map((l) => `${l.id}×${l.quantity}`),
      consent: p.setConsent('denied'),
      state: p.status().consent,
      detach: (p.detach(), 'ok'),
    };
  });
  assert.equal(out.cards.length, 3);
  assert.ok(out.cards.every(([, price]) => price !== ''), JSON.stringify(out.cards));
  assert.deepEqual(out.cart.sort(), ['one×1', 'three×1', 'two×1']);
  assert.equal(out.state, 'denied', 'the instance still takes consent changes');
  assert.deepEqual(page.errors, []);
  await context.close();
});

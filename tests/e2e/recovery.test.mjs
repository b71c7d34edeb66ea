// A trapped module (forced: no input is meant to reach one) never breaks the page: the
// package's Personalizer drops the instance, starts a fresh one from storage and replays
// what the page told it, so no event is lost and none is counted twice.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, openHarness } from './harness.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

test('after a trap the page keeps working and loses nothing', async () => {
  const context = await browser.newContext();
  const page = await openHarness(context, server.url);
  const out = await page.evaluate(async () => {
    document.body.innerHTML = `
      <fieldset data-personalize="payment-methods"><label data-payment-method="card">Card</label><label data-payment-method="paypal">PayPal</label></fieldset>
      <button id="add" data-track="add_to_cart" data-item-id="clicked" data-item-price="3">Add</button>`;
    window.dataLayer = [];
    // Writes wait a minute: only flush() and pagehide store anything.
    const p = new window.cp.Personalizer({ consent: 'granted', flushDelayMs: 60000, decisionDeadlineMs: 60000 });
    p.attach();
    p.track({ type: 'add_to_cart', items: [{ item_id: 'stored', price: 1 }] });
    p.flush();
    p.track({ type: 'add_to_cart', items: [{ item_id: 'pending', price: 1 }] });
    window.dataLayer.push({ event: 'add_to_cart', ecommerce: { items: [{ item_id: 'pushed', price: 2 }] } });
    // gtag.js's form (GA4's gtag examples): its `arguments` object lands in the dataLayer.
    function gtag() { window.dataLayer.push(arguments); }
    gtag('event', 'add_to_cart', { currency: 'EUR', value: '2.00', items: [{ item_id: 'gtagged', price: '2.00' }] });
    p.setContext({ country: 'NL' });
    p.__trapForTests();
    // The same object goes on, on a fresh instance.
    const cart = p.profile().cart.items.map((l) => `${l.id}×${l.quantity}`).sort();
    document.getElementById('add').click();
    window.dataLayer.push({ event: 'add_to_cart', ecommerce: { items: [{ item_id: 'later', price: 2 }] } });
    p.flush();
    const stored = Object.keys(localStorage).filter((k) => k.startsWith('cp:1:j:'));
    const fresh = new window.cp.Personalizer({ consent: 'granted' });
    return {
      cart,
      after: p.profile().cart.items.map((l) => `${l.id}×${l.quantity}`).sort(),
      country: p.profile().context.country,
      restored: fresh.profile().cart.items.map((l) => `${l.id}×${l.quantity}`).sort(),
      segments: stored.length,
    };
  });
  assert.deepEqual(out.cart, ['gtagged×1', 'pending×1', 'pushed×1', 'stored×1']);
  assert.deepEqual(out.after, ['clicked×1', 'gtagged×1', 'later×1', 'pending×1', 'pushed×1', 'stored×1']);
  assert.equal(out.country, 'NL', 'what the page told the old instance holds');
  assert.deepEqual(out.restored, out.after, 'stored once each: nothing lost, nothing twice');
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('a trap after many events and dataLayer entries with functions replays them all', async () => {
  const context = await browser.newContext();
  const page = await openHarness(context, server.url);
  const out = await page.evaluate(async () => {
    document.body.innerHTML = '<fieldset data-personalize="payment-methods"><label data-payment-method="card">Card</label></fieldset>';
    window.dataLayer = [];
    const p = new window.cp.Personalizer({ consent: 'granted', flushDelayMs: 60000, decisionDeadlineMs: 60000 });
    p.attach();
    // More events than one list the module reads at once (500), none of them stored yet.
    for (let i = 0; i < 600; i++) p.track({ type: 'view_item', items: [{ item_id: `v${i}`, price: 1 }] });
    // GTM's documented eventCallback/eventTimeout beside the ecommerce data.
    window.dataLayer.push({ event: 'add_to_cart', ecommerce: { items: [{ item_id: 'cb', price: 2 }] }, eventCallback() {}, eventTimeout: 2000 });
    // What the page told it (the decision's own exposure record aside).
    const told = () => p.exportData().events.filter((e) => e.type !== 'exposure').map((e) => e.items[0].item_id).join();
    const before = told();
    p.__trapForTests();
    return { before, after: told(), cart: p.profile().cart.items.map((l) => l.id) };
  });
  assert.equal(out.before.split(',').length, 601);
  assert.equal(out.after, out.before, 'every event replayed into the fresh instance, once');
  assert.deepEqual(out.cart, ['cb']);
  assert.deepEqual(page.errors, []);
  await context.close();
});

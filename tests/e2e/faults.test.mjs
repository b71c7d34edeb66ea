// Storage under fault in Chromium: every call throwing, a reload before the batched write,
// and forget() after everything the module can store.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, openHarness } from './harness.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

test('localStorage throwing on every call: memory mode, no exception reaches the page', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.addInitScript(() => {
    for (const m of ['getItem', 'setItem', 'removeItem', 'key', 'clear']) {
      Storage.prototype[m] = function () { throw new DOMException('disk on fire', 'UnknownError'); };
    }
  });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  await page.goto(`${server.url}/harness.html`);
  await page.waitForFunction(() => window.cpReady === true);
  const status = await page.evaluate(() => {
    const p = new window.cp.Personalizer({ consent: 'granted', flushDelayMs: 0 });
    for (let i = 0; i < 20; i++) p.track({ type: 'add_to_cart', items: [{ item_id: `i${i}`, price: 1 }] });
    p.flush();
    window.dispatchEvent(new Event('pagehide'));
    p.forget();
    p.track({ type: 'page_view' });
    return p.status();
  });
  assert.equal(status.storage, 'memory');
  assert.equal(status.memoryReason.reason, 'unavailable');
  assert.equal(status.memoryReason.detail, 'UnknownError');
  assert.equal(status.events, 1);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a reload before the batched write loses nothing: pagehide flushes', async () => {
  const context = await browser.newContext();
  const page = await openHarness(context, server.url);
  await page.evaluate(() => {
    const p = new window.cp.Personalizer({ consent: 'granted', flushDelayMs: 60000 });
    for (let i = 0; i < 50; i++) p.track({ type: 'view_item', items: [{ item_id: `i${i}` }] });
    window.keep = p;
  });
  assert.equal(await page.evaluate(() => localStorage.length), 0, 'nothing written yet');
  await page.reload();
  await page.waitForFunction(() => window.cpReady === true);
  const restored = await page.evaluate(() => new window.cp.Personalizer({ consent: 'granted' }).status().stats.restored);
  assert.equal(restored, 50);
  await context.close();
});

test('forget() removes every key of ours: journal, version, pseudonymous id, model cache', async () => {
  const context = await browser.newContext();
  const page = await openHarness(context, server.url);
  const out = await page.evaluate(async () => {
    localStorage.setItem('site:own', 'kept');
    const p = new window.cp.Personalizer({ consent: 'granted', flushDelayMs: 0 });
    await p.loadModelFromUrl('models/demo.cpm');
    p.track({ type: 'add_to_cart', items: [{ item_id: 'a' }] });
    p.rankPaymentMethods(['card', { id: 'paypal', type: 'wallet' }]); // logs the exposure and the list
    p.flush();
    const before = Object.keys(localStorage).sort();
    const exported = p.exportData();
    const removed = p.forget();
    return { before, removed, after: Object.keys(localStorage), exported };
  });
  assert.deepEqual(out.before, ['cp:1:j:' + out.before[0].slice(7), 'cp:meta', 'cp:model', 'cp:uid', 'site:own'].sort());
  assert.equal(out.removed, 4);
  assert.deepEqual(out.after, ['site:own']);
  assert.deepEqual(out.exported.events.map((e) => e.type), ['add_to_cart', 'exposure', 'exposure']);
  assert.equal(out.exported.events[1].exposure.experiment, 'checkout-personalisation');
  // The ranked list, as training reads it: what was offered, in shown order, with types.
  const list = out.exported.events[2].exposure;
  assert.equal(list.experiment, 'payment_methods');
  assert.deepEqual([...list.shown].sort(), ['card', 'paypal']);
  assert.equal(list.types[list.shown.indexOf('paypal')], 'wallet');
  assert.equal(list.arm, out.exported.events[1].exposure.arm);
  await context.close();
});

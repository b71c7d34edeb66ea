// Model delivery in Chromium: integrity checks, the local cache that decides before the
// network answers, and a failed download that keeps the model in force. Plus a page that
// changes the wired container after load.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { serve, launch, openHarness, WWW } from './harness.mjs';

let server, browser, integrity;
before(async () => {
  server = await serve();
  browser = await launch();
  const bytes = await readFile(new URL('models/demo.cpm', `file://${WWW}`));
  integrity = `sha256-${createHash('sha256').update(bytes).digest('base64')}`;
});
after(async () => { await browser?.close(); await server?.close(); });

test('integrity: a matching bundle loads, a mismatching one is refused and changes nothing', async () => {
  const context = await browser.newContext();
  const page = await openHarness(context, server.url);
  const out = await page.evaluate(async (good) => {
    const p = new window.cp.Personalizer({ consent: 'denied' });
    const bad = good.replace(/.$/, good.endsWith('A') ? 'B' : 'A');
    const refused = await p.loadModelFromUrl('models/demo.cpm', { integrity: bad }).then(() => 'loaded', (e) => e.message);
    const before = p.rankPaymentMethods(['card']).fallback;
    const info = await p.loadModelFromUrl('models/demo.cpm', { integrity: good });
    return { refused, before, id: info.id, after: p.rankPaymentMethods(['card']).fallback };
  }, integrity);
  assert.equal(out.refused, 'model: integrity mismatch: the bundle was not the one expected');
  assert.equal(out.before, 'noModel');
  assert.equal(out.id, 'demo-store');
  assert.equal(out.after, null);
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('the cached bundle decides synchronously on the next page view, even offline', async () => {
  const context = await browser.newContext();
  const page = await openHarness(context, server.url);
  await page.evaluate(async () => {
    const p = new window.cp.Personalizer({ consent: 'granted' });
    await p.loadModelFromUrl('models/demo.cpm');
  });
  assert.ok(await page.evaluate(() => localStorage.getItem('cp:model') !== null), 'cached with consent');
  // Next page view, network down for the model.
  await page.route('**/models/demo.cpm', (route) => route.abort());
  await page.reload();
  await page.waitForFunction(() => window.cpReady === true);
  const out = await page.evaluate(async () => {
    const p = new window.cp.Personalizer({ consent: 'granted', context: { country: 'NL' } });
    const pending = p.loadModelFromUrl('models/demo.cpm');
    // Synchronously after the call, before the network answers:
    const first = p.rankPaymentMethods([{ id: 'card' }, { id: 'ideal', type: 'bank' }]);
    const error = await pending.then(() => null, (e) => e.message);
    const later = p.rankPaymentMethods([{ id: 'card' }, { id: 'ideal', type: 'bank' }]);
    return { first, error, later };
  });
  assert.equal(out.first.fallback, null);
  assert.equal(out.first.model, 'demo-store@2026-11-22');
  assert.equal(out.first.items[0].id, 'ideal');
  assert.match(out.error, /^model: download failed/);
  assert.equal(out.later.model, 'demo-store@2026-11-22', 'the last good model stays');
  // Without consent nothing is cached or read.
  await page.evaluate(() => { localStorage.clear(); });
  await page.unroute('**/models/demo.cpm');
  await page.evaluate(async () => {
    const p = new window.cp.Personalizer({ consent: 'pending' });
    await p.loadModelFromUrl('models/demo.cpm');
  });
  assert.equal(await page.evaluate(() => localStorage.length), 0);
  await context.close();
});

test('a damaged cache is removed, not used; an unchanged download is not written again', async () => {
  const context = await browser.newContext();
  const page = await openHarness(context, server.url);
  const out = await page.evaluate(async () => {
    const { Personalizer } = window.cp;
    const first = new Personalizer({ consent: 'granted' });
    await first.loadModelFromUrl('models/demo.cpm');
    const good = localStorage.getItem('cp:model');
    // The next page view revalidates: the same bytes come back and are not written again.
    const writes = [];
    const setItem = Storage.prototype.setItem;
    Storage.prototype.setItem = function (k, v) { writes.push(k); return setItem.call(this, k, v); };
    const next = new Personalizer({ consent: 'granted' });
    const pending = next.loadModelFromUrl('models/demo.cpm');
    const sync = next.rankPaymentMethods(['card']).fallback;
    await pending;
    Storage.prototype.setItem = setItem;
    // Damage: not base64 at all, and base64 of bytes that are no cache record. Each time
    // the browser's own decoder (where it has one) and ours must agree: removed, not used.
    const damaged = {};
    for (const [name, v] of [['notBase64', '!!' + good.slice(2)], ['notARecord', good.slice(0, 40)]]) {
      localStorage.setItem('cp:model', v);
      const p = new Personalizer({ consent: 'granted' });
      p.loadModelFromUrl('models/demo.cpm').catch(() => {});
      damaged[name] = { fallback: p.rankPaymentMethods(['card']).fallback, left: localStorage.getItem('cp:model') === v };
    }
    return { native: typeof Uint8Array.fromBase64 === 'function', sync, modelWrites: writes.filter((k) => k === 'cp:model').length, damaged };
  });
  assert.equal(out.sync, null, 'decided from the cache');
  assert.equal(out.modelWrites, 0, 'the same bundle is not cached twice');
  assert.deepEqual(out.damaged.notBase64, { fallback: 'noModel', left: false });
  assert.deepEqual(out.damaged.notARecord, { fallback: 'noModel', left: false });
  assert.ok(out.native, 'this Chromium decodes base64 natively (the path under test)');
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('the page adds a payment method after load: it is picked up, never lost', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.url}/?country=DE&deadline=30000`);
  await page.waitForFunction(() => document.querySelector('[data-personalize="payment-methods"]')?.dataset.personalizeState === 'ranked');
  await page.evaluate(() => {
    const l = document.createElement('label');
    l.dataset.paymentMethod = 'ideal';
    l.dataset.paymentType = 'bank';
    l.textContent = 'iDEAL (added late)';
    document.getElementById('payment-methods').appendChild(l);
    window.personalizer.setContext({ country: 'NL' });
  });
  // The added node is ranked with the rest; the earlier iDEAL too (both kept).
  await page.waitForFunction(() => document.querySelector('[data-payment-method]').dataset.paymentMethod === 'ideal');
  const n = await page.$$eval('[data-payment-method="ideal"]', (els) => els.length);
  assert.equal(n, 2);
  assert.equal(await page.$$eval('[data-payment-method]', (els) => els.length), 13);
  await context.close();
});

// Two tabs of one browser context tracking at once; reloads; forget() seen by the other tab.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, openHarness } from './harness.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const OPTS = { namespace: 'tabs', consent: 'granted', flushDelayMs: 0 };

async function start(page, opts = OPTS) {
  await page.evaluate((o) => { window.p = new window.cp.Personalizer(o); }, opts);
}

async function trackMany(page, prefix, n) {
  return page.evaluate(async ([prefix, n]) => {
    for (let i = 0; i < n; i++) {
      window.p.track({ type: 'add_to_cart', items: [{ item_id: `${prefix}${i}`, price: 1 }] });
      // Yield so the other tab's writes interleave with ours.
      await new Promise((r) => setTimeout(r, Math.random() * 4));
    }
    window.p.flush();
  }, [prefix, n]);
}

const profile = (page) => page.evaluate(() => window.p.profile());
const ourKeys = (page) => page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('tabs:')).sort());

test('two tabs tracking at once lose nothing, and each sees the other', async () => {
  const context = await browser.newContext();
  const a = await openHarness(context, server.url);
  const b = await openHarness(context, server.url);
  await start(a);
  await start(b);
  await Promise.all([trackMany(a, 'a', 40), trackMany(b, 'b', 40)]);

  // Storage events carry each tab's writes to the other.
  await a.waitForFunction(() => window.p.profile().events === 80);
  await b.waitForFunction(() => window.p.profile().events === 80);

  // A third tab restores all 80, and adopts the other segments.
  const c = await openHarness(context, server.url);
  await start(c);
  const pc = await profile(c);
  assert.equal(pc.events, 80);
  assert.equal(pc.cart.quantity, 80);
  const status = await c.evaluate(() => window.p.status());
  assert.equal(status.storage, 'local');
  assert.equal(status.stats.restored, 80);

  // Reload a tab: the profile comes back from storage.
  await a.reload();
  await a.waitForFunction(() => window.cpReady === true);
  await start(a);
  assert.equal((await profile(a)).events, 80);

  // forget() in one tab: the others drop what they hold, and nothing comes back.
  await b.evaluate(() => window.p.forget());
  await a.waitForFunction(() => window.p.profile().events === 0);
  await c.waitForFunction(() => window.p.profile().events === 0);
  await Promise.all([a, c].map((p) => p.evaluate(() => window.p.flush())));
  assert.deepEqual(await ourKeys(a), []);
  for (const p of [a, b, c]) assert.deepEqual(p.errors, []);
  await context.close();
});

test('consent denied: a whole session of events leaves localStorage empty', async () => {
  const context = await browser.newContext();
  const page = await openHarness(context, server.url);
  await start(page, { namespace: 'tabs', consent: 'denied', flushDelayMs: 0 });
  await trackMany(page, 'x', 100);
  await page.evaluate(() => window.dispatchEvent(new Event('pagehide')));
  assert.equal(await page.evaluate(() => localStorage.length), 0);
  assert.equal((await profile(page)).events, 100);
  await page.reload();
  await page.waitForFunction(() => window.cpReady === true);
  await start(page, { namespace: 'tabs', consent: 'denied' });
  assert.equal((await profile(page)).events, 0, 'nothing survived the reload');
  assert.equal(await page.evaluate(() => localStorage.length), 0);
  await context.close();
});

test('without localStorage (blocked), the module runs in memory and the page sees no error', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  // Make every localStorage access throw, as in a sandboxed iframe or with site data blocked.
  await page.addInitScript(() => {
    Object.defineProperty(window, 'localStorage', { get() { throw new DOMException('blocked', 'SecurityError'); } });
  });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  await page.goto(`${server.url}/harness.html`);
  await page.waitForFunction(() => window.cpReady === true);
  const status = await page.evaluate(() => {
    const p = new window.cp.Personalizer({ consent: 'granted' });
    p.track({ type: 'page_view' });
    p.flush();
    window.dispatchEvent(new Event('pagehide'));
    return p.status();
  });
  assert.equal(status.storage, 'memory');
  assert.equal(status.storageFallback, 'SecurityError');
  assert.equal(status.events, 1);
  assert.deepEqual(errors, []);
  await context.close();
});

// exportEvents in Chromium: JSON Lines, batch ids, retries, never twice, consent only, beacon.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, openHarness } from './harness.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

test('batches go out once, with a stable id across retries; nothing without consent', async () => {
  const context = await browser.newContext();
  const page = await openHarness(context, server.url);
  const received = [];
  let failFirst = 1;
  await page.route('**/collect**', async (route) => {
    const req = route.request();
    received.push({ id: req.headers()['x-batch-id'] ?? new URL(req.url()).searchParams.get('batch'), body: req.postData() ?? '' });
    if (failFirst-- > 0) return route.fulfill({ status: 503, body: 'busy' });
    return route.fulfill({ status: 204 });
  });
  const out = await page.evaluate(async () => {
    const denied = new window.cp.Personalizer({ consent: 'denied', namespace: 'exp' });
    denied.track({ type: 'page_view' });
    const none = await denied.exportEvents({ url: '/collect' });
    const p = new window.cp.Personalizer({ consent: 'granted', namespace: 'exp', userId: 'u-1' });
    for (let i = 0; i < 5; i++) p.track({ type: 'add_to_cart', items: [{ item_id: `sku${i}`, price: 1.5 }] });
    const first = await p.exportEvents({ url: '/collect', batchSize: 3 });
    const second = await p.exportEvents({ url: '/collect', batchSize: 3 });
    const third = await p.exportEvents({ url: '/collect', batchSize: 3 });
    return { none, first, second, third };
  });
  assert.deepEqual(out.none, { batch: null, sent: 0 });
  assert.equal(out.first.sent, 3);
  assert.equal(out.second.sent, 2);
  assert.deepEqual(out.third, { batch: null, sent: 0 }, 'never twice');
  // The 503 made the first batch go twice: same id both times (the collector dedupes).
  assert.equal(received.length, 3);
  assert.equal(received[0].id, out.first.batch);
  assert.equal(received[1].id, out.first.batch);
  assert.equal(received[2].id, out.second.batch);
  const lines = received[1].body.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, 3);
  assert.deepEqual(Object.keys(lines[0]).slice(0, 5), ['batch', 'user', 'record', 'type', 'ts']);
  assert.equal(lines[0].user, 'u-1');
  assert.equal(lines[0].items[0].price, 1.5);
  // A new page view knows what was exported.
  await page.reload();
  await page.waitForFunction(() => window.cpReady === true);
  const after = await page.evaluate(async () => {
    const p = new window.cp.Personalizer({ consent: 'granted', namespace: 'exp', userId: 'u-1' });
    p.track({ type: 'purchase', value: 9 });
    p.exportOnPageHide('/collect');
    window.dispatchEvent(new Event('pagehide'));
    await new Promise((r) => setTimeout(r, 300));
    return p.exportEvents({ url: '/collect' });
  });
  assert.deepEqual(after, { batch: null, sent: 0 }, 'the beacon took the last event');
  const beacon = received.at(-1);
  assert.equal(beacon.body.trim().split('\n').length, 1);
  assert.equal(JSON.parse(beacon.body).type, 'purchase');
  assert.deepEqual(page.errors, []);
  await context.close();
});

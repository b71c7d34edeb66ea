// Page experience in Chromium (part of ./build.sh bench): what the shopper sees of the
// module on the demo store. For each visit: first contentful paint, when each personalised
// list reaches its final order, how many times a list the shopper could see changed order
// (after the first paint), layout shift (total, and the part whose shifted nodes sit in the
// module's containers), and whether the first decision made its deadline.
//
// Two scenarios: a returning shopper (consent given, history and model in localStorage,
// the module from the HTTP cache), and a first visit on a throttled network (CDP
// Network.emulateNetworkConditions: 1.6 Mbps down, 150 ms RTT, gzip on the wire).

const RECORDER = () => {
  const rec = (window.__cp = { fcp: null, shifts: [], frames: [] });
  new PerformanceObserver((l) => {
    for (const e of l.getEntries()) if (e.name === 'first-contentful-paint') rec.fcp = e.startTime;
  }).observe({ type: 'paint', buffered: true });
  new PerformanceObserver((l) => {
    for (const e of l.getEntries()) {
      rec.shifts.push({
        value: e.value, t: e.startTime, input: e.hadRecentInput,
        module: (e.sources || []).some((s) => s.node?.closest?.('[data-personalize],[data-personalize-message]')),
      });
    }
  }).observe({ type: 'layout-shift', buffered: true });
  // What each frame shows: every list's order and whether it is visible.
  const lists = {
    payment: '[data-personalize="payment-methods"] [data-payment-method]',
    shipping: '[data-personalize="shipping-options"] [data-shipping-option]',
    crossSell: '[data-personalize="cross-sell"] [data-personalize-item]',
  };
  const last = {};
  const sample = () => {
    const t = performance.now();
    for (const [name, sel] of Object.entries(lists)) {
      const els = [...document.querySelectorAll(sel)];
      const box = els[0]?.parentElement;
      const visible = !!box && getComputedStyle(box).visibility !== 'hidden';
      const ids = els.map((e) => e.dataset.paymentMethod ?? e.dataset.shippingOption ?? e.dataset.personalizeItem).join(',');
      const key = `${visible}|${ids}`;
      if (last[name] !== key) { rec.frames.push({ t, name, visible, ids }); last[name] = key; }
    }
    if (t < 6000) requestAnimationFrame(sample);
  };
  requestAnimationFrame(sample);
};

/** One visit's figures from the recorder. */
function figures(rec, decision) {
  const out = { fcp_ms: rec.fcp, decision };
  let reorders = 0;
  for (const name of ['payment', 'shipping', 'crossSell']) {
    const frames = rec.frames.filter((f) => f.name === name);
    let shown = null;
    for (const f of frames) {
      if (!f.visible) continue;
      // A change of what a visible list shows, after the first paint, is a visible reorder
      // (a slot filling its reserved space for the first time is not).
      if (shown !== null && f.ids !== shown && shown !== '' && f.t >= (rec.fcp ?? 0)) reorders++;
      shown = f.ids;
    }
    out[`${name}_final_ms`] = frames.length ? frames[frames.length - 1].t : null;
  }
  out.visible_reorders = reorders;
  out.cls = rec.shifts.filter((s) => !s.input).reduce((a, s) => a + s.value, 0);
  out.cls_module = rec.shifts.filter((s) => !s.input && s.module).reduce((a, s) => a + s.value, 0);
  return out;
}

async function visit(page, url) {
  await page.goto(url);
  await page.waitForFunction(() => window.personalizer?.status().dom?.decision !== undefined
    && window.personalizer.status().dom.decision !== 'pending', null, { timeout: 30000 });
  await page.waitForTimeout(1500); // let late changes, if any, happen (and be counted)
  const rec = await page.evaluate(() => window.__cp);
  const decision = await page.evaluate(() => window.personalizer.status().dom.decision);
  return figures(rec, decision);
}

const median = (xs) => { const s = xs.filter((x) => x !== null).sort((a, b) => a - b); return s.length ? s[Math.floor(s.length / 2)] : null; };
const round = (x) => (x === null ? null : Math.round(x * 1000) / 1000);

function summarise(visits) {
  const keys = ['fcp_ms', 'payment_final_ms', 'shipping_final_ms', 'crossSell_final_ms', 'visible_reorders', 'cls', 'cls_module'];
  const out = { visits: visits.length };
  for (const k of keys) out[k] = { median: round(median(visits.map((v) => v[k]))), max: round(Math.max(...visits.map((v) => v[k] ?? 0))) };
  out.late = visits.filter((v) => v.decision === 'late').length;
  return out;
}

/** Runs both scenarios; `serve(root, headers, {gzip})` is tests/e2e/harness.mjs's. */
export async function pageExperience(browser, serve, root, runs = 11) {
  const results = {};
  // A returning shopper: the module cacheable, a warm-up visit with consent stores history
  // and the model; then fresh page loads, each after the last settled.
  {
    const server = await serve(root + 'www/', { 'cache-control': 'public, max-age=31536000, immutable' });
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    await context.addInitScript(RECORDER);
    const page = await context.newPage();
    const url = `${server.url}/?country=DE&consent=granted`;
    await page.goto(url);
    await page.waitForFunction(() => document.querySelector('#model-status')?.textContent.startsWith('model '));
    await page.click('#coffee button');
    await page.check('input[value="paypal"]');
    await page.click('#checkout button[type="submit"]');
    await page.evaluate(() => window.personalizer.flush());
    await page.waitForTimeout(2500); // compiled code is cached a while after compilation
    const visits = [];
    for (let i = 0; i < runs; i++) {
      visits.push(await visit(page, url));
    }
    results.returning = summarise(visits);
    await context.close();
    await server.close();
  }
  // A first visit on a slow network: empty caches, throttled, the files gzipped.
  {
    const server = await serve(root + 'www/', { 'cache-control': 'no-cache' }, { gzip: true });
    const visits = [];
    for (let i = 0; i < Math.max(3, Math.floor(runs / 2)); i++) {
      const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
      await context.addInitScript(RECORDER);
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false, latency: 150, downloadThroughput: (1.6e6 / 8), uploadThroughput: (750e3 / 8),
      });
      visits.push(await visit(page, `${server.url}/?country=DE`));
      await context.close();
    }
    results.first_visit_throttled = summarise(visits);
    await server.close();
  }
  return results;
}

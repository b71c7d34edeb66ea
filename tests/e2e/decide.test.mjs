// The decision-only build (`checkout-personalizer/decide`, pkg/decide/): the same decisions
// as the full build from the same inputs, in Node and in Chromium with real localStorage;
// the surfaces it leaves out are absent from the wasm and from the class, never half there.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { serve, launch } from './harness.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LEFT_OUT = ['attach', 'detach', 'apply', 'setCatalog', 'loadModelFromUrl', 'loadSignedModel',
  'exportEvents', 'exportOnPageHide', 'chooseOffer', 'chooseMessages', 'identify', 'useModel'];
const KEPT = ['track', 'profile', 'status', 'flush', 'setConsent', 'forget', 'exportData', 'loadModel',
  'rankPaymentMethods', 'rankShippingOptions', 'rankCrossSells', 'segments', 'assignment', 'setContext'];

/** One shopper's page view, as a storefront would script it; returns every decision. Runs in
 *  Node and (stringified) in the page, so it uses nothing from this file. */
function session(cp, bundle) {
  let t = Date.UTC(2026, 10, 3, 9, 0, 0);
  const p = new cp.Personalizer({ consent: 'granted', namespace: 'dec', now: () => (t += 1000) });
  p.setContext({ country: 'NL', device: 'mobile', os: 'ios' });
  // As GA4 dataLayers send them: prices, values and quantities as decimal strings.
  p.track({ event: 'add_to_cart', ecommerce: { currency: 'EUR', items: [{ item_id: 'sku-1', price: '19.99', quantity: '2' }] } });
  p.track({ event: 'purchase', ecommerce: { transaction_id: 'T-1', currency: 'EUR', value: '39.98', payment_type: 'ideal', items: [{ item_id: 'sku-1', price: '19.99', quantity: '2' }] } });
  p.track({ event: 'add_to_cart', ecommerce: { currency: 'EUR', items: [{ item_id: 'sku-2', price: '5.00', quantity: '1' }] } });
  const info = p.loadModel(bundle);
  const methods = [{ id: 'card' }, { id: 'paypal' }, { id: 'ideal' }, { id: 'klarna' }, { id: 'alipay' }];
  const out = {
    model: info.id,
    payments: p.rankPaymentMethods(methods).items.map((i) => [i.id, i.score, i.eligible]),
    cn: p.rankPaymentMethods(methods, { country: 'CN' }).items.map((i) => [i.id, i.eligible]),
    shipping: p.rankShippingOptions([{ id: 'standard' }, { id: 'express' }]).items.map((i) => i.id),
    crossSells: p.rankCrossSells({ limit: 3 }).items.map((i) => i.id),
    segments: p.segments(),
    cart: p.profile().cart,
  };
  p.flush();
  out.status = { consent: p.status().consent };
  p.free();
  return out;
}

async function load(dir) {
  const cp = await import(`${ROOT}pkg/${dir}index.js`);
  await cp.default({ module_or_path: await readFile(`${ROOT}pkg/${dir}checkout_personalizer_bg.wasm`) });
  return cp;
}

test('in Node: the decision-only build decides exactly as the full one, and lacks what it leaves out', async () => {
  const bundle = new Uint8Array(await readFile(`${ROOT}tests/fixtures/ranking.cpm`));
  const full = await load('');
  const decide = await load('decide/');
  const a = session(full, bundle);
  const b = session(decide, bundle);
  assert.equal(a.payments.length, 5);
  assert.ok(a.crossSells.length > 0, 'the fixture bundle has cross-sells');
  assert.deepEqual([a.cart.value, a.cart.quantity, a.cart.currency], [5, 1, 'EUR'], 'string prices read as GA4 sends them');
  assert.deepEqual(b, a);

  assert.equal(decide.Model, undefined);
  assert.equal(typeof full.Model, 'function');
  const p = new decide.Personalizer({ consent: 'pending' });
  for (const name of LEFT_OUT) {
    assert.equal(p[name], undefined, `${name} is left out`);
    assert.equal(typeof full.Personalizer.prototype[name], 'function', `the full build has ${name}`);
  }
  for (const name of KEPT) assert.equal(typeof p[name], 'function', `${name} is kept`);
  p.free();

  // Compiled out, not hidden: the wasm exports none of the left-out methods.
  const exports = async (dir) => WebAssembly.Module.exports(
    await WebAssembly.compile(await readFile(`${ROOT}pkg/${dir}checkout_personalizer_bg.wasm`))).map((e) => e.name);
  const [fullExports, decideExports] = [await exports(''), await exports('decide/')];
  for (const name of ['personalizer_attach', 'personalizer_chooseOffer', 'personalizer_loadModelFromUrl', 'personalizer_exportEvents', 'model_fromBytes']) {
    assert.ok(fullExports.includes(name), `the full build exports ${name}`);
    assert.ok(!decideExports.includes(name), `the decision-only build does not export ${name}`);
  }
});

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

test('in Chromium: the decision-only entry keeps events across a reload, decides as the full build, and forget() erases every key', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  await page.goto(`${server.url}/models/`); // any page of the origin: the module is imported below
  const run = async (entry) => page.evaluate(async ([entry, src]) => {
    const cp = await import(entry);
    await cp.default();
    return new Function('cp', 'bundle', `return (${src})(cp, bundle);`)(cp, new Uint8Array(window.__bundle));
  }, [entry, session.toString()]);
  await page.evaluate((b) => { window.__bundle = b; }, [...await readFile(`${ROOT}tests/fixtures/ranking.cpm`)]);
  const full = await run('/pkg/index.js');
  await page.evaluate(() => localStorage.clear());
  const decide = await run('/pkg/decide/index.js');
  assert.deepEqual(decide, full);
  assert.equal(decide.status.consent, 'granted');

  // Real localStorage: the events are there after a reload, and forget() removes every key.
  await page.reload();
  const after = await page.evaluate(async () => {
    const cp = await import('/pkg/decide/index.js');
    await cp.default();
    const p = new cp.Personalizer({ consent: 'granted', namespace: 'dec' });
    const before = { keys: Object.keys(localStorage).filter((k) => k.startsWith('dec:')).length, cart: p.profile().cart };
    const erased = p.forget();
    return { before, erased, left: Object.keys(localStorage).filter((k) => k.startsWith('dec:')) };
  });
  assert.ok(after.before.keys > 0);
  assert.deepEqual(after.before.cart, decide.cart);
  assert.ok(after.erased >= after.before.keys);
  assert.deepEqual(after.left, []);

  // Consent Mode as gtag keeps it reaches this build too: analytics alone stores nothing.
  const cm = await page.evaluate(async () => {
    localStorage.clear();
    const cp = await import('/pkg/decide/index.js');
    await cp.default();
    window.dataLayer = [];
    window.gtag = function () { window.dataLayer.push(arguments); };
    gtag('consent', 'default', { analytics_storage: 'denied', personalization_storage: 'denied' });
    const p = new cp.Personalizer({ namespace: 'cm', consentMode: true });
    gtag('consent', 'update', { analytics_storage: 'granted' });
    p.track({ type: 'page_view' });
    p.flush();
    const analyticsOnly = Object.keys(localStorage).filter((k) => k.startsWith('cm:')).length;
    gtag('consent', 'update', { personalization_storage: 'granted' });
    p.track({ type: 'page_view' });
    p.flush();
    return { analyticsOnly, granted: Object.keys(localStorage).filter((k) => k.startsWith('cm:')).length, consent: p.status().consent };
  });
  assert.deepEqual({ analyticsOnly: cm.analyticsOnly, consent: cm.consent }, { analyticsOnly: 0, consent: 'granted' });
  assert.ok(cm.granted > 0);

  assert.deepEqual(errors, []);
  await context.close();
});

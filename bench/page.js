// Cold start (from script start to the first ranked payment list, model in the local cache)
// and per-decision timings in Chromium. Driven by bench/run.mjs: ?setup=1 fills the cache,
// ?cold=1 measures one cold start, ?decisions=1 measures per-decision speed.
const t0 = performance.now();
const params = new URLSearchParams(location.search);
// The wasm download starts at once, in parallel with the glue's (as www/boot.js does and the
// README recommends); init() takes the pending response and compiles it as it streams.
// `?build=decide`: the decision-only build (pkg/decide/).
const base = params.get('build') === 'decide' ? '/pkg/decide/' : '/pkg/';
const wasm = fetch(`${base}checkout_personalizer_bg.wasm`);
const mod = await import(`${base}index.js`);
const tImport = performance.now();
await mod.default({ module_or_path: wasm });
const tInit = performance.now();
const { Personalizer, Model } = mod;
const METHODS = ['card', 'paypal', 'apple_pay', 'google_pay', 'klarna', 'ideal', 'sepa', 'sofort', 'alipay', 'wechat_pay', 'bank_transfer', 'gift_card'].map((id) => ({ id }));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p99 = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(s.length * 0.99))]; };
const us = (ms) => Math.round(ms * 100000) / 100;
function timeBlocks(fn, per = 100, blocks = 40) {
  for (let i = 0; i < per * 3; i++) fn(i);
  const t = [];
  for (let b = 0; b < blocks; b++) { const s = performance.now(); for (let i = 0; i < per; i++) fn(i); t.push((performance.now() - s) / per); }
  return { p50_us: us(median(t)), p99_us: us(p99(t)), calls: per * blocks };
}

if (params.has('setup')) {
  localStorage.clear();
  const p = new Personalizer({ consent: 'granted', flushDelayMs: 0 });
  for (let i = 0; i < 60; i++) p.track({ type: i % 4 ? 'view_item' : 'add_to_cart', items: [{ item_id: `sku${i % 40}`, price: 2 }] });
  p.track({ type: 'purchase', value: 20, payment_type: 'paypal' });
  await p.loadModelFromUrl('/bench/out/payment.cpm');
  p.flush();
  window.benchDone = { ok: true };
} else if (params.has('split')) {
  const a = performance.now();
  const p = new Personalizer({ consent: 'pending' });
  const b = performance.now();
  p.setConsent('granted');
  const c = performance.now();
  const q = new Personalizer({ consent: 'pending', namespace: 'other' });
  const d = performance.now();
  window.benchDone = { ok: true, construct_pending_ms: b - a, grant_ms: c - b, second_construct_ms: d - c, events_n: p.status().events };
} else if (params.has('cold')) {
  const p = new Personalizer({ consent: 'granted' });
  const tRestore = performance.now();
  if (p.loadModelFromUrl) p.loadModelFromUrl('/bench/out/payment.cpm').catch(() => {});
  // The decision-only build has no model delivery: the page hands it the bundle's bytes.
  else p.loadModel(new Uint8Array(await (await fetch('/bench/out/payment.cpm')).arrayBuffer()));
  const tDecode = performance.now();
  const r = p.rankPaymentMethods(METHODS);
  const tFirst = performance.now();
  window.benchDone = {
    ok: r.fallback === null && r.items.length === 12,
    import_ms: tImport - t0, instantiate_ms: tInit - t0, profile_restore_ms: tRestore - tInit, model_decode_ms: tDecode - tRestore,
    first_decision_ms: tFirst - tDecode, total_ms: tFirst - t0,
  };
} else if (params.has('decisions')) {
  const out = {};
  let t = Date.now();
  const p = new Personalizer({ consent: 'granted', flushDelayMs: 60000, namespace: 'bench', now: () => t });
  let k = 0;
  out.track = timeBlocks((i) => { p.track({ type: 'view_item', items: [{ item_id: `sku${i % 500}`, price: 2.5 }] }); if (++k % 50 === 0) p.flush(); t += 10; }, 200);
  p.forget();
  const q = new Personalizer({ consent: 'denied', context: { country: 'DE', os: 'android' } });
  q.track({ type: 'purchase', value: 20, payment_type: 'paypal' });
  q.loadModel(new Uint8Array(await (await fetch('/bench/out/payment.cpm')).arrayBuffer()));
  out.rank_payment_12 = timeBlocks(() => q.rankPaymentMethods(METHODS), 50);
  const ranked = JSON.stringify(q.rankPaymentMethods(METHODS));
  out.rank_payment_12_json_floor = timeBlocks(() => JSON.parse(ranked), 50);
  const c = new Personalizer({ consent: 'denied' });
  for (let i = 0; i < 10; i++) c.track({ type: 'add_to_cart', items: [{ item_id: `sku${String(i * 3).padStart(6, '0')}`, price: 1 }] });
  c.loadModel(new Uint8Array(await (await fetch('/bench/out/cross_10000.cpm')).arrayBuffer()));
  out.rank_cross_sells_10k = timeBlocks(() => c.rankCrossSells({ limit: 5 }), 20);
  const m = Model.fromBytes(new Uint8Array(await (await fetch('/bench/out/trees_100.cpm')).arrayBuffer()));
  const rows = (await (await fetch('/bench/out/payment_rows.json')).json()).rows.map((r) => Float64Array.from(r, (v) => (v === null ? NaN : v)));
  out.predict_100_trees = timeBlocks((i) => m.predict('model', rows[i % rows.length]), 200);
  out.cross_origin_isolated = self.crossOriginIsolated;
  window.benchDone = out;
}

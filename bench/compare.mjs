// ./build.sh compare REV: the benchmark's per-decision calls (bench/run.mjs's shopper and
// inputs), timed in Node for two builds of the module in interleaved rounds, so that the
// shared machine's drift hits both alike. Prints per-call medians and the median of the
// per-round ratios (old / new: above 1 means the new build is faster).
//
//   node bench/compare.mjs OLD_PKG_DIR NEW_PKG_DIR [ROUNDS]
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const OUT = join(ROOT, 'bench/out');
const [oldDir, newDir] = process.argv.slice(2, 4).map((d) => resolve(d));
const ROUNDS = Number(process.argv[4] ?? 40);
if (!oldDir || !newDir) {
  console.error('usage: node bench/compare.mjs OLD_PKG_DIR NEW_PKG_DIR [ROUNDS]');
  process.exit(2);
}
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const rows = JSON.parse(await readFile(join(OUT, 'payment_rows.json'), 'utf8'));
const X = rows.rows.map((r) => Float64Array.from(r, (v) => (v === null ? NaN : v)));
// A build's bundles, made by that revision's CLI (build.sh compare): PKG_DIR/bundles/, or
// bench/out/bundles/ for this tree's.
const bytesOf = (dir) => async (n) =>
  new Uint8Array(await readFile(join(existsSync(join(dir, 'bundles')) ? dir : OUT, 'bundles', n)));
const METHODS = ['card', 'paypal', 'apple_pay', 'google_pay', 'klarna', 'ideal', 'sepa', 'sofort', 'alipay', 'wechat_pay', 'bank_transfer', 'gift_card']
  .map((id) => ({ id, type: id === 'klarna' ? 'bnpl' : ['ideal', 'sepa', 'sofort', 'bank_transfer'].includes(id) ? 'bank' : 'wallet' }));
function shopper(p, n = 40) {
  for (let i = 0; i < n; i++) p.track({ type: i % 5 ? 'view_item' : 'add_to_cart', ts: 1795000000000 + i * 1000, items: [{ item_id: `sku${String(i % 50).padStart(6, '0')}`, item_category: `c${i % 7}`, price: 3 }] });
  p.track({ type: 'purchase', ts: 1795000050000, value: 30, payment_type: 'paypal' });
}

/** The calls of one build: [call(i), calls per block]. */
async function suite(dir) {
  const bytes = bytesOf(dir);
  const m = await import(pathToFileURL(join(dir, 'checkout_personalizer.js')).href);
  await m.default({ module_or_path: await readFile(join(dir, 'checkout_personalizer_bg.wasm')) });
  let t = 1795000000000, k = 0;
  const p = new m.Personalizer({ consent: 'granted', storage: 'memory', now: () => t, flushDelayMs: 60000 });
  const q = new m.Personalizer({ consent: 'granted', storage: 'memory', now: () => 1795000100000, context: { country: 'DE', os: 'android' } });
  shopper(q); q.loadModel(await bytes('payment.cpm'));
  const c = new m.Personalizer({ consent: 'granted', storage: 'memory', now: () => 1795000100000 });
  shopper(c); c.loadModel(await bytes('cross_10000.cpm'));
  const m100 = m.Model.fromBytes(await bytes('trees_100.cpm'));
  const m10 = m.Model.fromBytes(await bytes('trees_10.cpm'));
  return {
    'track() incl. batched persistence': [(i) => { p.track({ type: 'view_item', items: [{ item_id: `sku${i % 500}`, item_category: `c${i % 9}`, price: 2.5 }] }); if (++k % 50 === 0) p.flush(); t += 10; }, 200],
    'rankPaymentMethods, 12 methods': [() => q.rankPaymentMethods(METHODS), 50],
    'rankCrossSells, 10k items': [() => c.rankCrossSells({ limit: 5 }), 20],
    'model.predict, 100 trees': [(i) => m100.predict('model', X[i % X.length]), 200],
    'model.predict, 10 trees': [(i) => m10.predict('model', X[i % X.length]), 500],
  };
}

const builds = { old: await suite(oldDir), new: await suite(newDir) };
const t = { old: {}, new: {} };
for (let round = 0; round < ROUNDS; round++) {
  for (const v of round % 2 ? ['new', 'old'] : ['old', 'new']) {
    for (const [name, [fn, per]] of Object.entries(builds[v])) {
      if (round < 2) for (let i = 0; i < per * 3; i++) fn(i);
      const t0 = performance.now();
      for (let i = 0; i < per; i++) fn(i);
      (t[v][name] ??= []).push(((performance.now() - t0) / per) * 1000);
    }
  }
}
console.log(`| call | old p50 µs | new p50 µs | old / new (median per round) |`);
console.log(`|---|---|---|---|`);
for (const name of Object.keys(t.old)) {
  const ratio = median(t.old[name].map((o, r) => o / t.new[name][r]));
  console.log(`| ${name} | ${median(t.old[name]).toFixed(2)} | ${median(t.new[name]).toFixed(2)} | ${ratio.toFixed(3)} |`);
}

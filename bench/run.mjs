// ./build.sh bench: size, cold start and per-decision speed, side by side with the peers
// (ONNX Runtime Web, a hand-written JS tree walker) on the same model and inputs, in one run.
// Writes bench/results.json and BENCHMARKS.md. Numbers are from this run on this machine;
// compare ratios, not absolutes.
import { readFile, writeFile, stat } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const OUT = join(ROOT, 'bench/out');
const CLI = join(ROOT, 'target/release/personalizer');
const results = { machine: {}, versions: {}, size: {}, node: {}, chromium: {}, peers: {}, scale: {} };

const sh = (cmd, args, opts = {}) => execFileSync(cmd, args, { encoding: 'utf8', ...opts }).trim();
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const p99 = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(s.length * 0.99))]; };
const us = (ms) => Math.round(ms * 1000 * 100) / 100;

/** Times `fn` in blocks of `per` calls; returns per-call medians and p99 over blocks, in µs. */
function timeBlocks(fn, { blocks = 60, per = 100, warm = 3 } = {}) {
  for (let i = 0; i < warm * per; i++) fn(i);
  const t = [];
  for (let b = 0; b < blocks; b++) {
    const t0 = performance.now();
    for (let i = 0; i < per; i++) fn(i);
    t.push((performance.now() - t0) / per);
  }
  return { p50_us: us(median(t)), p99_us: us(p99(t)), calls: blocks * per };
}

// ---------------------------------------------------------------- machine and bundles
results.machine = { cpus: cpus().length, cpu: cpus()[0]?.model, memory_gib: Math.round(totalmem() / 2 ** 30), node: process.version, date: new Date().toISOString() };
results.versions = {
  rustc: sh('rustc', ['--version']),
  wasm_bindgen: sh('wasm-bindgen', ['--version']),
  chromium: (() => { try { return sh('chromium', ['--version']); } catch { return 'n/a'; } })(),
  onnxruntime_web: JSON.parse(await readFile(join(ROOT, 'bench/node_modules/onnxruntime-web/package.json'), 'utf8')).version,
};
for (const spec of ['payment', 'cross_1000', 'cross_10000', 'cross_100000', 'trees_10', 'trees_100', 'trees_1000']) {
  execFileSync(CLI, ['build', join(ROOT, `bench/specs/${spec}.toml`), '-o', join(OUT, `${spec}.cpm`)], { stdio: 'ignore', env: { ...process.env, SOURCE_DATE_EPOCH: '1795000000' } });
}

// ---------------------------------------------------------------- size
const wasmPath = join(ROOT, 'pkg/checkout_personalizer_bg.wasm');
const jsPath = join(ROOT, 'pkg/checkout_personalizer.js');
const sizes = async (p) => {
  const b = await readFile(p);
  return { raw: b.length, gzip9: gzipSync(b, { level: 9 }).length, brotli: brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length };
};
results.size = { wasm: await sizes(wasmPath), js: await sizes(jsPath) };
results.size.total_gzip9 = results.size.wasm.gzip9 + results.size.js.gzip9;
// Per-crate breakdown from a build that keeps names (same code, before wasm-opt).
function breakdown(wasm, name) {
  sh('wasm-bindgen', ['--keep-debug', '--target', 'web', '--out-dir', join(OUT, name), wasm]);
  const csv = sh('twiggy', ['top', '-n', '100000', '--format', 'csv', join(OUT, name, 'checkout_personalizer_bg.wasm')], { maxBuffer: 1 << 28 });
  const by = {};
  for (const line of csv.split('\n').slice(1)) {
    const m = line.match(/^"?(.*?)"?,(\d+),/);
    if (!m) continue;
    const [item, bytes] = [m[1], Number(m[2])];
    if (/custom section|function names/.test(item)) continue;
    const crate = item.match(/checkout_personalizer::(\w+)/)?.[0]
      ?? item.match(/\b(serde_wasm_bindgen|serde_core|serde|wasm_bindgen_futures|wasm_bindgen|js_sys|web_sys|gloo_events|dlmalloc|hashbrown|alloc|core|std)\b/)?.[1]
      ?? (item.startsWith('data segment') ? 'data (strings, tables)' : item.startsWith('import') || item.startsWith('export') ? 'imports/exports' : 'other');
    by[crate] = (by[crate] ?? 0) + bytes;
  }
  return Object.fromEntries(Object.entries(by).sort((a, b) => b[1] - a[1]));
}
for (const [key, dir, name] of [['breakdown_before_wasm_opt', 'target', 'named'], ['decide_breakdown_before_wasm_opt', 'target/decide', 'named-decide']]) {
  try {
    results.size[key] = breakdown(join(ROOT, dir, 'wasm32-unknown-unknown/release/checkout_personalizer.wasm'), name);
  } catch (e) {
    results.size[`${key}_error`] = String(e.message ?? e);
  }
}

// ---------------------------------------------------------------- the module in Node
const mod = await import(join(ROOT, 'pkg/checkout_personalizer.js'));
const wasmExports = await mod.default({ module_or_path: await readFile(wasmPath) });
const { Personalizer, Model } = mod;
const bytes = async (name) => new Uint8Array(await readFile(join(OUT, name)));
const paymentCpm = await bytes('payment.cpm');
const METHODS = ['card', 'paypal', 'apple_pay', 'google_pay', 'klarna', 'ideal', 'sepa', 'sofort', 'alipay', 'wechat_pay', 'bank_transfer', 'gift_card']
  .map((id) => ({ id, type: id === 'klarna' ? 'bnpl' : ['ideal', 'sepa', 'sofort', 'bank_transfer'].includes(id) ? 'bank' : 'wallet' }));

function shopper(p, n = 40) {
  for (let i = 0; i < n; i++) p.track({ type: i % 5 ? 'view_item' : 'add_to_cart', ts: 1795000000000 + i * 1000, items: [{ item_id: `sku${String(i % 50).padStart(6, '0')}`, item_category: `c${i % 7}`, price: 3 }] });
  p.track({ type: 'purchase', ts: 1795000050000, value: 30, payment_type: 'paypal' });
}

{
  let t = 1795000000000;
  const p = new Personalizer({ consent: 'granted', storage: 'memory', now: () => t, flushDelayMs: 60000 });
  let k = 0;
  results.node.track = timeBlocks((i) => {
    p.track({ type: 'view_item', items: [{ item_id: `sku${i % 500}`, item_category: `c${i % 9}`, price: 2.5 }] });
    if (++k % 50 === 0) p.flush(); // the batched persistence, amortised
    t += 10;
  }, { per: 200 });
  const q = new Personalizer({ consent: 'granted', storage: 'memory', now: () => 1795000100000, context: { country: 'DE', os: 'android' } });
  shopper(q);
  q.loadModel(paymentCpm);
  results.node.rank_payment_12 = timeBlocks(() => q.rankPaymentMethods(METHODS), { per: 50 });
  // The result's own floor: building the same object graph from its JSON text, the fastest
  // way JS has to make those objects (no scoring, no boundary).
  const ranked = JSON.stringify(q.rankPaymentMethods(METHODS));
  results.node.rank_payment_12_json_floor = timeBlocks(() => JSON.parse(ranked), { per: 50 });
  const c = new Personalizer({ consent: 'granted', storage: 'memory', now: () => 1795000100000 });
  shopper(c);
  c.loadModel(await bytes('cross_10000.cpm'));
  results.node.rank_cross_sells_10k = timeBlocks(() => c.rankCrossSells({ limit: 5 }), { per: 20 });
}

// ---------------------------------------------------------------- the same model, three scorers
const rows = JSON.parse(await readFile(join(OUT, 'payment_rows.json'), 'utf8'));
const X = rows.rows.map((r) => Float64Array.from(r, (v) => (v === null ? NaN : v)));
const ours = Model.fromBytes(await bytes('trees_100.cpm'));
const scorer = ours.scorer('model'); // the head resolved once: what a page scoring many rows uses

// A hand-written flat-array walker: the fastest plain-JS way (see shared/notes).
function jsWalker(json) {
  const L = json.learner;
  const base = Number(String(L.learner_model_param.base_score).replace(/[[\]]/g, ''));
  const trees = L.gradient_booster.model.trees;
  let n = 0; for (const t of trees) n += t.left_children.length;
  const feat = new Int32Array(n), thr = new Float32Array(n), left = new Int32Array(n), right = new Int32Array(n), dl = new Uint8Array(n), roots = [];
  let off = 0;
  for (const t of trees) {
    roots.push(off);
    for (let i = 0; i < t.left_children.length; i++) {
      const leaf = t.left_children[i] === -1;
      feat[off + i] = leaf ? -1 : t.split_indices[i];
      thr[off + i] = t.split_conditions[i];
      left[off + i] = leaf ? -1 : off + t.left_children[i];
      right[off + i] = leaf ? -1 : off + t.right_children[i];
      dl[off + i] = t.default_left[i];
    }
    off += t.left_children.length;
  }
  const margin0 = Math.log(base / (1 - base));
  return (x) => {
    let m = margin0;
    for (let r = 0; r < roots.length; r++) {
      let i = roots[r];
      while (feat[i] !== -1) {
        const v = x[feat[i]];
        i = v !== v ? (dl[i] ? left[i] : right[i]) : (Math.fround(v) < thr[i] ? left[i] : right[i]);
      }
      m += thr[i];
    }
    return 1 / (1 + Math.exp(-m));
  };
}
const walk = jsWalker(JSON.parse(await readFile(join(OUT, 'payment_xgb.json'), 'utf8')));

const ort = await import(join(ROOT, 'bench/node_modules/onnxruntime-web/dist/ort.wasm.min.mjs')).catch(() => import('onnxruntime-web'));
ort.env.wasm.numThreads = 1;
ort.env.wasm.proxy = false;
let session = null;
try { session = await ort.InferenceSession.create(await readFile(join(OUT, 'payment_xgb.onnx'))); } catch (e) { results.peers.ort_error = String(e.message ?? e); }
const ortPredict = async (x) => {
  const out = await session.run({ input: new ort.Tensor('float32', Float32Array.from(x), [1, x.length]) });
  const probs = Object.values(out).find((t) => t.dims.length === 2 && t.dims[1] === 2);
  return probs.data[1];
};
// Agreement on every row.
let dOurs = 0, dWalk = 0, dOrt = 0;
for (let i = 0; i < X.length; i++) {
  const want = rows.xgboost[i];
  dOurs = Math.max(dOurs, Math.abs(ours.predict('model', X[i]) - want), Math.abs(scorer.predict(X[i]) - want));
  dWalk = Math.max(dWalk, Math.abs(walk(X[i]) - want));
  if (session) dOrt = Math.max(dOrt, Math.abs((await ortPredict(X[i])) - want));
}
results.peers.agreement_max_abs_diff_vs_xgboost = { ours: dOurs, js_walker: dWalk, onnxruntime_web: session ? dOrt : null };
// Ratios from interleaved blocks: ours, the walker and ORT take turns block by block, so a
// change in the machine's speed (this one is shared) hits all three alike.
{
  const per = { ours: 200, scorer: 200, walker: 200, ort: 50 };
  const fns = { ours: (i) => ours.predict('model', X[i % X.length]), scorer: (i) => scorer.predict(X[i % X.length]), walker: (i) => walk(X[i % X.length]) };
  for (let i = 0; i < 600; i++) { fns.ours(i); fns.scorer(i); fns.walker(i); }
  if (session) for (let i = 0; i < 5000; i++) await ortPredict(X[i % X.length]); // ORT needs a long warm-up
  const t = { ours: [], scorer: [], walker: [], ort: [] };
  for (let b = 0; b < 60; b++) {
    for (const k of ['ours', 'scorer', 'walker']) {
      const t0 = performance.now();
      for (let i = 0; i < per[k]; i++) fns[k](i);
      t[k].push((performance.now() - t0) / per[k]);
    }
    if (session) {
      const t0 = performance.now();
      for (let i = 0; i < per.ort; i++) await ortPredict(X[i % X.length]);
      t.ort.push((performance.now() - t0) / per.ort);
    }
  }
  const st = (k) => ({ p50_us: us(median(t[k])), p99_us: us(p99(t[k])), calls: t[k].length * per[k] });
  results.node.predict_100_trees = st('ours');
  results.node.predict_100_trees_scorer = st('scorer');
  results.peers.js_walker_predict_100_trees = st('walker');
  if (session) {
    results.peers.onnxruntime_web_predict_100_trees = st('ort');
    results.peers.ort_package_bytes = (await stat(join(ROOT, 'bench/node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.wasm')).catch(() => ({ size: null }))).size;
  }
  // The ratio within each round of blocks, then its median: robust to the machine's drift.
  const perRound = (k, base = 'ours') => Math.round(median(t[base].map((o, b) => t[k][b] / o)) * 100) / 100;
  results.peers.speedup_per_round_median = { js_walker: perRound('walker'), onnxruntime_web: session ? perRound('ort') : null };
  results.peers.scorer_speedup_per_round_median = { js_walker: perRound('walker', 'scorer'), onnxruntime_web: session ? perRound('ort', 'scorer') : null };
}
const ratio = (a, b) => (a && b ? Math.round((b / a) * 100) / 100 : null);
results.peers.speedup_vs_onnxruntime_web = ratio(results.node.predict_100_trees.p50_us, results.peers.onnxruntime_web_predict_100_trees?.p50_us);
results.peers.speedup_vs_js_walker = ratio(results.node.predict_100_trees.p50_us, results.peers.js_walker_predict_100_trees.p50_us);
results.peers.scorer_speedup_vs_onnxruntime_web = ratio(results.node.predict_100_trees_scorer.p50_us, results.peers.onnxruntime_web_predict_100_trees?.p50_us);
results.peers.scorer_speedup_vs_js_walker = ratio(results.node.predict_100_trees_scorer.p50_us, results.peers.js_walker_predict_100_trees.p50_us);

// ---------------------------------------------------------------- builds
// Every build the package ships (full, decision-only) and the levers measured against them
// (opt-level 3; a date-pinned nightly rebuilding std for size): size, and the same four
// per-decision calls in interleaved rounds, so that a size change's speed cost is visible.
async function suite(dir) {
  const m = await import(join(dir, 'checkout_personalizer.js'));
  await m.default({ module_or_path: await readFile(join(dir, 'checkout_personalizer_bg.wasm')) });
  let t = 1795000000000, k = 0;
  const p = new m.Personalizer({ consent: 'granted', storage: 'memory', now: () => t, flushDelayMs: 60000 });
  const q = new m.Personalizer({ consent: 'granted', storage: 'memory', now: () => 1795000100000, context: { country: 'DE', os: 'android' } });
  shopper(q); q.loadModel(paymentCpm);
  const c = new m.Personalizer({ consent: 'granted', storage: 'memory', now: () => 1795000100000 });
  shopper(c); c.loadModel(await bytes('cross_10000.cpm'));
  const model = m.Model?.fromBytes(await bytes('trees_100.cpm'));
  return {
    track: [(i) => { p.track({ type: 'view_item', items: [{ item_id: `sku${i % 500}`, item_category: `c${i % 9}`, price: 2.5 }] }); if (++k % 50 === 0) p.flush(); t += 10; }, 200],
    rank_payment_12: [() => q.rankPaymentMethods(METHODS), 50],
    rank_cross_sells_10k: [() => c.rankCrossSells({ limit: 5 }), 20],
    ...(model ? { predict_100_trees: [(i) => model.predict('model', X[i % X.length]), 200] } : {}),
  };
}
const BUILDS = {
  full: ['full (pkg/, shipped)', join(ROOT, 'pkg')],
  decide: ['decision-only (pkg/decide/, shipped)', join(ROOT, 'pkg/decide')],
  opt3: ['full at opt-level 3', join(OUT, 'pkg-opt3')],
  nightly: ['full, nightly std for size', join(OUT, 'pkg-nightly')],
  nightly_decide: ['decision-only, nightly std for size', join(OUT, 'pkg-nightly-decide')],
};
results.builds = {};
try {
  const suites = {};
  for (const [v, [, dir]] of Object.entries(BUILDS)) {
    if (!existsSync(join(dir, 'checkout_personalizer_bg.wasm'))) continue;
    suites[v] = await suite(dir);
  }
  const t = {};
  for (let round = 0; round < 30; round++) {
    for (const v of Object.keys(suites)) {
      for (const [name, [fn, per]] of Object.entries(suites[v])) {
        if (round === 0) for (let i = 0; i < per * 3; i++) fn(i);
        const t0 = performance.now();
        for (let i = 0; i < per; i++) fn(i);
        ((t[v] ??= {})[name] ??= []).push((performance.now() - t0) / per);
      }
    }
  }
  for (const v of Object.keys(suites)) {
    const dir = BUILDS[v][1];
    const b = { label: BUILDS[v][0], wasm: await sizes(join(dir, 'checkout_personalizer_bg.wasm')), js: await sizes(join(dir, 'checkout_personalizer.js')) };
    b.total_gzip9 = b.wasm.gzip9 + b.js.gzip9;
    for (const [name, xs] of Object.entries(t[v])) b[name] = { p50_us: us(median(xs)) };
    results.builds[v] = b;
  }
} catch (e) {
  results.builds = { error: String(e.message ?? e) };
}

// ---------------------------------------------------------------- scale
const memory = () => wasmExports.memory.buffer.byteLength;
for (const n of [10, 100, 1000]) {
  const b = await bytes(`trees_${n}.cpm`);
  const t0 = performance.now(); const m = Model.fromBytes(b); const decode = performance.now() - t0;
  const predict = timeBlocks((i) => m.predict('model', X[i % X.length]), { per: 50, blocks: 20 });
  results.scale[`trees_${n}`] = { bundle_bytes: b.length, decode_ms: Math.round(decode * 1000) / 1000, predict_p50_us: predict.p50_us };
  m.free();
}
for (const n of [1000, 10000, 100000]) {
  const b = await bytes(`cross_${n}.cpm`);
  const before = memory();
  const c = new Personalizer({ consent: 'granted', storage: 'memory', now: () => 1795000100000 });
  shopper(c);
  const t0 = performance.now(); c.loadModel(b); const decode = performance.now() - t0;
  const cross = timeBlocks(() => c.rankCrossSells({ limit: 5 }), { per: 10, blocks: 20 });
  results.scale[`items_${n}`] = { bundle_bytes: b.length, decode_ms: Math.round(decode * 1000) / 1000, cross_sell_p50_us: cross.p50_us, wasm_memory_growth_bytes: memory() - before };
  c.free();
}

// ---------------------------------------------------------------- Chromium
try {
  const { chromium } = await import(join(ROOT, 'node_modules/playwright-core/index.mjs'));
  const { serve } = await import(join(ROOT, 'tests/e2e/harness.mjs'));
  const isolated = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--headless=new', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'] });
  // Two ways the module may reach the page: refetched and recompiled on every load
  // (`no-store`), or from the HTTP cache, as a storefront serving `pkg/` with
  // `cache-control: immutable` gives a returning shopper (Chromium then also reuses its
  // compiled code). Either way the model comes from the local cache.
  const scenarios = { cold_start: 'no-store', cold_start_module_cached: 'public, max-age=31536000, immutable' };
  for (const [name, cacheControl] of Object.entries(scenarios)) {
    const server = await serve(ROOT, { ...isolated, 'cache-control': cacheControl });
    const context = await browser.newContext();
    const page = await context.newPage();
    const visit = async (q, file = 'page.html') => { await page.goto(`${server.url}/bench/${file}?${q}`); await page.waitForFunction(() => window.benchDone, null, { timeout: 120000 }); return page.evaluate(() => window.benchDone); };
    await visit('setup=1');
    const colds = [];
    const decides = [];
    const floors = [];
    const cached = name === 'cold_start_module_cached';
    for (let i = 0; i < 21; i++) {
      colds.push(await visit('cold=1'));
      await new Promise((ok) => setTimeout(ok, 200)); // let background compilation and caching settle
      if (cached) {
        decides.push(await visit('cold=1&build=decide'));
        await new Promise((ok) => setTimeout(ok, 200));
      }
      floors.push(await visit('', 'floor.html'));
    }
    const summary = (xs) => ({ p50_ms: Math.round(median(xs) * 1000) / 1000, p99_ms: Math.round(p99(xs) * 1000) / 1000 });
    const stats = (k) => summary(colds.map((c) => c[k]));
    results.chromium[name] = {
      cache_control: cacheControl, runs: colds.length, all_ranked_from_cache: colds.every((c) => c.ok),
      instantiate: stats('instantiate_ms'), profile_restore: stats('profile_restore_ms'),
      model_decode: stats('model_decode_ms'), first_decision: stats('first_decision_ms'), total: stats('total_ms'),
      floor: summary(floors.map((f) => f.floor_ms)),
      floor_storage: summary(floors.map((f) => f.floor_storage_ms)),
    };
    if (cached) {
      const d = (k) => summary(decides.map((c) => c[k]));
      results.chromium.cold_start_decide_cached = {
        runs: decides.length, all_ranked: decides.every((c) => c.ok), instantiate: d('instantiate_ms'),
        profile_restore: d('profile_restore_ms'), model_decode: d('model_decode_ms'), first_decision: d('first_decision_ms'), total: d('total_ms'),
      };
    }
    if (name === 'cold_start') results.chromium.decisions = await visit('decisions=1');
    await context.close();
    await server.close();
  }
  // What the shopper sees (bench/experience.mjs): the demo store, returning and first visit.
  const { pageExperience } = await import(join(ROOT, 'bench/experience.mjs'));
  results.chromium.page_experience = await pageExperience(browser, serve, ROOT);
  await browser.close();
} catch (e) {
  results.chromium = { error: String(e.message ?? e) };
}

await writeFile(join(ROOT, 'bench/results.json'), JSON.stringify(results, null, 1) + '\n');
console.log(JSON.stringify(results, null, 1));

// ---------------------------------------------------------------- BENCHMARKS.md
const r = results;
const row = (name, node, chrome, target) => `| ${name} | ${node?.p50_us ?? '–'} / ${node?.p99_us ?? '–'} | ${chrome?.p50_us ?? '–'} / ${chrome?.p99_us ?? '–'} | ${target} |`;
const cs = r.chromium.cold_start;
const cc = r.chromium.cold_start_module_cached;
const cd = r.chromium.cold_start_decide_cached ?? {};
const cell = (o, k) => (o?.[k] ? `${o[k].p50_ms} / ${o[k].p99_ms}` : '');
const kb = (b) => (b / 1024).toFixed(1);
const md = `# Benchmarks

Written by \`./build.sh bench\` (\`bench/run.mjs\`) on ${r.machine.date}: ${r.machine.cpus} × ${r.machine.cpu}, ${r.machine.memory_gib} GiB,
Node ${r.machine.node}, ${r.versions.chromium}, ${r.versions.rustc}, wasm-bindgen ${r.versions.wasm_bindgen}, onnxruntime-web ${r.versions.onnxruntime_web}.
One run on a noisy shared machine: compare ratios within this run, not absolutes across runs.
Machine-readable: \`bench/results.json\`. Models and inputs: \`bench/make_models.py\` (seeded).
Where each call's time goes: \`bench/PROFILE.md\` (\`./build.sh profile\`). Whether a change made a call
faster: \`./build.sh compare REV\` times REV's build and this tree's in interleaved rounds of one run.

## Size

| file | raw | gzip -9 | brotli |
|---|---|---|---|
| \`pkg/checkout_personalizer_bg.wasm\` | ${kb(r.size.wasm.raw)} KB | ${kb(r.size.wasm.gzip9)} KB | ${kb(r.size.wasm.brotli)} KB |
| \`pkg/checkout_personalizer.js\` | ${kb(r.size.js.raw)} KB | ${kb(r.size.js.gzip9)} KB | ${kb(r.size.js.brotli)} KB |
| **total** | | **${kb(r.size.total_gzip9)} KB** | target ≤ 120 KB gzip |

Where the bytes go (twiggy, before wasm-opt, by crate or module):

| part | bytes |
|---|---|
${Object.entries(r.size.breakdown_before_wasm_opt ?? {}).slice(0, 16).map(([k, v]) => `| ${k} | ${v} |`).join('\n')}

## Cold start in Chromium (model in the local cache)

${cs ? `${cs.runs} page loads per column, every one ranked from the cached model: ${cs.all_ranked_from_cache && (cc?.all_ranked_from_cache ?? true)}.
Module \`no-store\`: fetched and compiled on every load. Module HTTP-cached: served
\`${cc?.cache_control}\`, as a returning shopper meets it.

| phase | module no-store p50 / p99 ms | module HTTP-cached p50 / p99 ms | decision-only build, HTTP-cached p50 / p99 ms |
|---|---|---|---|
| instantiate (fetch + compile + init) | ${cs.instantiate.p50_ms} / ${cs.instantiate.p99_ms} | ${cc?.instantiate.p50_ms} / ${cc?.instantiate.p99_ms} | ${cell(cd, 'instantiate')} |
| profile restore (journal from localStorage) | ${cs.profile_restore.p50_ms} / ${cs.profile_restore.p99_ms} | ${cc?.profile_restore.p50_ms} / ${cc?.profile_restore.p99_ms} | ${cell(cd, 'profile_restore')} |
| model decode (from the cache) | ${cs.model_decode.p50_ms} / ${cs.model_decode.p99_ms} | ${cc?.model_decode.p50_ms} / ${cc?.model_decode.p99_ms} | ${cell(cd, 'model_decode')} |
| first decision (12 methods) | ${cs.first_decision.p50_ms} / ${cs.first_decision.p99_ms} | ${cc?.first_decision.p50_ms} / ${cc?.first_decision.p99_ms} | ${cell(cd, 'first_decision')} |
| **script start → first ranked list** | **${cs.total.p50_ms}** / ${cs.total.p99_ms} | **${cc?.total.p50_ms}** / ${cc?.total.p99_ms} | **${cd.total?.p50_ms}** / ${cd.total?.p99_ms} |
| floor: the same two requests for tiny files (\`bench/floor.html\`) | ${cs.floor?.p50_ms} / ${cs.floor?.p99_ms} | ${cc?.floor?.p50_ms} / ${cc?.floor?.p99_ms} | (same) |
| floor, then reading every stored key once (the browser's first localStorage read) | ${cs.floor_storage?.p50_ms} / ${cs.floor_storage?.p99_ms} | ${cc?.floor_storage?.p50_ms} / ${cc?.floor_storage?.p99_ms} | (same) |

Target (issue 16): HTTP-cached, script start → first ranked list ≤ floor + 3 ms (median). The
decision-only build has no model delivery: its page fetches the bundle itself (HTTP-cached),
so its "model decode" row includes that fetch. The page starts the wasm download at once, in parallel with the JS glue's
(as \`www/boot.js\` does). The floor row is what this machine's browser takes for a fresh page to
import a tiny module and fetch a tiny file: time the module cannot remove, whatever its size.` : 'not measured: ' + JSON.stringify(r.chromium)}

## Page experience in Chromium (the demo store, \`bench/experience.mjs\`)

${pageExperienceTable(r.chromium?.page_experience)}

## Per decision (µs, p50 / p99 of per-call block means)

| call | Node | Chromium | target (p50) |
|---|---|---|---|
${row('track() incl. batched persistence', r.node.track, r.chromium.decisions?.track, '≤ 10')}
${row('rankPaymentMethods, 12 methods, 100 trees × depth 6, rules, reasons', r.node.rank_payment_12, r.chromium.decisions?.rank_payment_12, '≤ 25')}
${row('floor: `JSON.parse` of that result (its JS objects alone)', r.node.rank_payment_12_json_floor, r.chromium.decisions?.rank_payment_12_json_floor, '–')}
${row('rankCrossSells, 10k-item co-occurrence + rerank of 50', r.node.rank_cross_sells_10k, r.chromium.decisions?.rank_cross_sells_10k, '≤ 100')}
${row('model.predict, 100 trees × depth 6', r.node.predict_100_trees, r.chromium.decisions?.predict_100_trees, '–')}

The floor row is part of any 12-method call that returns its reasons as objects: 12 items of
3 reasons each, made from their JSON text by the engine's own parser. Where the rest of the
call goes: \`bench/PROFILE.md\`.

## Peers: the same XGBoost model and rows (Node)

All three agree with XGBoost's own predictions: max |Δp| ours (both forms) ${r.peers.agreement_max_abs_diff_vs_xgboost.ours.toExponential(2)}, JS walker ${r.peers.agreement_max_abs_diff_vs_xgboost.js_walker.toExponential(2)}, ONNX Runtime Web ${r.peers.agreement_max_abs_diff_vs_xgboost.onnxruntime_web?.toExponential(2)}.
Timed in 60 rounds of interleaved blocks (ours 200 calls in each of its two forms, walker 200, ORT 50,
in turn), so that the shared machine's drift hits all alike; the second ratio is the median of the
per-round ratios. Ours in two forms: \`model.predict(head, x)\` names the head on every call;
\`model.scorer(head)\` resolves it once and \`scorer.predict(x)\` reuses its feature buffer (the
form for a page that scores many rows; ORT's session is the same idea).

| scorer | p50 µs / prediction | p99 | ratio ORT / this: of the p50s; median per round (target ≥ 10) | ratio walker / this (target ≥ 1.5) |
|---|---|---|---|---|
| ours, \`scorer.predict(x)\` | ${r.node.predict_100_trees_scorer?.p50_us} | ${r.node.predict_100_trees_scorer?.p99_us} | **${r.peers.scorer_speedup_vs_onnxruntime_web}; ${r.peers.scorer_speedup_per_round_median?.onnxruntime_web}** | **${r.peers.scorer_speedup_vs_js_walker}; ${r.peers.scorer_speedup_per_round_median?.js_walker}** |
| ours, \`model.predict(head, x)\` | ${r.node.predict_100_trees.p50_us} | ${r.node.predict_100_trees.p99_us} | ${r.peers.speedup_vs_onnxruntime_web}; ${r.peers.speedup_per_round_median?.onnxruntime_web} | ${r.peers.speedup_vs_js_walker}; ${r.peers.speedup_per_round_median?.js_walker} |
| ONNX Runtime Web ${r.versions.onnxruntime_web} (wasm, 1 thread, after 5,000 warm-up calls) | ${r.peers.onnxruntime_web_predict_100_trees?.p50_us} | ${r.peers.onnxruntime_web_predict_100_trees?.p99_us} | | |
| hand-written JS flat-array walker | ${r.peers.js_walker_predict_100_trees.p50_us} | ${r.peers.js_walker_predict_100_trees.p99_us} | | |

Bundle: ours ${kb(r.size.total_gzip9)} KB gzip with every feature in; ONNX Runtime Web's wasm alone is ${kb(r.peers.ort_package_bytes ?? 0)} KB raw (${Math.round((r.peers.ort_package_bytes ?? 0) / r.size.wasm.raw)}× our wasm).

## Builds: size and per-decision speed (Node, 30 interleaved rounds)

Targets (issue 20): full build ≤ 120 KB gzip wasm + glue; decision-only ≤ 80 KB. The shipped
builds are the first two rows; the others are levers, measured and not shipped.

${r.builds?.error ? 'not measured: ' + r.builds.error : `| build | wasm raw | wasm gzip -9 | wasm brotli | glue gzip -9 | **total gzip -9** | track() | 12 methods | cross-sell 10k | predict 100 trees |
|---|---|---|---|---|---|---|---|---|---|
${Object.values(r.builds).map((o) => `| ${o.label} | ${kb(o.wasm.raw)} KB | ${kb(o.wasm.gzip9)} KB | ${kb(o.wasm.brotli)} KB | ${kb(o.js.gzip9)} KB | **${kb(o.total_gzip9)} KB** | ${o.track.p50_us} µs | ${o.rank_payment_12.p50_us} µs | ${o.rank_cross_sells_10k.p50_us} µs | ${o.predict_100_trees ? o.predict_100_trees.p50_us + ' µs' : '— (no Model)'} |`).join('\n')}

The shipped builds keep opt-level "z": the bytes are paid by every first visit (download and
compile, on the cold start's critical path), the microseconds are not felt at checkout.`}

Where the decision-only build's bytes go (twiggy, before wasm-opt):

| part | bytes |
|---|---|
${Object.entries(r.size.decide_breakdown_before_wasm_opt ?? {}).slice(0, 16).map(([k, v]) => `| ${k} | ${v} |`).join('\n')}

## Scale (Node)

| model | bundle | decode ms | latency p50 µs | wasm memory growth |
|---|---|---|---|---|
${[10, 100, 1000].map((n) => `| ${n} trees | ${kb(r.scale[`trees_${n}`].bundle_bytes)} KB | ${r.scale[`trees_${n}`].decode_ms} | predict ${r.scale[`trees_${n}`].predict_p50_us} | |`).join('\n')}
${[1000, 10000, 100000].map((n) => `| ${n} items | ${kb(r.scale[`items_${n}`].bundle_bytes)} KB | ${r.scale[`items_${n}`].decode_ms} | cross-sell ${r.scale[`items_${n}`].cross_sell_p50_us} | ${kb(r.scale[`items_${n}`].wasm_memory_growth_bytes)} KB |`).join('\n')}

![scale](bench/scale.png)
`;
await writeFile(join(ROOT, 'BENCHMARKS.md'), md);

/** The page-experience section: medians (max) over the visits of each scenario. */
function pageExperienceTable(pe) {
  if (!pe?.returning) return 'not measured';
  const row = (label, k, unit = '') => {
    const cell = (s) => (s ? `${s[k].median}${unit} (max ${s[k].max}${unit})` : '–');
    return `| ${label} | ${cell(pe.returning)} | ${cell(pe.first_visit_throttled)} |`;
  };
  return [
    `Returning visit: consent given, history and model in localStorage, the module HTTP-cached (${pe.returning.visits} visits).`,
    `First visit: nothing stored, the network throttled through CDP to 1.6 Mbps down and 150 ms RTT (${pe.first_visit_throttled?.visits ?? 0} visits).`,
    '',
    '| median (max) | returning visit | first visit, throttled |',
    '|---|---|---|',
    row('first contentful paint', 'fcp_ms', ' ms'),
    row('payment list final', 'payment_final_ms', ' ms'),
    row('shipping list final', 'shipping_final_ms', ' ms'),
    row('cross-sell slot final', 'crossSell_final_ms', ' ms'),
    row('visible reorders after first paint', 'visible_reorders'),
    row('layout shift (CLS), whole page', 'cls'),
    row('layout shift (CLS) attributed to the module', 'cls_module'),
    `| page order kept past the deadline (\`late\`) | ${pe.returning.late} of ${pe.returning.visits} | ${pe.first_visit_throttled?.late ?? '–'} of ${pe.first_visit_throttled?.visits ?? '–'} |`,
    '',
    'Targets: 0 visible reorders and module CLS 0 in both scenarios. A first visit that misses the',
    'deadline keeps the page order for that page view (counted as late), by design.',
  ].join('\n');
}

// ./build.sh profile: where a decision's time goes, inside the module and at its boundary.
// V8's sampling profiler (node:inspector, one sample every 50 µs) records each scenario of
// bench/run.mjs for a few seconds, after its set-up and warm-up, against the release module with its function names kept
// (the same wasm as pkg/, before wasm-opt, so inlining matches the shipped build closely
// but not exactly). Writes bench/PROFILE.md: per scenario, the share of samples under each
// frame (inclusive) and in it (self). Shares, not times: the machine is shared and noisy.
//
// Usage: node bench/profile.mjs (after ./build.sh build and bench/make_models.py).
import { readFile, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Session } from 'node:inspector/promises';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const OUT = join(ROOT, 'bench/out');
const NAMED = join(OUT, 'named');
const SECONDS = Number(process.env.PROFILE_SECONDS ?? 4);
const METHODS = ['card', 'paypal', 'apple_pay', 'google_pay', 'klarna', 'ideal', 'sepa', 'sofort', 'alipay', 'wechat_pay', 'bank_transfer', 'gift_card']
  .map((id) => ({ id, type: id === 'klarna' ? 'bnpl' : ['ideal', 'sepa', 'sofort', 'bank_transfer'].includes(id) ? 'bank' : 'wallet' }));
const SCENARIOS = {
  rank_payment_12: 'rankPaymentMethods, 12 methods, 100 trees × depth 6, rules, reasons',
  rank_cross_sells_10k: 'rankCrossSells, 10k-item co-occurrence + rerank of 50',
  track: 'track() incl. batched persistence',
  predict_100_trees: 'model.predict, 100 trees × depth 6',
};

// The same shopper and calls as bench/run.mjs.
function shopper(p, n = 40) {
  for (let i = 0; i < n; i++) p.track({ type: i % 5 ? 'view_item' : 'add_to_cart', ts: 1795000000000 + i * 1000, items: [{ item_id: `sku${String(i % 50).padStart(6, '0')}`, item_category: `c${i % 7}`, price: 3 }] });
  p.track({ type: 'purchase', ts: 1795000050000, value: 30, payment_type: 'paypal' });
}

/** Sets up scenario `name` and returns its call (`call(i)`, as timed by bench/run.mjs). */
async function scenario(m, name) {
  const bytes = async (f) => new Uint8Array(await readFile(join(OUT, f)));
  let call;
  if (name === 'track') {
    let t = 1795000000000, k = 0;
    const p = new m.Personalizer({ consent: 'granted', storage: 'memory', now: () => t, flushDelayMs: 60000 });
    call = (i) => { p.track({ type: 'view_item', items: [{ item_id: `sku${i % 500}`, item_category: `c${i % 9}`, price: 2.5 }] }); if (++k % 50 === 0) p.flush(); t += 10; };
  } else if (name === 'rank_payment_12') {
    const q = new m.Personalizer({ consent: 'granted', storage: 'memory', now: () => 1795000100000, context: { country: 'DE', os: 'android' } });
    shopper(q);
    q.loadModel(await bytes('payment.cpm'));
    call = () => q.rankPaymentMethods(METHODS);
  } else if (name === 'rank_cross_sells_10k') {
    const c = new m.Personalizer({ consent: 'granted', storage: 'memory', now: () => 1795000100000 });
    shopper(c);
    c.loadModel(await bytes('cross_10000.cpm'));
    call = () => c.rankCrossSells({ limit: 5 });
  } else if (name === 'predict_100_trees') {
    const rows = JSON.parse(await readFile(join(OUT, 'payment_rows.json'), 'utf8'));
    const X = rows.rows.map((r) => Float64Array.from(r, (v) => (v === null ? NaN : v)));
    const model = m.Model.fromBytes(await bytes('trees_100.cpm'));
    call = (i) => model.predict('model', X[i % X.length]);
  } else {
    throw new Error(`unknown scenario ${name}`);
  }
  return call;
}

/** Warms `call` up, then returns V8's CPU profile of it running for SECONDS. */
async function profileOf(session, call) {
  let i = 0;
  for (const end = performance.now() + 500; performance.now() < end;) for (let j = 0; j < 50; j++) call(i++);
  await session.post('Profiler.setSamplingInterval', { interval: 50 });
  await session.post('Profiler.start');
  for (const end = performance.now() + SECONDS * 1000; performance.now() < end;) for (let j = 0; j < 50; j++) call(i++);
  const { profile } = await session.post('Profiler.stop');
  return { profile, calls: i };
}

// Rust symbol -> readable: no `::h<hash>` suffix, no `[crate hash]`.
const clean = (s) => (s || '(anonymous)').replace(/::h[0-9a-f]{16}$/, '').replace(/\[[0-9a-f]{16}\]/g, '');

function summarise(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const counts = new Map();
  for (const s of profile.samples) counts.set(s, (counts.get(s) ?? 0) + 1);
  const idle = new Set(['(idle)', '(program)', '(root)', '(garbage collector)']);
  const incl = new Map(), self = new Map();
  let total = 0;
  for (const [id, c] of counts) {
    const name = clean(byId.get(id).callFrame.functionName);
    if (idle.has(name) && name !== '(garbage collector)') continue;
    total += c;
    self.set(name, (self.get(name) ?? 0) + c);
    const seen = new Set();
    for (let j = id; j !== undefined; j = parent.get(j)) {
      const k = clean(byId.get(j).callFrame.functionName);
      if (!seen.has(k)) { seen.add(k); incl.set(k, (incl.get(k) ?? 0) + c); }
    }
  }
  const top = (m, n, max = 1) => [...m].filter(([k, v]) => !idle.has(k) && v / total < max).sort((a, b) => b[1] - a[1]).slice(0, n)
    .map(([k, v]) => ({ frame: k, share: Math.round((1000 * v) / total) / 10 }));
  // Inclusive: below the wrappers every call goes through (those hold ~all samples).
  return { samples: total, inclusive: top(incl, 30, 0.9), self: top(self, 15) };
}

const CLI = join(ROOT, 'target/release/personalizer');
for (const spec of ['payment', 'cross_10000', 'trees_100']) {
  execFileSync(CLI, ['build', join(ROOT, `bench/specs/${spec}.toml`), '-o', join(OUT, `${spec}.cpm`)], { stdio: 'ignore', env: { ...process.env, SOURCE_DATE_EPOCH: '1795000000' } });
}
execFileSync('wasm-bindgen', ['--keep-debug', '--target', 'web', '--out-dir', NAMED, join(ROOT, 'target/wasm32-unknown-unknown/release/checkout_personalizer.wasm')]);
const m = await import(join(NAMED, 'checkout_personalizer.js'));
await m.default({ module_or_path: await readFile(join(NAMED, 'checkout_personalizer_bg.wasm')) });
const session = new Session();
session.connect();
await session.post('Profiler.enable');
const results = {};
for (const name of Object.keys(SCENARIOS)) {
  const { profile, calls } = await profileOf(session, await scenario(m, name));
  results[name] = { calls, ...summarise(profile) };
  console.error(`profiled ${name}: ${calls} calls, ${results[name].samples} samples`);
}
session.disconnect();
const table = (rows) => ['| share | frame |', '|---|---|', ...rows.map((r) => `| ${r.share} % | \`${r.frame.replace(/\|/g, '\\|').slice(0, 160)}\` |`)].join('\n');
const md = `# Where the time goes (V8 sampling profile, Node)

Written by \`./build.sh profile\` (\`bench/profile.mjs\`) on ${new Date().toISOString()}, Node ${process.version}.
Each scenario is one of \`./build.sh bench\`'s per-decision calls: set up, warmed up for 0.5 s,
then repeated for ${SECONDS} s under V8's sampling profiler (\`node:inspector\`, one sample every
50 µs), against the release module with its function names
kept (\`bench/out/named/\`: the wasm of \`pkg/\` before wasm-opt). Shares of the samples taken while
the scenario ran (idle excluded); *inclusive* counts a frame and everything it called (frames that
hold over 90 %, the wrappers every call passes through, are left out), *self* only the frame.
JS frames (\`decodeTape\`, \`encodeTape\`, \`value\`, …) are the boundary glue in \`src/web/tape.js\`.

${Object.entries(SCENARIOS).map(([name, title]) => `## ${title}

${results[name].calls} calls, ${results[name].samples} samples.

Inclusive:

${table(results[name].inclusive)}

Self:

${table(results[name].self)}
`).join('\n')}`;
await writeFile(join(ROOT, 'bench/PROFILE.md'), md);
await writeFile(join(OUT, 'profile.json'), JSON.stringify(results, null, 2));
console.log('wrote bench/PROFILE.md');

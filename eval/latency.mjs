// Per-row latency of our scorer in wasm (Node): node eval/latency.mjs BUNDLE.cpm ROWS.csv
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const mod = await import(join(ROOT, 'pkg/checkout_personalizer.js'));
await mod.default({ module_or_path: await readFile(join(ROOT, 'pkg/checkout_personalizer_bg.wasm')) });
const m = mod.Model.fromBytes(new Uint8Array(await readFile(process.argv[2])));
const rows = (await readFile(process.argv[3], 'utf8')).trim().split('\n').slice(1)
  .map((l) => Float64Array.from(l.split(','), (c) => (c === '' ? NaN : Number(c))));
const head = m.info().heads[0].name;
for (let i = 0; i < 2000; i++) m.predict(head, rows[i % rows.length]);
const t = [];
for (let b = 0; b < 50; b++) {
  const t0 = performance.now();
  for (let i = 0; i < 100; i++) m.predict(head, rows[(b * 100 + i) % rows.length]);
  t.push(((performance.now() - t0) / 100) * 1000);
}
t.sort((a, b) => a - b);
console.log(JSON.stringify({ p50_us: t[25], p99_us: t[49] }));

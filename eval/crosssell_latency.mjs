// rankCrossSells latency in wasm (Node) for one bundle and a set of carts:
//   node eval/crosssell_latency.mjs BUNDLE.cpm CARTS.csv   (one cart per line, ids comma-separated)
// Prints {"p50_us", "p99_us"} over 50 blocks of 100 calls, after a warm-up.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { blocks } from './timing.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const mod = await import(join(ROOT, 'pkg/checkout_personalizer.js'));
await mod.default({ module_or_path: await readFile(join(ROOT, 'pkg/checkout_personalizer_bg.wasm')) });
const p = new mod.Personalizer({ consent: 'granted', storage: 'memory', now: () => 1795000100000 });
p.loadModel(new Uint8Array(await readFile(process.argv[2])));
const carts = (await readFile(process.argv[3], 'utf8')).trim().split('\n').map((l) => l.split(','));
const call = (i) => p.rankCrossSells({ items: carts[i % carts.length], limit: 5 });
if (call(0).items.length === 0) throw new Error('no cross-sells: wrong bundle or carts');
console.log(JSON.stringify(blocks(call)));

// rankPaymentMethods latency in wasm (Node) for one bundle and a set of checkouts:
//   node eval/payments_latency.mjs BUNDLE.cpm CHECKOUTS.jsonl
// Each line: {"country", "os", "browser", "value", "currency", "history": [method…], "methods": [{id, type}…]}.
// A returning shopper's history is tracked as purchases first (one Personalizer per line, so
// every call sees its own shopper). Prints {"p50_us", "p99_us"} over 50 blocks of 100 calls.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { blocks } from './timing.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const mod = await import(join(ROOT, 'pkg/checkout_personalizer.js'));
await mod.default({ module_or_path: await readFile(join(ROOT, 'pkg/checkout_personalizer_bg.wasm')) });
const bundle = new Uint8Array(await readFile(process.argv[2]));
const lines = (await readFile(process.argv[3], 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
const NOW = 1795000100000;
const shoppers = lines.slice(0, 50).map((q, i) => {
  const p = new mod.Personalizer({ consent: 'granted', storage: 'memory', now: () => NOW,
    context: { country: q.country, os: q.os, browser: q.browser } });
  p.loadModel(bundle);
  q.history.forEach((m, k) => p.track({ type: 'purchase', ts: NOW - (k + 1) * 86400000, transaction_id: `t${i}-${k}`,
    value: 40, currency: q.currency, payment_type: m }));
  p.track({ type: 'begin_checkout', value: q.value, currency: q.currency,
    items: [{ item_id: 'basket', price: q.value, quantity: 1 }] });
  return { p, methods: q.methods };
});
const call = (i) => { const s = shoppers[i % shoppers.length]; return s.p.rankPaymentMethods(s.methods); };
if (call(0).fallback) throw new Error(`fallback ${call(0).fallback}: wrong bundle`);
console.log(JSON.stringify(blocks(call)));

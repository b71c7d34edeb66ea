// The latency scripts' one timing loop: warm up with 2,000 calls, then 50 blocks of 100;
// returns {p50_us, p99_us} of the per-call block means.
import { performance } from 'node:perf_hooks';

export function blocks(call) {
  for (let i = 0; i < 2000; i++) call(i);
  const t = [];
  for (let b = 0; b < 50; b++) {
    const t0 = performance.now();
    for (let i = 0; i < 100; i++) call(b * 100 + i);
    t.push(((performance.now() - t0) / 100) * 1000);
  }
  t.sort((a, b) => a - b);
  return { p50_us: t[25], p99_us: t[49] };
}

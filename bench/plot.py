#!/usr/bin/env python3
"""bench/results.json -> bench/scale.png: decode time and latency against model size."""
import json
import os

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

HERE = os.path.dirname(os.path.abspath(__file__))
r = json.load(open(os.path.join(HERE, "results.json")))["scale"]
fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4))
trees = [10, 100, 1000]
a.loglog(trees, [r[f"trees_{n}"]["decode_ms"] for n in trees], "o-", label="decode (ms)")
a.loglog(trees, [r[f"trees_{n}"]["predict_p50_us"] / 1000 for n in trees], "s-", label="predict p50 (ms)")
a.set_xlabel("trees (depth 6)"); a.set_title("Trees"); a.legend(); a.grid(True, which="both", alpha=.3)
items = [1000, 10000, 100000]
b.loglog(items, [r[f"items_{n}"]["decode_ms"] for n in items], "o-", label="decode (ms)")
b.loglog(items, [r[f"items_{n}"]["cross_sell_p50_us"] / 1000 for n in items], "s-", label="cross-sell p50 (ms)")
b.set_xlabel("catalogue items"); b.set_title("Co-occurrence catalogue"); b.legend(); b.grid(True, which="both", alpha=.3)
fig.suptitle("checkout-personalizer scale (Node, one run; see BENCHMARKS.md)")
fig.tight_layout()
fig.savefig(os.path.join(HERE, "scale.png"), dpi=90)

#!/usr/bin/env python3
"""EASE cost and scale: `personalizer cooccur --model ease` on seeded synthetic baskets over
N = 1k, 5k, 10k and 20k items (every item bought; topics of co-bought items, Zipf-like
popularity), with a fixed λ (the search of `--lambda auto` runs on at most 4,000 items, see
cli/src/ease.rs). Per N: wall time and peak memory of the CLI (GNU time), bundle size raw and
gzip, and `rankCrossSells` p50/p99 in wasm (eval/crosssell_latency.mjs, carts of 2-6 items).
Writes eval/out/ease_scale.json and eval/ease_scale.png."""
import gzip
import json
import os
import random
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLI = os.path.join(ROOT, "target", "release", "personalizer")
OUT = os.path.join(ROOT, "eval", "out")
SEED = 20261201
SIZES = tuple(int(x) for x in os.environ.get("EASE_SIZES", "1000,5000,10000,20000").split(","))


def baskets(n, rng):
    topics = [rng.sample(range(n), 30) for _ in range(max(1, n // 20))]
    out = []
    for _ in range(3 * n):
        t = rng.choice(topics)
        b = {t[min(29, int(rng.paretovariate(1.2)) - 1)] for _ in range(rng.randint(1, 5))}
        b |= {min(n - 1, int(rng.paretovariate(0.8))) for _ in range(rng.randint(0, 2))}
        out.append(sorted(f"p{i:05d}" for i in b))
    for i in range(n):  # every item bought at least once
        out.append([f"p{i:05d}", f"p{(i * 7 + 1) % n:05d}"])
    return out


def main():
    rng = random.Random(SEED)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in SIZES:
            bs = baskets(n, rng)
            path, cpm, carts = (os.path.join(tmp, f) for f in ("b.csv", "m.cpm", "carts.csv"))
            open(path, "w").write("\n".join(",".join(b) for b in bs) + "\n")
            open(carts, "w").write("\n".join(",".join(rng.sample(b, len(b))) for b in bs[:500] if len(b) >= 2) + "\n")
            t = subprocess.run(["/usr/bin/time", "-f", "%e %M", CLI, "cooccur", path, "-o", cpm, "--model", "ease",
                                "--lambda", "10", "--max-items", str(n), "--top-k", "30"],
                               check=True, capture_output=True, text=True)
            secs, kb = t.stderr.strip().splitlines()[-1].split()
            raw = open(cpm, "rb").read()
            lat = json.loads(subprocess.run(["node", os.path.join(ROOT, "eval", "crosssell_latency.mjs"), cpm, carts],
                                            check=True, capture_output=True, text=True).stdout)
            rows.append({"items": n, "baskets": len(bs), "train_s": float(secs), "peak_mb": int(kb) / 1024,
                         "bundle_bytes": len(raw), "bundle_gzip_bytes": len(gzip.compress(raw, 9)),
                         "rank_cross_sells_us": lat})
            print(json.dumps(rows[-1]), flush=True)
    os.makedirs(OUT, exist_ok=True)
    json.dump({"seed": SEED, "lambda": 10, "top_k": 30, "rows": rows}, open(os.path.join(OUT, "ease_scale.json"), "w"), indent=1)
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(1, 2, figsize=(9, 3.2))
    xs = [r["items"] for r in rows]
    ax[0].plot(xs, [r["train_s"] for r in rows], "o-")
    ax[0].set(xlabel="items (N)", ylabel="training, s", title="personalizer cooccur --model ease")
    ax[1].plot(xs, [r["peak_mb"] / 1024 for r in rows], "o-")
    ax[1].set(xlabel="items (N)", ylabel="peak memory, GB")
    fig.tight_layout()
    fig.savefig(os.path.join(ROOT, "eval", "ease_scale.png"), dpi=90)


if __name__ == "__main__":
    sys.exit(main())

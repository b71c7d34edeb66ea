#!/usr/bin/env python3
"""The payment head at catalogue scale: 30 methods across 10 countries (SIMULATED).

Each country offers 12 of 30 methods (4 everywhere, 8 of its own or shared with a
neighbour), with a type each; shoppers are drawn as in eval/payments.py (a personal mix
around the country's, habit, basket values per currency with BNPL rising with the basket),
every order with the module's list record. `personalizer train` on 30,000 shoppers; then the
bundle's size and `rankPaymentMethods` p50/p99 for 12 methods in wasm (Node,
eval/payments_latency.mjs). Writes eval/out/payments_scale.json.
"""
import json
import math
import os
import random
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLI = os.path.join(ROOT, "target", "release", "personalizer")
SEED = 20261202
NOW_MS = 1795000000000
DAY_MS = 86_400_000
COUNTRIES = ["DE", "NL", "PL", "BE", "US", "GB", "FR", "SE", "IT", "ES"]
CURRENCY = {"PL": "PLN", "US": "USD", "GB": "GBP", "SE": "SEK"}
RATE = {"EUR": 1.0, "PLN": 4.3, "USD": 1.1, "GBP": 0.85, "SEK": 11.5}
TYPES = ["card", "wallet", "bnpl", "a2a", "cash"]
METHODS = [f"m{i:02d}" for i in range(30)]
TYPE = {m: TYPES[i % len(TYPES)] for i, m in enumerate(METHODS)}
OSES = {"ios": ["safari", "chrome"], "android": ["chrome", "samsung"], "windows": ["chrome", "edge", "firefox"],
        "macos": ["safari", "chrome"]}


def main():
    rng = random.Random(SEED)
    offered = {c: METHODS[:4] + rng.sample(METHODS[4:], 8) for c in COUNTRIES}
    market = {c: {m: rng.gammavariate(1.0, 1.0) for m in offered[c]} for c in COUNTRIES}
    lines, queries = [], []
    for u in range(30000):
        c = rng.choice(COUNTRIES)
        os_ = rng.choice(list(OSES))
        browser = rng.choice(OSES[os_])
        cur = CURRENCY.get(c, "EUR")
        g = {m: rng.gammavariate(3 * w / sum(market[c].values()), 1.0) for m, w in market[c].items()}
        habit, last, history = rng.betavariate(2, 2.5), None, []
        n = 0 if rng.random() < 0.42 else 1 + min(10, int(rng.expovariate(0.4)))
        ctx = {"country": c, "os": os_, "device": "mobile" if os_ in ("ios", "android") else "desktop",
               "browser": browser}
        for k in range(n + 1):
            ts = NOW_MS - (n - k) * 20 * DAY_MS
            value = 60 * math.exp(rng.gauss(0, 0.9))
            if last and rng.random() < habit:
                m = last
            else:
                m = max(offered[c], key=lambda m: math.log(g[m] + 1e-9) + (0.8 * math.log(value / 60) if TYPE[m] == "bnpl" else 0)
                        - math.log(-math.log(rng.random() or 1e-12)))
            if k == n:
                queries.append({**ctx, "value": round(value * RATE[cur], 2), "currency": cur, "history": history,
                                "methods": [{"id": x, "type": TYPE[x]} for x in offered[c]]})
                break
            lines.append({"user": f"u{u}", "type": "exposure", "ts": ts - 60000, **ctx,
                          "exposure": {"experiment": "payment_methods", "arm": "", "variation": 0,
                                       "shown": offered[c], "types": [TYPE[x] for x in offered[c]]}})
            lines.append({"user": f"u{u}", "type": "purchase", "ts": ts, "transaction_id": f"u{u}-{k}", **ctx,
                          "currency": cur, "value": round(value * RATE[cur], 2), "payment_type": m})
            history.append(m)
            last = m
    with tempfile.TemporaryDirectory() as tmp:
        tmp = os.environ.get("KEEP_DIR", tmp)
        ev, cpm, q = (os.path.join(tmp, n) for n in ("events.jsonl", "pay.cpm", "checkouts.jsonl"))
        open(ev, "w").write("".join(json.dumps(x) + "\n" for x in lines))
        open(q, "w").write("".join(json.dumps(x) + "\n" for x in queries))
        log = subprocess.run([CLI, "train", ev, "-o", cpm], check=True, capture_output=True, text=True).stderr
        inspect = subprocess.run([CLI, "inspect", cpm], check=True, capture_output=True, text=True).stdout
        features = next(int(l.split()[1]) for l in inspect.splitlines() if l.startswith("features"))
        lat = json.loads(subprocess.run(["node", os.path.join(ROOT, "eval", "payments_latency.mjs"), cpm, q],
                                        check=True, capture_output=True, text=True).stdout)
        out = {"methods": len(METHODS), "countries": len(COUNTRIES), "methods_per_checkout": 12,
               "purchases": sum(1 for x in lines if x["type"] == "purchase"), "bundle_bytes": os.path.getsize(cpm),
               "features": features, "train_log": log.strip(), **lat}
    os.makedirs(os.path.join(ROOT, "eval", "out"), exist_ok=True)
    json.dump(out, open(os.path.join(ROOT, "eval", "out", "payments_scale.json"), "w"), indent=1)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    sys.exit(main())

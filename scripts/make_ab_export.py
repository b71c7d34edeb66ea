"""Seeded synthetic exports for `personalizer ab-report` (tests/fixtures/ab/).

What `exportEvents` sends for a 50/50 checkout experiment: 10,000 shoppers, conversion
3.0 % (control) against 3.6 % (treatment), order values log-normal around 70, some orders
without `value` (only items), some purchases before the exposure (which must not count),
0.5 % of shoppers exposed to both arms. Lines carry the real envelope (`batch`, `user`,
`record`) and event fields.

Variants: `export` (clean), `zero_treatment` and `zero_control` (small experiments in
which one arm has no conversions). The resent variant is made from `export` where it is
used (`resent()` here, the same rule in cli/tests/abreport.rs): every tenth batch sent
again at the end, as a retry after a lost acknowledgement does.

    python3 scripts/make_ab_export.py   # writes tests/fixtures/ab/*.jsonl.gz
"""
import gzip
import hashlib
import json
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "ab"
T0 = 1_795_000_000_000


def shoppers(rng, n, rates, experiment, prefix):
    """One shopper's lines (a batch each): exposure(s) and purchases."""
    out = []
    for i in range(n):
        user = f"{prefix}{i:05d}"
        variation = int(rng.random() < 0.5)
        arm = ["control", "treatment"][variation]
        ts = T0 + i * 1000
        events = [{"type": "exposure", "ts": ts,
                   "exposure": {"experiment": experiment, "arm": arm, "variation": variation}}]
        if rng.random() < 0.005:
            other = 1 - variation
            events.append({"type": "exposure", "ts": ts + 5_000,
                           "exposure": {"experiment": experiment,
                                        "arm": ["control", "treatment"][other],
                                        "variation": other}})
        if rng.random() < 0.02:  # bought before the experiment: never a conversion
            events.append(purchase(rng, ts - 3_600_000))
        if rng.random() < rates[variation]:
            events.append(purchase(rng, ts + 60_000))
            if rng.random() < 0.1:
                events.append(purchase(rng, ts + 86_400_000))
        batch = hashlib.sha256(user.encode()).hexdigest()[:24]
        tab = int(hashlib.sha256(b"tab" + user.encode()).hexdigest()[:8], 16)
        lines = [json.dumps({"batch": batch, "user": user, "record": str((tab << 32) | k), **e},
                            separators=(",", ":"))
                 for k, e in enumerate(events)]
        out.append(lines)
    return out


def purchase(rng, ts):
    value = round(float(rng.lognormal(np.log(70), 0.5)), 2)
    e = {"type": "purchase", "ts": ts, "currency": "EUR"}
    if rng.random() < 0.05:
        # No `value`: worth its items (two of them, the second bought twice).
        a = round(value / 3, 2)
        e["items"] = [{"item_id": "a", "price": a, "quantity": 1},
                      {"item_id": "b", "price": round((value - a) / 2, 2), "quantity": 2}]
    else:
        e["value"] = value
    return e


def resent(text):
    """`text` with every tenth batch (in order of first appearance, k % 10 == 3) appended again."""
    lines = text.splitlines()
    order, by_batch = [], {}
    for line in lines:
        b = json.loads(line)["batch"]
        if b not in by_batch:
            order.append(b)
            by_batch[b] = []
        by_batch[b].append(line)
    again = [line for k, b in enumerate(order) if k % 10 == 3 for line in by_batch[b]]
    return "\n".join(lines + again) + "\n"


def write(name, batches):
    text = "".join(line + "\n" for batch in batches for line in batch)
    with gzip.GzipFile(OUT / f"{name}.jsonl.gz", "wb", mtime=0) as f:
        f.write(text.encode())


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(20261201)
    clean = shoppers(rng, 10_000, (0.030, 0.036), "checkout-order", "u")
    write("export", clean)
    write("zero_treatment", shoppers(rng, 600, (0.05, 0.0), "zero-arm", "z"))
    write("zero_control", shoppers(rng, 600, (0.0, 0.05), "zero-arm", "y"))


if __name__ == "__main__":
    main()

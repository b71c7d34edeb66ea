#!/usr/bin/env python3
"""How many learned weights the module needs: `personalizer cooccur --model ease` on the
Instacart sample A, fitted on the training part of eval/crosssell.py's split minus its
validation baskets, scored on the validation baskets only (every item of a basket hidden in
turn, so about ten times the queries of one hidden item), for an average of K weights per
item, with dense EASE at the same λ as the reference. Per K: validation HR@5, its ratio to
dense EASE, and the bundle size (raw and gzip). Never touches the test split.
Writes eval/out/ease_frontier.json."""
import gzip
import json
import math
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import crosssell as cs  # noqa: E402

LAMBDA = 10.0
KS = tuple(int(k) for k in os.environ.get("EASE_KS", "10,20,30,50,80").split(","))


def main():
    if not os.path.exists(cs.INSTACART):
        return 0
    fit, qv = cs.instacart_validation()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        bpath, cpm, carts = (os.path.join(tmp, f) for f in ("fit.csv", "m.cpm", "carts.csv"))
        open(bpath, "w").write("\n".join(",".join(b) for b in fit) + "\n")
        open(carts, "w").write("\n".join(",".join(c) for c, _ in qv) + "\n")
        for k in KS:
            subprocess.run([cs.CLI, "cooccur", bpath, "-o", cpm, "--model", "ease", "--lambda", str(LAMBDA),
                            "--top-k", str(k)], check=True, capture_output=True)
            out = subprocess.run([cs.CLI, "recommend", cpm, "--carts", carts, "--limit", "10"], check=True,
                                 capture_output=True, text=True).stdout.split("\n")[: len(qv)]
            hr = cs.metrics([l.split(",") if l else [] for l in out], qv)["HR@5"]
            raw = open(cpm, "rb").read()
            rows.append({"top_k": k, "HR@5": hr, "bundle_bytes": len(raw), "bundle_gzip_bytes": len(gzip.compress(raw, 9))})
            print(json.dumps(rows[-1]), flush=True)
    dense = cs.dense_ease(fit, LAMBDA)
    d = cs.metrics([dense(c) for c, _ in qv], qv)["HR@5"]
    for r in rows:
        r["ratio_vs_dense"] = r["HR@5"] / d
    se = math.sqrt(d * (1 - d) / len(qv))
    os.makedirs(cs.OUT, exist_ok=True)
    json.dump({"lambda": LAMBDA, "queries": len(qv), "dense_HR@5": d, "dense_se": se, "items_in_fit": len({x for b in fit for x in b}),
               "rows": rows}, open(os.path.join(cs.OUT, "ease_frontier.json"), "w"), indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())

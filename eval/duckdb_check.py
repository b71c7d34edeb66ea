#!/usr/bin/env python3
"""The warehouse path gives the same model as the in-memory path.

Exported events (JSON Lines, as `exportEvents` sends them) are made from the real Groceries
baskets; then (1) `personalizer train` builds the co-occurrence head in memory, and (2) the
SQL in sql/ runs on DuckDB to pre-aggregate pair and item counts, which
`personalizer cooccur --pairs --items` turns into a head. Both must recommend the same items
for every cart. Writes eval/out/duckdb.json.
"""
import json
import os
import random
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLI = os.path.join(ROOT, "target", "release", "personalizer")
DATA = os.path.join(ROOT, "..", "shared", "data", "groceries_baskets.csv")


def sql(name, con, events):
    text = open(os.path.join(ROOT, "sql", name)).read().replace(":events", "'" + events + "'")
    return con.execute(text).fetchall()


def main():
    import duckdb
    rng = random.Random(20261122)
    with tempfile.TemporaryDirectory() as tmp:
        events = os.path.join(tmp, "events.jsonl")
        baskets = [sorted({x.strip() for x in l.split(",") if x.strip()}) for l in open(DATA)]
        with open(events, "w") as f:
            for n, b in enumerate(baskets):
                user = f"u{rng.randrange(2000)}"
                f.write(json.dumps({"batch": "b", "user": user, "record": str(n), "type": "purchase", "ts": 1795000000000 + n,
                                    "value": 10, "payment_type": rng.choice(["card", "paypal"]),
                                    "items": [{"item_id": i, "quantity": 1} for i in b]}) + "\n")
        mem = os.path.join(tmp, "mem.cpm")
        subprocess.run([CLI, "train", events, "-o", mem, "--min-support", "3", "--top-k", "20"], check=True, capture_output=True)
        con = duckdb.connect()
        with open(os.path.join(tmp, "items.csv"), "w") as f:
            f.write("item,n\n" + "".join(f"{i},{n}\n" for i, n in sql("cooccur_items.sql", con, events)))
        with open(os.path.join(tmp, "pairs.csv"), "w") as f:
            f.write("item_a,item_b,n\n" + "".join(f"{a},{b},{n}\n" for a, b, n in sql("cooccur_pairs.sql", con, events)))
        n_baskets = sql("cooccur_baskets.sql", con, events)[0][0]
        wh = os.path.join(tmp, "warehouse.cpm")
        subprocess.run([CLI, "cooccur", "--pairs", os.path.join(tmp, "pairs.csv"), "--items", os.path.join(tmp, "items.csv"),
                        "--basket-count", str(n_baskets), "-o", wh, "--min-support", "3", "--top-k", "20"], check=True, capture_output=True)
        carts = os.path.join(tmp, "carts.csv")
        with open(carts, "w") as f:
            f.write("\n".join(",".join(b[:-1]) for b in baskets[:2000] if len(b) > 1) + "\n")
        rec = lambda m: subprocess.run([CLI, "recommend", m, "--carts", carts, "--limit", "10"], check=True, capture_output=True, text=True).stdout
        a, b = rec(mem), rec(wh)
        filled = sum(1 for line in a.split("\n") if line)
        same = a == b and filled > 0
        out = {"baskets": n_baskets, "carts_compared": a.count("\n"), "carts_with_recommendations": filled,
               "pairs": sum(1 for _ in open(os.path.join(tmp, "pairs.csv"))) - 1, "identical_recommendations": same}
    os.makedirs(os.path.join(ROOT, "eval", "out"), exist_ok=True)
    json.dump(out, open(os.path.join(ROOT, "eval", "out", "duckdb.json"), "w"), indent=1)
    print(json.dumps(out))
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())

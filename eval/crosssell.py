#!/usr/bin/env python3
"""Cross-sell quality on real baskets (../shared/data/groceries_baskets.csv, 9,835 baskets).

Seeded 80/20 split of baskets; 10% of the training baskets are held out for tuning. For
every evaluation basket with at least two items, one item (chosen with the seed) is hidden
and the rest is the cart; a method ranks items not in the cart. HR@k: the hidden item is in
the top k; NDCG@5: 1/log2(1 + rank) when in the top 5.

Ours: the `personalizer cooccur` model ranked by `personalizer recommend` (the same code the
browser runs). Baselines, computed here in the same run: global popularity, association
rules by lift (mlxtend's apriori + association_rules), item-kNN cosine. Our parameters
(score, shrink, min-support, top-k) are tuned on the validation split only.
Writes eval/out/crosssell.json.
"""
import itertools
import json
import math
import os
import random
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "..", "shared", "data", "groceries_baskets.csv")
CLI = os.path.join(ROOT, "target", "release", "personalizer")
OUT = os.path.join(ROOT, "eval", "out")
SEED = 20261122
KS = (1, 3, 5, 10)


def load():
    baskets = []
    for line in open(DATA):
        items = sorted({x.strip() for x in line.split(",") if x.strip()})
        if items:
            baskets.append(items)
    return baskets


def queries(baskets, rng):
    out = []
    for b in baskets:
        if len(b) < 2:
            continue
        hidden = rng.choice(b)
        out.append(([x for x in b if x != hidden], hidden))
    return out


def metrics(ranked_lists, qs):
    hr = {k: 0 for k in KS}
    ndcg = 0.0
    for ranked, (_, hidden) in zip(ranked_lists, qs):
        if hidden in ranked[:10]:
            r = ranked.index(hidden) + 1
            for k in KS:
                hr[k] += r <= k
            if r <= 5:
                ndcg += 1 / math.log2(1 + r)
    n = len(qs)
    return {**{f"HR@{k}": hr[k] / n for k in KS}, "NDCG@5": ndcg / n, "queries": n}


def popularity(train):
    c = Counter(x for b in train for x in b)
    order = [x for x, _ in c.most_common()]
    return lambda cart: [x for x in order if x not in cart][:10]


def fill(scored, cart, pop):
    ranked = [x for x, _ in sorted(scored.items(), key=lambda kv: (-kv[1], kv[0])) if x not in cart]
    return (ranked + [x for x in pop(cart) if x not in ranked])[:10]


def knn(train):
    n = Counter(x for b in train for x in b)
    pair = Counter()
    for b in train:
        for a, c in itertools.combinations(b, 2):
            pair[(a, c)] += 1
            pair[(c, a)] += 1
    nbrs = defaultdict(dict)
    for (a, c), nab in pair.items():
        nbrs[a][c] = nab / math.sqrt(n[a] * n[c])
    pop = popularity(train)

    def rec(cart):
        s = defaultdict(float)
        for i in cart:
            for j, v in nbrs.get(i, {}).items():
                s[j] += v
        return fill(s, set(cart), pop)
    return rec


def rules_by_lift(train, min_support):
    import pandas as pd
    from mlxtend.frequent_patterns import apriori, association_rules
    from mlxtend.preprocessing import TransactionEncoder
    te = TransactionEncoder()
    df = pd.DataFrame(te.fit(train).transform(train), columns=te.columns_)
    freq = apriori(df, min_support=min_support, use_colnames=True, max_len=3)
    rules = association_rules(freq, metric="lift", min_threshold=1.0)
    by_antecedent = defaultdict(list)
    for ant, cons, lift in zip(rules["antecedents"], rules["consequents"], rules["lift"]):
        if len(cons) == 1:
            by_antecedent[ant].append((next(iter(cons)), lift))
    pop = popularity(train)

    def rec(cart):
        cs = set(cart)
        s = {}
        for ant, lst in by_antecedent.items():
            if ant <= cs:
                for c, lift in lst:
                    s[c] = max(s.get(c, 0), lift)
        return fill(s, cs, pop)
    return rec, len(rules)


def pair_stats(baskets):
    n = Counter(x for b in baskets for x in b)
    nb = defaultdict(Counter)
    for b in baskets:
        for a, c in itertools.combinations(b, 2):
            nb[a][c] += 1
            nb[c][a] += 1
    return n, len(baskets), nb


def pair_features(cart, stats, pool=50):
    """Ten pair statistics for every item not in the cart; the `pool` best by summed
    smoothed confidence. Rows: [sum conf, max conf, mean lift, max lift, sum cosine, hits,
    hit share, popularity, cart size, log popularity]."""
    n, N, nb = stats
    cs = set(cart)
    rows, ids = [], []
    for j in sorted(n):
        if j in cs:
            continue
        nj = n[j]
        conf, lift, cos, hits = [], [], [], 0
        for i in cart:
            ni = n.get(i, 0)
            if ni == 0:
                continue
            nij = nb[i][j]
            hits += nij > 0
            conf.append((nij + nj / N) / (ni + 1))
            lift.append(nij / ni / (nj / N))
            cos.append(nij / math.sqrt(ni * nj))
        rows.append([sum(conf), max(conf, default=0), sum(lift) / max(1, len(lift)), max(lift, default=0),
                     sum(cos), hits, hits / max(1, len(cart)), nj / N, len(cart), math.log(nj / N)])
        ids.append(j)
    order = sorted(range(len(ids)), key=lambda k: (-rows[k][0], ids[k]))[:pool]
    return [rows[k] for k in order], [ids[k] for k in order]


def reranker(fit, qval, train, qtest, rng):
    """A learned reranker as a reference ceiling (Python LightGBM LambdaRank, not in the
    module): trained on queries from 5 folds of the fitting baskets, each with statistics
    from the other 4 folds (no leakage); the configuration is chosen on validation."""
    import lightgbm as lgb
    import numpy as np
    X, y, groups = [], [], []
    folds = [fit[k::5] for k in range(5)]
    for k in range(5):
        stats = pair_stats([b for j in range(5) if j != k for b in folds[j]])
        for cart, hidden in queries(folds[k], rng):
            f, ids = pair_features(cart, stats)
            X += f
            y += [int(i == hidden) for i in ids]
            groups.append(len(ids))
    X, y = np.array(X), np.array(y)

    def rank(model, qs, stats):
        out = []
        for cart, _ in qs:
            f, ids = pair_features(cart, stats)
            s = model.predict(np.array(f)) if f else []
            out.append([ids[k] for k in sorted(range(len(ids)), key=lambda k: (-s[k], k))[:10]])
        return out
    vstats, tstats = pair_stats(fit), pair_stats(train)
    best = None
    for leaves, trees in ((7, 200), (15, 400)):
        m = lgb.LGBMRanker(objective="lambdarank", num_leaves=leaves, n_estimators=trees, learning_rate=0.05,
                           min_child_samples=50, verbose=-1, random_state=SEED).fit(X, y, group=groups)
        hr = metrics(rank(m, qval, vstats), qval)["HR@5"]
        if best is None or hr > best[0]:
            best = (hr, {"num_leaves": leaves, "trees": trees}, m)
    return metrics(rank(best[2], qtest, tstats), qtest), best[1]


def ours(train, qs, params, tmp):
    bpath = os.path.join(tmp, "train.csv")
    with open(bpath, "w") as f:
        f.write("\n".join(",".join(b) for b in train) + "\n")
    cpm = os.path.join(tmp, "m.cpm")
    subprocess.run([CLI, "cooccur", bpath, "-o", cpm, "--min-support", str(params["min_support"]),
                    "--top-k", str(params["top_k"]), "--score", params["score"], "--shrink", str(params["shrink"])],
                   check=True, capture_output=True)
    cpath = os.path.join(tmp, "carts.csv")
    with open(cpath, "w") as f:
        f.write("\n".join(",".join(c) for c, _ in qs) + "\n")
    out = subprocess.run([CLI, "recommend", cpm, "--carts", cpath, "--limit", "10"], check=True, capture_output=True, text=True).stdout
    return [line.split(",") if line else [] for line in out.split("\n")[: len(qs)]]


def main():
    rng = random.Random(SEED)
    baskets = load()
    idx = list(range(len(baskets)))
    rng.shuffle(idx)
    n_test = len(idx) // 5
    test = [baskets[i] for i in idx[:n_test]]
    train = [baskets[i] for i in idx[n_test:]]
    n_val = len(train) // 10
    val, fit = train[:n_val], train[n_val:]
    qval, qtest = queries(val, rng), queries(test, rng)

    with tempfile.TemporaryDirectory() as tmp:
        grid = [dict(score=s, shrink=sh, min_support=ms, top_k=k)
                for s in ("confidence", "lift", "cosine", "npmi") for sh in (0, 2, 5, 10) for ms in (1, 2, 3, 5) for k in (20, 50)]
        tuned = []
        for p in grid:
            m = metrics(ours(fit, qval, p, tmp), qval)
            tuned.append((m["HR@5"], m["NDCG@5"], p))
        tuned.sort(key=lambda t: (-t[0], -t[1]))
        best = tuned[0][2]
        result = {"seed": SEED, "baskets": len(baskets), "train": len(train), "test": len(test),
                  "validation": len(val), "grid_size": len(grid), "best_params_on_validation": best,
                  "validation_HR@5_best": tuned[0][0]}
        result["ours"] = metrics(ours(train, qtest, best, tmp), qtest)
    pop = popularity(train)
    result["popularity"] = metrics([pop(set(c)) for c, _ in qtest], qtest)
    k = knn(train)
    result["item_knn_cosine"] = metrics([k(c) for c, _ in qtest], qtest)
    rl, n_rules = rules_by_lift(train, 0.001)
    result["association_rules_lift"] = metrics([rl(c) for c, _ in qtest], qtest)
    result["association_rules_count"] = n_rules
    result["reranker_reference"], result["reranker_params"] = reranker(fit, qval, train, qtest, random.Random(SEED + 1))
    best_base = max(result[b]["HR@5"] for b in ("popularity", "item_knn_cosine", "association_rules_lift"))
    result["HR@5_ratio_vs_best_baseline"] = result["ours"]["HR@5"] / best_base
    os.makedirs(OUT, exist_ok=True)
    json.dump(result, open(os.path.join(OUT, "crosssell.json"), "w"), indent=1)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    sys.exit(main())

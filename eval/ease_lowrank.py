#!/usr/bin/env python3
"""A design study for the cross-sell table (not part of `./build.sh eval`): can a low-rank
part plus a sparse residual carry dense EASE within the bytes of today's sparse table?

On the Instacart sample A, split exactly as eval/ease_frontier.py splits it (fit on the
training part minus its validation baskets, score on the validation baskets with every item
hidden in turn; the test split is never read), dense EASE B at λ 10 is approximated by
  - sparse:   the largest |B[c, j]| of each row c, k links per item on average shared as the
              CLI shares them (by √ frequency, between 5 and 4k): the table shipped today,
  - low-rank: B ≈ A·Cᵀ from a truncated SVD of rank r (A = UΣ^½, C = VΣ^½),
  - both:     A·Cᵀ plus the largest |B − A·Cᵀ| of each row, shared the same way,
each with 8-bit weights (per-row scale, as the bundle stores scores). A cart scores
Σ_{c in cart} row c. Size is counted as the bundle would hold it: r bytes and a 4-byte scale
per factor row, and 3.3 bytes per sparse link (what ease_frontier's 30-link table costs per
link, 969,179 B for 9,752 items, varints and item ids included). Prints one JSON line per
variant, and the share of B's squared Frobenius norm its top 8/16/32/64 singular directions
hold; writes eval/out/ease_lowrank.json."""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import crosssell as cs  # noqa: E402

LAMBDA = 10.0
LINK_BYTES = 969179 / (9752 * 30)
VARIANTS = [(0, 30), (0, 50), (8, 23), (16, 18), (32, 8), (48, 0), (64, 0), (16, 30), (32, 20)]


def q8(m):
    s = np.abs(m).max(axis=1, keepdims=True) / 127
    s[s == 0] = 1
    return np.round(m / s) * s


def links_per_row(k, pop):
    """The CLI's share (cli/src/ease.rs): k links per item on average, in proportion to
    √(baskets holding the item), between min(k, 5) and 4k."""
    root = np.sqrt(pop)
    return np.clip(np.round(k * len(pop) * root / root.sum()), min(k, 5), 4 * k).astype(int)


def top_k_rows(m, per_row):
    """Each row's per_row[c] largest weights by magnitude, 8-bit."""
    out = np.zeros_like(m)
    kmax = int(per_row.max())
    if kmax == 0:
        return out
    idx = np.argpartition(-np.abs(m), kmax, axis=1)[:, :kmax]
    rows = np.arange(m.shape[0])[:, None]
    vals = m[rows, idx]
    order = np.argsort(-np.abs(vals), axis=1)
    idx, vals = np.take_along_axis(idx, order, 1), np.take_along_axis(vals, order, 1)
    keep = np.arange(kmax)[None, :] < per_row[:, None]
    out[rows, idx] = np.where(keep, vals, 0)
    return q8(out)


def main():
    if not os.path.exists(cs.INSTACART):
        return 0
    fit, qv = cs.instacart_validation()
    items, ix, B, pop = cs.ease_weights(fit, LAMBDA)
    n = len(items)
    B = B.astype(np.float32)
    tiebreak = (1e-6 * pop / pop.max()).astype(np.float32)
    carts = [[ix[x] for x in c if x in ix] for c, _ in qv]

    def hr5(score_rows):
        hits = 0
        for cart, (_, hidden) in zip(carts, qv):
            s = score_rows(cart) + tiebreak
            s[cart] = -np.inf
            top = np.argpartition(-s, 5)[:5]
            hits += hidden in {items[t] for t in top}
        return hits / len(qv)

    dense = hr5(lambda c: B[c].sum(0))
    print(json.dumps({"variant": "dense", "HR@5": dense}), flush=True)
    rmax = max(r for r, _ in VARIANTS)
    from sklearn.utils.extmath import randomized_svd
    U, S, Vt = randomized_svd(B, rmax, n_iter=6, random_state=0)
    # How low-rank B is: the share of its squared Frobenius norm in the top r directions.
    total = float(np.square(B, dtype=np.float64).sum())
    energy = {r: float(np.square(S[:r].astype(np.float64)).sum() / total) for r in (8, 16, 32, 64)}
    print(json.dumps({"energy_in_top_r": energy}), flush=True)
    rows = []
    for r, k in VARIANTS:
        if r:
            A = q8((U[:, :r] * np.sqrt(S[:r])).astype(np.float32))
            C = q8((Vt[:r].T * np.sqrt(S[:r])).astype(np.float32))
            L = A @ C.T
        else:
            A = C = None
            L = np.zeros_like(B)
        R = top_k_rows(B - L, links_per_row(k, pop) if k else np.zeros(n, dtype=int))
        if r:
            def score(c, A=A, C=C, R=R):
                return A[c].sum(0) @ C.T + R[c].sum(0)
        else:
            def score(c, R=R):
                return R[c].sum(0)
        h = hr5(score)
        size = n * (2 * (r + 4) if r else 0) + n * k * LINK_BYTES
        rows.append({"rank": r, "links": k, "HR@5": h, "ratio_vs_dense": h / dense,
                     "bytes": int(size), "flops_per_cart_item": r * n if r else 0})
        print(json.dumps(rows[-1]), flush=True)
        del L, R
    os.makedirs(cs.OUT, exist_ok=True)
    json.dump({"lambda": LAMBDA, "queries": len(qv), "items": n, "dense_HR@5": dense,
               "link_bytes": LINK_BYTES, "energy_in_top_r": energy, "rows": rows},
              open(os.path.join(cs.OUT, "ease_lowrank.json"), "w"), indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())

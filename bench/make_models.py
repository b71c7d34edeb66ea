#!/usr/bin/env python3
"""Seeded models and inputs for ./build.sh bench (writes bench/out/, not committed).

- payment_xgb.json: XGBoost (100 trees, depth 6) over the demo store's 13 payment features,
  trained on simulated shoppers; payment_xgb.onnx: the same model for ONNX Runtime Web
  (onnxmltools); payment_rows.json: feature rows with XGBoost's own predictions (the three
  scorers must agree on them).
- trees_{10,100,1000}.json: the same data, more or fewer trees (scale).
- baskets_{1000,10000,100000}.csv: Zipf-distributed synthetic baskets over that many items
  (co-occurrence scale).
Needs: pip install xgboost-cpu==3.2.0 onnxmltools onnx.
"""
import json
import os
import sys

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "out")
SEED = 20261122
N_FEATURES = 13  # the demo bundle's payment features (www/models/demo.toml)


def shoppers(rng, n):
    X = np.zeros((n, N_FEATURES), dtype=np.float32)
    X[:, 0] = rng.random(n) < 0.3            # your_usual
    X[:, 1] = np.clip(rng.beta(1, 3, n) + X[:, 0] * 0.5, 0, 1)  # share_of_orders
    X[:, 2] = rng.random(n) < 0.1            # chosen_now
    for j in range(3, 12):                   # country / device one-hots
        X[:, j] = rng.random(n) < 0.08
    X[:, 12] = rng.integers(0, 12, n)        # page_position
    X[rng.random((n, N_FEATURES)) < 0.03] = np.nan
    logit = -2 + 2.5 * np.nan_to_num(X[:, 0]) + 1.5 * np.nan_to_num(X[:, 1]) + 3 * np.nan_to_num(X[:, 2]) \
        + np.nan_to_num(X[:, 3:12]) @ rng.normal(1.5, 0.5, 9) - 0.05 * np.nan_to_num(X[:, 12])
    y = rng.random(n) < 1 / (1 + np.exp(-logit))
    return X, y.astype(int)


def main():
    import xgboost as xgb

    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(SEED)
    X, y = shoppers(rng, 20000)
    d = xgb.DMatrix(X, label=y)
    for n_trees in (10, 100, 1000):
        booster = xgb.train({"objective": "binary:logistic", "max_depth": 6, "eta": 0.1, "seed": SEED,
                             "nthread": 1, "tree_method": "hist"}, d, num_boost_round=n_trees)
        booster.save_model(os.path.join(OUT, f"trees_{n_trees}.json"))
        if n_trees == 100:
            booster.save_model(os.path.join(OUT, "payment_xgb.json"))
            rows = X[:240].astype(np.float64)
            pred = booster.predict(xgb.DMatrix(X[:240]))
            json.dump({"rows": [[None if np.isnan(v) else float(v) for v in r] for r in rows],
                       "xgboost": [float(p) for p in pred]}, open(os.path.join(OUT, "payment_rows.json"), "w"))
            try:
                import onnxmltools
                from onnxmltools.convert.common.data_types import FloatTensorType
                onx = onnxmltools.convert_xgboost(booster, initial_types=[("input", FloatTensorType([None, N_FEATURES]))],
                                                  target_opset=15)
                open(os.path.join(OUT, "payment_xgb.onnx"), "wb").write(onx.SerializeToString())
            except Exception as e:  # the ORT peer is then skipped, and the report says so
                print("onnx conversion failed:", e, file=sys.stderr)

    for n_items in (1000, 10000, 100000):
        items = np.array([f"sku{i:06d}" for i in range(n_items)])
        weights = 1 / np.arange(1, n_items + 1) ** 0.9
        weights /= weights.sum()
        n_baskets = max(20000, n_items * 3)
        anchors = rng.choice(n_items, size=n_baskets, p=weights)
        with open(os.path.join(OUT, f"baskets_{n_items}.csv"), "w") as f:
            for anchor in anchors:
                # Items near the anchor: a shopping "mission".
                near = (anchor + rng.integers(-5, 6, rng.integers(2, 8))) % n_items
                f.write(",".join(sorted(set(items[near]))) + "\n")
    print("bench models written to", OUT)


if __name__ == "__main__":
    main()

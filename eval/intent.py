#!/usr/bin/env python3
"""Session intent on real sessions (../shared/data/online_shoppers_intention.csv, UCI #468).

Seeded 80/20 split; GBDTs trained with XGBoost and LightGBM (categoricals native, 100 trees),
imported by `personalizer import`, scored by our module (`personalizer predict`); AUC from
each library and from our scorer (they must match), and per-row latency: the library's own
single-row predict versus our wasm scorer in Node (eval/latency.mjs). Writes eval/out/intent.json.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "..", "shared", "data", "online_shoppers_intention.csv")
CLI = os.path.join(ROOT, "target", "release", "personalizer")
OUT = os.path.join(ROOT, "eval", "out")
SEED = 20261122
NUMERIC = ["Administrative", "Administrative_Duration", "Informational", "Informational_Duration",
           "ProductRelated", "ProductRelated_Duration", "BounceRates", "ExitRates", "PageValues",
           "SpecialDay", "OperatingSystems", "Browser", "Region", "TrafficType", "Weekend"]
CATEGORICAL = ["Month", "VisitorType"]


def main():
    import lightgbm as lgb
    import xgboost as xgb
    from sklearn.metrics import roc_auc_score

    df = pd.read_csv(DATA)
    df["Weekend"] = df["Weekend"].astype(str).str.upper().eq("TRUE").astype(float)
    y = df["Revenue"].astype(str).str.upper().eq("TRUE").astype(int).to_numpy()
    X = pd.DataFrame({c: df[c].astype(float) for c in NUMERIC})
    for c in CATEGORICAL:
        X[c] = pd.Categorical(df[c], categories=sorted(df[c].unique()))
    M = pd.DataFrame({c: X[c] for c in NUMERIC})
    for c in CATEGORICAL:
        M[c] = X[c].cat.codes.astype(float)
    M = M.to_numpy()
    rng = np.random.default_rng(SEED)
    order = rng.permutation(len(X))
    test, train = order[: len(X) // 5], order[len(X) // 5:]
    out = {"sessions": len(X), "test": len(test), "positives_in_test": int(y[test].sum())}
    with tempfile.TemporaryDirectory() as tmp:
        rows = os.path.join(tmp, "rows.csv")
        with open(rows, "w") as f:
            f.write(",".join(NUMERIC + CATEGORICAL) + "\n")
            for r in M[test]:
                f.write(",".join("" if np.isnan(v) else repr(float(v)) for v in r) + "\n")

        def ours(kind, model_json):
            cpm = os.path.join(tmp, f"{kind}.cpm")
            subprocess.run([CLI, "import", kind, model_json, "-o", cpm, "--head", "intent"], check=True, capture_output=True)
            p = subprocess.run([CLI, "predict", cpm, "--head", "intent", "--csv", rows], check=True, capture_output=True, text=True).stdout
            lat = json.loads(subprocess.run(["node", os.path.join(ROOT, "eval", "latency.mjs"), cpm, rows], check=True, capture_output=True, text=True).stdout)
            return np.array([float(x) for x in p.split()]), lat

        def single_row_us(predict):
            for i in range(50):
                predict(i)
            t0 = time.perf_counter()
            for i in range(500):
                predict(i)
            return (time.perf_counter() - t0) / 500 * 1e6

        booster = xgb.train({"objective": "binary:logistic", "max_depth": 6, "eta": 0.1, "seed": SEED, "nthread": 1,
                             "tree_method": "hist", "max_cat_to_onehot": 1},
                            xgb.DMatrix(X.iloc[train], label=y[train], enable_categorical=True), num_boost_round=100)
        path = os.path.join(tmp, "xgb.json")
        booster.save_model(path)
        lib = booster.predict(xgb.DMatrix(X.iloc[test], enable_categorical=True))
        mine, lat = ours("xgboost", path)
        Xt = X.iloc[test]
        out["xgboost"] = {"auc_library": roc_auc_score(y[test], lib), "auc_ours": roc_auc_score(y[test], mine),
                          "max_abs_diff": float(np.abs(lib - mine).max()),
                          "library_single_row_us": single_row_us(lambda i: booster.predict(xgb.DMatrix(Xt.iloc[[i]], enable_categorical=True))),
                          "ours_wasm_row_us": lat}
        cat_idx = [len(NUMERIC) + i for i in range(len(CATEGORICAL))]
        model = lgb.train({"objective": "binary", "verbose": -1, "seed": SEED, "num_threads": 1},
                          lgb.Dataset(M[train], label=y[train], categorical_feature=cat_idx), num_boost_round=100)
        path = os.path.join(tmp, "lgb.json")
        json.dump(model.dump_model(), open(path, "w"))
        lib = model.predict(M[test])
        mine, lat = ours("lightgbm", path)
        out["lightgbm"] = {"auc_library": roc_auc_score(y[test], lib), "auc_ours": roc_auc_score(y[test], mine),
                           "max_abs_diff": float(np.abs(lib - mine).max()),
                           "library_single_row_us": single_row_us(lambda i: model.predict(M[test][i:i + 1])),
                           "ours_wasm_row_us": lat}
    os.makedirs(OUT, exist_ok=True)
    json.dump(out, open(os.path.join(OUT, "intent.json"), "w"), indent=1)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    sys.exit(main())

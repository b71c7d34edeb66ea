#!/usr/bin/env python3
"""Parity fixtures: real XGBoost, LightGBM and scikit-learn models with their own predictions.

Trains on ../shared/data/online_shoppers_intention.csv (UCI #468, CC BY 4.0) with missing
values injected and categorical features, and writes to tests/fixtures/:
  shoppers_rows.csv           the held-out feature rows we score (empty cell = missing)
  xgb_binary.json  + .pred    XGBoost binary:logistic, native categoricals, NaN
  xgb_multi.json   + .pred    XGBoost multi:softprob, 4 classes
  lgb_binary.json  + .pred    LightGBM binary (dump_model), categoricals, NaN
  lgb_multi.json   + .pred    LightGBM multiclass, 4 classes
  sk_logistic.json + .pred    scikit-learn LogisticRegression (mean-imputed, standardised)
  xgb_contribs.csv            XGBoost approx (Saabas) contributions for the first rows
  xgb_numeric.json + .pred    XGBoost binary:logistic on the same rows as plain numbers (the
                              category codes too), depth 6: the complete-tree fast path
  xgb_numeric_contribs.csv    its approx contributions for the first rows
Each .pred line: the library's probabilities then margins, comma separated.

Needs: pip install xgboost-cpu==3.2.0 lightgbm scikit-learn pandas. Seeded: rerunning gives
the same files (up to library versions). CI does not run this; the tests use its output.
"""
import json
import os
import sys

import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DATA = os.path.join(ROOT, "..", "shared", "data", "online_shoppers_intention.csv")
OUT = os.path.join(ROOT, "tests", "fixtures")
SEED = 20261122
N_TEST = 400

NUMERIC = ["Administrative", "Administrative_Duration", "Informational", "Informational_Duration",
           "ProductRelated", "ProductRelated_Duration", "BounceRates", "ExitRates", "PageValues",
           "SpecialDay", "OperatingSystems", "Browser", "Region", "TrafficType", "Weekend"]
CATEGORICAL = ["Month", "VisitorType"]
FEATURES = NUMERIC + CATEGORICAL


def load():
    df = pd.read_csv(DATA)
    df["Weekend"] = df["Weekend"].astype(str).str.upper().eq("TRUE").astype(float)
    y_bin = df["Revenue"].astype(str).str.upper().eq("TRUE").astype(int).to_numpy()
    y_multi = y_bin + 2 * df["Weekend"].astype(int).to_numpy()
    X = pd.DataFrame({c: df[c].astype(float) for c in NUMERIC})
    for c in CATEGORICAL:
        # Codes are the sorted category values: the same codes go into shoppers_rows.csv.
        cats = sorted(df[c].unique())
        X[c] = pd.Categorical(df[c], categories=cats)
    rng = np.random.default_rng(SEED)
    for c in FEATURES:
        mask = rng.random(len(X)) < 0.08
        if c in CATEGORICAL:
            X.loc[mask, c] = np.nan
        else:
            X.loc[mask, c] = np.nan
    order = rng.permutation(len(X))
    test, train = order[:N_TEST], order[N_TEST:]
    return X, y_bin, y_multi, train, test


def codes(X):
    """The numeric matrix we feed our scorer: categoricals as codes, NaN as missing."""
    M = pd.DataFrame({c: X[c] for c in NUMERIC})
    for c in CATEGORICAL:
        M[c] = X[c].cat.codes.astype(float).replace(-1, np.nan)
    return M[FEATURES].to_numpy(dtype=float)


def write_rows(path, M):
    with open(path, "w") as f:
        f.write(",".join(FEATURES) + "\n")
        for row in M:
            f.write(",".join("" if np.isnan(v) else repr(float(v)) for v in row) + "\n")


def write_pred(path, probs, margins):
    probs = np.atleast_2d(np.asarray(probs, dtype=float))
    margins = np.atleast_2d(np.asarray(margins, dtype=float))
    if probs.shape[0] == 1 and probs.shape[1] != 1:
        probs, margins = probs.T, margins.T
    with open(path, "w") as f:
        for p, m in zip(probs, margins):
            f.write(",".join(repr(float(v)) for v in list(p) + list(m)) + "\n")


def main():
    import lightgbm as lgb
    import sklearn
    import xgboost as xgb
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    os.makedirs(OUT, exist_ok=True)
    X, y_bin, y_multi, train, test = load()
    M = codes(X)
    write_rows(os.path.join(OUT, "shoppers_rows.csv"), M[test])
    versions = {"xgboost": xgb.__version__, "lightgbm": lgb.__version__,
                "scikit-learn": sklearn.__version__, "numpy": np.__version__, "seed": SEED}

    # XGBoost, native categoricals (codes in the set go right), NaN as missing.
    Xtr, Xte = X.iloc[train], X.iloc[test]
    dtr = xgb.DMatrix(Xtr, label=y_bin[train], enable_categorical=True)
    dte = xgb.DMatrix(Xte, enable_categorical=True)
    params = {"objective": "binary:logistic", "max_depth": 6, "eta": 0.1, "tree_method": "hist",
              "max_cat_to_onehot": 1, "seed": SEED, "nthread": 1}
    booster = xgb.train(params, dtr, num_boost_round=60)
    booster.save_model(os.path.join(OUT, "xgb_binary.json"))
    write_pred(os.path.join(OUT, "xgb_binary.pred"), booster.predict(dte)[:, None],
               booster.predict(dte, output_margin=True)[:, None])
    contribs = booster.predict(dte, pred_contribs=True, approx_contribs=True)[:50]
    np.savetxt(os.path.join(OUT, "xgb_contribs.csv"), contribs, delimiter=",", fmt="%.9g")

    dtr = xgb.DMatrix(Xtr, label=y_multi[train], enable_categorical=True)
    params.update({"objective": "multi:softprob", "num_class": 4, "max_depth": 4})
    booster = xgb.train(params, dtr, num_boost_round=15)
    booster.save_model(os.path.join(OUT, "xgb_multi.json"))
    write_pred(os.path.join(OUT, "xgb_multi.pred"), booster.predict(dte),
               booster.predict(dte, output_margin=True))

    # XGBoost on plain numbers only (codes as numbers) at its default depth of 6: every tree
    # qualifies for the complete-tree layout (src/model/perfect.rs).
    dtr = xgb.DMatrix(M[train], label=y_bin[train], missing=np.nan)
    dte = xgb.DMatrix(M[test], missing=np.nan)
    params = {"objective": "binary:logistic", "max_depth": 6, "eta": 0.1, "tree_method": "hist",
              "seed": SEED, "nthread": 1}
    booster = xgb.train(params, dtr, num_boost_round=60)
    booster.feature_names = None
    booster.save_model(os.path.join(OUT, "xgb_numeric.json"))
    write_pred(os.path.join(OUT, "xgb_numeric.pred"), booster.predict(dte)[:, None],
               booster.predict(dte, output_margin=True)[:, None])
    contribs = booster.predict(dte, pred_contribs=True, approx_contribs=True)[:50]
    np.savetxt(os.path.join(OUT, "xgb_numeric_contribs.csv"), contribs, delimiter=",", fmt="%.9g")

    # LightGBM with categorical features given as integer codes (the set goes left).
    Mtr, Mte = M[train], M[test]
    cat_idx = [FEATURES.index(c) for c in CATEGORICAL]
    common = {"verbose": -1, "seed": SEED, "num_threads": 1, "num_leaves": 31,
              "learning_rate": 0.1, "min_data_per_group": 20, "cat_smooth": 5}
    ds = lgb.Dataset(Mtr, label=y_bin[train], feature_name=FEATURES, categorical_feature=cat_idx)
    model = lgb.train({**common, "objective": "binary"}, ds, num_boost_round=60)
    with open(os.path.join(OUT, "lgb_binary.json"), "w") as f:
        json.dump(model.dump_model(), f)
    write_pred(os.path.join(OUT, "lgb_binary.pred"), model.predict(Mte)[:, None],
               model.predict(Mte, raw_score=True)[:, None])

    ds = lgb.Dataset(Mtr, label=y_multi[train], feature_name=FEATURES, categorical_feature=cat_idx)
    model = lgb.train({**common, "objective": "multiclass", "num_class": 4}, ds, num_boost_round=15)
    with open(os.path.join(OUT, "lgb_multi.json"), "w") as f:
        json.dump(model.dump_model(), f)
    write_pred(os.path.join(OUT, "lgb_multi.pred"), model.predict(Mte),
               model.predict(Mte, raw_score=True))

    # scikit-learn: mean imputation + standardisation + logistic regression. Exported in
    # standardised space; a missing standardised input contributes 0, which is exactly
    # what mean imputation does.
    imp = SimpleImputer(strategy="mean").fit(Mtr)
    sc = StandardScaler().fit(imp.transform(Mtr))
    lr = LogisticRegression(max_iter=2000, C=1.0).fit(sc.transform(imp.transform(Mtr)), y_bin[train])
    Z = sc.transform(imp.transform(Mte))
    with open(os.path.join(OUT, "sk_logistic.json"), "w") as f:
        json.dump({"feature_names": FEATURES, "mean": imp.statistics_.tolist(),
                   "scale": sc.scale_.tolist(), "coef": lr.coef_[0].tolist(),
                   "intercept": float(lr.intercept_[0]), "link": "logistic"}, f)
    write_pred(os.path.join(OUT, "sk_logistic.pred"), lr.predict_proba(Z)[:, 1:2],
               lr.decision_function(Z)[:, None])

    with open(os.path.join(OUT, "versions.json"), "w") as f:
        json.dump(versions, f, indent=1)
    print("fixtures written to", OUT, versions)


if __name__ == "__main__":
    sys.exit(main())

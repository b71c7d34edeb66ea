"""LightGBM's lambdarank on `personalizer train`'s choice sets (run by the CLI, `--payment-learner lightgbm`).

argv: ROWS.svm GROUPS.txt HELD.txt N_FEATURES OUT.json [PRED.txt]
ROWS: one alternative per line, `label col:value ...` (libsvm, 0-based columns, label 1 = taken);
GROUPS: the number of alternatives of each choice, one per line, in row order;
HELD: 1 for a choice of a held-out shopper (early stopping watches them), 0 otherwise.
Writes Booster.dump_model() JSON to OUT, which the CLI imports as a tree head, and with
PRED the booster's own score of every row (the CLI's tests check the import against it).
"""
import json
import sys

import lightgbm as lgb
import numpy as np
from sklearn.datasets import load_svmlight_file

rows, groups, held, n_features, out = sys.argv[1:6]
X, y = load_svmlight_file(rows, n_features=int(n_features), zero_based=True)
X = X.tocsr()
sizes = np.loadtxt(groups, dtype=np.int64, ndmin=1)
is_held = np.loadtxt(held, dtype=np.int64, ndmin=1).astype(bool)
ends = np.cumsum(sizes)
starts = ends - sizes
row_held = np.repeat(is_held, sizes)
params = {"objective": "lambdarank", "metric": "map", "eval_at": [1], "learning_rate": 0.1,
          "num_leaves": 7, "min_data_in_leaf": 50, "lambdarank_truncation_level": 3,
          "verbosity": -1, "seed": 7, "deterministic": True, "num_threads": 1}
fit = lgb.Dataset(X[~row_held], y[~row_held], group=sizes[~is_held], free_raw_data=False)
valid = lgb.Dataset(X[row_held], y[row_held], group=sizes[is_held], reference=fit)
callbacks = [lgb.early_stopping(20, verbose=False)] if is_held.any() else []
booster = lgb.train(params, fit, num_boost_round=150, valid_sets=[valid] if is_held.any() else [],
                    callbacks=callbacks)
best = booster.best_iteration or booster.current_iteration()
# Refit on everyone with the number of rounds the held-out shoppers chose.
everyone = lgb.Dataset(X, y, group=sizes)
booster = lgb.train(params, everyone, num_boost_round=max(1, best))
json.dump(booster.dump_model(), open(out, "w"))
if len(sys.argv) > 6:
    np.savetxt(sys.argv[6], booster.predict(X, raw_score=True), fmt="%.17g")
print(best, file=sys.stderr)

#!/usr/bin/env python3
"""eval/out/*.json -> EVALUATION.md (only what was measured in this run)."""
import json
import math
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
r = json.load(open(os.path.join(ROOT, "eval", "out", "crosssell.json")))
rows = [("ours: `personalizer cooccur` + `recommend`", "ours"),
        (f"reference: learned reranker (LightGBM LambdaRank over 10 pair statistics, {r['reranker_params']['num_leaves']} leaves × {r['reranker_params']['trees']} trees; Python, not in the module)", "reranker_reference"),
        ("global popularity", "popularity"),
        ("item-kNN cosine", "item_knn_cosine"), (f"association rules by lift (mlxtend, {r['association_rules_count']} rules)", "association_rules_lift")]
lines = ["# Evaluation", "",
         "Written by `./build.sh eval` from one run; every number below comes from `eval/out/*.json` of that run.", "",
         "## Cross-sell on real baskets",
         "",
         f"`../shared/data/groceries_baskets.csv` (GPL-3, arules 1.7.13): {r['baskets']} baskets, seeded split "
         f"({r['train']} train, {r['test']} test; {r['validation']} of the train baskets held out for tuning). "
         f"Each test basket with at least two items hides one item; the rest is the cart ({r['ours']['queries']} queries). "
         f"Our parameters were chosen on the validation split only ({r['grid_size']} combinations): "
         f"`{json.dumps(r['best_params_on_validation'])}`.", "",
         "| method | HR@1 | HR@3 | HR@5 | HR@10 | NDCG@5 |", "|---|---|---|---|---|---|"]
best_base = max(r[b]["HR@5"] for b in ("popularity", "item_knn_cosine", "association_rules_lift"))
for name, k in rows:
    m = r[k]
    lines.append(f"| {name} | {m['HR@1']:.4f} | {m['HR@3']:.4f} | {m['HR@5']:.4f} | {m['HR@10']:.4f} | {m['NDCG@5']:.4f} |")
lines += ["", f"HR@5 ours / best baseline: **{r['HR@5_ratio_vs_best_baseline']:.3f}** (target ≥ 1.10: "
          + ("met" if r['HR@5_ratio_vs_best_baseline'] >= 1.10 else "not met") + ").", "",
          "These baskets are dominated by a few staples (whole milk, other vegetables, rolls/buns): popularity alone "
          "reaches most of what pairwise co-occurrence does. "
          f"With {r['ours']['queries']} test queries the standard error of an HR@5 near {r['ours']['HR@5']:.2f} is "
          f"{math.sqrt(r['ours']['HR@5'] * (1 - r['ours']['HR@5']) / r['ours']['queries']):.4f}, so ours, item-kNN and popularity are within "
          "about one standard error of each other. The learned reranker, which sees ten pair statistics per candidate "
          f"(more than the module's head gets), reaches {r['reranker_reference']['HR@5'] / best_base:.3f}× the best baseline: "
          "on this data set the pair statistics we know of do not carry the 10 % the target asks for. Tried and left out "
          "(validation only): blends of co-occurrence with a popularity prior, naive-Bayes scoring, basket-size-conditioned "
          "popularity.", ""]
ip = os.path.join(ROOT, "eval", "out", "intent.json")
if os.path.exists(ip):
    it = json.load(open(ip))
    lines += ["## Session intent on real sessions", "",
              f"`../shared/data/online_shoppers_intention.csv` (CC BY 4.0, UCI #468): {it['sessions']} sessions, seeded 80/20 split, "
              f"{it['test']} test sessions ({it['positives_in_test']} bought). 100 trees each, categoricals native; imported with "
              "`personalizer import` and scored by our module.", "",
              "| model | AUC (library) | AUC (ours) | max \\|Δp\\| | library, one row (µs) | ours in wasm, one row p50 / p99 (µs) |",
              "|---|---|---|---|---|---|"]
    for k in ("xgboost", "lightgbm"):
        m = it[k]
        lines.append(f"| {k} | {m['auc_library']:.6f} | {m['auc_ours']:.6f} | {m['max_abs_diff']:.1e} | "
                     f"{m['library_single_row_us']:.1f} | {m['ours_wasm_row_us']['p50_us']:.2f} / {m['ours_wasm_row_us']['p99_us']:.2f} |")
    lines += ["", "The library timings are each library's own single-row Python `predict` (XGBoost builds a DMatrix per call); "
              "ours is `model.predict` in Node (eval/latency.mjs). Same machine, same run.", ""]
dp = os.path.join(ROOT, "eval", "out", "duckdb.json")
if os.path.exists(dp):
    d = json.load(open(dp))
    lines += ["## Warehouse path = in-memory path", "",
              f"The real baskets as exported events ({d['baskets']} purchases): `personalizer train` (in memory) and the SQL in "
              f"`sql/` on DuckDB → `personalizer cooccur --pairs --items` ({d['pairs']} pairs) recommend "
              + ("**identical** items" if d["identical_recommendations"] else "**different** items")
              + f" for all {d['carts_compared']} carts compared ({d['carts_with_recommendations']} with recommendations).", ""]
pp = os.path.join(ROOT, "eval", "out", "payments.json")
if os.path.exists(pp):
    p = json.load(open(pp))
    lines += ["## Payment-method ordering (SIMULATED)", "",
              "**This part is simulated.** No public data set of checkout payment choices exists, so `eval/payments.py` "
              f"generates shoppers with a fixed seed ({p['train_shoppers']} to train on, {p['test_shoppers']} to test): a country, an OS, "
              "0 to 12 past orders over 180 days and a next order. Each shopper's personal method mix is drawn around the "
              f"market's mix for their country and platform (Dirichlet, concentration {p['concentration']}). Country mixes, and "
              "which figures are published and which are our assumptions:", "",
              "| country | category shares (%) | source |", "|---|---|---|"]
    for c, mix in p["mix"].items():
        lines.append(f"| {c} | " + ", ".join(f"{k} {v:g}" for k, v in mix.items()) + " | "
                     + "; ".join(f"{k}: {v}" for k, v in p["mix_sources"][c].items()) + " |")
    lines += ["", "Sources:", ""] + [f"- **{k}**: {v}" for k, v in p["sources"].items()]
    lines += ["", "Wallet shares split across PayPal / Apple Pay / Google Pay by platform, and the store's static order "
              "(card, PayPal, Apple Pay, Google Pay, Klarna, then local methods), are assumptions stated in the script. "
              "Ours: `personalizer train` on the training shoppers' exported purchases (with the country and OS a collector "
              "adds), then `personalizer rank-payments`, which replays each test shopper's events into the module and ranks "
              "the methods offered, exactly as `rankPaymentMethods` does in the browser. The target is the method of the "
              "next order.", "",
              "| ordering | top-1 (all) | MRR (all) | top-1 new | top-1 returning | MRR returning |", "|---|---|---|---|---|---|"]
    for name, k in (("static store order", "static"), ("last used first", "last_used_first"),
                    ("most popular in country", "most_popular_in_country"), ("ours (learned, in the module)", "ours")):
        m = p[k]
        lines.append(f"| {name} | {m['all']['top1']:.4f} | {m['all']['mrr']:.4f} | {m['new']['top1']:.4f} | "
                     f"{m['returning']['top1']:.4f} | {m['returning']['mrr']:.4f} |")
    lines += ["", f"{p['ours']['new']['shoppers']} new and {p['ours']['returning']['shoppers']} returning test shoppers. "
              "The learned head also sees the OS, which the country baseline does not; its edge on new shoppers comes "
              "from that, on returning shoppers from weighing the whole history against the market. These numbers "
              "describe the ranking machinery in a world built to resemble published figures, not any real store.", ""]
open(os.path.join(ROOT, "EVALUATION.md"), "w").write("\n".join(lines))

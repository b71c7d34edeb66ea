"""`personalizer ab-report` against statsmodels and scipy, on the seeded synthetic exports
(tests/fixtures/ab/, made by scripts/make_ab_export.py) and their variants.

Independently of the CLI, this reads the export the way the report is specified (resent
lines once by user/batch/record; a shopper in their first arm; a conversion is a purchase
at or after the exposure, worth `value` or its items' sum) and computes:
- conversion: statsmodels `proportions_ztest` (pooled) and `confint_proportions_2indep`
  (`compare="ratio", method="log"`) for the relative lift;
- revenue per exposed shopper and order value: scipy `ttest_ind(equal_var=False)`;
- the split: scipy `chisquare` against equal weights.
It writes tests/fixtures/ab/reference.json (which cli/tests/abreport.rs holds the CLI to,
in every `cargo test`) and, with --check, runs the CLI and compares here too.

    python3 eval/abreport_check.py [--check]
"""
import gzip
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

ROOT = Path(__file__).resolve().parent.parent
AB = ROOT / "tests" / "fixtures" / "ab"
sys.path.insert(0, str(ROOT / "scripts"))
from make_ab_export import resent  # noqa: E402


def read(text):
    seen, out = set(), []
    for line in text.splitlines():
        if not line.strip():
            continue
        e = json.loads(line)
        if e.get("record") is not None:
            key = (e.get("user"), e.get("batch"), e["record"])
            if key in seen:
                continue
            seen.add(key)
        out.append(e)
    return out


def value(e):
    if "value" in e:
        return float(e["value"])
    return sum(float(i.get("price", 0)) * float(i.get("quantity", 1)) for i in e.get("items", []))


def reference(text):
    events = read(text)
    first = {}
    for e in events:
        if e["type"] == "exposure":
            x = e["exposure"]
            key = (x["experiment"], e["user"])
            if key not in first or e["ts"] < first[key][0]:
                first[key] = (e["ts"], x["variation"], x["arm"])
    purchases = {}
    for e in events:
        if e["type"] == "purchase":
            purchases.setdefault(e["user"], []).append((e["ts"], value(e)))
    out = {}
    for exp in sorted({k[0] for k in first}):
        arms = {}
        for (x, user), (ts, variation, arm) in first.items():
            if x != exp:
                continue
            a = arms.setdefault(variation, {"arm": arm, "per_shopper": [], "orders": []})
            after = [v for t, v in purchases.get(user, []) if t >= ts]
            a["per_shopper"].append(sum(after))
            a["orders"].extend(after)
        c = arms[0]
        n0, c0 = len(c["per_shopper"]), sum(1 for v in c["per_shopper"] if v > 0)
        rows = []
        for variation in sorted(arms):
            a = arms[variation]
            n = len(a["per_shopper"])
            conv = sum(1 for v in a["per_shopper"] if v > 0)
            row = {"variation": variation, "arm": a["arm"], "exposed": n, "conversions": conv,
                   "orders": len(a["orders"]), "revenue": float(np.sum(a["per_shopper"])),
                   "average_order_value": float(np.mean(a["orders"])) if a["orders"] else None}
            if variation != 0:
                if c0 + conv > 0 and c0 + conv < n0 + n:
                    row["p_value"] = float(proportions_ztest([conv, c0], [n, n0])[1])
                else:
                    row["p_value"] = None
                if c0 > 0 and conv > 0:
                    lo, hi = confint_proportions_2indep(conv, n, c0, n0, compare="ratio", method="log")
                    row["lift"] = (conv / n) / (c0 / n0) - 1
                    row["lift_ci95"] = [float(lo) - 1, float(hi) - 1]
                else:
                    row["lift"], row["lift_ci95"] = None, None
                row["revenue_per_shopper_p"] = float(
                    stats.ttest_ind(a["per_shopper"], c["per_shopper"], equal_var=False).pvalue)
                row["average_order_value_p"] = (
                    float(stats.ttest_ind(a["orders"], c["orders"], equal_var=False).pvalue)
                    if len(a["orders"]) > 1 and len(c["orders"]) > 1 else None)
            rows.append(row)
        observed = [len(arms[v]["per_shopper"]) for v in sorted(arms)]
        chi2, p = stats.chisquare(observed)
        out[exp] = {"arms": rows, "chi2": float(chi2), "srm_p": float(p)}
    return out


def texts():
    clean = gzip.open(AB / "export.jsonl.gz", "rt").read()
    return {
        "export": clean,
        "resent": resent(clean),
        "zero_treatment": gzip.open(AB / "zero_treatment.jsonl.gz", "rt").read(),
        "zero_control": gzip.open(AB / "zero_control.jsonl.gz", "rt").read(),
    }


def close(a, b, tol=1e-7):
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= tol * max(1.0, abs(b))


def check(name, text, ref):
    path = Path("/tmp") / f"ab-{name}.jsonl"
    path.write_text(text)
    cli = ROOT / "target" / "release" / "personalizer"
    got = json.loads(subprocess.check_output([str(cli), "ab-report", str(path), "--json"]))
    worst = 0.0
    for e in got["experiments"]:
        r = ref[e["experiment"]]
        assert close(e["sample_ratio"]["p_value"], r["srm_p"]), (name, "srm")
        for a, w in zip(e["arms"], r["arms"]):
            for k in ("exposed", "conversions", "orders"):
                assert a[k] == w[k], (name, a["arm"], k, a[k], w[k])
            for k in ("revenue", "average_order_value", "p_value", "lift",
                      "revenue_per_shopper_p", "average_order_value_p"):
                if k in w:
                    assert close(a[k], w[k]), (name, a["arm"], k, a[k], w[k])
                    if a[k] is not None:
                        worst = max(worst, abs(a[k] - w[k]))
            if w.get("lift_ci95"):
                for x, y in zip(a["lift_ci95"], w["lift_ci95"]):
                    assert close(x, y), (name, a["arm"], "ci", x, y)
                    worst = max(worst, abs(x - y))
    print(f"{name}: CLI matches statsmodels/scipy (largest difference {worst:.1e})")


def main():
    all_refs = {name: reference(text) for name, text in texts().items()}
    (AB / "reference.json").write_text(json.dumps(all_refs, indent=1) + "\n")
    print("wrote tests/fixtures/ab/reference.json")
    if "--check" in sys.argv:
        for name, text in texts().items():
            check(name, text, all_refs[name])


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Payment-method ordering on SIMULATED shoppers (no public data set of checkout choices exists).

A seeded generator draws shoppers (country, OS, order history) and their payment choices,
with each country's method mix taken from published e-commerce market-share figures where
they exist and from stated assumptions where they do not (SOURCES and MIX below say which is
which). We then compare, on the shoppers' next order:

- static: the store's one global order (STATIC), filtered to what is offered;
- last used first: the shopper's last method, then the static order;
- most popular in country: methods by share of the training purchases in that country;
- ours: `personalizer train` on the training shoppers' exported events (JSON Lines, with the
  `country` and `os` a collector adds from the request), then `personalizer rank-payments`,
  which replays each test shopper's events into the module and ranks the methods offered —
  the same `rankPaymentMethods` code the browser runs.

Metrics: top-1 (the method paid with is first) and mean reciprocal rank, overall and for new
and returning shoppers. Writes eval/out/payments.json. This measures the ranking machinery
against a world we made up to resemble published figures; it is not evidence about any real
store's shoppers.
"""
import json
import os
import random
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLI = os.path.join(ROOT, "target", "release", "personalizer")
OUT = os.path.join(ROOT, "eval", "out")
SEED = 20261122
N_TRAIN, N_TEST = 20000, 5000
NOW_MS = 1795000000000  # the next order of every shopper happens "now"
DAY_MS = 86_400_000

# Where each country's category mix comes from. Shares are of e-commerce payments.
SOURCES = {
    "W24": "Worldpay, The Global Payments Report 2024 (9th ed., 2023 data): account-to-account "
           "payments are 64% of e-commerce in the Netherlands and 68% in Poland "
           "(as reported by Retail Times, 'Customers set the trends in payments', March 2024).",
    "PPRO": "PPRO, 'Payment methods in Germany' country page (ppro.com/country/germany, read "
            "2026): e-wallet 33%, bank transfer 30%, card 17%, cash 4%, other 16%.",
    "TL": "TrueLayer, 'European tour of alternative payments' (Belgium): payment cards are 50% "
          "of e-commerce payments in 2021; Bancontact is the most popular method.",
    "W21": "Worldpay from FIS, The Global Payments Report 2021 (North America, 2020 data): "
           "credit cards 32%, digital wallets 29.3% of e-commerce (as reported by Tearsheet).",
}

# Category shares per country: (share, source or "assumed").
MIX = {
    "NL": {"a2a": (64, "W24"), "wallet": (18, "assumed"), "card": (10, "assumed"), "bnpl": (8, "assumed")},
    "PL": {"a2a": (68, "W24"), "wallet": (14, "assumed"), "card": (13, "assumed"), "bnpl": (5, "assumed")},
    "DE": {"wallet": (33, "PPRO"), "a2a": (30, "PPRO"), "card": (17, "PPRO"), "cash": (4, "PPRO"),
           "bnpl": (16, "PPRO: 'other', taken as invoice / BNPL")},
    "BE": {"local_card": (35, "TL: cards 50%, Bancontact's part assumed"), "card": (15, "TL"),
           "wallet": (25, "assumed"), "a2a": (15, "assumed"), "bnpl": (10, "assumed")},
    "US": {"card": (60.7, "W21: credit 32% + debit assumed 28.7%"), "wallet": (29.3, "W21"),
           "bnpl": (6, "assumed")},
}
COUNTRY_WEIGHT = {"DE": 0.30, "NL": 0.20, "US": 0.20, "PL": 0.15, "BE": 0.15}
OS_WEIGHT = {"ios": 0.30, "android": 0.30, "windows": 0.30, "macos": 0.10}  # assumed
DEVICE = {"ios": "mobile", "android": "mobile", "windows": "desktop", "macos": "desktop"}
# The concrete method behind each category (assumed; local schemes per country).
A2A = {"NL": "ideal", "PL": "blik", "DE": "sofort", "BE": "payconiq"}
WALLET_SPLIT = {  # assumed: the wallets each platform offers and how their share splits
    "ios": {"apple_pay": 0.5, "paypal": 0.5},
    "macos": {"apple_pay": 0.3, "paypal": 0.7},
    "android": {"google_pay": 0.35, "paypal": 0.65},
    "windows": {"paypal": 1.0},
}
# The store's one global order, as a shop built for card markets would list it.
STATIC = ["card", "paypal", "apple_pay", "google_pay", "klarna", "ideal", "sofort",
          "bancontact", "payconiq", "blik", "cod"]
CONCENTRATION = 3.0  # Dirichlet concentration of a shopper's personal mix around the market's


def method_mix(country, os_):
    """The market's method shares for shoppers of this country on this platform."""
    out = defaultdict(float)
    for cat, (share, _) in MIX[country].items():
        if cat == "wallet":
            for m, s in WALLET_SPLIT[os_].items():
                out[m] += share * s
        else:
            m = {"a2a": A2A.get(country), "card": "card", "local_card": "bancontact",
                 "bnpl": "klarna", "cash": "cod"}[cat]
            out[m] += share
    total = sum(out.values())
    return {m: s / total for m, s in out.items()}


def draw(rng, weights):
    r, acc = rng.random() * sum(weights.values()), 0.0
    for k, w in weights.items():
        acc += w
        if r < acc:
            return k
    return k


def shopper(rng, uid):
    country = draw(rng, COUNTRY_WEIGHT)
    os_ = draw(rng, OS_WEIGHT)
    market = method_mix(country, os_)
    # Personal mix ~ Dirichlet(CONCENTRATION * market): most shoppers have a favourite.
    g = {m: rng.gammavariate(CONCENTRATION * s, 1.0) for m, s in market.items()}
    total = sum(g.values()) or 1.0
    personal = {m: v / total for m, v in g.items()}
    n_past = 0 if rng.random() < 0.4 else min(12, 1 + int(rng.expovariate(0.5)))
    days = sorted(rng.uniform(1, 180) for _ in range(n_past))
    past = [(NOW_MS - int(d * DAY_MS), draw(rng, personal)) for d in reversed(days)]
    return {"user": uid, "country": country, "os": os_, "device": DEVICE[os_],
            "offered": [m for m in STATIC if m in market], "past": past, "next": draw(rng, personal)}


def purchase_line(s, ts, method, k):
    return json.dumps({"user": s["user"], "type": "purchase", "ts": ts, "transaction_id": f"{s['user']}-{k}",
                       "currency": "EUR", "value": 40.0, "payment_type": method,
                       "country": s["country"], "os": s["os"], "device": s["device"]})


def metrics(rankings, shoppers):
    out = {}
    for name, keep in (("all", lambda s: True), ("new", lambda s: not s["past"]), ("returning", lambda s: bool(s["past"]))):
        pairs = [(r, s) for r, s in zip(rankings, shoppers) if keep(s)]
        top1 = sum(r[0] == s["next"] for r, s in pairs) / len(pairs)
        mrr = sum(1 / (r.index(s["next"]) + 1) for r, s in pairs) / len(pairs)
        out[name] = {"top1": top1, "mrr": mrr, "shoppers": len(pairs)}
    return out


def main():
    rng = random.Random(SEED)
    train = [shopper(rng, f"t{i}") for i in range(N_TRAIN)]
    test = [shopper(rng, f"s{i}") for i in range(N_TEST)]
    assert all(s["next"] in s["offered"] for s in train + test)

    per_country = defaultdict(Counter)
    for s in train:
        for _, m in s["past"]:
            per_country[s["country"]][m] += 1
        per_country[s["country"]][s["next"]] += 1

    def static(s):
        return list(s["offered"])

    def last_used(s):
        last = s["past"][-1][1] if s["past"] else None
        return ([last] if last else []) + [m for m in s["offered"] if m != last]

    def popular(s):
        c = per_country[s["country"]]
        return sorted(s["offered"], key=lambda m: (-c[m], s["offered"].index(m)))

    result = {"seed": SEED, "train_shoppers": N_TRAIN, "test_shoppers": N_TEST, "sources": SOURCES,
              "mix": {c: {k: v[0] for k, v in m.items()} for c, m in MIX.items()},
              "mix_sources": {c: {k: v[1] for k, v in m.items()} for c, m in MIX.items()},
              "concentration": CONCENTRATION}
    with tempfile.TemporaryDirectory() as tmp:
        ev = os.path.join(tmp, "train.jsonl")
        with open(ev, "w") as f:
            for s in train:
                for k, (ts, m) in enumerate(s["past"]):
                    f.write(purchase_line(s, ts, m, k) + "\n")
                f.write(purchase_line(s, NOW_MS, s["next"], len(s["past"])) + "\n")
        model = os.path.join(tmp, "trained.cpm")
        log = subprocess.run([CLI, "train", ev, "-o", model], check=True, capture_output=True, text=True).stderr
        result["train_log"] = log.strip()
        tev, tq = os.path.join(tmp, "test.jsonl"), os.path.join(tmp, "queries.jsonl")
        with open(tev, "w") as f:
            for s in test:
                for k, (ts, m) in enumerate(s["past"]):
                    f.write(purchase_line(s, ts, m, k) + "\n")
        with open(tq, "w") as f:
            for s in test:
                f.write(json.dumps({"user": s["user"], "ts": NOW_MS, "country": s["country"], "os": s["os"],
                                    "device": s["device"], "methods": s["offered"]}) + "\n")
        out = subprocess.run([CLI, "rank-payments", model, "--events", tev, "--queries", tq,
                              "--options", '{"retentionDays":365}'],
                             check=True, capture_output=True, text=True).stdout
        ours = [line.split(",") for line in out.splitlines()]
    assert len(ours) == len(test)
    for r, s in zip(ours, test):
        assert sorted(r) == sorted(s["offered"]), "the module must return a permutation"
    result["static"] = metrics([static(s) for s in test], test)
    result["last_used_first"] = metrics([last_used(s) for s in test], test)
    result["most_popular_in_country"] = metrics([popular(s) for s in test], test)
    result["ours"] = metrics(ours, test)
    os.makedirs(OUT, exist_ok=True)
    json.dump(result, open(os.path.join(OUT, "payments.json"), "w"), indent=1)
    print(json.dumps({k: result[k] for k in ("static", "last_used_first", "most_popular_in_country", "ours")}, indent=1))


if __name__ == "__main__":
    sys.exit(main())

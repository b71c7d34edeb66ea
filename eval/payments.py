#!/usr/bin/env python3
"""Payment-method ordering on SIMULATED shoppers (no public data set of checkout choices exists).

A seeded generator draws shoppers and their orders at several merchants, with each country's
method mix taken from published e-commerce market-share figures where they exist and from
stated assumptions where they do not (SOURCES and MIX below say which is which). What the
world holds, all of it stated here and none of it fitted to anything:

- ten countries, each with its local methods and its own currency (values are in local
  currency; EXCHANGE converts for the world's own rules only, never for the learners);
- wallets that exist only on some platforms and browsers (Apple Pay in Safari on Apple
  devices, Google Pay on Android and in Chromium browsers);
- methods limited to basket-value ranges (BNPL from 35 to 1,500 EUR, Afterpay up to 600,
  cash on delivery up to 300) and value-dependent preferences (BNPL rises with the basket,
  cash falls; VALUE_EFFECT);
- eight merchants, each with its own method list and order; the shopper leans slightly
  towards the top of the list (POSITION_EFFECT);
- habit strength that varies by shopper (Beta(HABIT_A, HABIT_B): the chance of simply
  repeating the last method when it is offered), on top of a personal mix drawn around the
  market's (Dirichlet, CONCENTRATION);
- about 42 % new shoppers (NEW_SHARE) at the test order;
- what the module records: a ranked payment list (the exposure line `exportEvents` sends,
  `shown` = the ids in shown order) before LISTED of the past orders; the rest predate it.

Split by shopper: TRAIN to fit, VALIDATION to choose settings (the `--payment-l2` of
`personalizer train`), TEST to report. Orderings compared on the test shoppers' next order:

- static: the merchant's own order;
- last used first: the shopper's last method, then the merchant's order;
- last used, then popular: the last method, then methods by share in the country;
- popular in country x device: methods by share among training orders of that country and device;
- multinomial logistic regression (scikit-learn) on what the module can see: country, OS,
  device, browser, log basket value (per currency), past method counts and shares, last method;
- ours: `personalizer train` on the training shoppers' exported events, then
  `personalizer rank-payments`, which replays each test shopper's events into the module and
  ranks the methods offered -- the same `rankPaymentMethods` code the browser runs; and the
  same with `--payment-learner lightgbm` (LightGBM's lambdarank on the same choice sets).

Metrics: top-1 (the method paid with is first) and mean reciprocal rank, overall and for new
and returning shoppers. Writes eval/out/payments.json. This measures the ranking machinery
against a world we made up to resemble published figures; it is not evidence about any real
store's shoppers.
"""
import json
import math
import os
import random
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLI = os.path.join(ROOT, "target", "release", "personalizer")
OUT = os.path.join(ROOT, "eval", "out")
SEED = 20261201
N_TRAIN, N_VALIDATION, N_TEST = 24000, 8000, 20000
NOW_MS = 1795000000000  # the next order of every shopper happens "now"
DAY_MS = 86_400_000
NEW_SHARE = 0.42
LISTED = 0.7  # share of past orders made after the module started recording ranked lists

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
    "PL": {"a2a": (68, "W24"), "wallet": (14, "assumed"), "card": (13, "assumed"), "bnpl": (3, "assumed"),
           "cash": (2, "assumed")},
    "DE": {"wallet": (33, "PPRO"), "a2a": (30, "PPRO"), "card": (17, "PPRO"), "cash": (4, "PPRO"),
           "bnpl": (16, "PPRO: 'other', taken as invoice / BNPL")},
    "BE": {"local_card": (35, "TL: cards 50%, Bancontact's part assumed"), "card": (15, "TL"),
           "wallet": (25, "assumed"), "a2a": (15, "assumed"), "bnpl": (10, "assumed")},
    "US": {"card": (60.7, "W21: credit 32% + debit assumed 28.7%"), "wallet": (29.3, "W21"),
           "bnpl": (6, "assumed"), "bnpl2": (4, "assumed")},
    "GB": {"card": (50, "assumed"), "wallet": (35, "assumed"), "bnpl": (9, "assumed"), "bnpl2": (6, "assumed")},
    "FR": {"card": (60, "assumed"), "wallet": (30, "assumed"), "bnpl": (10, "assumed")},
    "SE": {"bnpl": (30, "assumed"), "a2a": (30, "assumed"), "card": (25, "assumed"), "wallet": (15, "assumed")},
    "IT": {"card": (45, "assumed"), "wallet": (35, "assumed"), "a2a": (10, "assumed"), "bnpl": (10, "assumed")},
    "ES": {"card": (55, "assumed"), "wallet": (25, "assumed"), "a2a": (15, "assumed"), "cash": (5, "assumed")},
}
COUNTRY_WEIGHT = {"DE": 0.18, "NL": 0.10, "US": 0.14, "PL": 0.08, "BE": 0.06, "GB": 0.14, "FR": 0.10,
                  "SE": 0.06, "IT": 0.07, "ES": 0.07}
CURRENCY = {"PL": "PLN", "US": "USD", "GB": "GBP", "SE": "SEK"}  # EUR elsewhere
EXCHANGE = {"EUR": 1.0, "PLN": 4.3, "USD": 1.1, "GBP": 0.85, "SEK": 11.5}  # per EUR, assumed
A2A = {"NL": "ideal", "PL": "blik", "DE": "sofort", "BE": "payconiq", "SE": "swish", "IT": "satispay",
       "ES": "bizum"}
BNPL2 = "afterpay"
OS_WEIGHT = {"ios": 0.30, "android": 0.30, "windows": 0.30, "macos": 0.10}  # assumed
DEVICE = {"ios": "mobile", "android": "mobile", "windows": "desktop", "macos": "desktop"}
BROWSERS = {  # assumed
    "ios": {"safari": 0.8, "chrome": 0.2},
    "android": {"chrome": 0.7, "samsung": 0.3},
    "windows": {"chrome": 0.65, "edge": 0.2, "firefox": 0.15},
    "macos": {"safari": 0.55, "chrome": 0.45},
}
WALLET_SPLIT = {"apple_pay": 0.5, "google_pay": 0.35, "paypal": 0.5}  # relative, among the available
TYPE = {"card": "card", "bancontact": "card", "paypal": "wallet", "apple_pay": "wallet", "google_pay": "wallet",
        "klarna": "bnpl", BNPL2: "bnpl", "cod": "cash"}
VALUE_RANGE_EUR = {"klarna": (35, 1500), BNPL2: (1, 600), "cod": (0, 300)}
# Utility per ln(basket / 60 EUR), by type (assumed): BNPL rises with the basket, cash falls.
VALUE_EFFECT = {"bnpl": 1.0, "cash": -0.8, "card": 0.25, "wallet": -0.25, "a2a": 0.0}
POSITION_EFFECT = 0.12  # utility lost per place down the merchant's list
CONCENTRATION = 3.0
HABIT_A, HABIT_B = 2.0, 2.5
# Merchants: the methods each supports (None: all) and how it orders them (a key per method).
MERCHANTS = [
    {"name": "fashion", "drop": {"cod"}, "first": ["klarna", "paypal"]},
    {"name": "electronics", "drop": {"cod", "satispay"}, "first": ["card", "paypal"]},
    {"name": "grocery", "drop": {"klarna", BNPL2}, "first": ["card"]},
    {"name": "marketplace", "drop": set(), "first": ["paypal", "apple_pay", "google_pay"]},
    {"name": "books", "drop": {BNPL2, "bancontact"}, "first": ["paypal"]},
    {"name": "home", "drop": set(), "first": ["klarna", "card"]},
    {"name": "beauty", "drop": {"cod", "sofort"}, "first": ["apple_pay", "google_pay", "card"]},
    {"name": "sports", "drop": {"payconiq"}, "first": []},
]
MERCHANT_ORDER = ["card", "paypal", "apple_pay", "google_pay", "klarna", BNPL2, "ideal", "sofort", "bancontact",
                  "payconiq", "blik", "swish", "satispay", "bizum", "cod"]


def method_type(m):
    return TYPE.get(m, "a2a")


def methods_of(country):
    """The country's methods and their market weight (before availability)."""
    out = defaultdict(float)
    for cat, (share, _) in MIX[country].items():
        if cat == "wallet":
            for m, s in WALLET_SPLIT.items():
                out[m] += share * s / sum(WALLET_SPLIT.values())
        else:
            m = {"a2a": A2A.get(country), "card": "card", "local_card": "bancontact", "bnpl": "klarna",
                 "bnpl2": BNPL2, "cash": "cod"}[cat]
            out[m] += share
    return dict(out)


def available(m, os_, browser):
    if m == "apple_pay":
        return os_ in ("ios", "macos") and browser == "safari"
    if m == "google_pay":
        return os_ == "android" or browser in ("chrome", "edge", "samsung")
    return True


def in_range(m, value_eur):
    lo, hi = VALUE_RANGE_EUR.get(m, (0, math.inf))
    return lo <= value_eur <= hi


def draw(rng, weights):
    r, acc = rng.random() * sum(weights.values()), 0.0
    for k, w in weights.items():
        acc += w
        if r < acc:
            return k
    return k


def offered(merchant, country, os_, browser, value_eur):
    ms = [m for m in methods_of(country) if m not in merchant["drop"] and available(m, os_, browser)
          and in_range(m, value_eur)]
    first = merchant["first"]
    return sorted(ms, key=lambda m: (first.index(m) if m in first else len(first), MERCHANT_ORDER.index(m)))


def choose(rng, s, offer, value_eur, last):
    if last in offer and rng.random() < s["habit"]:
        return last
    best, top = None, -math.inf
    for pos, m in enumerate(offer):
        u = (math.log(max(s["personal"].get(m, 0.0), 1e-6)) + VALUE_EFFECT[method_type(m)] * math.log(value_eur / 60)
             - POSITION_EFFECT * pos - math.log(-math.log(rng.random() or 1e-12)))
        if u > top:
            best, top = m, u
    return best


def true_probabilities(s, o, last):
    """The world's own choice probabilities for order `o` (habit, then Gumbel-max = softmax)."""
    offer = o["offer"]
    u = [math.log(max(s["personal"].get(m, 0.0), 1e-6)) + VALUE_EFFECT[method_type(m)] * math.log(o["value_eur"] / 60)
         - POSITION_EFFECT * pos for pos, m in enumerate(offer)]
    top = max(u)
    z = sum(math.exp(x - top) for x in u)
    h = s["habit"] if last in offer else 0.0
    return {m: (1 - h) * math.exp(x - top) / z + (h if m == last else 0.0) for m, x in zip(offer, u)}


def shopper(rng, uid):
    country = draw(rng, COUNTRY_WEIGHT)
    os_ = draw(rng, OS_WEIGHT)
    browser = draw(rng, BROWSERS[os_])
    market = methods_of(country)
    total = sum(market.values())
    g = {m: rng.gammavariate(CONCENTRATION * w / total, 1.0) for m, w in market.items()}
    gt = sum(g.values()) or 1.0
    s = {"user": uid, "country": country, "os": os_, "device": DEVICE[os_], "browser": browser,
         "currency": CURRENCY.get(country, "EUR"), "personal": {m: v / gt for m, v in g.items()},
         "habit": rng.betavariate(HABIT_A, HABIT_B), "scale": math.exp(rng.gauss(0, 0.5))}
    n_past = 0 if rng.random() < NEW_SHARE else min(15, 1 + int(rng.expovariate(0.4)))
    days = sorted((rng.uniform(1, 240) for _ in range(n_past)), reverse=True)
    orders, last = [], None
    for k in range(n_past + 1):
        ts = NOW_MS - int(days[k] * DAY_MS) if k < n_past else NOW_MS
        merchant = rng.choice(MERCHANTS)
        value_eur = min(3000.0, 60 * s["scale"] * math.exp(rng.gauss(0, 0.8)))
        offer = offered(merchant, country, os_, browser, value_eur)
        method = choose(rng, s, offer, value_eur, last)
        orders.append({"ts": ts, "value": round(value_eur * EXCHANGE[s["currency"]], 2), "offer": offer,
                       "method": method, "listed": rng.random() < LISTED, "value_eur": value_eur})
        last = method
    s["past"], s["next"] = orders[:-1], orders[-1]
    return s


def context_fields(s):
    return {"country": s["country"], "os": s["os"], "device": s["device"], "browser": s["browser"]}


def export_lines(s, orders):
    """What the collector stores: the module's list record (when recorded), then the purchase."""
    out = []
    for k, o in enumerate(orders):
        if o["listed"]:
            out.append({"user": s["user"], "type": "exposure", "ts": o["ts"] - 60_000,
                        "exposure": {"experiment": "payment_methods", "arm": "", "variation": 0, "shown": o["offer"],
                                     "types": [method_type(m) for m in o["offer"]]},
                        **context_fields(s)})
        out.append({"user": s["user"], "type": "purchase", "ts": o["ts"], "transaction_id": f"{s['user']}-{k}",
                    "currency": s["currency"], "value": o["value"], "payment_type": o["method"], **context_fields(s)})
    return out


def metrics(rankings, shoppers):
    out = {}
    for name, keep in (("all", lambda s: True), ("new", lambda s: not s["past"]),
                       ("returning", lambda s: bool(s["past"]))):
        pairs = [(r, s) for r, s in zip(rankings, shoppers) if keep(s)]
        hits = [r[0] == s["next"]["method"] for r, s in pairs]
        top1 = sum(hits) / len(pairs)
        mrr = sum(1 / (r.index(s["next"]["method"]) + 1) for r, s in pairs) / len(pairs)
        out[name] = {"top1": top1, "mrr": mrr, "shoppers": len(pairs),
                     "top1_se": math.sqrt(top1 * (1 - top1) / len(pairs))}
    return out


def history_features(s, upto, methods):
    """What the module can see before order `upto`: counts, shares, last method."""
    counts = Counter(o["method"] for o in s["past"][:upto])
    total = sum(counts.values())
    last = s["past"][upto - 1]["method"] if upto > 0 else None
    x = {}
    for m in methods:
        x[f"n_{m}"] = counts[m]
        x[f"share_{m}"] = counts[m] / total if total else 0.0
        x[f"last_{m}"] = float(last == m)
    x["orders"] = total
    return x


def logistic_baseline(train, tests):
    """Multinomial LR over all methods on the signals the module sees; rank the offered by probability."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    methods = sorted({o["method"] for s in train for o in s["past"] + [s["next"]]})

    def row(s, k, o):
        x = history_features(s, k, methods)
        x[f"country={s['country']}"] = 1.0
        x[f"os={s['os']}"] = 1.0
        x[f"device={s['device']}"] = 1.0
        x[f"browser={s['browser']}"] = 1.0
        x[f"logvalue_{s['currency']}"] = math.log1p(o["value"])
        return x

    X, y = [], []
    for s in train:
        for k, o in enumerate(s["past"] + [s["next"]]):
            X.append(row(s, k, o))
            y.append(o["method"])
    vec = DictVectorizer()
    clf = LogisticRegression(max_iter=2000, C=1.0)
    clf.fit(vec.fit_transform(X), y)
    out = []
    for group in tests:
        probs = clf.predict_proba(vec.transform([row(s, len(s["past"]), s["next"]) for s in group]))
        col = {m: i for i, m in enumerate(clf.classes_)}
        out.append([sorted(s["next"]["offer"], key=lambda m: (-(p[col[m]] if m in col else 0.0),
                                                              s["next"]["offer"].index(m)))
                    for s, p in zip(group, probs)])
    return out


def ours(tmp, model, group, name):
    tev, tq = os.path.join(tmp, f"{name}.jsonl"), os.path.join(tmp, f"{name}-queries.jsonl")
    with open(tev, "w") as f:
        for s in group:
            for line in export_lines(s, s["past"]):
                f.write(json.dumps(line) + "\n")
    with open(tq, "w") as f:
        for s in group:
            f.write(json.dumps({"user": s["user"], "ts": NOW_MS, **context_fields(s), "value": s["next"]["value"],
                                "currency": s["currency"],
                                "methods": [{"id": m, "type": method_type(m)} for m in s["next"]["offer"]]}) + "\n")
    out = subprocess.run([CLI, "rank-payments", model, "--events", tev, "--queries", tq,
                          "--options", '{"retentionDays":365}'], check=True, capture_output=True, text=True).stdout
    r = [line.split(",") for line in out.splitlines()]
    assert len(r) == len(group)
    for x, s in zip(r, group):
        assert sorted(x) == sorted(s["next"]["offer"]), "the module must return a permutation"
    return r


def main():
    rng = random.Random(SEED)
    train = [shopper(rng, f"t{i}") for i in range(N_TRAIN)]
    validation = [shopper(rng, f"v{i}") for i in range(N_VALIDATION)]
    test = [shopper(rng, f"s{i}") for i in range(N_TEST)]
    test = [s for s in test if len(s["next"]["offer"]) > 1]
    validation = [s for s in validation if len(s["next"]["offer"]) > 1]

    per_country, per_cd = defaultdict(Counter), defaultdict(Counter)
    for s in train:
        for o in s["past"] + [s["next"]]:
            per_country[s["country"]][o["method"]] += 1
            per_cd[(s["country"], s["device"])][o["method"]] += 1

    def last_of(s):
        return s["past"][-1]["method"] if s["past"] else None

    def static(s):
        return list(s["next"]["offer"])

    def last_used(s):
        last, offer = last_of(s), s["next"]["offer"]
        return ([last] if last in offer else []) + [m for m in offer if m != last]

    def by_count(s, c, first=None):
        offer = s["next"]["offer"]
        rest = sorted((m for m in offer if m != first), key=lambda m: (-c[m], offer.index(m)))
        return ([first] if first in offer else []) + rest

    def last_then_popular(s):
        return by_count(s, per_country[s["country"]], last_of(s))

    def popular_cd(s):
        return by_count(s, per_cd[(s["country"], s["device"])])

    result = {"seed": SEED, "train_shoppers": N_TRAIN, "validation_shoppers": len(validation),
              "test_shoppers": len(test), "sources": SOURCES,
              "mix": {c: {k: v[0] for k, v in m.items()} for c, m in MIX.items()},
              "mix_sources": {c: {k: v[1] for k, v in m.items()} for c, m in MIX.items()},
              "world": {"concentration": CONCENTRATION, "habit_beta": [HABIT_A, HABIT_B], "new_share": NEW_SHARE,
                        "listed": LISTED, "position_effect": POSITION_EFFECT, "value_effect": VALUE_EFFECT,
                        "value_range_eur": VALUE_RANGE_EUR, "merchants": len(MERCHANTS)}}
    lr_val, lr_test = logistic_baseline(train, [validation, test])
    with tempfile.TemporaryDirectory() as tmp:
        ev = os.path.join(tmp, "train.jsonl")
        with open(ev, "w") as f:
            for s in train:
                for line in export_lines(s, s["past"] + [s["next"]]):
                    f.write(json.dumps(line) + "\n")
        # Settings chosen on the validation shoppers, never on the test shoppers.
        tried = {}
        for l2 in (1e-5, 1e-4, 1e-3):
            model = os.path.join(tmp, f"trained-{l2}.cpm")
            log = subprocess.run([CLI, "train", ev, "-o", model, "--payment-l2", str(l2)], check=True,
                                 capture_output=True, text=True).stderr
            tried[l2] = (metrics(ours(tmp, model, validation, "validation"), validation)["all"]["top1"], model, log)
        best = max(tried, key=lambda k: tried[k][0])
        result["validation_top1_by_l2"] = {str(k): v[0] for k, v in tried.items()}
        result["chosen_l2"] = best
        result["train_log"] = tried[best][2].strip()
        result["validation"] = {"ours": metrics(ours(tmp, tried[best][1], validation, "validation"), validation),
                                "logistic_regression": metrics(lr_val, validation),
                                "last_used_then_popular": metrics([last_then_popular(s) for s in validation],
                                                                  validation)}
        mine = ours(tmp, tried[best][1], test, "test")
        # The same choice sets through LightGBM's lambdarank (`--payment-learner lightgbm`).
        lgb_model = os.path.join(tmp, "trained-lgb.cpm")
        subprocess.run([CLI, "train", ev, "-o", lgb_model, "--payment-l2", str(best), "--payment-learner", "lightgbm"],
                       check=True, capture_output=True, text=True)
        result["bundle_bytes"] = {"logit": os.path.getsize(tried[best][1]), "lightgbm": os.path.getsize(lgb_model)}
        result["validation"]["ours_lightgbm"] = metrics(ours(tmp, lgb_model, validation, "validation"), validation)
        result["ours_lightgbm"] = metrics(ours(tmp, lgb_model, test, "test"), test)
    result["static"] = metrics([static(s) for s in test], test)
    result["last_used_first"] = metrics([last_used(s) for s in test], test)
    result["last_used_then_popular"] = metrics([last_then_popular(s) for s in test], test)
    result["popular_in_country_device"] = metrics([popular_cd(s) for s in test], test)
    result["logistic_regression"] = metrics(lr_test, test)
    result["ours"] = metrics(mine, test)
    # The ceiling: an oracle that knows each shopper's personal mix and habit ranks by the
    # world's own probabilities; its expected top-1 is what no learner can beat here.
    oracle = {}
    for group, keep in (("all", lambda s: True), ("new", lambda s: not s["past"]),
                        ("returning", lambda s: bool(s["past"]))):
        ps = [max(true_probabilities(s, s["next"], s["past"][-1]["method"] if s["past"] else None).values())
              for s in test if keep(s)]
        oracle[group] = {"top1": sum(ps) / len(ps), "shoppers": len(ps)}
    result["oracle_expected_top1"] = oracle
    # A fair ceiling for new shoppers: the world's rules exactly (market mix, availability,
    # value and position effects) but not the shopper's personal mix, which a first order
    # cannot reveal: rank by the choice probabilities averaged over personal mixes drawn as
    # the world draws them (Monte Carlo, seeded), scored by the shopper's true probabilities.
    mc = random.Random(SEED + 1)
    fair = []
    for s in (s for s in test if not s["past"]):
        market, o = methods_of(s["country"]), s["next"]
        total = sum(market.values())
        mean = dict.fromkeys(o["offer"], 0.0)
        for _ in range(100):
            g = {m: mc.gammavariate(CONCENTRATION * w / total, 1.0) for m, w in market.items()}
            drawn = dict(s, personal={m: v / (sum(g.values()) or 1.0) for m, v in g.items()})
            for m, p in true_probabilities(drawn, o, None).items():
                mean[m] += p
        fair.append(true_probabilities(s, o, None)[max(mean, key=mean.get)])
    result["fair_new_ceiling_top1"] = sum(fair) / len(fair)
    # Paired: ours minus each baseline on the same shoppers, with its standard error.
    rankings = {"last_used_then_popular": [last_then_popular(s) for s in test], "logistic_regression": lr_test,
                "popular_in_country_device": [popular_cd(s) for s in test]}
    result["paired_top1"] = {}
    for name, theirs in rankings.items():
        for group, keep in (("all", lambda s: True), ("new", lambda s: not s["past"]),
                            ("returning", lambda s: bool(s["past"]))):
            d = [int(a[0] == s["next"]["method"]) - int(b[0] == s["next"]["method"])
                 for a, b, s in zip(mine, theirs, test) if keep(s)]
            mean = sum(d) / len(d)
            var = sum((x - mean) ** 2 for x in d) / (len(d) - 1)
            result["paired_top1"].setdefault(name, {})[group] = {"diff": mean, "se": math.sqrt(var / len(d))}
    os.makedirs(OUT, exist_ok=True)
    json.dump(result, open(os.path.join(OUT, "payments.json"), "w"), indent=1)
    keys = ("static", "last_used_first", "last_used_then_popular", "popular_in_country_device",
            "logistic_regression", "ours", "ours_lightgbm")
    print(json.dumps({k: {g: round(result[k][g]["top1"], 4) for g in ("all", "new", "returning")} for k in keys},
                     indent=1))
    print("validation", result["validation_top1_by_l2"], file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())

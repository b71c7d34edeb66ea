#!/usr/bin/env python3
"""Seeded synthetic baskets for the demo store (www/models/demo_baskets.csv).

The demo ships a model built by the CLI from data in the project, so a fresh clone needs
nothing else. These baskets are simulated: shopping "missions" (breakfast, pasta night,
party snacks, baking, ...) pull items together, plus random extras and popular staples.
They exist to make the demo's cross-sells visibly sensible, not to measure anything.
"""
import random

MISSIONS = {
    "breakfast": ["whole-milk", "cereal", "bananas", "coffee", "orange-juice"],
    "pasta": ["spaghetti", "tomato-sauce", "parmesan", "basil", "olive-oil"],
    "party": ["chips", "salsa", "soda", "beer", "nuts"],
    "baking": ["flour", "sugar", "eggs", "butter", "vanilla"],
    "healthy": ["yogurt", "granola", "berries", "bananas", "whole-milk"],
}
STAPLES = ["bread", "whole-milk", "eggs", "bananas", "coffee"]
ALL = sorted({i for m in MISSIONS.values() for i in m} | set(STAPLES) | {"gift-card", "tote-bag"})


def main():
    rng = random.Random(20261122)
    lines = []
    for _ in range(3000):
        basket = set()
        mission = rng.choice(list(MISSIONS))
        items = MISSIONS[mission]
        basket.update(rng.sample(items, rng.randint(2, len(items))))
        if rng.random() < 0.5:
            basket.add(rng.choice(STAPLES))
        if rng.random() < 0.15:
            basket.add(rng.choice(ALL))
        lines.append(",".join(sorted(basket)))
    with open("www/models/demo_baskets.csv", "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()

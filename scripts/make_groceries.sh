#!/usr/bin/env bash
# Builds tests/fixtures/groceries.cpm (and www/models/groceries.cpm for the demo) from the
# real Groceries baskets in ../shared/data (9,835 baskets, 169 items; GPL-3, arules 1.7.13).
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=../shared/data
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1795000000}
cargo run -q --release --bin personalizer -- cooccur "$DATA/groceries_baskets.csv" \
  -o tests/fixtures/groceries.cpm --catalog "$DATA/groceries_iteminfo.csv" \
  --category-column level2 --name-column labels --min-support 5 --top-k 20 --id groceries

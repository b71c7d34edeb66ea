#!/usr/bin/env bash
# checkout-personalizer build script. Subcommands:
#   setup   install whatever is missing (idempotent; fast when everything is there)
#   build   release build of pkg/ (wasm-pack, --target web) and a copy in www/pkg/
#   test    everything: fmt, clippy (native + wasm32), cargo test, wasm tests in Node and
#           headless Chromium, Firefox ESR and WebKitGTK, end-to-end tests in Chromium
#           (and the demo store in all three engines)
#   demo    build and serve www/ on http://127.0.0.1:8080
#   eval    quality on real data (../shared/data) -> EVALUATION.md (not part of test)
#   bench   size, cold start, per-decision speed and peers -> BENCHMARKS.md (not part of test)
#   profile where each benchmarked call spends its time -> bench/PROFILE.md (not part of test)
#   compare REV  the per-decision calls of REV against this tree, interleaved (not part of test)
#   fuzz    run every cargo-fuzz target for FUZZ_SECONDS (default 60); not part of test
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD
export PATH="$ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export WASM_BINDGEN_TEST_TIMEOUT=${WASM_BINDGEN_TEST_TIMEOUT:-60}
# wasm-pack must never download anything (GitHub is unreachable here): it finds every tool on PATH.
export WASM_PACK_CACHE="$ROOT/target/wasm-pack-cache"

log() { printf '\n== %s\n' "$*" >&2; }

# The wasm-bindgen version in Cargo.lock: wasm-bindgen-cli must match it exactly.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
}

setup() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    log "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  for c in rustfmt clippy; do
    rustup component list --installed | grep -q "^$c" || rustup component add "$c"
  done
  if ! command -v wasm-pack >/dev/null; then
    log "installing wasm-pack (about 8 minutes)"
    cargo install wasm-pack --locked
  fi
  [ -f Cargo.lock ] || cargo generate-lockfile
  local want; want=$(wasm_bindgen_version)
  if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$want" ]; then
    log "installing wasm-bindgen-cli $want (about 6 minutes)"
    # Not --locked: its lockfile pins a crate the registry no longer has.
    cargo install wasm-bindgen-cli --version "$want" --force
  fi
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    log "installing chromium and chromium-driver"
    if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
  # Firefox ESR and WebKitGTK (its WebDriver drives MiniBrowser under Xvfb): the wasm
  # browser tests run in the three engines shoppers use.
  if ! command -v firefox-esr >/dev/null || ! command -v WebKitWebDriver >/dev/null \
     || ! command -v xvfb-run >/dev/null; then
    log "installing firefox-esr, webkit2gtk-driver and xvfb"
    if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq firefox-esr webkit2gtk-driver xvfb xauth >/dev/null
  fi
  if ! command -v geckodriver >/dev/null; then
    log "installing geckodriver (about 3 minutes)"
    cargo install geckodriver --locked
  fi
  # npm dev tools: binaryen's wasm-opt (never Debian's v108) and playwright-core.
  if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -d node_modules/playwright-core ] \
     || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    log "installing npm dev tools"
    npm ci --no-audit --no-fund --loglevel=error
  fi
}

# wasm-opt's flags for every build (binaryen from npm, never Debian's v108). `-ocimfs 20`
# stops inlining large functions into their one caller: the copies compress worse (-14.5 KB
# gzip on the full build).
WASM_OPT_FLAGS=(-Os -ocimfs 20 --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext
  --enable-mutable-globals --enable-reference-types --enable-multivalue)

# One build of the module: cargo (release, wasm32) -> wasm-bindgen (--target web, with the
# reset function the package's recovery uses) -> wasm-opt. build_module OUT [cargo args...]
build_module() {
  local out=$1; shift
  local target=${CARGO_TARGET_DIR:-target}
  cargo build -q --release --target wasm32-unknown-unknown -p checkout-personalizer "$@"
  finish_module "$target/wasm32-unknown-unknown/release/checkout_personalizer.wasm" "$out"
}

finish_module() {
  local wasm=$1 out=$2
  rm -rf "$out" && mkdir -p "$out"
  wasm-bindgen "$wasm" --target web --out-dir "$out" --experimental-reset-state-function
  wasm-opt "${WASM_OPT_FLAGS[@]}" "$out/checkout_personalizer_bg.wasm" -o "$out/checkout_personalizer_bg.wasm"
}

# A size lever measured by `bench`, never shipped (pkg/ is the stable build): a nightly
# pinned by date that rebuilds std for size, with panics as plain traps and no panic
# locations or Debug text (no message the module shows uses Debug formatting).
NIGHTLY=nightly-2026-05-20
nightly_module() {
  local out=$1; shift
  local target=${CARGO_TARGET_DIR:-target/nightly}
  rustup run "$NIGHTLY" rustc --version >/dev/null 2>&1 \
    || rustup toolchain install "$NIGHTLY" --profile minimal -c rust-src || return 1
  RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none" \
    CARGO_TARGET_DIR=$target cargo "+$NIGHTLY" build -q --release --target wasm32-unknown-unknown \
    -p checkout-personalizer -Zbuild-std=std,panic_abort -Zbuild-std-features=optimize_for_size "$@" \
    || return 1
  finish_module "$target/wasm32-unknown-unknown/release/checkout_personalizer.wasm" "$out"
}

# The npm package in pkg/: the module, the entry point with its recovery (js/index.js), the
# boot module and snippet for tag managers, the no-flicker CSS, types, README, package.json;
# and in pkg/decide/ the decision-only build (no DOM wiring, delivery, export, offers,
# messages, traits or Model class) with the same entry point: `checkout-personalizer/decide`.
package() {
  local out=pkg
  build_module "$out"
  entry "$out"
  CARGO_TARGET_DIR=target/decide build_module "$out/decide" --no-default-features --features decide
  entry "$out/decide"
  cp js/boot.js js/package.json js/README.md www/personalize.css www/snippet.html "$out/"
  rm -f "$out/.gitignore" "$out/decide/.gitignore"
}

# The entry point (js/index.js) and its types beside one build's glue: exports only the
# classes that build has (the decision-only build has no Model or Scorer).
entry() {
  local out=$1 classes
  classes=$(grep -oE '^export class [A-Za-z]+' "$out/checkout_personalizer.d.ts" | awk '{print $3}' \
    | { grep -v '^Personalizer$' || true; } | sort | paste -sd, | sed 's/,/, /g')
  grep -q '^export { initSync, Model, Scorer } from' js/index.js
  sed "s/^export { initSync, Model, Scorer } from/export { initSync${classes:+, $classes} } from/" \
    js/index.js > "$out/index.js"
  # index.d.ts: the module's types, with index.js's exports (not the recovery's internals).
  {
    echo "// The package's types: those of the module, re-exported as index.js exports them."
    echo "export type {"
    grep -oE '^export (type|interface) [A-Za-z]+' "$out/checkout_personalizer.d.ts" \
      | awk '{print "  " $3 ","}' | sort -u
    echo "} from './checkout_personalizer.js';"
    echo "export { ${classes:+$classes, }Personalizer, initSync } from './checkout_personalizer.js';"
    echo "export { default } from './checkout_personalizer.js';"
  } > "$out/index.d.ts"
  # `[Symbol.dispose]` needs lib esnext.disposable: a page compiling for ES2020/ES2022 with
  # skipLibCheck off would fail on our types. The method stays at run time (`using` works).
  sed -i '/\[Symbol.dispose\]()/d' "$out/checkout_personalizer.d.ts"
}

build() {
  log "the module and its package (pkg/)"
  package
  rm -rf www/pkg && cp -r pkg www/pkg
  log "the demo store's model (personalizer build www/models/demo.toml)"
  SOURCE_DATE_EPOCH=1795000000 cargo run -q --release --bin personalizer -- build www/models/demo.toml -o www/models/demo.cpm
}

# One browser suite. A browser that stops reporting (the runner's "Failed to detect test
# as having been run": the page stalled or the browser died, no assertion failed) gets one
# more run, said loudly; a failed assertion, or a second stall, fails the command.
browser_suite() {
  local out; out=$(mktemp)
  if "$@" 2>&1 | tee "$out"; then rm -f "$out"; return 0; fi
  if grep -q "Failed to detect test as having been run" "$out"; then
    rm -f "$out"
    log "RETRY: the browser stopped reporting (no test failed); running the suite once more"
    "$@"
    return
  fi
  rm -f "$out"
  return 1
}

# wasm-bindgen-test-runner drives any WebDriver that speaks Safari's dialect: WebKitGTK's
# WebKitWebDriver with MiniBrowser (headless, under Xvfb for its display connection).
webkit_tests() {
  local mini; mini=$(ls /usr/lib/*/webkit2gtk-4.1/MiniBrowser | head -1)
  mkdir -p target
  printf '{"webkitgtk:browserOptions": {"binary": "%s", "args": ["--automation"]}}\n' \
    "$mini" > target/webkit.webdriver.json
  WASM_BINDGEN_TEST_WEBDRIVER_JSON="$ROOT/target/webkit.webdriver.json" \
    SAFARIDRIVER=$(command -v WebKitWebDriver) \
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
    xvfb-run -a cargo test --target wasm32-unknown-unknown -p checkout-personalizer --test browser
}

test_all() {
  log "cargo fmt --check"
  cargo fmt --all -- --check
  log "cargo clippy (native and wasm32)"
  cargo clippy --all-targets -- -D warnings
  cargo clippy --target wasm32-unknown-unknown -p checkout-personalizer --all-targets -- -D warnings
  log "cargo clippy of the decision-only and the no-surface builds (native and wasm32)"
  for features in "--features decide" ""; do
    # shellcheck disable=SC2086 # two words, or none
    cargo clippy -p checkout-personalizer --lib --no-default-features $features -- -D warnings
    # shellcheck disable=SC2086
    cargo clippy --target wasm32-unknown-unknown -p checkout-personalizer --lib --no-default-features $features -- -D warnings
  done
  log "cargo test (module and CLI)"
  cargo test --workspace
  log "wasm-pack test --node"
  wasm-pack test --node -- --package checkout-personalizer --test node --test oracle
  log "wasm-pack test --headless --chrome"
  browser_suite wasm-pack test --headless --chrome -- --package checkout-personalizer --test browser
  log "wasm-pack test --headless --firefox"
  browser_suite wasm-pack test --headless --firefox -- --package checkout-personalizer --test browser
  log "the same browser tests in WebKitGTK (WebKitWebDriver, MiniBrowser under Xvfb)"
  browser_suite webkit_tests
  build
  log "end-to-end tests (Chromium; the demo store also in Firefox ESR and WebKitGTK, under Xvfb)"
  xvfb-run -a node --test tests/e2e/
}

# Fuzzing (not part of `test`): each target for FUZZ_SECONDS (default 60) with libFuzzer on
# nightly, then the corpus is minimised in place. Crashes land in fuzz/artifacts/<target>/.
# The decoders also run as a 32-bit build (i686, as wasm32 lays memory out) with inputs of
# megabytes (decode_large builds bundles up to 4 MB from the fuzzer's bytes).
fuzz() {
  command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
  rustup toolchain list | grep -q nightly || rustup toolchain install nightly --profile minimal
  rustup target list --installed --toolchain nightly | grep -q i686-unknown-linux-gnu \
    || rustup target add i686-unknown-linux-gnu --toolchain nightly
  if ! dpkg -s g++-multilib >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq gcc-multilib g++-multilib >/dev/null
  fi
  local secs=${FUZZ_SECONDS:-60} status=0
  for run in decode_model ingest_event restore_journal profile_sequence decode_large \
             decode_model@i686 decode_large@i686; do
    local target=${run%@*} args=()
    # No sanitizer runtime ships for i686: that build catches panics, overflow checks and
    # aborts (what a 32-bit size computation would hit).
    [ "$run" != "$target" ] && args=(--target i686-unknown-linux-gnu -s none)
    [ "$target" = decode_large ] && args+=(-- -max_len=65536) || args+=(--)
    log "fuzz $run for ${secs}s"
    (cd fuzz && cargo +nightly fuzz run "$target" "${args[@]}" -max_total_time="$secs" -rss_limit_mb=4096 -print_final_stats=1 2>&1) \
      | grep -E "^(stat::number_of_executed_units|stat::new_units_added|==[0-9]+== ERROR|SUMMARY|artifact_prefix|Test unit written)" || true
    if [ -n "$(ls -A "fuzz/artifacts/$target" 2>/dev/null)" ]; then
      echo "CRASHES in $target: fuzz/artifacts/$target" >&2
      status=1
    fi
    (cd fuzz && cargo +nightly fuzz cmin "$target" >/dev/null 2>&1) || true
  done
  return $status
}

# Benchmarks (not part of `test`): installs the peers' tools, makes the seeded models once,
# runs everything in one go, writes BENCHMARKS.md, bench/results.json and bench/scale.png.
# The seeded models and inputs the benchmarks share (bench/out/, not committed).
bench_inputs() {
  build
  python3 -c "import xgboost, onnxmltools, onnx, matplotlib" 2>/dev/null \
    || pip install -q xgboost-cpu==3.2.0 onnxmltools onnx matplotlib
  [ -f bench/out/payment_rows.json ] || python3 bench/make_models.py
}

bench() {
  bench_inputs
  # The bench's npm peers come from bench/package-lock.json (never committed, like the rest).
  if [ ! -d bench/node_modules/onnxruntime-web ] \
     || [ bench/package-lock.json -nt bench/node_modules/.package-lock.json ]; then
    (cd bench && npm ci --no-audit --no-fund --loglevel=error)
  fi
  command -v twiggy >/dev/null || cargo install twiggy --locked || true
  log "the same module at opt-level 3, for the size/speed trade-off (not shipped)"
  CARGO_PROFILE_RELEASE_OPT_LEVEL=3 CARGO_TARGET_DIR=target/opt3 \
    wasm-pack build . --release --target web --out-dir bench/out/pkg-opt3 -- --package checkout-personalizer
  log "size levers, measured and not shipped: nightly $NIGHTLY with std rebuilt for size"
  nightly_module bench/out/pkg-nightly || { log "no $NIGHTLY: not measured"; rm -rf bench/out/pkg-nightly; }
  CARGO_TARGET_DIR=target/nightly-decide nightly_module bench/out/pkg-nightly-decide \
    --no-default-features --features decide || rm -rf bench/out/pkg-nightly-decide
  log "benchmarks (about two minutes)"
  node bench/run.mjs > bench/out/run.log
  python3 bench/plot.py
  echo "wrote BENCHMARKS.md, bench/results.json, bench/scale.png"
}

# The per-decision calls of another revision against this tree, interleaved in one run
# (a commit's speed-up measured on a noisy machine): ./build.sh compare REV.
compare() {
  local rev=${1:?usage: ./build.sh compare REV}
  bench_inputs
  local sha; sha=$(git rev-parse --short "$rev")
  local wt="$ROOT/target/compare-src"
  log "building $rev ($sha) in a worktree"
  git worktree remove --force "$wt" 2>/dev/null || rm -rf "$wt"
  git worktree add --detach "$wt" "$sha" >/dev/null
  (cd "$wt" && CARGO_TARGET_DIR="$ROOT/target/compare" \
    wasm-pack build . --release --target web --out-dir "$ROOT/bench/out/pkg-$sha" -- --package checkout-personalizer)
  # Each build scores the bundles its own CLI makes of the same specs (the format moves on:
  # an older module need not read a newer bundle).
  (cd "$wt" && CARGO_TARGET_DIR="$ROOT/target/compare" cargo build -q --release --bin personalizer)
  git worktree remove --force "$wt"
  mkdir -p "bench/out/pkg-$sha/bundles" bench/out/bundles
  for spec in payment cross_10000 trees_10 trees_100; do
    SOURCE_DATE_EPOCH=1795000000 target/compare/release/personalizer build "bench/specs/$spec.toml" \
      -o "bench/out/pkg-$sha/bundles/$spec.cpm" 2>/dev/null
    SOURCE_DATE_EPOCH=1795000000 target/release/personalizer build "bench/specs/$spec.toml" \
      -o "bench/out/bundles/$spec.cpm" 2>/dev/null
  done
  log "$sha (old) against this tree (new), Node, interleaved rounds"
  node bench/compare.mjs "bench/out/pkg-$sha" pkg
}

# Where the time of each benchmarked call goes (V8 sampling profiler): bench/PROFILE.md.
profile() {
  bench_inputs
  log "profiling each per-decision call (about 20 seconds)"
  node bench/profile.mjs
}

# Quality on real data (not part of `test`): writes EVALUATION.md from one run.
eval_quality() {
  build
  python3 -c "import mlxtend, pandas, lightgbm" 2>/dev/null || pip install -q mlxtend pandas lightgbm
  log "cross-sell evaluation on the Groceries baskets"
  python3 -c "import xgboost, lightgbm, sklearn" 2>/dev/null || pip install -q xgboost-cpu==3.2.0 lightgbm scikit-learn
  python3 eval/crosssell.py > /dev/null
  log "EASE: weights per item against quality and bundle size (Instacart validation split)"
  python3 eval/ease_frontier.py > /dev/null
  log "EASE: a low-rank part plus a sparse residual at the same bytes (a design study)"
  python3 eval/ease_lowrank.py > /dev/null
  log "EASE cost and scale: training time, memory, bundle size, latency for 1k to 20k items"
  python3 eval/ease_scale.py > /dev/null
  log "session intent: XGBoost and LightGBM, library vs ours"
  python3 eval/intent.py > /dev/null
  log "warehouse path (DuckDB SQL) vs in-memory path"
  python3 -c "import duckdb" 2>/dev/null || pip install -q duckdb
  python3 eval/duckdb_check.py > /dev/null
  log "payment-method ordering on simulated shoppers"
  python3 eval/payments.py > /dev/null
  log "the payment head at 30 methods across 10 countries: bundle size, rankPaymentMethods latency"
  python3 eval/payments_scale.py > /dev/null
  log "ab-report against statsmodels and scipy (synthetic exports)"
  python3 -c "import statsmodels, scipy" 2>/dev/null || pip install -q statsmodels scipy
  python3 eval/abreport_check.py --check
  python3 eval/report.py
  echo "wrote EVALUATION.md"
}

demo() {
  build
  local port=${PORT:-8080}
  echo "Demo: http://127.0.0.1:$port/  (Ctrl-C stops it)"
  exec python3 -m http.server "$port" --bind 127.0.0.1 --directory www
}

case "${1:-}" in
  setup) setup ;;
  build) setup; build ;;
  test) setup; test_all ;;
  demo) setup; demo ;;
  fuzz) fuzz ;;
  bench) setup; bench ;;
  profile) setup; profile ;;
  compare) setup; compare "${2:-}" ;;
  eval) setup; eval_quality ;;
  *) echo "usage: ./build.sh setup|build|test|demo|bench|profile|compare REV|eval|fuzz" >&2; exit 2 ;;
esac

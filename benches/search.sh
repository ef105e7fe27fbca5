#!/usr/bin/env bash
# The home page's search at 193 States x 4 PoCs (issue 19): from a
# keystroke to the updated results, with Chromium's CPU slowed 4x, in
# English, Arabic and Chinese. Budget: 100 ms (median of the keystrokes of
# each language). The browser suite prints the same figures but does not
# hold them to the budget: a timed test fails when the machine is busy,
# whatever the code does. Run this on a quiet machine and quote its lines.
#
#   benches/search.sh                    # budget 100 ms
#   KEYSTROKE_BUDGET_MS=80 benches/search.sh
#
# Needs Chromium and the browser tests' node modules (apt-get install
# chromium; cd tests/browser && npm ci). PROFILE picks the build profile.
set -euo pipefail
cd "$(dirname "$0")/.."
profile=${PROFILE:-release}
cargo build --profile "$profile" --quiet --bin pocdir
cargo build --quiet --example synth
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
./target/debug/examples/synth --states 193 --pocs 4 --out "$work/dir" >/dev/null
"./target/$profile/pocdir" build --root "$work/dir" --out "$work/out" >/dev/null 2>&1
# home.test.mjs also prints a bundle's offline page; only its search
# tests run here, but it checks that the page exists.
mkdir "$work/open"
"./target/$profile/pocdir" open "$work/out/bundles/FRA.tar.gz.age" \
  --identity "$work/dir/keys/demo/states/FRA.key" \
  --trust "$work/dir/keys/secretariat.pub" \
  --extract "$work/open/FRA" --state-dir "$work/state" >/dev/null 2>&1
SYNTH_SITE_DIR="$work/out/site" OFFLINE_PAGE="$work/open/FRA/index.html" \
  KEYSTROKE_BUDGET_MS="${KEYSTROKE_BUDGET_MS:-100}" NO_COLOR=1 \
  node --test --test-reporter=spec --test-name-pattern="keystroke" \
  tests/browser/home.test.mjs 2>&1 | grep -E "figure|✔|✖|^ℹ (pass|fail)"

#!/usr/bin/env bash
# Time `pocdir open --extract` against the stock path doing the same work on
# the same format 2 bundle: `minisign -V` + `age -d | tar xz` (issue #13:
# pocdir should take at most twice as long). Uses the synthetic directory
# of 193 States x 4 PoCs (STATES/POCS override). Needs farm-bench (this
# machine's side-by-side timer), minisign, age and GNU tar (apt-get install
# minisign age tar). Quote the median of the paired ratio A/B. PROFILE
# picks the build profile (default release; dist is the shipped one: fat
# LTO, one codegen unit, Cargo.toml).
set -euo pipefail
cd "$(dirname "$0")/.."
profile=${PROFILE:-release}
states=${STATES:-193}
pocs=${POCS:-4}
cargo build --profile "$profile" --quiet --bin pocdir
# The synthetic directory's generator is not timed: built with the dev
# profile (an example pulls in the dev-dependencies, which would rebuild
# the timed profile's dependencies with other features).
cargo build --quiet --example synth
bin=./target/$profile
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
./target/debug/examples/synth --states "$states" --pocs "$pocs" --out "$work/dir" >/dev/null
"$bin/pocdir" build --root "$work/dir" --out "$work/out" >/dev/null 2>&1
b="$work/out/bundles/FRA.tar.gz.age"
id="$work/dir/keys/demo/states/FRA.key"
pub="$work/dir/keys/secretariat.pub"
ls -l "$b"
# Both sides start from no output folder (and pocdir from no state folder).
farm-bench -n 21 --warmup 3 \
  --vs "sh -c 'rm -rf $work/y && minisign -Vqm $b -p $pub >/dev/null && mkdir $work/y && age -d -i $id $b | tar xz -C $work/y'" \
  -- sh -c "rm -rf $work/x $work/state && $bin/pocdir open $b --identity $id --trust $pub --state-dir $work/state --extract $work/x >/dev/null"

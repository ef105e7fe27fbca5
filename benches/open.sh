#!/usr/bin/env bash
# Time `pocdir open` against `minisign -V` + `age -d` on the same bundle
# (issue #4: pocdir should take at most twice as long). Uses the synthetic
# directory of 193 States x 4 PoCs. Needs hyperfine, minisign and age
# (apt-get install hyperfine minisign age). Times the binary as distributed:
# the dist profile (fat LTO, one codegen unit; Cargo.toml), in target/dist/.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --profile dist --quiet --bin pocdir --example synth
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
./target/dist/examples/synth --states 193 --pocs 4 --out "$work/dir" >/dev/null
./target/dist/pocdir build --root "$work/dir" --out "$work/out" >/dev/null 2>&1
b="$work/out/bundles/FRA.tar.age"
id="$work/dir/keys/demo/states/FRA.key"
pub="$work/dir/keys/secretariat.pub"
ls -l "$b"
hyperfine --warmup 3 --runs 30 -N \
  "./target/dist/pocdir open $b --identity $id --trust $pub --state-dir $work/state" \
  "sh -c 'minisign -Vqm $b -p $pub && age -d -i $id $b > /dev/null'"

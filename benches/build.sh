#!/usr/bin/env bash
# The figures of issue #13, part 4: bundle sizes and the full build (site +
# 193 bundles) of synthetic directories, with peak memory; optionally
# against Hugo rendering the equivalent site.
#
#   benches/build.sh            # 193 x 4 and 193 x 100
#   SIZES="193x4" benches/build.sh
#   HUGO_GEN=../shared/bench/gen_hugo.py benches/build.sh   # also Hugo
#
# Needs GNU time (/usr/bin/time -v) and, for the timings, farm-bench (this
# machine's side-by-side timer; Hugo: apt-get install hugo). Quote the
# medians of the paired ratios A/B. PROFILE
# picks the build profile (default release; dist is the shipped one).
# Targets: one bundle of 193 x 4 <= 250 KB, of 193 x 100 <= 5 MiB; the full
# build of 193 x 4 <= 1/5 of Hugo's time (issue #13), the site alone too,
# both into an empty folder and as a rebuild (issue #14); the full build of
# 193 x 100 <= 3 s and 300 MiB (into an empty folder and as a rebuild).
set -euo pipefail
cd "$(dirname "$0")/.."
profile=${PROFILE:-release}
sizes=${SIZES:-193x4 193x100}
cargo build --profile "$profile" --quiet --bin pocdir
# The synthetic directory's generator is not timed: built with the dev
# profile (an example pulls in the dev-dependencies, which would rebuild
# the timed profile's dependencies with other features).
cargo build --quiet --example synth
bin=./target/$profile
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for size in $sizes; do
  states=${size%x*}
  pocs=${size#*x}
  dir="$work/dir-$size"
  out="$work/out-$size"
  ./target/debug/examples/synth --states "$states" --pocs "$pocs" --out "$dir" >/dev/null
  echo "== $states States x $pocs PoCs"
  # Peak memory and time of one full build into an empty folder.
  /usr/bin/time -v "$bin/pocdir" build --root "$dir" --out "$out" 2>"$work/time" >/dev/null
  grep -E "Elapsed|Maximum resident" "$work/time"
  du -sb "$out/site" "$out/bundles" | sed 's/^/bytes /'
  ls -l "$out/bundles/FRA.tar.gz.age" | awk '{print "FRA.tar.gz.age", $5, "bytes"}'
  ls -l "$out"/bundles/*.tar.gz.age | awk '{ if ($5 > m) m = $5 } END { print "largest bundle", m, "bytes" }'
  if command -v farm-bench >/dev/null; then
    # Four pairs: the full build (site + bundles) and the site alone, each
    # into an empty folder (the rm of the previous output is timed on both
    # sides) and as a rebuild over the previous output (Hugo rewrites
    # every file; pocdir links the files that did not change).
    full="$bin/pocdir build --root $dir --out $out"
    site="$bin/pocdir build --site-only --root $dir --out $work/site-$size"
    if [ -n "${HUGO_GEN:-}" ] && command -v hugo >/dev/null; then
      python3 "$HUGO_GEN" "$work/hugo-$size" "$states" "$pocs" >/dev/null
      hugo_re="sh -c 'cd $work/hugo-$size && hugo --quiet -d $work/hugo-out'"
      hugo_empty="sh -c 'rm -rf $work/hugo-out && cd $work/hugo-$size && hugo --quiet -d $work/hugo-out'"
      for what in full site; do
        cmd=${!what}
        echo "-- $what build, rebuild over the previous output (A) vs Hugo (B)"
        farm-bench -n 9 --timeout 900 --vs "$hugo_re" -- sh -c "$cmd >/dev/null 2>&1"
        echo "-- $what build, into an empty folder (A) vs Hugo (B)"
        farm-bench -n 9 --timeout 900 --vs "$hugo_empty" \
          -- sh -c "rm -rf $out $work/site-$size && $cmd >/dev/null 2>&1"
      done
      # The floor of an empty-folder build: writing Hugo's own output
      # (its 1,172 files, nothing rendered) with cp, the rm of the previous
      # copy timed as on both sides above. Above 0.2x, no tool writing that
      # many files can reach the target on this file system.
      echo "-- floor: rm + cp -r of Hugo's own output (A) vs Hugo into an empty folder (B)"
      farm-bench -n 9 --timeout 900 --vs "$hugo_empty" \
        -- sh -c "rm -rf $work/floor-copy && cp -r $work/hugo-out $work/floor-copy"
    else
      echo "-- full build, into an empty folder"
      farm-bench -n 7 --timeout 900 -- sh -c "rm -rf $out && $full >/dev/null 2>&1"
      echo "-- full build, rebuild from the same inputs over the previous output"
      farm-bench -n 7 --timeout 900 -- sh -c "$full >/dev/null 2>&1"
    fi
    # The floors of the full build: writing its output as it is (cp, after
    # the rm of the previous copy), and sealing every State's bundle from
    # its plaintext with the stock tools alone (age -e, then minisign -S;
    # two at a time, as many as the cores here), with nothing rendered or
    # compressed. The build does both and more.
    $full >/dev/null 2>&1
    echo "-- floor: rm + cp -r of the whole output ($(find "$out" -type f | wc -l) files)"
    farm-bench -n 5 --timeout 900 -- sh -c "rm -rf $work/floor-out && cp -r $out $work/floor-out"
    if command -v age >/dev/null && command -v minisign >/dev/null; then
      seal="$work/floor-seal-$size"
      mkdir -p "$seal"
      age -d -i "$dir/keys/demo/states/FRA.key" "$out/bundles/FRA.tar.gz.age" >"$seal/plain"
      age-keygen -o "$seal/id" 2>/dev/null
      minisign -G -W -p "$seal/mk.pub" -s "$seal/mk.key" >/dev/null 2>&1
      printf '#!/bin/sh\nage -e -r %s -o "%s/out/$1.age" "%s/plain" &&\n  minisign -S -s "%s/mk.key" -m "%s/out/$1.age" >/dev/null\n' \
        "$(age-keygen -y "$seal/id")" "$seal" "$seal" "$seal" "$seal" >"$seal/one.sh"
      chmod +x "$seal/one.sh"
      ls "$out/bundles" | sed -n 's/\.tar\.gz\.age$//p' >"$seal/states"
      echo "-- floor: stock age -e + minisign -S of $(wc -l <"$seal/states") plaintexts of $(wc -c <"$seal/plain") bytes, 2 at a time"
      farm-bench -n 5 --timeout 900 -- sh -c \
        "rm -rf $seal/out && mkdir $seal/out && xargs -P 2 -n 1 $seal/one.sh <$seal/states"
    fi
  fi
done

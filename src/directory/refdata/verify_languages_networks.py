#!/usr/bin/env python3
"""Check working_languages.tsv, networks.tsv and language_names.tsv.

Run from the repository root (no third-party package needed):
    python3 src/directory/refdata/verify_languages_networks.py

Checks, for each file: UTF-8, header as expected, final newline, no CR, the
same number of fields on every line, no empty or padded field, no control or
bidi/format character, no typographic apostrophe, rows sorted and unique; then
  * working_languages.tsv: exactly the alpha3 codes of un_states.tsv, in the
    same order, each with one of ar zh en fr ru es;
  * networks.tsv: exactly the codes and English names of REGIONAL_NETWORKS in
    src/directory/refdata.rs;
  * language_names.tsv: every code two lower-case letters, at least 183 rows,
    and every code in a `languages:` list of content/states/*.yaml present.
Exits non-zero and lists the problems if any check fails.
"""
import glob
import os
import re
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, os.pardir, os.pardir, os.pardir))
UN_LANGUAGES = {"ar", "zh", "en", "fr", "ru", "es"}

errors = []


def read_tsv(name, header):
    path = os.path.join(HERE, name)
    raw = open(path, "rb").read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        errors.append(f"{name}: not UTF-8 ({e})")
        return []
    if text.startswith("\ufeff"):
        errors.append(f"{name}: BOM")
    if "\r" in text:
        errors.append(f"{name}: CR character")
    if not text.endswith("\n") or text.endswith("\n\n"):
        errors.append(f"{name}: must end with exactly one newline")
    lines = text.rstrip("\n").split("\n")
    if lines[0].split("\t") != header:
        errors.append(f"{name}: header {lines[0].split(chr(9))} != {header}")
    rows = []
    for n, line in enumerate(lines[1:], start=2):
        fields = line.split("\t")
        if len(fields) != len(header):
            errors.append(f"{name}:{n}: {len(fields)} fields, {len(header)} expected")
            continue
        for col, field in zip(header, fields):
            if not field:
                errors.append(f"{name}:{n}: empty {col}")
            elif field != field.strip() or "  " in field:
                errors.append(f"{name}:{n}: padded {col} {field!r}")
            for ch in field:
                if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"):
                    errors.append(f"{name}:{n}: {col} has U+{ord(ch):04X}")
                if ch in "\u2018\u2019\u02bc\u00a0":
                    errors.append(f"{name}:{n}: {col} has U+{ord(ch):04X} (use a plain ' or space)")
        rows.append(fields)
    keys = [r[0] for r in rows]
    if keys != sorted(keys):
        errors.append(f"{name}: rows not sorted by {header[0]}")
    if len(set(keys)) != len(keys):
        errors.append(f"{name}: duplicate {header[0]}")
    return rows


# working_languages.tsv
states = [r[0] for r in read_tsv(
    "un_states.tsv",
    ["alpha3", "alpha2", "m49", "status", "group", "name_en", "name_fr", "name_es", "name_ru", "name_zh", "name_ar"],
)]
wl = read_tsv("working_languages.tsv", ["alpha3", "language"])
if len(wl) != 195:
    errors.append(f"working_languages.tsv: {len(wl)} rows, 195 expected")
if [r[0] for r in wl] != states:
    missing = sorted(set(states) - {r[0] for r in wl})
    extra = sorted({r[0] for r in wl} - set(states))
    errors.append(f"working_languages.tsv: alpha3 list differs from un_states.tsv (missing {missing}, extra {extra})")
for r in wl:
    if r[1] not in UN_LANGUAGES:
        errors.append(f"working_languages.tsv: {r[0]} has {r[1]!r}, not a UN language")

# networks.tsv
langs = ["en", "fr", "es", "ru", "zh", "ar"]
net_header = ["code"] + [f"{kind}_{l}" for l in langs for kind in ("acronym", "name")]
nets = read_tsv("networks.tsv", net_header)
rs = open(os.path.join(HERE, os.pardir, "refdata.rs"), encoding="utf-8").read()
m = re.search(r"REGIONAL_NETWORKS:[^=]*=\s*&\[(.*?)\n\];", rs, re.S)
rust = re.findall(r'\(\s*"([^"]+)",\s*"([^"]+)",?\s*\)', m.group(1)) if m else []
if len(rust) != 19:
    errors.append(f"refdata.rs: {len(rust)} REGIONAL_NETWORKS parsed, 19 expected")
if len(nets) != len(rust):
    errors.append(f"networks.tsv: {len(nets)} rows, {len(rust)} expected")
if sorted(r[0] for r in nets) != sorted(c for c, _ in rust):
    errors.append("networks.tsv: codes differ from REGIONAL_NETWORKS")
rust_names = dict(rust)
for r in nets:
    if r[0] in rust_names and r[2] != rust_names[r[0]]:
        errors.append(f"networks.tsv: {r[0]} name_en {r[2]!r} != refdata.rs {rust_names[r[0]]!r}")

# language_names.tsv
ln = read_tsv("language_names.tsv", ["code", "en", "fr", "es", "ru", "zh", "ar"])
codes = {r[0] for r in ln}
if len(ln) < 183:
    errors.append(f"language_names.tsv: {len(ln)} rows, at least 183 (ISO 639-1) expected")
for r in ln:
    if not re.fullmatch(r"[a-z]{2}", r[0]):
        errors.append(f"language_names.tsv: bad code {r[0]!r}")
    for col, name in zip(("fr", "es", "ru"), r[2:5]):
        if name[:1].isupper():
            errors.append(f"language_names.tsv: {r[0]} {col} name starts upper case: {name}")
    if not r[1][:1].isupper():
        errors.append(f"language_names.tsv: {r[0]} English name not capitalised: {r[1]}")
used = set()
for path in glob.glob(os.path.join(ROOT, "content", "states", "*.yaml")):
    for m in re.finditer(r"^\s*languages:\s*\[([^\]]*)\]", open(path, encoding="utf-8").read(), re.M):
        used |= {c.strip().strip("'\"") for c in m.group(1).split(",") if c.strip()}
for code in sorted(used - codes):
    errors.append(f"language_names.tsv: {code} used in content/states but missing")
for code in UN_LANGUAGES - codes:
    errors.append(f"language_names.tsv: UN language {code} missing")

if errors:
    print("\n".join(errors))
    sys.exit(1)
counts = {}
for r in wl:
    counts[r[1]] = counts.get(r[1], 0) + 1
print(
    f"ok: working_languages.tsv {len(wl)} rows ("
    + " ".join(f"{l}={counts.get(l, 0)}" for l in ("ar", "zh", "en", "fr", "ru", "es"))
    + f"), networks.tsv {len(nets)} rows, language_names.tsv {len(ln)} rows"
    + f" (covers {len(used)} codes used in content/states)"
)

#!/usr/bin/env python3
"""Generate language_names.tsv: the name of every ISO 639-1 language in the six UN languages.

Re-run from the repository root:
    pip install babel==2.18.0
    python3 src/directory/refdata/generate_language_names.py

Source: CLDR 47 through babel 2.18.0, `babel.Locale(<locale>).languages[<code>]`,
with locales en, fr, es, ru, zh_Hans and ar, for every two-letter language code
that CLDR names in English. CLDR's stand-alone language names are already
written as each language writes a language name inside a sentence (lower case
in French, Spanish and Russian; capitalised in English). A small table of
UN-usage overrides (UN_OVERRIDES below) replaces CLDR where UN style differs.
See SOURCE-languages-networks.md next to this file.
"""
import os
import sys
import unicodedata

import babel

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "language_names.tsv")

EXPECTED_BABEL = "2.18.0"

# output column -> CLDR locale
LOCALES = [
    ("en", "en"),
    ("fr", "fr"),
    ("es", "es"),
    ("ru", "ru"),
    ("zh", "zh_Hans"),
    ("ar", "ar"),
]

# (column, code) -> name, where UN usage differs from CLDR.
# UN Arabic (UN Arabic Translation Service, UN Arabic pages listing the six
# official languages) writes English as "الإنكليزية"; CLDR has "الإنجليزية".
# The other five UN languages' names in all six columns are the same in CLDR
# and in UN usage, so they are not overridden (checked by the asserts below).
UN_OVERRIDES = {
    ("ar", "en"): "الإنكليزية",
}

# Names that UN usage gives for the six official languages: the script stops
# if CLDR (after overrides) disagrees, so a CLDR change cannot slip in unseen.
UN_SIX = {
    "en": {"ar": "Arabic", "zh": "Chinese", "en": "English", "fr": "French", "ru": "Russian", "es": "Spanish"},
    "fr": {"ar": "arabe", "zh": "chinois", "en": "anglais", "fr": "français", "ru": "russe", "es": "espagnol"},
    "es": {"ar": "árabe", "zh": "chino", "en": "inglés", "fr": "francés", "ru": "ruso", "es": "español"},
    "ru": {"ar": "арабский", "zh": "китайский", "en": "английский", "fr": "французский", "ru": "русский", "es": "испанский"},
    "zh": {"ar": "阿拉伯语", "zh": "中文", "en": "英语", "fr": "法语", "ru": "俄语", "es": "西班牙语"},
    "ar": {"ar": "العربية", "zh": "الصينية", "en": "الإنكليزية", "fr": "الفرنسية", "ru": "الروسية", "es": "الإسبانية"},
}

# Characters removed from every name (bidi and other invisible format marks).
STRIP = {
    "\u200b", "\u200c", "\u200d", "\u200e", "\u200f",
    "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
    "\u2066", "\u2067", "\u2068", "\u2069", "\u061c", "\ufeff",
}


def clean(name):
    name = "".join(ch for ch in name if ch not in STRIP)
    name = name.replace("\u2019", "'").replace("\u2018", "'").replace("\u02bc", "'")
    name = name.replace("\u00a0", " ").replace("\u202f", " ")
    return " ".join(name.split())


def main():
    if babel.__version__ != EXPECTED_BABEL:
        sys.exit(f"babel {EXPECTED_BABEL} expected, found {babel.__version__}")
    locales = {col: babel.Locale.parse(loc) for col, loc in LOCALES}
    codes = sorted(
        c for c in locales["en"].languages if len(c) == 2 and c.isascii() and c.isalpha() and c.islower()
    )
    rows = []
    for code in codes:
        row = [code]
        for col, _ in LOCALES:
            name = UN_OVERRIDES.get((col, code)) or locales[col].languages.get(code)
            if not name:
                sys.exit(f"no {col} name for {code}")
            row.append(clean(name))
        rows.append(row)

    # Checks before writing.
    errors = []
    if len(codes) < 183:
        errors.append(f"only {len(codes)} codes")
    by_code = {r[0]: r for r in rows}
    cols = [c for c, _ in LOCALES]
    for col, names in UN_SIX.items():
        for code, want in names.items():
            got = by_code[code][1 + cols.index(col)]
            if got != want:
                errors.append(f"{col} name of {code}: {got!r}, UN usage {want!r}")
    for r in rows:
        for field in r:
            if not field or field != field.strip():
                errors.append(f"empty or padded field in {r}")
            for ch in field:
                if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") or ch in "\t\n\r":
                    errors.append(f"control/format character U+{ord(ch):04X} in {r}")
    for r in rows:
        for col in ("fr", "es", "ru"):
            name = r[1 + cols.index(col)]
            if name[0].isupper():
                errors.append(f"{col} name of {r[0]} starts upper case: {name}")
    if errors:
        sys.exit("\n".join(errors))

    with open(OUT, "w", encoding="utf-8", newline="\n") as f:
        f.write("code\t" + "\t".join(cols) + "\n")
        for r in rows:
            f.write("\t".join(r) + "\n")
    print(f"wrote {OUT}: {len(rows)} rows")


if __name__ == "__main__":
    main()

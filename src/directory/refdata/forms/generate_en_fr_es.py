#!/usr/bin/env python3
"""Generate en.tsv, fr.tsv and es.tsv: the forms of the UN short names that
running text needs (issue #17, State name forms en/fr/es).

    python3 src/directory/refdata/forms/generate_en_fr_es.py          # write
    python3 src/directory/refdata/forms/generate_en_fr_es.py --check  # verify

The names themselves are read from ../un_states.tsv (columns name_en, name_fr,
name_es); only the article of each name is decided here, in the explicit
tables below. NAME_CORRECTIONS holds UN names that un_states.tsv does not yet
carry (they are being corrected there); once un_states.tsv has them, the
corrections are no-ops.

See SOURCE-en-fr-es.md for where the articles come from.
Standard library only.
"""

import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
STATES = HERE.parent / "un_states.tsv"

# UN names not yet in un_states.tsv: (alpha3, column) -> UN name.
NAME_CORRECTIONS = {
    ("NGA", "name_fr"): "Nigéria",
    ("BTN", "name_es"): "Bhután",
}

# ---------------------------------------------------------------- English
# States whose UN short name takes "the" in running text. This is the set of
# short names that UNTERM writes with "(the)", plus GMB: its short name is now
# "Gambia (Republic of The)", and UN English keeps "the Gambia".
# NB: UNTERM writes "Solomon Islands", "Maldives" and "Seychelles" without
# "(the)", so they stay bare (UN documents: "the representative of Maldives").
EN_THE = """
ARE BHS CAF COD COG COM DOM GBR GMB KOR LAO MDA MHL NER NLD PHL PRK PSE RUS
SDN SYR TZA USA VAT
""".split()

# ---------------------------------------------------------------- French
# Article of each name in UN French (UNTERM French short names). Every
# alpha3 is listed exactly once; "" means no article.
FR_ARTICLE = {
    "le": """
BDI BEN BFA BGD BLR BLZ BRA BRN BTN BWA CAN CHL CMR COG CRI DNK GAB GBR GHA
GTM GUY HND JPN KAZ KEN KGZ KHM KWT LBN LBR LIE LSO LUX MAR MEX MLI MMR MNE
MOZ MWI NER NGA NIC NPL PAK PAN PER PRT PRY QAT RWA SDN SEN SSD SUR TCD TGO
TJK TKM TLS VAT VEN VNM WSM YEM ZWE
""",
    "la": """
BEL BGR BIH BOL BRB CAF CHE CHN CIV COD COL CZE DMA DOM FIN FRA FSM GEO GIN
GMB GNB GNQ GRC GRD HRV HUN JAM JOR KOR LAO LBY LTU LVA MDA MKD MNG MRT MYS
NAM NOR NZL PNG POL PRK ROU RUS SLE SOM SRB SVK SVN SWE SYR THA TTO TUN TUR
TZA ZMB
""",
    "l'": """
AFG AGO ALB AND ARG ARM AUS AUT AZE DEU DZA ECU EGY ERI ESP EST ETH IDN IND
IRL IRN IRQ ISL ITA PSE SAU SWZ UGA UKR URY UZB ZAF
""",
    "les": """
ARE BHS COM FJI MDV MHL NLD PHL PLW SLB SYC TON TUV USA
""",
    "": """
ATG BHR CPV CUB CYP DJI HTI ISR KIR KNA LCA LKA MCO MDG MLT MUS NRU OMN SGP
SLV SMR STP VCT VUT
""",
}
# Names without article that take "d'" rather than "de": a vowel, or the mute
# h of Haïti ("d'Haïti"). The check below makes sure no other bare name
# starts with a vowel.
FR_ELIDED = {"ATG", "HTI", "ISR", "OMN", "SLV"}
# Names that start with an aspirated h: "le Honduras", "la Hongrie".
FR_H_ASPIRE = {"HND", "HUN"}

# ---------------------------------------------------------------- Spanish
# Article of each name in UN Spanish (UNTERM Spanish short names); codes not
# listed take no article.
ES_ARTICLE = {
    "el": """
AFG BRA CAN CMR COG ECU GAB GBR IRN IRQ JPN LBN NER PAK PER PRY PSE SDN SEN
TCD TGO URY YEM
""",
    "la": """
ARG CAF COD DOM IND KOR LAO MDA PRK RUS SAU SYR TZA VAT
""",
    "los": """
ARE NLD USA
""",
    "las": """
BHS COM MHL SLB
""",
}

# ------------------------------------------------------------------------
VOWELS = set("AEIOUaeiou")  # "le Yémen": Y is a consonant here


def first_letter(s):
    """First letter of s without its accent: 'Émirats' -> 'E', 'Îles' -> 'I'."""
    return unicodedata.normalize("NFD", s)[0]


def read_states():
    lines = STATES.read_text(encoding="utf-8").split("\n")
    header = lines[0].split("\t")
    rows = []
    for line in lines[1:]:
        if not line:
            continue
        d = dict(zip(header, line.split("\t")))
        for (code, col), name in NAME_CORRECTIONS.items():
            if d["alpha3"] == code:
                d[col] = name
        rows.append(d)
    return rows


def table(groups, codes, default=None):
    out = {}
    for art, text in groups.items():
        for c in text.split():
            if c in out:
                sys.exit(f"{c} is listed twice")
            out[c] = art
    unknown = set(out) - set(codes)
    if unknown:
        sys.exit(f"unknown alpha3 in a table: {sorted(unknown)}")
    if default is None:
        missing = set(codes) - set(out)
        if missing:
            sys.exit(f"alpha3 missing from a table: {sorted(missing)}")
    return {c: out.get(c, default) for c in codes}


def fr_forms(code, name, art):
    if art == "le":
        return f"le {name}", f"du {name}"
    if art == "la":
        return f"la {name}", f"de la {name}"
    if art == "l'":
        return f"l'{name}", f"de l'{name}"
    if art == "les":
        return f"les {name}", f"des {name}"
    if code in FR_ELIDED:
        return name, f"d'{name}"
    return name, f"de {name}"


def es_forms(name, art):
    el = f"{art} {name}" if art else name
    de = f"del {name}" if art == "el" else f"de {el}"
    return el, de


def build():
    states = read_states()
    codes = [d["alpha3"] for d in states]
    fr_art = table(FR_ARTICLE, codes)
    es_art = table(ES_ARTICLE, codes, default="")
    if set(EN_THE) - set(codes):
        sys.exit("unknown alpha3 in EN_THE")
    en, fr, es = [("alpha3", "the")], [("alpha3", "le", "du")], [("alpha3", "el", "del")]
    for d in states:
        c = d["alpha3"]
        en.append((c, f"the {d['name_en']}" if c in EN_THE else d["name_en"]))
        fr.append((c, *fr_forms(c, d["name_fr"], fr_art[c])))
        es.append((c, *es_forms(d["name_es"], es_art[c])))
    return states, {"en": en, "fr": fr, "es": es}


def render(rows):
    return "".join("\t".join(r) + "\n" for r in rows)


def bad_chars(s):
    return any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in s)


def verify(states, files):
    """Check the three tables (as lists of rows) against un_states.tsv."""
    errors = []
    codes = [d["alpha3"] for d in states]
    names = {d["alpha3"]: d for d in states}
    headers = {"en": ("alpha3", "the"), "fr": ("alpha3", "le", "du"),
               "es": ("alpha3", "el", "del")}
    for lang, rows in files.items():
        if tuple(rows[0]) != headers[lang]:
            errors.append(f"{lang}: header {rows[0]}")
        body = rows[1:]
        if len(body) != 195:
            errors.append(f"{lang}: {len(body)} rows, not 195")
        if [r[0] for r in body] != codes or codes != sorted(codes):
            errors.append(f"{lang}: codes differ from un_states.tsv or are not sorted")
        for r in body:
            if len(r) != len(headers[lang]):
                errors.append(f"{lang} {r[0]}: {len(r)} fields")
                continue
            for f in r:
                if not f or f != f.strip() or "  " in f or bad_chars(f) or "\u2019" in f:
                    errors.append(f"{lang} {r[0]}: bad field {f!r}")
    for r in files["en"][1:]:
        c, the = r
        n = names[c]["name_en"]
        if the not in (n, "the " + n):
            errors.append(f"en {c}: {the!r} is neither {n!r} nor 'the {n}'")
    for r in files["fr"][1:]:
        c, le, du = r
        n = names[c]["name_fr"]
        a = first_letter(n)
        if le == "le " + n:
            exp = "du " + n
        elif le == "la " + n:
            exp = "de la " + n
        elif le == "l'" + n:
            exp = "de l'" + n
            if a not in VOWELS and a != "H":
                errors.append(f"fr {c}: l' before a consonant: {le!r}")
        elif le == "les " + n:
            exp = "des " + n
        elif le == n:
            exp = ("d'" if a in VOWELS or c in FR_ELIDED else "de ") + n
            if (a in VOWELS) != (c in FR_ELIDED and c != "HTI"):
                errors.append(f"fr {c}: elision of {n!r} not consistent")
        else:
            errors.append(f"fr {c}: {le!r} is not an article + {n!r}")
            continue
        if le[:3] in ("le ", "la ") and (a in VOWELS or (a == "H" and c not in FR_H_ASPIRE)):
            errors.append(f"fr {c}: le/la before a vowel or mute h: {le!r}")
        if du != exp:
            errors.append(f"fr {c}: du {du!r}, expected {exp!r}")
    for r in files["es"][1:]:
        c, el, de = r
        n = names[c]["name_es"]
        if el not in [n] + [f"{a} {n}" for a in ("el", "la", "los", "las")]:
            errors.append(f"es {c}: {el!r} is not an article + {n!r}")
        exp = "del " + n if el == "el " + n else "de " + el
        if de != exp:
            errors.append(f"es {c}: del {de!r}, expected {exp!r}")
    return errors


def main():
    check_only = "--check" in sys.argv[1:]
    states, built = build()
    errors = verify(states, built)
    if errors:
        sys.exit("generated tables fail the checks:\n" + "\n".join(errors))
    if check_only:
        on_disk = {}
        for lang in built:
            text = (HERE / f"{lang}.tsv").read_text(encoding="utf-8")
            if not text.endswith("\n") or text.endswith("\n\n"):
                errors.append(f"{lang}.tsv: must end with exactly one newline")
            on_disk[lang] = [l.split("\t") for l in text[:-1].split("\n")]
            if text != render(built[lang]):
                errors.append(f"{lang}.tsv differs from what the generator builds")
        errors += verify(states, on_disk)
        if errors:
            sys.exit("\n".join(errors))
        print("ok: en.tsv, fr.tsv, es.tsv: 195 rows each, consistent with un_states.tsv")
        return
    for lang, rows in built.items():
        (HERE / f"{lang}.tsv").write_text(render(rows), encoding="utf-8", newline="\n")
    print("wrote en.tsv, fr.tsv, es.tsv (195 rows each)")


if __name__ == "__main__":
    main()

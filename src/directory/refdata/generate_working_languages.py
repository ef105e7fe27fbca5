#!/usr/bin/env python3
"""Generate working_languages.tsv: the UN official language each State's mission corresponds in.

Re-run from the repository root (no third-party package needed):
    python3 src/directory/refdata/generate_working_languages.py

The State list and order come from un_states.tsv next to this file. Every
State is `en` unless the LANGUAGE table below says otherwise. The table is a
best-knowledge approximation of each mission's language of correspondence
with the UN Secretariat (the language given for it in the Protocol and Liaison
Service's "Blue Book", as seen in the original language of its letters and
notes verbales issued as UN documents). Entries marked UNSURE are listed in
SOURCE-languages-networks.md with the reason for the choice.
"""
import csv
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
STATES = os.path.join(HERE, "un_states.tsv")
OUT = os.path.join(HERE, "working_languages.tsv")

UN_LANGUAGES = ("ar", "zh", "en", "fr", "ru", "es")
DEFAULT = "en"

# alpha3 -> language, for every State whose language is not English.
LANGUAGE = {
    # Arabic: League of Arab States members whose missions correspond in Arabic.
    "ARE": "ar",
    "BHR": "ar",
    "DZA": "ar",  # UNSURE: French also used (notes verbales in Geneva); Arabic chosen
    "EGY": "ar",  # UNSURE: many Egyptian letters are issued with an English original
    "IRQ": "ar",
    "JOR": "ar",
    "KWT": "ar",
    "LBN": "ar",  # UNSURE: French and English also used
    "LBY": "ar",
    "MRT": "ar",  # UNSURE: French also used
    "OMN": "ar",
    "PSE": "ar",
    "QAT": "ar",
    "SAU": "ar",
    "SDN": "ar",
    "SYR": "ar",
    "TUN": "ar",  # UNSURE: French also used
    "YEM": "ar",
    # Chinese
    "CHN": "zh",
    # French
    "AND": "fr",  # UNSURE: Catalan-speaking; French/Spanish/English all plausible
    "BDI": "fr",
    "BEL": "fr",  # UNSURE: French, Dutch and German official; French chosen
    "BEN": "fr",
    "BFA": "fr",
    "CAF": "fr",
    "CHE": "fr",  # UNSURE: French, German, Italian official; English also used in New York
    "CIV": "fr",
    "CMR": "fr",  # French and English official; French is the usual language at the UN
    "COD": "fr",
    "COG": "fr",
    "COM": "fr",  # UNSURE: LAS member, but its UN letters are in French
    "DJI": "fr",  # UNSURE: LAS member, but its UN letters are in French
    "FRA": "fr",
    "GAB": "fr",
    "GIN": "fr",
    "GNB": "fr",  # UNSURE: Portuguese-speaking; French (ECOWAS, OIF) chosen over English
    "HTI": "fr",
    "LUX": "fr",
    "MAR": "fr",  # UNSURE: LAS member; its UN letters are mostly in French
    "MCO": "fr",
    "MDG": "fr",
    "MLI": "fr",
    "NER": "fr",
    "SEN": "fr",
    "STP": "fr",  # UNSURE: Portuguese-speaking; French (ECCAS, OIF) chosen over English
    "TCD": "fr",
    "TGO": "fr",
    # Russian
    "BLR": "ru",
    "KAZ": "ru",  # UNSURE: English increasingly used
    "KGZ": "ru",
    "RUS": "ru",
    "TJK": "ru",
    "TKM": "ru",
    "UZB": "ru",  # UNSURE: English increasingly used
    # Spanish
    "ARG": "es",
    "BOL": "es",
    "CHL": "es",
    "COL": "es",
    "CRI": "es",
    "CUB": "es",
    "DOM": "es",
    "ECU": "es",
    "ESP": "es",
    "GNQ": "es",
    "GTM": "es",
    "HND": "es",
    "MEX": "es",
    "NIC": "es",
    "PAN": "es",
    "PER": "es",
    "PRY": "es",
    "SLV": "es",
    "URY": "es",
    "VEN": "es",
}

# English entries that were a real choice (kept here so the verification
# below fails if one of them is dropped from un_states.tsv by mistake).
ENGLISH_BY_CHOICE = {
    "ARM", "AZE",  # CIS/former USSR, but their UN letters are in English
    "BRA", "PRT", "AGO", "MOZ", "CPV", "TLS",  # Portuguese-speaking
    "SOM",  # LAS member; its UN letters are in English
    "RWA",  # French official, but English is its language of government and at the UN
    "VUT",  # English and French official
    "CAN",  # English and French official
    "VAT",  # Holy See: English in New York (French is its traditional diplomatic language)
    "MDA", "GEO", "UKR", "MNG",
    "KHM", "LAO", "VNM",  # OIF members that use English at the UN
    "SYC", "MUS",  # English and French used; English chosen
}


def main():
    with open(STATES, encoding="utf-8", newline="") as f:
        states = [r["alpha3"] for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)]
    errors = []
    if len(states) != 195 or len(set(states)) != 195:
        errors.append(f"un_states.tsv: {len(states)} rows, {len(set(states))} distinct")
    if states != sorted(states):
        errors.append("un_states.tsv is not sorted by alpha3")
    for code in sorted(set(LANGUAGE) | ENGLISH_BY_CHOICE):
        if code not in states:
            errors.append(f"{code} is not in un_states.tsv")
    for code in set(LANGUAGE) & ENGLISH_BY_CHOICE:
        errors.append(f"{code} is both in LANGUAGE and ENGLISH_BY_CHOICE")
    for code, lang in LANGUAGE.items():
        if lang not in UN_LANGUAGES or lang == DEFAULT:
            errors.append(f"{code}: bad language {lang}")
    if errors:
        sys.exit("\n".join(errors))
    with open(OUT, "w", encoding="utf-8", newline="\n") as f:
        f.write("alpha3\tlanguage\n")
        for code in states:
            f.write(f"{code}\t{LANGUAGE.get(code, DEFAULT)}\n")
    counts = {}
    for code in states:
        lang = LANGUAGE.get(code, DEFAULT)
        counts[lang] = counts.get(lang, 0) + 1
    print(f"wrote {OUT}: {len(states)} rows", " ".join(f"{k}={counts.get(k, 0)}" for k in UN_LANGUAGES))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Generate forms/ru.tsv and forms/ar.tsv from ../un_states.tsv.

Re-run from the repository root (no third-party package is needed):
    python3 src/directory/refdata/forms/generate_ru_ar.py

ru.tsv  alpha3, gen, dat: the genitive and dative of name_ru, as UN Russian
        documents inflect it ("Постоянное представительство Канады",
        "Соединенным Штатам Америки").
ar.tsv  alpha3, li, bi: name_ar with the attached prepositions لـ and بـ
        ("للمملكة العربية السعودية", "لمصر", "بالمملكة العربية السعودية", "بمصر").

Both are derived by rule from the current names in un_states.tsv; the
rules and exceptions are below and described in SOURCE-ru-ar.md. The script
checks its output before writing (195 rows, same codes and order as
un_states.tsv, no empty field, no control or bidi character, and the Arabic
forms re-derived from name_ar). With --check-pymorphy it also prints where
pymorphy3 (if installed) inflects a single-word name differently, for review.
"""
import os
import re
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
STATES_TSV = os.path.join(HERE, "..", "un_states.tsv")
RU_OUT = os.path.join(HERE, "ru.tsv")
AR_OUT = os.path.join(HERE, "ar.tsv")

# --------------------------------------------------------------------------
# Russian
# --------------------------------------------------------------------------

# Words (or parts of hyphenated words) that do not decline.
RU_INDECLINABLE = {
    # foreign names ending in a vowel other than unstressed -а/-я
    "Того", "Перу", "Чили", "Буркина", "Фасо", "Кабо", "Верде", "Монако",
    "Тимор", "Лешти", "Сан", "Томе", "Принсипи", "Тувалу", "Фиджи", "Гаити",
    "Джибути", "Мали", "Бурунди", "Малави", "Сомали", "Вануату", "Науру",
    "Кирибати", "Лесото", "Зимбабве", "Эсватини", "Сьерра", "Леоне",
    "Марино", "Палау", "Самоа", "Никарагуа", "Антигуа", "Папуа", "Конго",
    "Марокко", "Тобаго", "Бисау",
    # first parts of compounds that stay as they are
    "Сент", "Шри", "Коста", "Кот",
    # by UN Russian usage
    "Бангладеш",
}

# Nouns whose genitive/dative the general rules below would get wrong.
RU_NOUNS = {
    "Египет": ("Египта", "Египту"),
    "Нидерланды": ("Нидерландов", "Нидерландам"),
    "Филиппины": ("Филиппин", "Филиппинам"),
    "Гренадины": ("Гренадин", "Гренадинам"),
    "Острова": ("Островов", "Островам"),
    "Штаты": ("Штатов", "Штатам"),
    "Эмираты": ("Эмиратов", "Эмиратам"),
    "Королевство": ("Королевства", "Королевству"),
    "Государство": ("Государства", "Государству"),
    "Беларусь": ("Беларуси", "Беларуси"),
    "Израиль": ("Израиля", "Израилю"),
}

# The first noun of a multi-word name is its head; the adjectives before it
# agree with it and everything after it (a genitive complement such as
# "Америки", or an appositive name such as "Корея", "Конго", "Палестина")
# stays as it is.
RU_ADJ_ENDINGS = ("ая", "ое", "ые", "ие", "ый", "ой", "ий", "овы")
# Nouns that end like an adjective.
RU_NOT_ADJECTIVES = {"Маврикий"}


def ru_is_adjective(word):
    last = word.split("-")[-1]
    return last.endswith(RU_ADJ_ENDINGS) and word not in RU_NOT_ADJECTIVES


def ru_adjective(word, case):
    """Genitive (case 0) or dative (case 1) of an adjective in the nominative."""
    pre, _, last = word.rpartition("-")
    pre = pre + "-" if pre else ""
    table = [
        ("ая", ("ой", "ой")),          # Российская -> Российской
        ("ое", ("ого", "ому")),        # Соединенное -> Соединенного
        ("ые", ("ых", "ым")),          # Соединенные -> Соединенных
        ("ие", ("их", "им")),          # Багамские -> Багамских
        ("ый", ("ого", "ому")),        # Южный -> Южного
        ("ой", ("ого", "ому")),        # Святой -> Святого
        ("ий", ("ого", "ому")),
        ("овы", ("овых", "овым")),     # Маршалловы -> Маршалловых
    ]
    for end, forms in table:
        if last.endswith(end):
            return pre + last[: -len(end)] + forms[case]
    raise ValueError(f"not an adjective: {word}")


def ru_noun_part(word, case):
    if word in RU_INDECLINABLE:
        return word
    if word in RU_NOUNS:
        return RU_NOUNS[word][case]
    if word.startswith("д'"):  # Кот-д'Ивуар -> Кот-д'Ивуара, Кот-д'Ивуару
        return word + ("а", "у")[case]
    if word.endswith("ия"):
        return word[:-2] + "ии"
    if word.endswith("ея"):
        return word[:-1] + ("и", "е")[case]
    if word.endswith("а"):
        stem = word[:-1]
        if stem[-1] in "гкхжшчщ":
            return stem + ("и", "е")[case]
        return stem + ("ы", "е")[case]
    if word.endswith(("ай", "ей", "ий")):
        return word[:-1] + ("я", "ю")[case]
    if word[-1] in "бвгджзклмнпрстфхцчшщ":
        return word + ("а", "у")[case]
    raise ValueError(f"no rule for {word}")


def ru_noun(word, case):
    # Hyphenated names: each part declines or not on its own
    # (Гвинея-Бисау -> Гвинеи-Бисау, Бруней-Даруссалам -> Брунея-Даруссалама).
    return "-".join(ru_noun_part(p, case) for p in word.split("-"))


def ru_phrase(words, case):
    """Inflect a run of words: adjectives up to the first noun, then the noun."""
    out = []
    for i, w in enumerate(words):
        if ru_is_adjective(w):
            out.append(ru_adjective(w, case))
            continue
        out.append(ru_noun(w, case))
        return out + words[i + 1:]
    raise ValueError(f"no noun in {' '.join(words)}")


def ru_inflect(name, case):
    head, paren = name, ""
    m = re.fullmatch(r"(.*?) (\(.*\))", name)
    if m:  # "Боливия (Многонациональное Государство)": the parenthesis stays
        head, paren = m.group(1), " " + m.group(2)
    if " — " in head:  # "Папуа — Новая Гвинея"
        first, rest = head.split(" — ")
        return first + " — " + ru_inflect(rest, case) + paren
    words = head.split(" ")
    if "и" in words and not any(ru_is_adjective(w) for w in words):
        # "Босния и Герцеговина", "Сент-Китс и Невис": each conjunct declines.
        i = words.index("и")
        left = ru_phrase(words[:i], case)
        right = ru_phrase(words[i + 1:], case)
        return " ".join(left + ["и"] + right) + paren
    return " ".join(ru_phrase(words, case)) + paren


# --------------------------------------------------------------------------
# Arabic
# --------------------------------------------------------------------------

def ar_attach(prep, name):
    """Attach لـ or بـ to an Arabic name, as one word.

    ل + ال → لل (the alif of the article is dropped after lam):
        المملكة … → للمملكة …
    ل + الل → لل (alif and the article's lam both drop, as in للغة; no
        State name begins so today)
    ل + ل  → لل (a name that begins with lam keeps it): لبنان → للبنان
    ب + ال → بال: المملكة … → بالمملكة …
    otherwise the letter is prefixed: مصر → لمصر, بمصر; إكوادور → لإكوادور.
    """
    if prep == "ل" and name.startswith("الل"):
        return "ل" + name[2:]
    if prep == "ل" and name.startswith("ال"):
        return "ل" + name[1:]
    return prep + name


# --------------------------------------------------------------------------

BAD = re.compile(r"[\t\n\r\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def read_states():
    with open(STATES_TSV, encoding="utf-8", newline="") as f:
        lines = f.read().split("\n")
    assert lines[-1] == "", "un_states.tsv must end with a newline"
    header = lines[0].split("\t")
    rows = [dict(zip(header, l.split("\t"))) for l in lines[1:-1]]
    assert len(rows) == 195, len(rows)
    return rows


def check_field(code, col, v):
    assert v and v == v.strip() and "  " not in v, (code, col, v)
    assert not BAD.search(v), (code, col, v)
    assert not any(unicodedata.category(c) in ("Cc", "Cf") for c in v), (code, col, v)


def write(path, header, rows):
    for r in rows:
        for col, v in zip(header, r):
            check_field(r[0], col, v)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("\t".join(header) + "\n")
        for r in rows:
            f.write("\t".join(r) + "\n")
    print(f"wrote {len(rows)} rows to {path}")


def main():
    states = read_states()
    codes = [s["alpha3"] for s in states]
    assert codes == sorted(codes)

    ru = []
    for s in states:
        name = s["name_ru"]
        gen, dat = ru_inflect(name, 0), ru_inflect(name, 1)
        ru.append((s["alpha3"], gen, dat))
    ar = []
    for s in states:
        name = s["name_ar"]
        li, bi = ar_attach("ل", name), ar_attach("ب", name)
        # the derivation, checked independently of ar_attach
        if name.startswith("الل"):
            assert li == "لل" + name[3:] and bi == "ب" + name, name
        elif name.startswith("ال"):
            assert li == "لل" + name[2:] and bi == "ب" + name, name
        else:
            assert li == "ل" + name and bi == "ب" + name, name
        ar.append((s["alpha3"], li, bi))

    # For review: the names that come out unchanged (indeclinable).
    nom = {s["alpha3"]: s["name_ru"] for s in states}
    unchanged = sorted(c for c, g, d in ru if g == d == nom[c])
    print("Russian names that do not decline:", len(unchanged), " ".join(unchanged))

    write(RU_OUT, ("alpha3", "gen", "dat"), ru)
    write(AR_OUT, ("alpha3", "li", "bi"), ar)

    if "--check-pymorphy" in sys.argv:
        check_pymorphy(states, ru)


def check_pymorphy(states, ru):
    import pymorphy3

    m = pymorphy3.MorphAnalyzer()
    byname = {s["alpha3"]: s["name_ru"] for s in states}
    for code, gen, dat in ru:
        name = byname[code]
        if " " in name or "-" in name:
            continue
        p = m.parse(name)[0]
        forms = []
        for case in ("gent", "datv"):
            f = p.inflect({case})
            forms.append(f.word.capitalize() if f else "?")
        if (gen, dat) != tuple(forms):
            print(f"pymorphy3 differs: {code} {name}: ours {gen}/{dat}, pymorphy3 {forms[0]}/{forms[1]}")


if __name__ == "__main__":
    main()

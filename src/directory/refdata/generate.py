#!/usr/bin/env python3
"""Generate src/directory/refdata/un_states.tsv: the 193 UN Member States + 2 observer States.

Re-run from the repository root:
    pip install pycountry==26.2.16 babel==2.18.0
    python3 src/directory/refdata/generate.py

Sources (see SOURCE.md next to this file):
  * alpha3/alpha2/m49: pycountry (ISO 3166-1 data from Debian iso-codes).
  * status, group, name_en: tables embedded below (UN Member States list,
    UN DGACM regional groups, UNTERM English short names).
  * name_fr/es/ru/zh/ar: pycountry gettext catalogues (iso3166-1.mo), with
    babel/CLDR as a fallback, then UN-usage overrides embedded below.
"""
import gettext
import os
import sys

import babel
import pycountry

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "un_states.tsv")

AF, AP, EE, LA, WE, OB = (
    "african",
    "asia_pacific",
    "eastern_european",
    "latin_american_caribbean",
    "western_european_others",
    "observer",
)

# alpha3: (UN English short name, status, regional group)
STATES = {
    "AFG": ("Afghanistan", "member", AP),
    "ALB": ("Albania", "member", EE),
    "DZA": ("Algeria", "member", AF),
    "AND": ("Andorra", "member", WE),
    "AGO": ("Angola", "member", AF),
    "ATG": ("Antigua and Barbuda", "member", LA),
    "ARG": ("Argentina", "member", LA),
    "ARM": ("Armenia", "member", EE),
    "AUS": ("Australia", "member", WE),
    "AUT": ("Austria", "member", WE),
    "AZE": ("Azerbaijan", "member", EE),
    "BHS": ("Bahamas", "member", LA),
    "BHR": ("Bahrain", "member", AP),
    "BGD": ("Bangladesh", "member", AP),
    "BRB": ("Barbados", "member", LA),
    "BLR": ("Belarus", "member", EE),
    "BEL": ("Belgium", "member", WE),
    "BLZ": ("Belize", "member", LA),
    "BEN": ("Benin", "member", AF),
    "BTN": ("Bhutan", "member", AP),
    "BOL": ("Bolivia (Plurinational State of)", "member", LA),
    "BIH": ("Bosnia and Herzegovina", "member", EE),
    "BWA": ("Botswana", "member", AF),
    "BRA": ("Brazil", "member", LA),
    "BRN": ("Brunei Darussalam", "member", AP),
    "BGR": ("Bulgaria", "member", EE),
    "BFA": ("Burkina Faso", "member", AF),
    "BDI": ("Burundi", "member", AF),
    "CPV": ("Cabo Verde", "member", AF),
    "KHM": ("Cambodia", "member", AP),
    "CMR": ("Cameroon", "member", AF),
    "CAN": ("Canada", "member", WE),
    "CAF": ("Central African Republic", "member", AF),
    "TCD": ("Chad", "member", AF),
    "CHL": ("Chile", "member", LA),
    "CHN": ("China", "member", AP),
    "COL": ("Colombia", "member", LA),
    "COM": ("Comoros", "member", AF),
    "COG": ("Congo", "member", AF),
    "CRI": ("Costa Rica", "member", LA),
    "CIV": ("Côte d'Ivoire", "member", AF),
    "HRV": ("Croatia", "member", EE),
    "CUB": ("Cuba", "member", LA),
    "CYP": ("Cyprus", "member", AP),
    "CZE": ("Czechia", "member", EE),
    "PRK": ("Democratic People's Republic of Korea", "member", AP),
    "COD": ("Democratic Republic of the Congo", "member", AF),
    "DNK": ("Denmark", "member", WE),
    "DJI": ("Djibouti", "member", AF),
    "DMA": ("Dominica", "member", LA),
    "DOM": ("Dominican Republic", "member", LA),
    "ECU": ("Ecuador", "member", LA),
    "EGY": ("Egypt", "member", AF),
    "SLV": ("El Salvador", "member", LA),
    "GNQ": ("Equatorial Guinea", "member", AF),
    "ERI": ("Eritrea", "member", AF),
    "EST": ("Estonia", "member", EE),
    "SWZ": ("Eswatini", "member", AF),
    "ETH": ("Ethiopia", "member", AF),
    "FJI": ("Fiji", "member", AP),
    "FIN": ("Finland", "member", WE),
    "FRA": ("France", "member", WE),
    "GAB": ("Gabon", "member", AF),
    "GMB": ("Gambia (Republic of The)", "member", AF),
    "GEO": ("Georgia", "member", EE),
    "DEU": ("Germany", "member", WE),
    "GHA": ("Ghana", "member", AF),
    "GRC": ("Greece", "member", WE),
    "GRD": ("Grenada", "member", LA),
    "GTM": ("Guatemala", "member", LA),
    "GIN": ("Guinea", "member", AF),
    "GNB": ("Guinea-Bissau", "member", AF),
    "GUY": ("Guyana", "member", LA),
    "HTI": ("Haiti", "member", LA),
    "HND": ("Honduras", "member", LA),
    "HUN": ("Hungary", "member", EE),
    "ISL": ("Iceland", "member", WE),
    "IND": ("India", "member", AP),
    "IDN": ("Indonesia", "member", AP),
    "IRN": ("Iran (Islamic Republic of)", "member", AP),
    "IRQ": ("Iraq", "member", AP),
    "IRL": ("Ireland", "member", WE),
    "ISR": ("Israel", "member", WE),
    "ITA": ("Italy", "member", WE),
    "JAM": ("Jamaica", "member", LA),
    "JPN": ("Japan", "member", AP),
    "JOR": ("Jordan", "member", AP),
    "KAZ": ("Kazakhstan", "member", AP),
    "KEN": ("Kenya", "member", AF),
    "KIR": ("Kiribati", "member", AP),
    "KWT": ("Kuwait", "member", AP),
    "KGZ": ("Kyrgyzstan", "member", AP),
    "LAO": ("Lao People's Democratic Republic", "member", AP),
    "LVA": ("Latvia", "member", EE),
    "LBN": ("Lebanon", "member", AP),
    "LSO": ("Lesotho", "member", AF),
    "LBR": ("Liberia", "member", AF),
    "LBY": ("Libya", "member", AF),
    "LIE": ("Liechtenstein", "member", WE),
    "LTU": ("Lithuania", "member", EE),
    "LUX": ("Luxembourg", "member", WE),
    "MDG": ("Madagascar", "member", AF),
    "MWI": ("Malawi", "member", AF),
    "MYS": ("Malaysia", "member", AP),
    "MDV": ("Maldives", "member", AP),
    "MLI": ("Mali", "member", AF),
    "MLT": ("Malta", "member", WE),
    "MHL": ("Marshall Islands", "member", AP),
    "MRT": ("Mauritania", "member", AF),
    "MUS": ("Mauritius", "member", AF),
    "MEX": ("Mexico", "member", LA),
    "FSM": ("Micronesia (Federated States of)", "member", AP),
    "MCO": ("Monaco", "member", WE),
    "MNG": ("Mongolia", "member", AP),
    "MNE": ("Montenegro", "member", EE),
    "MAR": ("Morocco", "member", AF),
    "MOZ": ("Mozambique", "member", AF),
    "MMR": ("Myanmar", "member", AP),
    "NAM": ("Namibia", "member", AF),
    "NRU": ("Nauru", "member", AP),
    "NPL": ("Nepal", "member", AP),
    "NLD": ("Netherlands (Kingdom of the)", "member", WE),
    "NZL": ("New Zealand", "member", WE),
    "NIC": ("Nicaragua", "member", LA),
    "NER": ("Niger", "member", AF),
    "NGA": ("Nigeria", "member", AF),
    "MKD": ("North Macedonia", "member", EE),
    "NOR": ("Norway", "member", WE),
    "OMN": ("Oman", "member", AP),
    "PAK": ("Pakistan", "member", AP),
    "PLW": ("Palau", "member", AP),
    "PAN": ("Panama", "member", LA),
    "PNG": ("Papua New Guinea", "member", AP),
    "PRY": ("Paraguay", "member", LA),
    "PER": ("Peru", "member", LA),
    "PHL": ("Philippines", "member", AP),
    "POL": ("Poland", "member", EE),
    "PRT": ("Portugal", "member", WE),
    "QAT": ("Qatar", "member", AP),
    "KOR": ("Republic of Korea", "member", AP),
    "MDA": ("Republic of Moldova", "member", EE),
    "ROU": ("Romania", "member", EE),
    "RUS": ("Russian Federation", "member", EE),
    "RWA": ("Rwanda", "member", AF),
    "KNA": ("Saint Kitts and Nevis", "member", LA),
    "LCA": ("Saint Lucia", "member", LA),
    "VCT": ("Saint Vincent and the Grenadines", "member", LA),
    "WSM": ("Samoa", "member", AP),
    "SMR": ("San Marino", "member", WE),
    "STP": ("Sao Tome and Principe", "member", AF),
    "SAU": ("Saudi Arabia", "member", AP),
    "SEN": ("Senegal", "member", AF),
    "SRB": ("Serbia", "member", EE),
    "SYC": ("Seychelles", "member", AF),
    "SLE": ("Sierra Leone", "member", AF),
    "SGP": ("Singapore", "member", AP),
    "SVK": ("Slovakia", "member", EE),
    "SVN": ("Slovenia", "member", EE),
    "SLB": ("Solomon Islands", "member", AP),
    "SOM": ("Somalia", "member", AF),
    "ZAF": ("South Africa", "member", AF),
    "SSD": ("South Sudan", "member", AF),
    "ESP": ("Spain", "member", WE),
    "LKA": ("Sri Lanka", "member", AP),
    "SDN": ("Sudan", "member", AF),
    "SUR": ("Suriname", "member", LA),
    "SWE": ("Sweden", "member", WE),
    "CHE": ("Switzerland", "member", WE),
    "SYR": ("Syrian Arab Republic", "member", AP),
    "TJK": ("Tajikistan", "member", AP),
    "THA": ("Thailand", "member", AP),
    "TLS": ("Timor-Leste", "member", AP),
    "TGO": ("Togo", "member", AF),
    "TON": ("Tonga", "member", AP),
    "TTO": ("Trinidad and Tobago", "member", LA),
    "TUN": ("Tunisia", "member", AF),
    # Türkiye takes part in both WEOG and Asia-Pacific; counted in WEOG for elections.
    "TUR": ("Türkiye", "member", WE),
    "TKM": ("Turkmenistan", "member", AP),
    "TUV": ("Tuvalu", "member", AP),
    "UGA": ("Uganda", "member", AF),
    "UKR": ("Ukraine", "member", EE),
    "ARE": ("United Arab Emirates", "member", AP),
    "GBR": ("United Kingdom of Great Britain and Northern Ireland", "member", WE),
    "TZA": ("United Republic of Tanzania", "member", AF),
    # The USA is formally an observer in WEOG, counted there for electoral purposes.
    "USA": ("United States of America", "member", WE),
    "URY": ("Uruguay", "member", LA),
    "UZB": ("Uzbekistan", "member", AP),
    "VUT": ("Vanuatu", "member", AP),
    "VEN": ("Venezuela (Bolivarian Republic of)", "member", LA),
    "VNM": ("Viet Nam", "member", AP),
    "YEM": ("Yemen", "member", AP),
    "ZMB": ("Zambia", "member", AF),
    "ZWE": ("Zimbabwe", "member", AF),
    # Non-member observer States.
    "VAT": ("Holy See", "observer", OB),
    # Full member of the Asia-Pacific Group since 1986 (as the PLO); see SOURCE.md.
    "PSE": ("State of Palestine", "observer", AP),
}

LANGS = ("fr", "es", "ru", "zh", "ar")
BABEL_LOCALE = {"fr": "fr", "es": "es", "ru": "ru", "zh": "zh_Hans", "ar": "ar"}
GETTEXT_LOCALE = {"fr": "fr", "es": "es", "ru": "ru", "zh": "zh_CN", "ar": "ar"}

# UN-usage names (UN Member States list / UNTERM) that replace the CLDR name.
# Only entries known with confidence (except GMB outside English, marked
# below and in SOURCE.md); everything else comes from CLDR.
# Order of values: fr, es, ru, zh, ar.  None = keep the CLDR name.
UN_NAMES = {
    "BOL": ("Bolivie (État plurinational de)", "Bolivia (Estado Plurinacional de)",
            "Боливия (Многонациональное Государство)", "多民族玻利维亚国",
            "بوليفيا (دولة - المتعددة القوميات)"),
    "BRN": ("Brunéi Darussalam", "Brunei Darussalam", "Бруней-Даруссалам",
            "文莱达鲁萨兰国", "بروني دار السلام"),
    "CPV": ("Cabo Verde", "Cabo Verde", "Кабо-Верде", "佛得角", "كابو فيردي"),
    "CIV": ("Côte d'Ivoire", "Côte d'Ivoire", "Кот-д'Ивуар", "科特迪瓦", "كوت ديفوار"),
    "CZE": ("Tchéquie", "Chequia", "Чехия", None, "تشيكيا"),
    "PRK": ("République populaire démocratique de Corée",
            "República Popular Democrática de Corea",
            "Корейская Народно-Демократическая Республика", "朝鲜民主主义人民共和国",
            "جمهورية كوريا الشعبية الديمقراطية"),
    "COD": ("République démocratique du Congo", "República Democrática del Congo",
            "Демократическая Республика Конго", "刚果民主共和国",
            "جمهورية الكونغو الديمقراطية"),
    "COG": ("Congo", "Congo", "Конго", "刚果", "الكونغو"),
    "IRN": ("Iran (République islamique d')", "Irán (República Islámica del)",
            "Иран (Исламская Республика)", "伊朗伊斯兰共和国", "جمهورية إيران الإسلامية"),
    "LAO": ("République démocratique populaire lao", "República Democrática Popular Lao",
            "Лаосская Народно-Демократическая Республика", "老挝人民民主共和国",
            "جمهورية لاو الديمقراطية الشعبية"),
    "FSM": ("Micronésie (États fédérés de)", "Micronesia (Estados Federados de)",
            "Микронезия (Федеративные Штаты)", "密克罗尼西亚联邦",
            "ميكرونيزيا (ولايات - الموحدة)"),
    "NLD": ("Pays-Bas (Royaume des)", "Países Bajos (Reino de los)",
            "Нидерланды (Королевство)", "荷兰王国", "هولندا (مملكة -)"),
    "KOR": ("République de Corée", "República de Corea", "Республика Корея", "大韩民国",
            "جمهورية كوريا"),
    "MDA": ("République de Moldova", "República de Moldova", "Республика Молдова",
            "摩尔多瓦共和国", "جمهورية مولدوفا"),
    "RUS": ("Fédération de Russie", "Federación de Rusia", "Российская Федерация",
            "俄罗斯联邦", "الاتحاد الروسي"),
    "SYR": ("République arabe syrienne", "República Árabe Siria",
            "Сирийская Арабская Республика", "阿拉伯叙利亚共和国",
            "الجمهورية العربية السورية"),
    "TLS": ("Timor-Leste", "Timor-Leste", "Тимор-Лешти", "东帝汶", "تيمور - ليشتي"),
    "TUR": ("Türkiye", "Türkiye", None, None, None),
    "GBR": ("Royaume-Uni de Grande-Bretagne et d'Irlande du Nord",
            "Reino Unido de Gran Bretaña e Irlanda del Norte",
            "Соединенное Королевство Великобритании и Северной Ирландии",
            "大不列颠及北爱尔兰联合王国",
            "المملكة المتحدة لبريطانيا العظمى وأيرلندا الشمالية"),
    "TZA": ("République-Unie de Tanzanie", "República Unida de Tanzanía",
            "Объединенная Республика Танзания", "坦桑尼亚联合共和国",
            "جمهورية تنزانيا المتحدة"),
    "USA": ("États-Unis d'Amérique", "Estados Unidos de América",
            "Соединенные Штаты Америки", "美利坚合众国", "الولايات المتحدة الأمريكية"),
    "VEN": ("Venezuela (République bolivarienne du)", "Venezuela (República Bolivariana de)",
            "Венесуэла (Боливарианская Республика)", "委内瑞拉玻利瓦尔共和国",
            "فنزويلا (جمهورية - البوليفارية)"),
    "VNM": ("Viet Nam", "Viet Nam", "Вьетнам", "越南", "فييت نام"),
    "MMR": ("Myanmar", "Myanmar", "Мьянма", "缅甸", "ميانمار"),
    "VAT": ("Saint-Siège", "Santa Sede", "Святой Престол", "教廷", "الكرسي الرسولي"),
    "PSE": ("État de Palestine", "Estado de Palestina", "Государство Палестина",
            "巴勒斯坦国", "دولة فلسطين"),
    # Spelling conventions of the UN lists that differ from CLDR.
    "BLR": ("Bélarus", "Belarús", None, None, None),
    "IRQ": ("Iraq", "Iraq", None, None, None),
    "KGZ": ("Kirghizistan", None, "Кыргызстан", None, None),
    "LBR": ("Libéria", None, None, None, "ليبريا"),
    "SLV": ("El Salvador", None, None, None, None),
    "KNA": ("Saint-Kitts-et-Nevis", "Saint Kitts y Nevis", None, None, "سانت كيتس ونيفس"),
    "KAZ": (None, "Kazajstán", None, None, None),
    "BHR": (None, "Bahrein", None, None, None),
    "SAU": (None, "Arabia Saudita", None, None, None),
    "QAT": (None, "Qatar", None, None, None),
    "BWA": (None, "Botswana", None, None, None),
    "KEN": (None, "Kenya", None, None, None),
    "RWA": (None, "Rwanda", None, None, None),
    "MWI": (None, "Malawi", None, None, None),
    "ZWE": (None, "Zimbabwe", None, None, "زمبابوي"),
    "DJI": (None, "Djibouti", None, None, None),
    "FJI": (None, "Fiji", None, None, None),
    "LSO": (None, "Lesotho", None, None, None),
    "GNB": (None, "Guinea-Bissau", None, None, "غينيا - بيساو"),
    "BGD": (None, "Bangladesh", None, None, None),
    "BEN": (None, "Benin", None, None, "بنن"),
    "MLI": (None, "Malí", None, None, None),
    "PLW": (None, "Palau", None, None, None),
    "SUR": (None, "Suriname", None, None, None),
    "SWZ": (None, "Eswatini", None, None, None),
    "ROU": (None, "Rumania", None, None, None),
    "NZL": (None, "Nueva Zelandia", None, None, None),
    "PNG": (None, "Papua Nueva Guinea", None, None, None),
    "ARE": (None, None, "Объединенные Арабские Эмираты", None, None),
    "BHS": (None, None, "Багамские Острова", None, None),
    "MDV": (None, None, "Мальдивские Острова", None, "ملديف"),
    "COM": (None, None, "Коморские Острова", None, None),
    "MHL": (None, None, "Маршалловы Острова", None, None),
    "SLB": (None, None, "Соломоновы Острова", None, None),
    "SYC": (None, None, "Сейшельские Острова", None, "سيشيل"),
    "ZAF": (None, None, "Южная Африка", None, None),
    # Language review (2026): UN forms that differ from CLDR.
    "NGA": ("Nigéria", None, None, None, None),
    "BTN": (None, "Bhután", None, None, None),
    "TTO": (None, "Trinidad y Tabago", None, None, None),
    "CAF": (None, None, "Центральноафриканская Республика", None, None),
    # The UN name changed to "Gambia (Republic of The)"; the non-English forms
    # below follow the UN pattern for such names but are not verified in UNTERM.
    "GMB": ("Gambie (République de)", "Gambia (República de)", "Гамбия (Республика)",
            "冈比亚共和国", "غامبيا (جمهورية -)"),
    "CHL": (None, None, None, None, "شيلي"),
    "DOM": (None, None, None, None, "الجمهورية الدومينيكية"),
    "ECU": (None, None, None, None, "إكوادور"),
    "GAB": (None, None, None, None, "غابون"),
    "IRL": (None, None, None, None, "آيرلندا"),
    "KIR": (None, None, None, None, "كيريباس"),
    "LKA": (None, None, None, None, "سري لانكا"),
    "LUX": (None, None, None, None, "لكسمبرغ"),
    "MLT": (None, None, None, None, "مالطة"),
    "MOZ": (None, None, None, None, "موزامبيق"),
    "STP": (None, None, None, None, "سان تومي وبرينسيبي"),
    "THA": (None, None, None, None, "تايلند"),
    "URY": (None, None, None, None, "أوروغواي"),
}

# Bidirectional control characters removed from every name.
BIDI = dict.fromkeys(
    [0x200E, 0x200F] + list(range(0x202A, 0x202F)) + list(range(0x2066, 0x206A))
)

COLUMNS = ("alpha3", "alpha2", "m49", "status", "group",
           "name_en", "name_fr", "name_es", "name_ru", "name_zh", "name_ar")


def clean(s):
    s = s.translate(BIDI).replace("\u2019", "'")  # CLDR's typographic apostrophe
    return " ".join(s.split())  # no tabs/newlines, single spaces


def main():
    locdir = os.path.join(os.path.dirname(pycountry.__file__), "locales")
    catalogues = {
        l: gettext.translation("iso3166-1", locdir, languages=[GETTEXT_LOCALE[l]])
        for l in LANGS
    }
    cldr = {l: babel.Locale.parse(BABEL_LOCALE[l]).territories for l in LANGS}

    rows, provenance = [], {"un": 0, "cldr": 0, "iso-codes": 0}
    for a3 in sorted(STATES):
        name_en, status, group = STATES[a3]
        c = pycountry.countries.get(alpha_3=a3)
        if c is None:
            sys.exit(f"pycountry has no country {a3}")
        row = [a3, c.alpha_2, "%03d" % int(c.numeric), status, group, name_en]
        for i, l in enumerate(LANGS):
            name = UN_NAMES.get(a3, (None,) * 5)[i]
            src = "un"
            if name is None:
                name, src = cldr[l].get(c.alpha_2), "cldr"
            if not name:
                name, src = catalogues[l].gettext(c.name), "iso-codes"
            provenance[src] += 1
            row.append(clean(name))
        rows.append(row)

    check(rows)
    with open(OUT, "w", encoding="utf-8", newline="\n") as f:
        f.write("\t".join(COLUMNS) + "\n")
        for row in rows:
            f.write("\t".join(row) + "\n")
    print(f"wrote {len(rows)} rows to {OUT}")
    print("translated names by source:", provenance)


def check(rows):
    import collections
    import re

    assert len(rows) == 195, len(rows)
    for col in range(3):
        values = [r[col] for r in rows]
        assert len(set(values)) == len(values), f"duplicate in {COLUMNS[col]}"
    bad = re.compile(r"[\t\n\r\u200e\u200f\u202a-\u202e\u2066-\u2069]")
    for r in rows:
        assert len(r) == len(COLUMNS), r
        for col, v in zip(COLUMNS, r):
            assert v and v == v.strip() and not bad.search(v), (r[0], col, v)
        assert re.fullmatch(r"[A-Z]{3}", r[0]) and re.fullmatch(r"[A-Z]{2}", r[1])
        assert re.fullmatch(r"\d{3}", r[2])
    members = collections.Counter(r[4] for r in rows if r[3] == "member")
    expected = {"african": 54, "asia_pacific": 54, "eastern_european": 23,
                "latin_american_caribbean": 33, "western_european_others": 29}
    assert members == expected, members
    assert sum(members.values()) == 193
    observers = {r[0]: r[4] for r in rows if r[3] == "observer"}
    assert observers == {"VAT": "observer", "PSE": "asia_pacific"}, observers
    print("member States per group:", dict(members), "observers:", observers)
    print("rows per group column:", dict(collections.Counter(r[4] for r in rows)))


if __name__ == "__main__":
    main()

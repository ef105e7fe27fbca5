#!/usr/bin/env python3
"""Generate networks.tsv: the regional networks' acronyms and names in the six UN languages.

Re-run from the repository root (no third-party package needed):
    python3 src/directory/refdata/generate_networks.py

The names are written out by hand below (sources and choices in
SOURCE-languages-networks.md). The script checks that the codes and English
names are exactly those of REGIONAL_NETWORKS in src/directory/refdata.rs,
that no field is empty, and that no field holds a tab, newline or other
control/bidi character, then writes the file sorted by code.

Rule for a language that uses no acronym for an organisation: the acronym
column holds the short form people use in that language (often the full
name itself, e.g. Arabic "الاتحاد الأوروبي").
"""
import os
import re
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "networks.tsv")
REFDATA_RS = os.path.join(HERE, os.pardir, "refdata.rs")

LANGS = ("en", "fr", "es", "ru", "zh", "ar")

# code -> {lang: (acronym, name)}
NETWORKS = {
    "ARF": {
        "en": ("ARF", "ASEAN Regional Forum"),
        "fr": ("ARF", "Forum régional de l'ASEAN"),
        "es": ("ARF", "Foro Regional de la ASEAN"),
        "ru": ("АРФ", "Региональный форум АСЕАН"),
        "zh": ("东盟地区论坛", "东盟地区论坛"),
        "ar": ("المنتدى الإقليمي للآسيان", "المنتدى الإقليمي لرابطة أمم جنوب شرق آسيا"),
    },
    "ASEAN": {
        "en": ("ASEAN", "Association of Southeast Asian Nations"),
        "fr": ("ASEAN", "Association des nations de l'Asie du Sud-Est"),
        "es": ("ASEAN", "Asociación de Naciones de Asia Sudoriental"),
        "ru": ("АСЕАН", "Ассоциация государств Юго-Восточной Азии"),
        "zh": ("东盟", "东南亚国家联盟"),
        "ar": ("آسيان", "رابطة أمم جنوب شرق آسيا"),
    },
    "AU": {
        "en": ("AU", "African Union"),
        "fr": ("UA", "Union africaine"),
        "es": ("UA", "Unión Africana"),
        "ru": ("АС", "Африканский союз"),
        "zh": ("非盟", "非洲联盟"),
        "ar": ("الاتحاد الأفريقي", "الاتحاد الأفريقي"),
    },
    "CARICOM": {
        "en": ("CARICOM", "Caribbean Community"),
        "fr": ("CARICOM", "Communauté des Caraïbes"),
        "es": ("CARICOM", "Comunidad del Caribe"),
        "ru": ("КАРИКОМ", "Карибское сообщество"),
        "zh": ("加共体", "加勒比共同体"),
        "ar": ("الجماعة الكاريبية", "الجماعة الكاريبية"),
    },
    "CIS": {
        "en": ("CIS", "Commonwealth of Independent States"),
        "fr": ("CEI", "Communauté d'États indépendants"),
        "es": ("CEI", "Comunidad de Estados Independientes"),
        "ru": ("СНГ", "Содружество Независимых Государств"),
        "zh": ("独联体", "独立国家联合体"),
        "ar": ("رابطة الدول المستقلة", "رابطة الدول المستقلة"),
    },
    "CSTO": {
        "en": ("CSTO", "Collective Security Treaty Organization"),
        "fr": ("OTSC", "Organisation du Traité de sécurité collective"),
        "es": ("OTSC", "Organización del Tratado de Seguridad Colectiva"),
        "ru": ("ОДКБ", "Организация Договора о коллективной безопасности"),
        "zh": ("集安组织", "集体安全条约组织"),
        "ar": ("منظمة معاهدة الأمن الجماعي", "منظمة معاهدة الأمن الجماعي"),
    },
    "EAC": {
        "en": ("EAC", "East African Community"),
        "fr": ("CAE", "Communauté d'Afrique de l'Est"),
        "es": ("CAO", "Comunidad de África Oriental"),
        "ru": ("ВАС", "Восточноафриканское сообщество"),
        "zh": ("东共体", "东非共同体"),
        "ar": ("جماعة شرق أفريقيا", "جماعة شرق أفريقيا"),
    },
    "ECOWAS": {
        "en": ("ECOWAS", "Economic Community of West African States"),
        "fr": ("CEDEAO", "Communauté économique des États de l'Afrique de l'Ouest"),
        "es": ("CEDEAO", "Comunidad Económica de los Estados de África Occidental"),
        "ru": ("ЭКОВАС", "Экономическое сообщество западноафриканских государств"),
        "zh": ("西非经共体", "西非国家经济共同体"),
        "ar": ("إيكواس", "الجماعة الاقتصادية لدول غرب أفريقيا"),
    },
    "EU": {
        "en": ("EU", "European Union"),
        "fr": ("UE", "Union européenne"),
        "es": ("UE", "Unión Europea"),
        "ru": ("ЕС", "Европейский союз"),
        "zh": ("欧盟", "欧洲联盟"),
        "ar": ("الاتحاد الأوروبي", "الاتحاد الأوروبي"),
    },
    "GCC": {
        # English keeps refdata.rs's common name; the other languages give the
        # official name, Cooperation Council for the Arab States of the Gulf.
        "en": ("GCC", "Gulf Cooperation Council"),
        "fr": ("CCG", "Conseil de coopération des États arabes du Golfe"),
        "es": ("CCG", "Consejo de Cooperación de los Estados Árabes del Golfo"),
        "ru": ("ССАГПЗ", "Совет сотрудничества арабских государств Персидского залива"),
        "zh": ("海合会", "海湾阿拉伯国家合作委员会"),
        "ar": ("مجلس التعاون الخليجي", "مجلس التعاون لدول الخليج العربية"),
    },
    "LAS": {
        "en": ("LAS", "League of Arab States"),
        "fr": ("LEA", "Ligue des États arabes"),
        "es": ("LEA", "Liga de los Estados Árabes"),
        "ru": ("ЛАГ", "Лига арабских государств"),
        "zh": ("阿盟", "阿拉伯国家联盟"),
        "ar": ("جامعة الدول العربية", "جامعة الدول العربية"),
    },
    "MERCOSUR": {
        "en": ("MERCOSUR", "Southern Common Market"),
        "fr": ("MERCOSUR", "Marché commun du Sud"),
        "es": ("MERCOSUR", "Mercado Común del Sur"),
        "ru": ("МЕРКОСУР", "Общий рынок стран Южного конуса"),
        "zh": ("南共市", "南方共同市场"),
        "ar": ("ميركوسور", "السوق المشتركة لبلدان المخروط الجنوبي"),
    },
    "OAS-CICTE": {
        "en": ("OAS/CICTE", "Organization of American States, Inter-American Committee against Terrorism"),
        "fr": ("OEA/CICTE", "Organisation des États américains, Comité interaméricain contre le terrorisme"),
        "es": ("OEA/CICTE", "Organización de los Estados Americanos, Comité Interamericano contra el Terrorismo"),
        "ru": ("ОАГ/СИКТЕ", "Организация американских государств, Межамериканский комитет по борьбе с терроризмом"),
        "zh": ("美洲组织/美洲反恐委员会", "美洲国家组织美洲反恐怖主义委员会"),
        "ar": (
            "لجنة البلدان الأمريكية لمكافحة الإرهاب",
            "منظمة الدول الأمريكية، لجنة البلدان الأمريكية لمكافحة الإرهاب",
        ),
    },
    "OIC": {
        "en": ("OIC", "Organisation of Islamic Cooperation"),
        "fr": ("OCI", "Organisation de la coopération islamique"),
        "es": ("OCI", "Organización de Cooperación Islámica"),
        "ru": ("ОИС", "Организация исламского сотрудничества"),
        "zh": ("伊合组织", "伊斯兰合作组织"),
        "ar": ("منظمة التعاون الإسلامي", "منظمة التعاون الإسلامي"),
    },
    "OSCE": {
        "en": ("OSCE", "Organization for Security and Co-operation in Europe"),
        "fr": ("OSCE", "Organisation pour la sécurité et la coopération en Europe"),
        "es": ("OSCE", "Organización para la Seguridad y la Cooperación en Europa"),
        "ru": ("ОБСЕ", "Организация по безопасности и сотрудничеству в Европе"),
        "zh": ("欧安组织", "欧洲安全与合作组织"),
        "ar": ("منظمة الأمن والتعاون في أوروبا", "منظمة الأمن والتعاون في أوروبا"),
    },
    "PIF": {
        "en": ("PIF", "Pacific Islands Forum"),
        "fr": ("FIP", "Forum des îles du Pacifique"),
        "es": ("Foro de las Islas del Pacífico", "Foro de las Islas del Pacífico"),
        "ru": ("ФТО", "Форум тихоокеанских островов"),
        "zh": ("太平洋岛国论坛", "太平洋岛国论坛"),
        "ar": ("منتدى جزر المحيط الهادئ", "منتدى جزر المحيط الهادئ"),
    },
    "SADC": {
        "en": ("SADC", "Southern African Development Community"),
        "fr": ("SADC", "Communauté de développement de l'Afrique australe"),
        "es": ("SADC", "Comunidad de África Meridional para el Desarrollo"),
        "ru": ("САДК", "Сообщество по вопросам развития стран юга Африки"),
        "zh": ("南共体", "南部非洲发展共同体"),
        "ar": ("الجماعة الإنمائية للجنوب الأفريقي", "الجماعة الإنمائية للجنوب الأفريقي"),
    },
    "SCO": {
        "en": ("SCO", "Shanghai Cooperation Organisation"),
        "fr": ("OCS", "Organisation de Shanghai pour la coopération"),
        "es": ("OCS", "Organización de Cooperación de Shanghái"),
        "ru": ("ШОС", "Шанхайская организация сотрудничества"),
        "zh": ("上合组织", "上海合作组织"),
        "ar": ("منظمة شنغهاي للتعاون", "منظمة شنغهاي للتعاون"),
    },
    "SICA": {
        "en": ("SICA", "Central American Integration System"),
        "fr": ("SICA", "Système d'intégration de l'Amérique centrale"),
        "es": ("SICA", "Sistema de la Integración Centroamericana"),
        "ru": ("СЦАИ", "Система центральноамериканской интеграции"),
        "zh": ("中美洲一体化体系", "中美洲一体化体系"),
        "ar": ("منظومة التكامل لأمريكا الوسطى", "منظومة التكامل لأمريكا الوسطى"),
    },
}


def rust_networks():
    """(code, English name) pairs of REGIONAL_NETWORKS in refdata.rs."""
    src = open(REFDATA_RS, encoding="utf-8").read()
    m = re.search(r"REGIONAL_NETWORKS:[^=]*=\s*&\[(.*?)\n\];", src, re.S)
    if not m:
        sys.exit("REGIONAL_NETWORKS not found in refdata.rs")
    return re.findall(r'\(\s*"([^"]+)",\s*"([^"]+)",?\s*\)', m.group(1))


def bad_chars(s):
    return [
        f"U+{ord(ch):04X}"
        for ch in s
        if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") or ch in "\u2019\u2018\u00a0"
    ]


def main():
    errors = []
    rust = rust_networks()
    if len(rust) != 19:
        errors.append(f"refdata.rs has {len(rust)} networks, 19 expected")
    if sorted(c for c, _ in rust) != sorted(NETWORKS):
        errors.append(f"codes differ: refdata.rs {sorted(c for c, _ in rust)} vs {sorted(NETWORKS)}")
    for code, name in rust:
        if code in NETWORKS and NETWORKS[code]["en"][1] != name:
            errors.append(f"{code}: English name {NETWORKS[code]['en'][1]!r} != refdata.rs {name!r}")
    for code, by_lang in NETWORKS.items():
        if set(by_lang) != set(LANGS):
            errors.append(f"{code}: languages {sorted(by_lang)}")
            continue
        for lang in LANGS:
            for field in by_lang[lang]:
                if not field or field != field.strip() or "  " in field:
                    errors.append(f"{code}/{lang}: empty or padded field {field!r}")
                if bad_chars(field):
                    errors.append(f"{code}/{lang}: bad characters {bad_chars(field)} in {field!r}")
    if errors:
        sys.exit("\n".join(errors))
    header = ["code"]
    for lang in LANGS:
        header += [f"acronym_{lang}", f"name_{lang}"]
    with open(OUT, "w", encoding="utf-8", newline="\n") as f:
        f.write("\t".join(header) + "\n")
        for code in sorted(NETWORKS):
            row = [code]
            for lang in LANGS:
                row += list(NETWORKS[code][lang])
            f.write("\t".join(row) + "\n")
    print(f"wrote {OUT}: {len(NETWORKS)} rows")


if __name__ == "__main__":
    main()

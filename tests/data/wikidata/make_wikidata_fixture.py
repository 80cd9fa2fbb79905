"""Write tests/data/wikidata/fixture.ttl: a small Wikidata extract in Wikidata's RDF shape, for reconciliation tests.

Run from the repository root: ``python tests/data/wikidata/make_wikidata_fixture.py``. A test checks the committed
file is what this script makes. See README.md beside it for what is verified data and what is test data.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent.parent
SOURCE = ROOT / "data" / "wikidata" / "entities.csv"
TARGET = HERE / "fixture.ttl"

PREFIXES = """@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <http://schema.org/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix wd: <http://www.wikidata.org/entity/> .
@prefix wdt: <http://www.wikidata.org/prop/direct/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

# What entities.csv does not say, added so the matcher has descriptions, classes, countries and the labels a
# near neighbour shares with our names. Test data in Wikidata's shape, not claims checked against Wikidata.
EXTRA: dict[str, dict[str, Any]] = {
    "Q148": {"description": "country in East Asia", "P17": ["Q148"]},
    "Q423": {"description": "country in East Asia", "P17": ["Q423"]},
    "Q18097": {"description": "region in East Asia, historical country", "P31": ["Q3024240", "Q82794"]},
    "Q483134": {"description": "peninsula in East Asia", "P31": ["Q34763"], "aliases": ["Korea"]},
    "Q884": {
        "description": "country in East Asia",
        "P31": ["Q6256", "Q3624078"],
        "P17": ["Q884"],
        "aliases": ["Korea", "Republic of Korea", "ROK", "대한민국"],
    },
    "Q45208": {
        "description": "province of China",
        "P17": ["Q148"],
        "aliases": ["吉林省", "Jilin Province", "Kirin"],
    },
    "Q43934": {
        "description": "province of China",
        "P17": ["Q148"],
        "aliases": ["辽宁省", "Liaoning Province"],
    },
    "Q19206": {
        "description": "province of China",
        "P17": ["Q148"],
        "aliases": ["黑龙江省", "Heilongjiang Province"],
    },
    "Q55498": {
        "description": "river on the border between China and North Korea",
        "P31": ["Q4022"],
        "P17": ["Q148", "Q423"],
        "aliases": ["鸭绿江", "Amnok River"],
    },
    "Q55499": {
        "description": "river in Northeast Asia",
        "P31": ["Q4022"],
        "P17": ["Q148", "Q423", "Q159"],
        "aliases": ["图们江", "Tuman River"],
    },
    "Q18808": {
        "description": "capital of North Korea",
        "P31": ["Q5119", "Q1549591"],
        "P17": ["Q423"],
        "aliases": ["평양"],
    },
    "Q1155502": {
        "description": "ministry of the People's Republic of China",
        "P31": ["Q192350"],
        "P17": ["Q148"],
        "aliases": ["中华人民共和国外交部", "Chinese Foreign Ministry"],
    },
    "Q2346285": {
        "description": "ministry of the People's Republic of China",
        "P31": ["Q192350"],
        "P17": ["Q148"],
    },
    "Q17427": {
        "description": "political party ruling the People's Republic of China",
        "P31": ["Q7278"],
        "P17": ["Q148"],
        "aliases": ["Communist Party of China", "中国共产党", "CCP"],
    },
    "Q59261": {
        "description": "chief administrative authority of China",
        "P31": ["Q2659904"],
        "P17": ["Q148"],
    },
    "Q30950523": {"zh_label": "中华人民共和国驻朝鲜民主主义人民共和国大使馆", "P17": ["Q423"]},
    "Q872975": {"description": "think tank in Washington, D.C.", "P31": ["Q31855"], "P17": ["Q30"]},
    "Q1424691": {"description": "American private foundation", "P31": ["Q157031"], "P17": ["Q30"]},
    "Q715978": {"description": "ethnic group in China", "P31": ["Q41710"]},
    "Q484464": {
        "description": "East Asian ethnic group",
        "P31": ["Q41710"],
        "aliases": ["Korean people", "ethnic Koreans"],
    },
    "Q2034790": {"description": "university in Shanghai", "P31": ["Q3918"], "P17": ["Q148"]},
}

# Decoys: items named like ours but something else. Their QIDs (Q9999999xx) are made up for this fixture.
DECOYS: dict[str, dict[str, Any]] = {
    "Q999999901": {
        "label": "Pak Song-chol",
        "description": "North Korean footballer (fixture decoy: a namesake born after 1962)",
        "P31": ["Q5"],
        "P569": ["1987-09-15"],
    },
    "Q999999902": {
        "label": "Hao Deqing",
        "description": "table tennis player (fixture decoy: a namesake without dates)",
        "P31": ["Q5"],
    },
    "Q999999903": {
        "label": "Kim Il-sung",
        "description": "documentary film (fixture decoy: not a human)",
        "P31": ["Q11424"],
    },
    "Q999999904": {
        "label": "Charles Kraus",
        "description": "Austrian painter (fixture decoy: a namesake, 1850-1920)",
        "P31": ["Q5"],
        "P569": ["1850-03-01"],
        "P570": ["1920-11-30"],
    },
    "Q999999905": {
        "label": "Ministry of Foreign Affairs of the Democratic People's Republic of Korea",
        "description": "ministry of North Korea (fixture decoy)",
        "aliases": ["Ministry of Foreign Affairs", "Foreign Ministry"],
        "P31": ["Q192350"],
        "P17": ["Q423"],
    },
    "Q999999906": {
        "label": "Central Committee of the Communist Party of the Soviet Union",
        "description": "highest body of the Soviet Communist Party between congresses (fixture decoy)",
        "aliases": ["Central Committee"],
        "P31": ["Q43229"],
        "P17": ["Q15180"],
    },
    "Q999999907": {
        "label": "Kirin Brewery Company",
        "description": "Japanese brewer (fixture decoy)",
        "aliases": ["Kirin"],
        "P31": ["Q4830453"],
        "P17": ["Q17"],
    },
}


def lang_of(text: str) -> str:
    """The language tag of an alias, from its script.

    >>> lang_of("평양"), lang_of("圖們江"), lang_of("DPRK")
    ('ko', 'zh', 'en')
    """
    if re.search(r"[\uac00-\ud7af]", text):
        return "ko"
    if re.search(r"[\u4e00-\u9fff]", text):
        return "zh"
    return "en"


def literal(text: str, lang: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"@{lang}'


def split_label(text: str) -> tuple[str, list[str]]:
    """A label without its parenthetical, and the parenthetical as an alias when it is a name.

    >>> split_label("Korean Chinese (Chaoxianzu)"), split_label("Korea (historical state; North Korea item ...)")
    (('Korean Chinese', ['Chaoxianzu']), ('Korea', []))
    """
    match = re.match(r"^(.*?)\s*\(([^)]*)\)\s*$", text)
    if not match:
        return text.strip(), []
    inner = match.group(2).strip()
    return match.group(1).strip(), ([inner] if re.fullmatch(r"[\w' -]+", inner) else [])


def item_lines(qid: str, label: str | None, aliases: list[str], data: dict[str, Any]) -> list[str]:
    lines = []
    subject = f"wd:{qid}"
    if label:
        lines.append(f"{subject} rdfs:label {literal(label, 'en')} .")
    if isinstance(data.get("zh_label"), str):
        lines.append(f"{subject} rdfs:label {literal(str(data['zh_label']), 'zh')} .")
    for alias in dict.fromkeys([*aliases, *list(data.get("aliases", []))]):
        if alias and alias != label:
            lines.append(f"{subject} skos:altLabel {literal(alias, lang_of(alias))} .")
    if isinstance(data.get("description"), str):
        lines.append(f"{subject} schema:description {literal(str(data['description']), 'en')} .")
    for prop in ("P31", "P17"):
        for value in dict.fromkeys(data.get(prop, [])):
            lines.append(f"{subject} wdt:{prop} wd:{value} .")
    for prop in ("P569", "P570"):
        for value in data.get(prop, []):
            lines.append(f'{subject} wdt:{prop} "{value}T00:00:00Z"^^xsd:dateTime .')
    return lines


def fixture() -> str:
    """The fixture's Turtle, one triple a line, items in the order of entities.csv, then the decoys."""
    blocks = []
    with SOURCE.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            qid = row["qid"].strip()
            if not qid:
                continue
            data = {**EXTRA.get(qid, {})}
            classes = [v.split()[0] for v in row["instance_of_seen"].split("|") if v.strip()]
            data["P31"] = [*classes, *data.get("P31", [])]
            label, more = split_label(row["label_en"])
            if qid == "Q30950523":  # entities.csv: "English label not seen"
                label = ""
            seen = [a.strip() for a in row["aliases_seen"].split("|") if a.strip()]
            # An alias is kept as written, unless it is the label with a note in brackets (row "korea").
            aliases = more + [a for a in seen if split_label(a)[0] != label]
            blocks.append(f"# {row['key']} ({row['confidence']}): {row['evidence']}")
            blocks.extend(item_lines(qid, label, aliases, data))
    blocks.append("# decoys: made-up QIDs, named like our entities")
    for qid, data in DECOYS.items():
        blocks.extend(item_lines(qid, str(data["label"]), [], data))
    return PREFIXES + "\n" + "\n".join(blocks) + "\n"


if __name__ == "__main__":
    TARGET.write_text(fixture(), encoding="utf-8")
    sys.stdout.write(f"wrote {TARGET}\n")

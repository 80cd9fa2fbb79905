"""Write a deterministic corpus of Digital Archive captures in the page layout of the seed (family A).

    python benchmarks/make_corpus.py --documents 1000 --seed 1 --out var/corpus-1000

Every capture has a date, a title naming its senders and addressee, a credit line, tags, a priority
marking, an addressee line, a body of one to three pages (paragraphs and numbered points, some with
sub-points) mentioning persons, groups and places of the authority file under the names the linker
resolves, reported figures ("1,234 people ..."), a reference to an earlier telegram, signatories, a
closing date, a summary, a citation with a unique archival reference and credits, and the rights text.
The same arguments always write the same bytes.
"""

from __future__ import annotations

import argparse
import random
import sys
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ldpub.link.authority import Authority, Entry, load_authority  # noqa: E402

MONTHS = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip
FIRST = [
    "Li",
    "Wang",
    "Zhang",
    "Liu",
    "Chen",
    "Yang",
    "Zhao",
    "Huang",
    "Zhou",
    "Wu",
    "Kim",
    "Pak",
    "Choe",
    "Ri",
]
GIVEN = [
    "Wei",
    "Fang",
    "Min",
    "Jun",
    "Hua",
    "Ling",
    "Song-chol",
    "Il-sung",
    "Yong-ho",
    "Chang",
    "Xiu",
    "Dong",
]
TRANSLATORS = ["Charles Kraus", "Jeffrey Wang", "Stephen Mercado", "James F. Person", "Eliza Gheorghe"]
FUNDERS = ["MacArthur Foundation", "Leon Levy Foundation", "Henry Luce Foundation"]
TOPICS = [
    "the situation along the border",
    "trade negotiations between the two governments",
    "the exchange of delegations",
    "the treatment of overseas nationals",
    "the supply of grain and coal",
    "the arrangements for the coming visit",
]
FILLER = [
    "The relevant departments have studied the matter carefully and reported their views.",
    "We consider that the question should be handled in a spirit of mutual understanding.",
    "Local authorities have been instructed to report any new developments without delay.",
    "The other side has expressed its appreciation for the measures already adopted.",
    "It is necessary to continue to collect information and to keep us informed in good time.",
    "These views are for your reference; please act according to the circumstances.",
    "Some difficulties remain, and they can only be resolved gradually through consultation.",
    "The work should be carried out steadily, paying attention to the policy and to the timing.",
]
NOUNS = ["people", "persons", "refugees", "individuals"]
RIGHTS = (
    "The History and Public Policy Program welcomes reuse of Digital Archive materials for research and "
    "educational purposes. Some documents may be subject to copyright, which is retained by the rights "
    "holders in accordance with US and international copyright laws. When possible, rights holders have "
    "been contacted for permission to reproduce their materials."
)


def english_date(day: date) -> str:
    return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"


def body_date(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def name_of(entry: Entry) -> str:
    """A surface form the linker resolves: the English label or one of its other names."""
    return entry.label


class Writer:
    def __init__(self, authority: Authority, seed: int) -> None:
        self.rng = random.Random(seed)
        self.persons = authority.of_kind("person")
        self.places = authority.of_kind("place")
        self.groups = [
            g for g in authority.of_kind("group") if g.key not in ("happ", "nkidp", "wilson-center")
        ]
        self.senders = [authority.get("group", k) for k in ("prc-mfa", "prc-mps")]
        self.addressee = authority.get("group", "prc-embassy-dprk")

    def sentence(self) -> str:
        rng = self.rng
        kind = rng.random()
        if kind < 0.3:
            person = rng.choice(self.persons)
            return f"{name_of(person)} raised the question of {rng.choice(TOPICS)} during the meeting."
        if kind < 0.55:
            place = rng.choice(self.places)
            return f"The situation in {name_of(place)} requires attention, especially regarding {rng.choice(TOPICS)}."
        if kind < 0.7:
            group = rng.choice(self.groups)
            return f"The {name_of(group)} has been informed of {rng.choice(TOPICS)}."
        if kind < 0.8:
            place = rng.choice(self.places)
            count = rng.randint(12, 40000)
            return f"According to incomplete statistics, {count:,} {rng.choice(NOUNS)} were affected in {name_of(place)} during the past year."
        return rng.choice(FILLER)

    def paragraph(self, sentences: int) -> str:
        return " ".join(self.sentence() for _ in range(sentences))

    def capture(self, n: int) -> str:
        rng = self.rng
        day = date(1950, 1, 1) + timedelta(days=rng.randint(0, 365 * 25))
        earlier = day - timedelta(days=rng.randint(3, 40))
        topic = rng.choice(TOPICS)
        paragraphs = [self.paragraph(rng.randint(3, 7)) for _ in range(rng.randint(3, 8))]
        points = []
        for p in range(1, rng.randint(2, 7)):
            points.append(f"  {p}. {self.paragraph(rng.randint(2, 5))}")
            if rng.random() < 0.25:
                points.extend(f"    {s}. {self.paragraph(rng.randint(1, 3))}" for s in (1, 2))
        funder = rng.choice(FUNDERS)
        translators = rng.sample(TRANSLATORS, rng.randint(1, 2))
        obtainer = f"{rng.choice(FIRST)} {rng.choice(GIVEN)}"
        reference = f"PRC FMA {rng.randint(100, 130)}-{n:05d}-{rng.randint(1, 20):02d}"
        pages = f"{(first := rng.randint(1, 80))}-{first + rng.randint(1, 4)}"
        title = (
            f"Telegram from the {self.senders[0].label.split(' of the')[0]} on {topic[0].upper() + topic[1:]}"
        )
        lines = [
            "Skip to content", "", english_date(day), "", title, "",
            f"This document was made possible with support from {funder}", "", "North Korea", "",
            rng.choice(["Additional Rush", "Urgent"]), "", "",
            "[To the] [Chinese] Embassy in [North] Korea:", "", "",
            f"[We] received your telegram dated {body_date(earlier)}.", "", "",
        ]  # fmt: skip
        for text in paragraphs:
            lines += [text, "", ""]
        lines += [*points, "", ""]
        lines += [
            "Ministry of Foreign Affairs",
            "",
            "Ministry of Public Security",
            "",
            body_date(day),
            "",
            "",
        ]
        lines += [
            f"The Ministry of Foreign Affairs instructs the embassy on {topic}.",
            "",
            "Document Information",
            "",
            "",
        ]
        credit = f"Obtained by {obtainer} and translated by {' and '.join(translators)}."
        lines += [
            f"{reference}, {pages}. {credit}",
            "",
            "",
            RIGHTS,
            "",
            "Original Uploaded Date",
            "",
            "",
            "Record ID",
            "",
            "",
        ]
        lines.append(funder)
        return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--authorities", type=Path, default=ROOT / "data" / "authorities.toml")
    args = parser.parse_args(argv)
    writer = Writer(load_authority(args.authorities), args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    for n in range(1, args.documents + 1):
        (args.out / f"doc-{n:06d}.txt").write_text(writer.capture(n), encoding="utf-8")
    print(f"wrote {args.documents} captures to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

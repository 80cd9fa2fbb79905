"""Entity linking: mentions resolve to authority entries with their exact character spans."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from ldpub.errors import AuthorityError
from ldpub.link.authority import load_authority
from ldpub.link.figures import find_figures, unit_nouns
from ldpub.link.mentions import build_matcher, find_mentions
from ldpub.link.references import find_references

ROOT = Path(__file__).resolve().parent.parent
AUTHORITY = load_authority(ROOT / "data" / "authorities.toml")


def mentions(text: str, archive: str | None = "prc-fma") -> list[tuple[str, str, str]]:
    found = find_mentions(text, build_matcher(AUTHORITY, archive))
    for m in found:
        assert text[m.start : m.end] == m.exact
    return [(m.kind, m.key, m.exact) for m in found]


def test_romanisation_in_brackets_is_one_mention_of_one_person() -> None:
    text = "meet with the Minister of Foreign Affairs Pak Seong-cheol [Pak Song Chol] and clarify"
    assert mentions(text) == [("person", "pak-seong-cheol", "Pak Seong-cheol [Pak Song Chol]")]


def test_title_and_short_form_resolve_to_the_same_person() -> None:
    text = "Foreign Minister Pak’s suggestion to conduct government negotiations"
    assert mentions(text) == [("person", "pak-seong-cheol", "Foreign Minister Pak")]


def test_editorial_brackets_inside_a_name() -> None:
    assert mentions("Please have Ambassador Hao [Deqing] meet") == [
        ("person", "hao-deqing", "Ambassador Hao [Deqing]")
    ]
    assert mentions("crossing to [North] Korea is") == [("place", "dprk", "[North] Korea")]


def test_one_phrase_names_two_rivers() -> None:
    text = "We also found 243 corpses in the Yalu and Tumen Rivers."
    assert mentions(text) == [
        ("place", "yalu-river", "Yalu"),
        ("place", "tumen-river", "Tumen Rivers"),
    ]


def test_ethnic_koreans_are_the_korean_chinese_group() -> None:
    assert mentions("arrangements for ethnic Koreans, and") == [("group", "korean-chinese", "ethnic Koreans")]


def test_short_forms_only_apply_in_their_archive() -> None:
    text = "The Central Committee has already decided"
    assert mentions(text, "prc-fma") == [("group", "ccp-central-committee", "Central Committee")]
    assert mentions(text, None) == []


def test_longest_name_wins_over_names_inside_it() -> None:
    text = "[To the] [Chinese] Embassy in [North] Korea:"
    assert mentions(text) == [("group", "prc-embassy-dprk", "[Chinese] Embassy in [North] Korea")]


def test_no_match_inside_a_word() -> None:
    assert mentions("Chinaware and Koreatown") == []


def test_figures_are_found_with_place_and_period() -> None:
    text = (
        "the situation is quite severe in Jilin Province, and there were 28,028 people who crossed the "
        "border during the past year from Jilin Province alone. We also found 243 corpses in the Yalu and "
        "Tumen Rivers."
    )
    found = find_mentions(text, build_matcher(AUTHORITY, "prc-fma"))
    figures = find_figures(text, [(0, len(text))], found, unit_nouns(AUTHORITY), datetime(1962, 3, 24))
    assert [(f.exact, str(f.value), f.unit) for f in figures] == [
        ("28,028", "28028", "persons"),
        ("243", "243", "persons"),
    ]
    first, second = figures
    assert text[first.start : first.end] == "28,028"
    assert first.places == ("jilin",)
    assert second.places == ("yalu-river", "tumen-river")
    assert first.period is not None and first.period.begin == datetime(1961, 1, 1)
    assert second.period is not None and second.period.end == datetime(1961, 12, 31, 23, 59, 59)


def test_numbers_that_are_not_figures() -> None:
    text = "Telegram No. 1443 of 1962, page 12, at 11.20"
    assert find_figures(text, [(0, len(text))], [], unit_nouns(AUTHORITY), None) == []


def test_reference_to_an_earlier_telegram() -> None:
    text = "[We] received your telegram dated 6 March [1962]."
    (ref,) = find_references(text, 1962)
    assert (ref.whose, ref.kind, ref.exact) == ("your", "telegram", "your telegram dated 6 March [1962]")
    assert ref.date.begin == datetime(1962, 3, 6)
    assert not ref.year_inferred


def test_reference_without_a_year_takes_the_documents_year() -> None:
    (ref,) = find_references("we received your cable of 3 April and", 1962)
    assert ref.date.begin == datetime(1962, 4, 3)
    assert ref.year_inferred


def test_wikidata_links_come_only_from_the_verified_file() -> None:
    assert AUTHORITY.get("place", "jilin").wikidata is not None
    assert AUTHORITY.get("place", "jilin").wikidata.qid == "Q45208"  # type: ignore[union-attr]
    assert AUTHORITY.get("group", "ccp-central-committee").wikidata is None
    assert AUTHORITY.get("person", "pak-seong-cheol").wikidata is None


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ('[person.x]\nlabel.fr = "X"\n', "needs an English label"),
        ('[place.x]\nlabel.en = "X"\nfalls_within = "nowhere"\n', "unknown place 'nowhere'"),
        ('[monster.x]\nlabel.en = "X"\n', "unknown kind"),
        ('[person.x]\nlabel.en = "X"\nalt = "Y"\n', "'alt' must be a list"),
        ('[person.x]\nlabel.en = "X"\nwikidata = "Q1"\n', "unknown field"),
        ("[person.x\n", "not valid TOML"),
    ],
)
def test_malformed_authority_file_names_the_entry(tmp_path: Path, content: str, fragment: str) -> None:
    path = tmp_path / "authorities.toml"
    path.write_text(content)
    with pytest.raises(AuthorityError, match=fragment):
        load_authority(path)

"""Builds: a failing build loses nothing, a rebuild is isomorphic, the CLI reports clearly."""

from __future__ import annotations

import json
import shutil
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from ldpub.build import BuildReport, build
from ldpub.cli import main
from ldpub.errors import SourceError, ValidationFailed
from ldpub.published import named_graph
from ldpub.settings import Settings
from ldpub.store import open_published

from .conftest import DATA, ROOT, SEED_PAGE, UNTITLED_RECORD, project_settings


def sources_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "sources"
    shutil.copytree(DATA / "sources", folder)
    return folder


def published_state(settings: Settings) -> tuple[str, int]:
    with open_published(settings.store) as store:
        info = store.release_info()
        assert info is not None
        return info.build_id, store.quad_count()


def content_graphs(settings: Settings) -> dict[str, Graph]:
    """Every named graph but the build graph (whose times differ by design)."""
    with open_published(settings.store) as store:
        names = [g.rsplit("/graph/", 1)[-1] for g in store.graphs()]
        return {
            name: named_graph(store, iri)
            for name, iri in zip(names, store.graphs(), strict=True)
            if name != "build"
        }


def test_rebuilding_the_same_inputs_gives_an_isomorphic_dataset(
    tmp_path: Path, built: tuple[Settings, BuildReport]
) -> None:
    again = project_settings(tmp_path / "again")
    build(again)
    first, second = content_graphs(built[0]), content_graphs(again)
    assert sorted(first) == sorted(second)
    assert "document/prc-fma-118-01025-02" in first
    for name in first:
        assert isomorphic(first[name], second[name]), f"graph {name} differs between builds"


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("empty.txt", b"", "empty"),
        ("binary.txt", b"\x00\x01\x02PK\x03\x04" * 50, "binary"),
        ("latin1.txt", "Skip to content\n\nMarch 24, 1962\n\nCaf\xe9\n".encode("latin-1"), "UTF-8"),
    ],
)
def test_a_failing_build_leaves_the_published_dataset_untouched(
    tmp_path: Path, name: str, content: bytes, fragment: str
) -> None:
    folder = sources_copy(tmp_path)
    settings = project_settings(tmp_path / "store", sources=folder)
    build(settings)
    before = published_state(settings)
    (folder / name).write_bytes(content)
    with pytest.raises(SourceError, match=fragment) as caught:
        build(settings)
    assert name in str(caught.value)
    assert published_state(settings) == before


def test_a_shacl_violation_fails_the_build_and_publishes_nothing(tmp_path: Path) -> None:
    folder = sources_copy(tmp_path)
    settings = project_settings(tmp_path / "store", sources=folder)
    build(settings)
    before = published_state(settings)
    record = UNTITLED_RECORD
    (folder / "untitled.json").write_text(json.dumps(record), encoding="utf-8")
    with pytest.raises(ValidationFailed) as caught:
        build(settings)
    assert "untitled.json" in str(caught.value)
    assert "title" in caught.value.report.lower()
    assert published_state(settings) == before


def test_skip_reports_the_bad_file_and_publishes_the_rest(tmp_path: Path) -> None:
    folder = sources_copy(tmp_path)
    (folder / "broken.txt").write_bytes(b"\xff\xfe\x00\x00garbage")
    settings = project_settings(tmp_path / "store", sources=folder, on_source_error="skip")
    report = build(settings)
    assert [Path(p.path).name for p in report.skipped] == ["broken.txt"]
    assert report.documents == 1


def test_an_empty_sources_folder_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "none").mkdir()
    with pytest.raises(SourceError, match="no source files"):
        build(project_settings(tmp_path / "store", sources=tmp_path / "none"))


def test_cli_build_stats_export_validate(tmp_path: Path) -> None:
    runner = CliRunner()
    store = str(tmp_path / "store")
    config = str(ROOT / "ldpub.toml")
    result = runner.invoke(main, ["--config", config, "build", "--store", store, "--quiet"])
    assert result.exit_code == 0, result.output
    assert "1 document(s) from 2 source(s)" in result.output
    stats = runner.invoke(main, ["--config", config, "stats", "--store", store])
    assert stats.exit_code == 0
    assert "http://www.cidoc-crm.org/cidoc-crm/E21_Person" in stats.output
    out = tmp_path / "all.trig"
    exported = runner.invoke(
        main, ["--config", config, "export", "--store", store, "--format", "trig", "--output", str(out)]
    )
    assert exported.exit_code == 0, exported.output
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        dataset = Dataset()
        dataset.parse(out, format="trig")
    assert len(list(dataset.graphs())) >= 5
    valid = runner.invoke(main, ["--config", config, "validate", "--store", store])
    assert valid.exit_code == 0, valid.output
    assert "conforms: True" in valid.output


def test_cli_build_failure_names_the_file_and_exits_1(tmp_path: Path) -> None:
    folder = sources_copy(tmp_path)
    (folder / "zz-binary.txt").write_bytes(b"\x00" * 100)
    result = CliRunner().invoke(
        main,
        [
            "--config",
            str(ROOT / "ldpub.toml"),
            "build",
            "--sources",
            str(folder),
            "--store",
            str(tmp_path / "s"),
        ],
    )
    assert result.exit_code == 1
    assert "zz-binary.txt" in result.output
    assert "Traceback" not in result.output


def test_cli_read_prints_the_record_as_json() -> None:
    result = CliRunner().invoke(main, ["read", str(SEED_PAGE), "--format", "json"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert record["reference"] == "PRC FMA 118-01025-02"
    assert record["translated_by"] == ["Jeffrey Wang", "Charles Kraus"]


def test_cli_commands_on_a_store_never_built(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["stats", "--store", str(tmp_path / "nothing")])
    assert result.exit_code == 1
    assert "ldpub build" in result.output


def test_cli_bad_setting_is_reported(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["build", "--base-uri", "not-a-uri", "--store", str(tmp_path)])
    assert result.exit_code == 1
    assert "base_uri" in result.output


def test_hostile_text_passes_through_as_data(tmp_path: Path) -> None:
    """Markup, script and control characters in a capture are stored as literal text, nothing more."""
    folder = tmp_path / "sources"
    folder.mkdir()
    page = SEED_PAGE.read_text(encoding="utf-8")
    hostile_title = 'Telegram from the Ministry of Foreign Affairs <script>alert("x")</script> & "Friends"'
    page = page.replace(
        "Telegram from the Ministry of Foreign Affairs and the Ministry of Public Security on the Issue of "
        "Ethnic Koreans Crossing the Border to Korea",
        hostile_title,
    )
    page = page.replace("We also found 243 corpses", "We also found <b onclick='x()'>243</b> corpses\x07")
    (folder / "hostile.txt").write_text(page, encoding="utf-8")
    settings = project_settings(tmp_path / "store", sources=folder)
    build(settings)
    with open_published(settings.store) as store:
        titles = store.query(
            "SELECT ?t WHERE { ?d <http://purl.org/dc/terms/title> ?t }",
        )
        text = store.query(
            "SELECT ?t WHERE { ?e <http://www.cidoc-crm.org/cidoc-crm/P73i_is_translation_of> ?d ;"
            " <http://www.cidoc-crm.org/cidoc-crm/P190_has_symbolic_content> ?t }"
        )
        out = tmp_path / "all.ttl"
        with out.open("wb") as handle:
            store.export("turtle", handle)
    assert [str(r["t"]) for r in titles.rows] == [hostile_title]  # type: ignore[union-attr]
    (body,) = [str(r["t"]) for r in text.rows]  # type: ignore[union-attr]
    assert "<b onclick='x()'>243</b> corpses" in body
    assert "\x07" not in body  # control characters are dropped by the reader, with a warning
    reparsed = Graph().parse(out, format="turtle")
    assert hostile_title in {str(o) for o in reparsed.objects()}


def test_readme_cli_reference_is_current() -> None:
    """The README's CLI reference is the --help of every command (regenerate with `make docs`)."""
    from ldpub.cli import REFERENCE_END, REFERENCE_START, help_reference

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split(REFERENCE_START, 1)[1].split(REFERENCE_END, 1)[0]
    assert section.strip() == help_reference().strip(), "README CLI reference is stale: run `make docs`"
    for command in ("read", "build", "validate", "export", "stats"):
        assert f"#### `ldpub {command}`" in section

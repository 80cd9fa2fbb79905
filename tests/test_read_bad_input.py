"""What is not a capture is refused with a clear SourceError; hostile text passes through as data."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ldpub.errors import SourceError
from ldpub.read import read_bytes, read_path
from ldpub.read.record import Paragraph

CAPTURES = Path(__file__).parent / "data" / "captures"
SEED = (CAPTURES / "000_020ce75d772fb1c8.txt").read_bytes()


@pytest.mark.parametrize("data", [b"", b"   \n\t\n", b"\xef\xbb\xbf\n"])
def test_empty_files(data: bytes) -> None:
    with pytest.raises(SourceError, match="empty file") as info:
        read_bytes(data, "empty.txt")
    assert info.value.path == "empty.txt"


@pytest.mark.parametrize("data", [b"PK\x03\x04\x00\x00binary", bytes(range(32)) * 10])
def test_binary_files(data: bytes) -> None:
    with pytest.raises(SourceError, match="binary data, not a text capture"):
        read_bytes(data, "blob.txt")


def test_not_utf8_names_file_and_line() -> None:
    data = b"Skip to content\n\nMarch 24, 1962\n\nCaf" + b"\xe9 title\n"
    with pytest.raises(SourceError, match="not UTF-8") as info:
        read_bytes(data, "latin1.txt")
    assert info.value.line == 5
    assert str(info.value).startswith("latin1.txt:5: ")
    assert "byte offset" in str(info.value)


def test_utf16_is_named() -> None:
    with pytest.raises(SourceError, match="UTF-16"):
        read_bytes("Skip to content".encode("utf-16"), "wide.txt")


def test_bom_and_crlf_are_normalised() -> None:
    data = b"\xef\xbb\xbf" + SEED.replace(b"\n", b"\r\n")
    r = read_bytes(data, "crlf.txt")
    assert r.layout == "A"
    assert r.title is not None and r.title.startswith("Telegram from the Ministry")
    assert r.reference == "PRC FMA 118-01025-02"
    assert r.source.size == len(data)


def test_unknown_layout() -> None:
    with pytest.raises(SourceError, match="unknown layout") as info:
        read_bytes(b"<script>alert(1)</script>\n", "odd.txt")
    assert "odd.txt" in str(info.value)
    with pytest.raises(SourceError, match="unknown layout: HTML"):
        read_bytes(
            b"<!DOCTYPE html><html><body><p>A page with some words in it here.</p></body></html>", "p.txt"
        )
    with pytest.raises(SourceError, match="unknown layout"):
        read_bytes(b"1,2,3\n4,5,6\n", "numbers.txt")


def test_hostile_text_passes_through_as_data() -> None:
    hostile = "<script>alert(1)</script> and the rest of this paragraph is ordinary prose."
    data = SEED.replace(
        b"[We] received your telegram", hostile.encode() + b"\x07 [We] received your telegram"
    )
    r = read_bytes(data, "hostile.txt")
    first = r.body[0]
    assert isinstance(first, Paragraph)
    assert first.text.startswith("<script>alert(1)</script> and the rest")
    assert "\x07" not in first.text
    assert any(w.startswith("control characters removed on line") for w in r.warnings)


def test_a_one_megabyte_line_is_data() -> None:
    line = ("word " * 200_000).strip() + "."
    r = read_bytes(
        SEED.replace(b"[We] received your telegram dated 6 March [1962].", line.encode()), "big.txt"
    )
    assert r.body[0] == Paragraph(line)
    assert r.reference == "PRC FMA 118-01025-02"


def test_oversized_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    path.write_bytes(b"x" * 2048)
    with pytest.raises(SourceError, match="file too large: 2048 bytes") as info:
        read_path(path, max_bytes=1024)
    assert str(path) in str(info.value)
    with pytest.raises(SourceError, match="too large"):
        read_bytes(b"x" * 2048, "huge.txt", max_bytes=1024)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="cannot read"):
        read_path(tmp_path / "nope.txt")


@pytest.mark.parametrize("cut", [40, 400, 1500, 3000, 4800, 5600, 6100, 6400])
def test_truncated_page_gives_warnings_not_a_crash(cut: int) -> None:
    data = SEED[:cut]
    r = read_bytes(data, "cut.txt")
    assert r.layout == "A"
    assert r.warnings
    assert r.source.size == cut


def test_truncated_mid_citation() -> None:
    cut = SEED.index(b"Obtained by") + len(b"Obtained by Shen")
    r = read_bytes(SEED[:cut], "cut.txt")
    assert r.reference == "PRC FMA 118-01025-02"
    assert r.obtained_by == ["Shen"]
    assert "capture ends mid-text" in r.warnings
    assert "no rights statement found" in r.warnings


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=2000), suffix=st.sampled_from([".txt", ".json", ".csv", ""]))
def test_arbitrary_bytes_raise_only_source_error(data: bytes, suffix: str) -> None:
    with contextlib.suppress(SourceError):
        read_bytes(data, "fuzz" + suffix)


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=3000), suffix=st.sampled_from([".txt", ".json", ".csv"]))
def test_arbitrary_text_raises_only_source_error(text: str, suffix: str) -> None:
    with contextlib.suppress(SourceError):
        read_bytes(text.encode("utf-8", "surrogatepass"), "fuzz" + suffix)


@settings(max_examples=100, deadline=None)
@given(start=st.integers(0, len(SEED)), length=st.integers(0, len(SEED)))
def test_any_slice_of_the_seed_reads_or_is_refused_cleanly(start: int, length: int) -> None:
    with contextlib.suppress(SourceError):
        read_bytes(SEED[start : start + length], "slice.txt")

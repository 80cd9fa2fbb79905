"""atheris harness: the date and credit parsers and the Accept / Accept-Profile parsers never raise
(Accept-Profile: only its own MalformedProfileHeader) and keep their invariants.

    python fuzz/fuzz_parsers.py -max_total_time=600 -timeout=10 CORPUS_DIR
"""

from __future__ import annotations

import contextlib
import sys

import atheris
from _common import text_of

with atheris.instrument_imports():
    from ldpub.read.credits import parse_credits, split_funders, split_names
    from ldpub.read.dates import find_dates, parse_date
    from ldpub.web.conneg import negotiate, parse_accept
    from ldpub.web.profiles import MalformedProfileHeader, parse_accept_profile

OFFERS = ["text/turtle", "application/ld+json", "text/html", "application/n-triples"]


def TestOneInput(data: bytes) -> None:
    text = text_of(data)
    value = parse_date(text)
    if value is not None and not value.begin <= value.end:
        raise AssertionError(f"date bounds reversed for {text!r}")
    for start, end, _found in find_dates(text, include_years=True):
        if not 0 <= start <= end <= len(text):
            raise AssertionError(f"date span out of the text for {text!r}")
    parse_credits(text)
    split_names(text)
    split_funders(text)
    for media_range in parse_accept(text):
        if not 0 <= media_range.q <= 1:
            raise AssertionError(f"weight out of range for {text!r}")
    if negotiate(text, OFFERS, {}) not in (None, *OFFERS):
        raise AssertionError(f"negotiated something not offered for {text!r}")
    with contextlib.suppress(MalformedProfileHeader):
        parse_accept_profile(text)


if __name__ == "__main__":
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()

"""atheris harness: the readers (``ldpub.read.read_bytes``) never fail other than by a clear LdpubError.

python fuzz/fuzz_read.py -max_total_time=600 -timeout=10 CORPUS_DIR
"""

from __future__ import annotations

import contextlib
import sys

import _common  # noqa: F401  (puts the project on sys.path)
import atheris

with atheris.instrument_imports():
    from ldpub.errors import LdpubError
    from ldpub.read import read_bytes, read_many_bytes

SUFFIXES = (".txt", ".json", ".csv")


def TestOneInput(data: bytes) -> None:
    if not data:
        return
    suffix = SUFFIXES[data[0] % len(SUFFIXES)]
    body = data[1:]
    with contextlib.suppress(LdpubError):
        read_bytes(body, f"fuzz{suffix}")
    with contextlib.suppress(LdpubError):
        read_many_bytes(body, f"fuzz{suffix}")


if __name__ == "__main__":
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()

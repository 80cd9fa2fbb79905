"""Helpers shared by the atheris harnesses: the project on sys.path, and a text from fuzzer bytes."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def text_of(data: bytes) -> str:
    """The fuzzer's bytes as text: UTF-8 with undecodable bytes replaced (every input is used)."""
    return data.decode("utf-8", "replace")

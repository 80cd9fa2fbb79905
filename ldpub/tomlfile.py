"""Reading a TOML file with an error that names the file (settings and the authority file)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from .errors import LdpubError


def read_toml(path: Path, error: type[LdpubError], what: str) -> dict[str, Any]:
    """The parsed file, or ``error`` naming the file and what is wrong with it."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise error(f"{path}: {what} not found") from exc
    except OSError as exc:
        raise error(f"{path}: cannot read the {what}: {exc.strerror}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise error(f"{path}: not valid TOML: {exc}") from exc

"""The error classes ldpub raises, one small tree.

Every error carries a message meant for a person; the CLI prints it and exits non-zero,
the web layer maps the class to an HTTP status in one place.
"""

from __future__ import annotations


class LdpubError(Exception):
    """Base of every error ldpub raises on purpose."""


class ConfigError(LdpubError):
    """A setting is missing, mistyped or out of range (names the setting and where it came from)."""


class SourceError(LdpubError):
    """A source file cannot be read as a capture. Names the file and, where it applies, the line."""

    def __init__(self, path: str, message: str, line: int | None = None) -> None:
        self.path = path
        self.line = line
        self.reason = message
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {message}")


class AuthorityError(LdpubError):
    """The authority file is malformed (names the file and the entry)."""


class ValidationFailed(LdpubError):
    """SHACL validation found violations; carries the report text."""

    def __init__(self, message: str, report: str = "") -> None:
        self.report = report
        super().__init__(message)


class StoreError(LdpubError):
    """The store cannot be opened, written or swapped."""


class QueryError(LdpubError):
    """A SPARQL query is malformed or failed."""

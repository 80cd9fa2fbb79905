"""The OAI-PMH 2.0 request rules: verbs, their arguments, datestamps and error conditions.

Implements http://www.openarchives.org/OAI/openarchivesprotocol.html:

* §3.1.1 (protocol requests and responses: one verb, arguments not repeated), §3.1.2 and §3.6 (error
  and exception conditions: ``badVerb``, ``badArgument`` … with their codes, see :data:`ERROR_CODES`),
* §3.3.1 (UTCdatetime: ``YYYY-MM-DD`` or ``YYYY-MM-DDThh:mm:ssZ``) and §3.3.2 (``from``/``until``
  with one granularity, ``from`` not after ``until``),
* §4 (the arguments each verb takes: :data:`VERBS`).

Everything here is pure: no Flask, no store.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

ERROR_CODES = (
    "badArgument",
    "badResumptionToken",
    "badVerb",
    "cannotDisseminateFormat",
    "idDoesNotExist",
    "noRecordsMatch",
    "noMetadataFormats",
    "noSetHierarchy",
)
"""The error codes of §3.6."""

GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"
"""This repository's datestamp granularity (§3.3.1; Identify ``granularity``)."""


@dataclass(frozen=True)
class Verb:
    """The arguments one verb takes (§4): required, optional, and the exclusive ``resumptionToken``."""

    required: frozenset[str] = frozenset()
    optional: frozenset[str] = frozenset()
    resumable: bool = False


_LIST = Verb(frozenset({"metadataPrefix"}), frozenset({"from", "until", "set"}), resumable=True)
VERBS: dict[str, Verb] = {
    "Identify": Verb(),
    "ListMetadataFormats": Verb(optional=frozenset({"identifier"})),
    "ListSets": Verb(resumable=True),
    "GetRecord": Verb(frozenset({"identifier", "metadataPrefix"})),
    "ListIdentifiers": _LIST,
    "ListRecords": _LIST,
}


class OAIError(Exception):
    """An OAI-PMH error condition (§3.6): answered with HTTP 200 and an ``<error code="…">`` element."""

    def __init__(self, code: str, message: str) -> None:
        if code not in ERROR_CODES:
            raise ValueError(f"not an OAI-PMH error code: {code}")
        self.code = code
        self.message = message
        super().__init__(f"{code}: {message}")


@dataclass(frozen=True)
class Request:
    """A checked request: the verb and its arguments (each given once, all known to the verb)."""

    verb: str
    args: dict[str, str]


_MAX_VALUE = 2000
"""Longest argument value accepted (an identifier, a token); longer values are a ``badArgument``."""


def check_request(params: Mapping[str, Sequence[str]]) -> Request:
    """Check a request's arguments against §3.1.1 and §4; raise :class:`OAIError` when they break a rule.

    ``params`` maps each argument name to every value it was given with.

    >>> check_request({"verb": ["Identify"]})
    Request(verb='Identify', args={})
    >>> check_request({"verb": ["Frobnicate"]})
    Traceback (most recent call last):
    ...
    ldpub.oai.protocol.OAIError: badVerb: 'Frobnicate' is not an OAI-PMH verb
    >>> check_request({"verb": ["GetRecord"], "identifier": ["oai:x:y"]})
    Traceback (most recent call last):
    ...
    ldpub.oai.protocol.OAIError: badArgument: GetRecord requires the argument metadataPrefix
    >>> check_request({"verb": ["ListRecords"], "resumptionToken": ["t"], "set": ["a"]})
    Traceback (most recent call last):
    ...
    ldpub.oai.protocol.OAIError: badArgument: resumptionToken is an exclusive argument: remove set
    """
    verbs = params.get("verb", [])
    if not verbs:
        raise OAIError("badVerb", "the verb argument is missing")
    if len(verbs) > 1:
        raise OAIError("badVerb", "the verb argument is repeated")
    name = verbs[0]
    if name not in VERBS:
        raise OAIError("badVerb", f"{name[:100]!r} is not an OAI-PMH verb")
    verb = VERBS[name]
    allowed = verb.required | verb.optional | ({"resumptionToken"} if verb.resumable else set())
    args: dict[str, str] = {}
    for key, values in params.items():
        if key == "verb":
            continue
        if key not in allowed:
            raise OAIError("badArgument", f"{key[:100]!r} is not an argument of {name}")
        if len(values) != 1:
            raise OAIError("badArgument", f"the argument {key} is repeated")
        if not values[0].strip():
            raise OAIError("badArgument", f"the argument {key} is empty")
        if len(values[0]) > _MAX_VALUE:
            raise OAIError("badArgument", f"the argument {key} is longer than {_MAX_VALUE} characters")
        args[key] = values[0]
    if "resumptionToken" in args:
        others = sorted(set(args) - {"resumptionToken"})
        if others:
            raise OAIError(
                "badArgument", f"resumptionToken is an exclusive argument: remove {', '.join(others)}"
            )
        return Request(name, args)
    missing = sorted(verb.required - set(args))
    if missing:
        raise OAIError("badArgument", f"{name} requires the argument {', '.join(missing)}")
    if "from" in args or "until" in args:
        check_range(args.get("from"), args.get("until"))
    return Request(name, args)


_DAY = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_SECOND = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z\Z")


def parse_datestamp(text: str, *, end: bool = False) -> datetime:
    """A ``from``/``until`` value as a UTC datetime (§3.3.1); day granularity is the day's first second,
    or with ``end`` its last second (``until`` includes the whole day).

    >>> parse_datestamp("2026-01-02T03:04:05Z")
    datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    >>> parse_datestamp("2026-01-02", end=True)
    datetime.datetime(2026, 1, 2, 23, 59, 59, tzinfo=datetime.timezone.utc)
    >>> parse_datestamp("2026-02-30")
    Traceback (most recent call last):
    ...
    ldpub.oai.protocol.OAIError: badArgument: '2026-02-30' is not a date: day is out of range for month
    >>> parse_datestamp("2026-01-02T03:04:05+01:00")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ldpub.oai.protocol.OAIError: badArgument: '2026-01-02T03:04:05+01:00' is not a UTC datestamp ...
    """
    try:
        if _DAY.match(text):
            day = date.fromisoformat(text)
            return datetime.combine(day, time(23, 59, 59) if end else time(0), tzinfo=UTC)
        if _SECOND.match(text):
            return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError as exc:
        raise OAIError("badArgument", f"{text[:40]!r} is not a date: {exc}") from None
    raise OAIError(
        "badArgument", f"{text[:40]!r} is not a UTC datestamp (YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ)"
    )


def check_range(start: str | None, stop: str | None) -> tuple[datetime | None, datetime | None]:
    """Parse ``from`` and ``until`` and check they share a granularity and are in order (§3.3.2).

    >>> check_range("2026-01-02", "2026-01-01T00:00:00Z")
    Traceback (most recent call last):
    ...
    ldpub.oai.protocol.OAIError: badArgument: from and until have different granularities
    >>> check_range("2026-01-02", "2026-01-01")
    Traceback (most recent call last):
    ...
    ldpub.oai.protocol.OAIError: badArgument: from (2026-01-02) is later than until (2026-01-01)
    >>> check_range("2026-01-01", "2026-01-01")[1].hour
    23
    """
    lower = parse_datestamp(start) if start is not None else None
    upper = parse_datestamp(stop, end=True) if stop is not None else None
    if start is not None and stop is not None:
        if len(start) != len(stop):
            raise OAIError("badArgument", "from and until have different granularities")
        if lower is not None and upper is not None and lower > upper:
            raise OAIError("badArgument", f"from ({start}) is later than until ({stop})")
    return lower, upper


def format_datestamp(moment: datetime) -> str:
    """A UTC datestamp at this repository's granularity (§3.3.1).

    >>> from datetime import timedelta, timezone
    >>> format_datestamp(datetime(2026, 1, 2, 4, 4, 5, 999, tzinfo=timezone(timedelta(hours=1))))
    '2026-01-02T03:04:05Z'
    """
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

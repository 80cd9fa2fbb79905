"""A polite SPARQL client for a Wikidata-shaped endpoint: User-Agent, retries, and an on-disk cache.

Issue 4, section 1: "send a descriptive User-Agent, batch the entities into few queries, retry with backoff
on 429/5xx, honour ``Retry-After``, cache answers on disk so a rerun asks nothing twice". It follows the
Wikimedia User-Agent policy (tool name, version and a contact) and the SPARQL 1.1 Protocol (query by POST,
results as ``application/sparql-results+json``, SPARQL 1.1 Query Results JSON Format §3).
"""

from __future__ import annotations

import email.utils
import hashlib
import http.client
import json
import os
import tempfile
import time
import urllib.error
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import SPARQLWrapper
from SPARQLWrapper import JSON, POST
from SPARQLWrapper.SPARQLExceptions import EndPointInternalError, SPARQLWrapperException

from .. import __version__
from ..errors import LdpubError

Binding = dict[str, dict[str, str]]  # one SPARQL JSON result row: variable → {type, value, xml:lang?}


class ReconcileError(LdpubError):
    """The Wikidata endpoint could not be asked (after retries), or answered something unusable."""


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry a 429, a 5xx or a dropped connection.

    The n-th retry waits ``Retry-After`` when the endpoint sends one, else ``backoff * 2**n`` seconds; the
    run gives up when the waits would pass ``max_wait`` seconds in all, or after ``attempts`` tries.
    """

    attempts: int = 5
    backoff: float = 1.0
    max_wait: float = 120.0
    timeout: float = 60.0


def user_agent(contact: str) -> str:
    """The User-Agent sent to the endpoint (Wikimedia policy: tool/version (contact) library/version).

    >>> user_agent("archive@example.org").startswith("ldpub/")
    True
    """
    return (
        f"ldpub/{__version__} (Wikidata reconciliation of an archival authority file; {contact}) "
        f"SPARQLWrapper/{SPARQLWrapper.__version__}"
    )


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP-date (RFC 9110 §10.2.3).

    >>> retry_after("3"), retry_after(None), retry_after("soon")
    (3.0, None, None)
    >>> retry_after("Wed, 21 Oct 2015 07:28:05 GMT", datetime(2015, 10, 21, 7, 28, 0, tzinfo=UTC))
    5.0
    """
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class WikidataClient:
    """SELECT queries against one endpoint, each answered from the cache or asked once."""

    def __init__(
        self,
        endpoint: str,
        cache: Path,
        contact: str,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.endpoint = endpoint
        self.cache = cache
        self.agent = user_agent(contact)
        self.retry = retry or RetryPolicy()
        self.sleep = sleep
        self.sent = 0  # requests sent by this client (a rerun with a full cache sends none)
        self.cached = 0  # answers read from the cache

    def _cache_file(self, query: str) -> Path:
        digest = hashlib.sha256(f"{self.endpoint}\n{query}".encode()).hexdigest()
        return self.cache / digest[:2] / f"{digest}.json"

    def select(self, query: str) -> list[Binding]:
        """The rows of a SELECT answer: from the cache when this endpoint was asked this query before."""
        path = self._cache_file(query)
        if path.exists():
            try:
                rows: list[Binding] = json.loads(path.read_text(encoding="utf-8"))["bindings"]
                self.cached += 1
                return rows
            except (OSError, ValueError, KeyError):
                pass  # an unreadable cache entry is asked again and rewritten
        rows = self._ask(query)
        record = {"endpoint": self.endpoint, "asked": datetime.now(UTC).isoformat(), "query": query}
        write_atomic(path, json.dumps({**record, "bindings": rows}, ensure_ascii=False))
        return rows

    def _ask(self, query: str) -> list[Binding]:
        waited = 0.0
        for attempt in range(self.retry.attempts):
            try:
                return self._once(query)
            except _Retryable as exc:
                wait = exc.wait if exc.wait is not None else self.retry.backoff * 2**attempt
                last = attempt + 1 == self.retry.attempts
                if last or waited + wait > self.retry.max_wait:
                    raise ReconcileError(
                        f"{self.endpoint}: gave up after {attempt + 1} attempt(s) and {waited:.0f} s of "
                        f"waiting: {exc.reason}"
                    ) from exc
                self.sleep(wait)
                waited += wait
        raise AssertionError("unreachable")  # pragma: no cover

    def _once(self, query: str) -> list[Binding]:
        wrapper = SPARQLWrapper.SPARQLWrapper(self.endpoint, agent=self.agent)
        wrapper.setQuery(query)
        wrapper.setMethod(POST)
        wrapper.setReturnFormat(JSON)
        wrapper.setTimeout(int(self.retry.timeout))
        self.sent += 1
        try:
            response = wrapper.query().response
            try:
                body = response.read()
            finally:
                response.close()
            answer: Any = json.loads(body)
        except urllib.error.HTTPError as exc:
            exc.close()
            if exc.code == 429 or exc.code >= 500:
                wait = retry_after(exc.headers.get("Retry-After") if exc.headers else None)
                raise _Retryable(f"HTTP {exc.code} {exc.reason}", wait) from exc
            raise ReconcileError(f"{self.endpoint}: HTTP {exc.code} {exc.reason}") from exc
        except EndPointInternalError as exc:
            raise _Retryable("HTTP 500 (endpoint internal error)", None) from exc
        except SPARQLWrapperException as exc:
            raise ReconcileError(f"{self.endpoint}: {exc.msg}") from exc
        except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
            reason = getattr(exc, "reason", None) or exc
            raise _Retryable(f"connection failed ({reason})", None) from exc
        except ValueError as exc:  # the body was not SPARQL JSON results
            raise ReconcileError(f"{self.endpoint}: the answer is not SPARQL JSON results ({exc})") from exc
        try:
            rows: list[Binding] = answer["results"]["bindings"]
        except (TypeError, KeyError) as exc:
            raise ReconcileError(f"{self.endpoint}: the answer has no results.bindings") from exc
        return rows


class _Retryable(Exception):
    def __init__(self, reason: str, wait: float | None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.wait = wait


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder and one rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise

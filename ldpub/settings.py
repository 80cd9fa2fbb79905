"""One typed settings object, built once and passed in.

Precedence, lowest first: the defaults below < ``ldpub.toml`` < ``LDPUB_*`` environment variables
< command-line flags. Nothing else in ldpub reads ``os.environ`` or the TOML file.

Every setting is declared once in :data:`FIELDS` with its type, default and help text; the README's
settings table is checked against it by a test.
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .tomlfile import read_toml

ENV_PREFIX = "LDPUB_"
CONFIG_FILE = "ldpub.toml"


def _setting(default: Any, help: str) -> Any:
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class RightsRule:
    """Map a rights statement to a controlled rights URI when its text contains ``contains``."""

    contains: str
    uri: str


@dataclass(frozen=True)
class Settings:
    base_uri: str = _setting(
        "http://localhost:5000", "Base of every minted URI (`{base}/id/{kind}/{slug}`); no trailing slash."
    )
    sources: Path = _setting(Path("data/sources"), "Folder of source captures read by `ldpub build`.")
    authorities: Path = _setting(
        Path("data/authorities.toml"), "The curated authority file (persons, groups, places, concepts)."
    )
    shapes: Path = _setting(Path("shapes"), "Folder of SHACL shapes (`*.ttl`) a build validates against.")
    store: Path = _setting(Path("var/store"), "Folder of the embedded Oxigraph store and its releases.")
    on_source_error: str = _setting(
        "fail", "What a build does with an unreadable source: `fail` (default) or `skip` (report and go on)."
    )
    keep_releases: int = _setting(
        2, "How many earlier published releases a build keeps beside the current one."
    )
    host: str = _setting("127.0.0.1", "Address `ldpub serve` listens on.")
    port: int = _setting(5000, "Port `ldpub serve` listens on.")
    workers: int = _setting(2, "Worker processes of `ldpub serve` (granian).")
    build_workers: int = _setting(
        0, "Worker processes of `ldpub build` (reading, linking, modeling, validation); 0: one per core."
    )
    sparql_timeout: float = _setting(10.0, "Seconds a SPARQL query may run before it is stopped (HTTP 503).")
    sparql_max_rows: int = _setting(10000, "Most rows (or triples) in a SPARQL answer; a cut is signalled.")
    sparql_service_allow: tuple[str, ...] = _setting(
        (), "Endpoint URLs a SPARQL `SERVICE` clause may call; empty: federation is refused."
    )
    sparql_client_queries: int = _setting(
        1,
        "SPARQL queries one client (its address; behind `trusted_proxies`, the forwarded one) may have "
        "running or waiting at once; one more is answered 429. 0: no limit.",
    )
    sparql_pool_size: int = _setting(
        2, "Query worker processes per server worker process; more than `sparql_client_queries`."
    )
    sparql_worker_max_bytes: int = _setting(
        256 * 1024 * 1024,
        "Resident memory a query process may reach while it runs a query (stopped past it, HTTP 503); one "
        "holding more than half of it after answering is replaced. 0: no bound.",
    )
    representation_cache_bytes: int = _setting(
        48 * 1024 * 1024,
        "Bytes of ready answers (descriptions, views, headers) each server worker process keeps per release.",
    )
    max_request_bytes: int = _setting(
        1_048_576, "Largest request body accepted (bytes); a larger one is answered 413 Content Too Large."
    )
    max_url_bytes: int = _setting(
        16_384, "Longest request target (path and query string, bytes); a longer one is answered 414."
    )
    trusted_proxies: int = _setting(
        0, "Reverse proxies in front of `ldpub serve` whose X-Forwarded-* headers are trusted (0: none)."
    )
    access_log: str = _setting(
        "-", "Where one JSON line per request is written: `-` (standard error), a file path, or empty (off)."
    )
    store_url: str = _setting(
        "", "Query URL of an external SPARQL 1.1 store to use instead of the embedded one (empty: embedded)."
    )
    store_update_url: str = _setting(
        "", "Update (or Graph Store) URL of the external store, used by `ldpub build --store-url`."
    )
    wikidata_endpoint: str = _setting(
        "https://query.wikidata.org/sparql", "SPARQL endpoint `ldpub reconcile` asks for Wikidata candidates."
    )
    wikidata_cache: Path = _setting(
        Path("var/cache/wikidata"), "Folder where `ldpub reconcile` caches endpoint answers (asked once)."
    )
    reconcile_threshold: float = _setting(
        0.85, "Score (0–1) from which `ldpub reconcile` links a candidate; close calls go to review."
    )
    reconcile_review: Path = _setting(
        Path("var/reconcile"),
        "Folder of `ldpub reconcile` outputs: review CSV, links, QuickStatements, Mix'n'match.",
    )
    dataset_title: str = _setting(
        "ldpub: Wilson Center Digital Archive documents as linked data", "Title of the dataset (VoID, DCAT)."
    )
    dataset_license: str = _setting(
        "http://rightsstatements.org/vocab/InC-EDU/1.0/", "License or rights URI of the dataset as a whole."
    )
    data_provider: str = _setting(
        "Wilson Center Digital Archive", "Name of the institution providing the data (edm:dataProvider)."
    )
    provider: str = _setting("ldpub", "Name of the aggregator-facing provider (edm:provider).")
    oai_page_size: int = _setting(100, "Records per OAI-PMH list response before a resumption token.")
    activity_page_size: int = _setting(100, "Activities per page of the change feed at /activity/.")
    oai_admin_email: str = _setting("archive@example.org", "Contact address in the OAI-PMH Identify answer.")
    rights_rules: tuple[RightsRule, ...] = _setting(
        (), "Rules `{contains, uri}` mapping a rights text to a rights URI; without a rule none is asserted."
    )

    def __post_init__(self) -> None:
        if self.on_source_error not in ("fail", "skip"):
            raise ConfigError(f"on_source_error must be 'fail' or 'skip', not {self.on_source_error!r}")
        if not self.base_uri.startswith(("http://", "https://")):
            raise ConfigError(f"base_uri must be an http(s) URI, not {self.base_uri!r}")
        if self.base_uri.endswith("/"):
            object.__setattr__(self, "base_uri", self.base_uri.rstrip("/"))
        for name in (
            "port",
            "workers",
            "sparql_max_rows",
            "oai_page_size",
            "activity_page_size",
            "max_request_bytes",
            "max_url_bytes",
        ):
            if getattr(self, name) < 1:
                raise ConfigError(f"{name} must be 1 or more, not {getattr(self, name)}")
        if not 0 < self.reconcile_threshold <= 1:
            raise ConfigError(f"reconcile_threshold must be in (0, 1], not {self.reconcile_threshold}")
        if self.sparql_timeout <= 0:
            raise ConfigError(f"sparql_timeout must be more than 0 seconds, not {self.sparql_timeout}")
        if self.trusted_proxies < 0:
            raise ConfigError(f"trusted_proxies must be 0 or more, not {self.trusted_proxies}")
        if self.build_workers < 0:
            raise ConfigError(f"build_workers must be 0 or more, not {self.build_workers}")
        if self.keep_releases < 0:
            raise ConfigError(f"keep_releases must be 0 or more, not {self.keep_releases}")
        for name in ("sparql_client_queries", "representation_cache_bytes", "sparql_worker_max_bytes"):
            if getattr(self, name) < 0:
                raise ConfigError(f"{name} must be 0 or more, not {getattr(self, name)}")
        if not 1 <= self.sparql_pool_size <= 64:
            raise ConfigError(f"sparql_pool_size must be between 1 and 64, not {self.sparql_pool_size}")

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)


FIELDS: dict[str, dataclasses.Field[Any]] = {f.name: f for f in dataclasses.fields(Settings)}


def _coerce(name: str, value: Any, origin: str) -> Any:
    """Turn a raw value from TOML, the environment or a flag into the field's type."""
    kind = FIELDS[name].type
    try:
        if kind == "Path":
            return Path(str(value))
        if kind == "int":
            if isinstance(value, bool):
                raise ValueError("a boolean is not a number")
            return int(value)
        if kind == "str":
            if not isinstance(value, str):
                raise ValueError(f"expected text, got {type(value).__name__}")
            return value
        if kind == "float":
            if isinstance(value, bool):
                raise ValueError("a boolean is not a number")
            return float(value)
        if kind == "tuple[str, ...]":
            if isinstance(value, str):
                return tuple(v.strip() for v in value.split(",") if v.strip())
            if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
                raise ValueError("expected a list of strings")
            return tuple(value)
        if kind == "tuple[RightsRule, ...]":
            if isinstance(value, str):
                value = tomllib.loads(f"v = {value}")["v"]
            return tuple(RightsRule(contains=str(r["contains"]), uri=str(r["uri"])) for r in value)
    except (ValueError, TypeError, KeyError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{origin}: setting {name!r}: {exc}") from exc
    raise ConfigError(f"{origin}: setting {name!r} has an unsupported type {kind}")


def load_settings(
    config: Path | None = None,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Build the settings: defaults < TOML file < ``LDPUB_*`` environment < overrides (flags).

    ``config`` defaults to ``ldpub.toml`` in the working directory when that file exists.
    Unknown keys are errors, so a typo never silently falls back to a default.

    >>> load_settings(environ={"LDPUB_BASE_URI": "https://example.org/"}).base_uri
    'https://example.org'
    """
    values: dict[str, Any] = {}
    path = config if config is not None else (Path(CONFIG_FILE) if Path(CONFIG_FILE).exists() else None)
    if path is not None:
        data = read_toml(path, ConfigError, "configuration file")
        table = data.get("ldpub", data)
        for key, value in table.items():
            if key not in FIELDS:
                raise ConfigError(f"{path}: unknown setting {key!r} (known: {', '.join(FIELDS)})")
            coerced = _coerce(key, value, str(path))
            if isinstance(coerced, Path) and not coerced.is_absolute():
                coerced = path.parent / coerced
            values[key] = coerced
    for key, raw in (environ or {}).items():
        if not key.startswith(ENV_PREFIX):
            continue
        name = key[len(ENV_PREFIX) :].lower()
        if name not in FIELDS:
            raise ConfigError(f"environment variable {key}: unknown setting {name!r}")
        values[name] = _coerce(name, raw, f"environment variable {key}")
    for key, value in (overrides or {}).items():
        if value is None:
            continue
        if key not in FIELDS:
            raise ConfigError(f"unknown setting {key!r}")
        values[key] = _coerce(key, value, f"option --{key.replace('_', '-')}")
    return Settings(**values)


def describe() -> list[tuple[str, str, str]]:
    """(name, environment variable, help) for every setting: the source of the README table."""
    return [(name, ENV_PREFIX + name.upper(), f.metadata["help"]) for name, f in FIELDS.items()]

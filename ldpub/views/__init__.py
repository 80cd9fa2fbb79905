"""Other models of the same record: EDM, schema.org, RiC-O and Linked Art views of the CRM graph.

Each view is a mapping from a record's CRM graph (:func:`ldpub.views.record.record_graph`, one
``CONSTRUCT`` over the published store) to another model; none reads sources. A view is identified by a
*profile* (W3C Content Negotiation by Profile, https://www.w3.org/TR/dx-prof-conneg/ §6: a token and a
URI) and rendered in the RDF formats its profile lists (:func:`render`). The web layer negotiates them
on ``/doc/...`` (:mod:`ldpub.web.profiles`); OAI-PMH can ask :func:`view_graph` for the EDM graph.

Profiles (token → URI):

* ``crm`` → ``http://www.cidoc-crm.org/cidoc-crm/``: the CRM description itself (the default);
* ``edm`` → ``http://www.europeana.eu/schemas/edm/``: :mod:`ldpub.views.edm`;
* ``schema`` → ``https://schema.org/``: :mod:`ldpub.views.schemaorg`;
* ``rico`` → ``https://www.ica.org/standards/RiC/ontology``: :mod:`ldpub.views.rico`;
* ``linkedart`` → ``https://linked.art/ns/v1/linked-art.json``: :mod:`ldpub.views.linkedart`.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from typing import Any

from rdflib import Graph

from ..model.namespaces import CRM
from ..settings import Settings
from ..store import DatasetStore
from . import edm, linkedart, rico, schemaorg
from .record import Record, is_record, record_graph, record_slug


@dataclass(frozen=True)
class Profile:
    """A profile a record can be served in: token, URI, label and the format names it is offered in."""

    token: str
    uri: str
    label: str
    formats: tuple[str, ...]


RDF_FORMATS = ("turtle", "jsonld", "rdfxml", "ntriples")
PROFILES: tuple[Profile, ...] = (
    Profile("crm", "http://www.cidoc-crm.org/cidoc-crm/", "CIDOC-CRM (ldpub's model)", ()),
    Profile("edm", "http://www.europeana.eu/schemas/edm/", "Europeana Data Model", RDF_FORMATS),
    Profile("schema", "https://schema.org/", "schema.org", ("jsonld", "turtle", "rdfxml", "ntriples")),
    Profile(
        "rico", "https://www.ica.org/standards/RiC/ontology", "Records in Contexts (RiC-O 1.1)", RDF_FORMATS
    ),
    Profile("linkedart", linkedart.CONTEXT_URL, "Linked Art", ("jsonld", "turtle", "rdfxml", "ntriples")),
)
"""Every profile; ``crm`` is the default and is served by :mod:`ldpub.web.resources` in all its formats."""
DEFAULT = PROFILES[0]
BY_TOKEN: dict[str, Profile] = {p.token: p for p in PROFILES}
BY_URI: dict[str, Profile] = {p.uri: p for p in PROFILES}


def lookup(value: str) -> Profile | None:
    """The profile a token or URI names (a trailing ``/`` or ``#`` on a URI is ignored), else None.

    >>> lookup("edm").uri, lookup("http://www.europeana.eu/schemas/edm").token
    ('http://www.europeana.eu/schemas/edm/', 'edm')
    >>> lookup("dcat") is None
    True
    """
    key = value.strip()
    if key in BY_TOKEN:
        return BY_TOKEN[key]
    for uri, profile in BY_URI.items():
        if key.rstrip("/#") == uri.rstrip("/#"):
            return profile
    return None


def page_url(settings: Settings, iri: str) -> str:
    """The HTML page of a resource: ``{base}/doc/{path}.html`` for ``{base}/id/{path}``."""
    return iri.replace(f"{settings.base_uri}/id/", f"{settings.base_uri}/doc/", 1) + ".html"


def load_record(store: DatasetStore, settings: Settings, iri: str) -> Record | None:
    """The record ``iri`` with its CRM graph, or None when ``iri`` is not a record."""
    if not is_record(store, settings.base_uri, iri):
        return None
    return Record(record_graph(store, iri), iri, settings.base_uri)


def _json_graph(document: dict[str, Any], local_context: Any) -> Graph:
    """Read a JSON-LD view as RDF with a local copy of its context (nothing is fetched)."""
    text = json.dumps(document | {"@context": local_context})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return Graph(bind_namespaces="core").parse(data=text, format="json-ld")


def view_json(record: Record, token: str, settings: Settings) -> dict[str, Any] | None:
    """The JSON-LD document of a view whose profile defines one (schema.org, Linked Art), else None."""
    if token == "schema":
        return schemaorg.schema_json_ld(record, page_url=page_url(settings, str(record.iri)))
    if token == "linkedart":
        return linkedart.linked_art(record)
    return None


def view_graph(record: Record, token: str, settings: Settings) -> Graph:
    """The view ``token`` (``edm``, ``schema``, ``rico``, ``linkedart``) of ``record`` as an RDF graph."""
    if token == "edm":
        return edm.edm_graph(
            record,
            page_url=page_url(settings, str(record.iri)),
            data_provider=settings.data_provider,
            provider=settings.provider,
            dataset_license=settings.dataset_license,
        )
    if token == "rico":
        return rico.rico_graph(record)
    document = view_json(record, token, settings)
    if document is None:
        raise ValueError(f"no view for profile {token!r}")
    local = schemaorg.LOCAL_CONTEXT if token == "schema" else linkedart.context()["@context"]
    graph = _json_graph(document, local)
    if token == "schema":
        graph.bind("schema", schemaorg.SCHEMA)
    else:
        graph.bind("crm", CRM)
        graph.bind("la", "https://linked.art/ns/terms/")
    return graph


def render(record: Record, token: str, fmt: str, settings: Settings) -> bytes:
    """The bytes of view ``token`` of ``record`` as ``fmt`` (one of the profile's formats)."""
    if fmt == "jsonld":
        document = view_json(record, token, settings)
        if document is not None:
            return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
        graph = view_graph(record, token, settings)
        context = {prefix: str(ns) for prefix, ns in graph.namespaces() if prefix}
        return graph.serialize(format="json-ld", context=context, auto_compact=True).encode("utf-8")
    graph = view_graph(record, token, settings)
    if fmt == "ntriples":
        lines = graph.serialize(format="nt").splitlines()
        return "".join(f"{line}\n" for line in sorted(set(lines)) if line.strip()).encode("utf-8")
    rdflib_format = {"turtle": "turtle", "rdfxml": "pretty-xml"}[fmt]
    return graph.serialize(format=rdflib_format, encoding="utf-8")


__all__ = [
    "BY_TOKEN",
    "DEFAULT",
    "PROFILES",
    "Profile",
    "Record",
    "load_record",
    "lookup",
    "page_url",
    "record_slug",
    "render",
    "view_graph",
    "view_json",
]

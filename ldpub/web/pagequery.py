"""Shared helpers of the HTML pages' data: SPARQL against the served store, label choice, literal escaping.

The pages read the published dataset only through the store interface (``state().store.query``), so they
behave the same over the embedded store and an external SPARQL 1.1 store (issue 3, items 3 and 8).
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, SKOS
from rdflib.term import Node

from ..store import SelectResult, Term
from . import state

CRM = "http://www.cidoc-crm.org/cidoc-crm/"
OA = "http://www.w3.org/ns/oa#"
PROV = "http://www.w3.org/ns/prov#"
DCT = "http://purl.org/dc/terms/"
LDPUB = "https://w3id.org/ldpub/ns#"
OWL_SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"

PREFIXES = f"""PREFIX crm: <{CRM}>
PREFIX oa: <{OA}>
PREFIX prov: <{PROV}>
PREFIX dcterms: <{DCT}>
PREFIX ldpub: <{LDPUB}>
PREFIX rdfs: <{RDFS}>
PREFIX skos: <{SKOS}>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
"""


def C(name: str) -> URIRef:
    """A CIDOC-CRM term.

    >>> str(C("P14_carried_out_by"))
    'http://www.cidoc-crm.org/cidoc-crm/P14_carried_out_by'
    """
    return URIRef(CRM + name)


def sparql_string(value: str) -> str:
    """``value`` as a SPARQL string literal (quotes, backslashes and line breaks escaped).

    >>> print(sparql_string('say "hi"\\n\\\\'))
    "say \\"hi\\"\\n\\\\"
    """
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    escaped = "".join(ch for ch in escaped.replace("\t", "\\t") if ch >= " ")
    return f'"{escaped}"'


def select(query: str) -> list[dict[str, Term]]:
    """The rows of a SELECT against the served store (default graph: the union of all graphs)."""
    result = state().store.query(PREFIXES + query)
    if not isinstance(result, SelectResult):
        raise TypeError("expected a SELECT result")
    return result.rows


def construct(query: str) -> Graph:
    """The graph a CONSTRUCT returns from the served store."""
    result = state().store.query(PREFIXES + query)
    if not isinstance(result, Graph):
        raise TypeError("expected a CONSTRUCT result")
    return result


def text(term: Node | None) -> str:
    """A term's lexical form ('' for none)."""
    return "" if term is None else str(term)


def pick_label(literals: list[Literal] | list[Node], fallback: str = "") -> str:
    """The label to show: English first, then one without a language, then any (in a stable order).

    >>> pick_label([Literal("朴成哲", lang="zh"), Literal("Pak Seong-cheol", lang="en")])
    'Pak Seong-cheol'
    >>> pick_label([], "fallback")
    'fallback'
    """
    lits = sorted((lit for lit in literals if isinstance(lit, Literal)), key=str)
    for wanted in ("en", None):
        for lit in lits:
            if lit.language == wanted:
                return str(lit)
    return str(lits[0]) if lits else fallback


def label_of(graph: Graph, node: Node, fallback: str | None = None) -> str:
    """The best ``rdfs:label`` (or ``skos:prefLabel``) of ``node``, else the fallback (or the IRI's tail)."""
    labels = list(graph.objects(node, RDFS.label)) or list(graph.objects(node, SKOS.prefLabel))
    if fallback is None:
        fallback = str(node).rstrip("/").rsplit("/", 1)[-1]
    return pick_label(labels, fallback)


@dataclass(frozen=True, order=True)
class Ref:
    """A linked resource as a page shows it: its IRI, its label, and what kind of thing it is."""

    iri: str
    label: str
    kind: str = ""


def iri_base(iri: str) -> str:
    """The base of a minted IRI (everything before ``/id/``).

    >>> iri_base("http://localhost:5000/id/document/x")
    'http://localhost:5000'
    """
    return iri.split("/id/", 1)[0]

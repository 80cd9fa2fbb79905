"""SHACL validation of ldpub graphs: the only module that imports pySHACL.

The shapes live in ``shapes/*.ttl`` (one file per concern). :func:`validate` checks a graph against them
and returns a :class:`Report` built from the SHACL results graph (SHACL §3.6, "Validation Report");
:func:`check_shapes` checks the shapes themselves against the SHACL-SHACL shapes graph (SHACL Appendix C)
that pySHACL ships.

Scale (issue 6): a build validates the entities and vocabulary graphs once on their own, then each
document graph with only the small context it needs (:class:`Context`): the ``rdf:type`` and
``rdfs:label`` triples of the IRIs the document names, found by a dictionary lookup. Every shape that
reaches past a document node does so through ``sh:class`` (SHACL §4.1.1, which reads ``rdf:type``) or
a label, so the result for the document's nodes is the one a merge with the whole entities graph gives;
the entities' own constraints are checked in the first pass. :func:`validate_documents` validates a few
documents in one pySHACL run (cheaper per document) and names the offending document.

SHACL-SPARQL (SHACL §5, the SPARQL targets and constraints of the shapes): pySHACL hands rdflib the
same query texts on every run, and rdflib parses each again (about a sixth of a build's validation
time). Importing this module registers :class:`PreparedSparqlProcessor` as rdflib's ``sparql``
processor (rdflib's plugin registry): it keeps the parsed, translated query of each text, exactly what
``rdflib.plugins.sparql.prepareQuery`` makes for reuse, and evaluates it as rdflib does.

Severities (SHACL §2.1.5): a ``sh:Violation`` makes the data non-conforming; ``sh:Warning`` and
``sh:Info`` findings are reported but the data still conforms.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import pyshacl
import rdflib.plugin
import rdflib.query
from pyshacl.errors import ReportableRuntimeError
from rdflib import RDF, RDFS, SH, BNode, Dataset, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.evaluate import evalQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.processor import SPARQLProcessor
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Identifier, Node

from ldpub.errors import ValidationFailed
from ldpub.validate_anchors import proven_annotation_nodes


@lru_cache(maxsize=256)
def _prepared(text: str, base: str | None, namespaces: tuple[tuple[str, Any], ...]) -> Query:
    return translateQuery(parseQuery(text), base, dict(namespaces))


class PreparedSparqlProcessor(SPARQLProcessor):
    """rdflib's SPARQL processor that parses each query text once per process (see the module doc)."""

    def query(  # type: ignore[override]
        self,
        strOrQuery: str | Query,
        initBindings: Mapping[str, Identifier] | None = None,
        initNs: Mapping[str, Any] | None = None,
        base: str | None = None,
        DEBUG: bool = False,
    ) -> Mapping[str, Any]:
        if isinstance(strOrQuery, str):
            try:
                query = _prepared(strOrQuery, base, tuple(sorted((initNs or {}).items())))
            except TypeError:  # an unhashable namespace value: parse as rdflib does
                query = translateQuery(parseQuery(strOrQuery), base, initNs)
        else:
            query = strOrQuery
        result: Mapping[str, Any] = evalQuery(self.graph, query, initBindings, base)
        return result


rdflib.plugin.register("sparql", rdflib.query.Processor, __name__, PreparedSparqlProcessor.__name__)


@dataclass(frozen=True)
class Finding:
    """One SHACL validation result, as text (``path`` and ``value`` are empty when the result has none)."""

    severity: str  # "Violation", "Warning" or "Info"
    focus: str  # the focus node: an IRI, or "_:id" for a blank node
    path: str  # the result path, compacted with the shapes' prefixes ("crm:P102_has_title")
    value: str  # the offending value in N3 ("<iri>", '"text"'), or ""
    message: str
    shape: str  # the source shape, or the named node shape holding a blank property shape


@dataclass(frozen=True)
class Report:
    """The outcome of one validation: it conforms when there is no Violation."""

    conforms: bool
    violations: list[Finding]
    warnings: list[Finding]  # sh:Warning, then sh:Info findings
    text: str


def load_shapes(folder: Path) -> Graph:
    """Read every ``*.ttl`` file of ``folder`` (sorted by name) into one shapes graph."""
    paths = sorted(folder.glob("*.ttl"))
    if not paths:
        raise ValidationFailed(f"{folder}: no shapes files (*.ttl)")
    shapes = Graph()
    for path in paths:
        try:
            shapes.parse(path, format="turtle")
        except Exception as error:  # rdflib raises several unrelated classes for bad syntax
            raise ValidationFailed(f"{path}: cannot read the shapes file: {error}") from error
    return shapes


def validate(data: Graph | Dataset, shapes: Graph) -> Report:
    """Validate ``data`` (a graph, or a dataset whose graphs are merged) against ``shapes``."""
    return _run(_merged(data), shapes, advanced=True)


class Context:
    """The ``rdf:type`` and ``rdfs:label`` triples of entity and vocabulary IRIs, by subject.

    >>> from rdflib import Namespace
    >>> ex = Namespace("http://example.org/")
    >>> g = Graph()
    >>> _ = g.add((ex.china, RDF.type, ex.Place)).add((ex.china, RDFS.label, Literal("China", lang="en")))
    >>> _ = g.add((ex.china, ex.other, ex.x))
    >>> context = Context([g])
    >>> doc = Graph().add((ex.doc, ex.refersTo, ex.china))
    >>> sorted(str(p).rsplit("#", 1)[-1] for _, p, _ in context.for_graph(doc))
    ['label', 'type']
    """

    def __init__(self, graphs: Iterable[Graph] = ()) -> None:
        self._by_subject: dict[Node, list[tuple[Node, Node, Node]]] = {}
        for graph in graphs:
            self.add(graph)

    def add(self, graph: Graph) -> None:
        """Index the type and label triples of ``graph`` (e.g. entities minted during a build)."""
        for predicate in (RDF.type, RDFS.label):
            for subject, obj in graph.subject_objects(predicate):
                triples = self._by_subject.setdefault(subject, [])
                if (subject, predicate, obj) not in triples:
                    triples.append((subject, predicate, obj))

    def for_graph(self, graph: Graph) -> list[tuple[Node, Node, Node]]:
        """The context triples of every IRI ``graph`` names (as subject or object)."""
        found: list[tuple[Node, Node, Node]] = []
        seen: set[Node] = set()
        for subject, _predicate, obj in graph:
            for node in (subject, obj):
                if node not in seen and isinstance(node, URIRef):
                    seen.add(node)
                    found.extend(self._by_subject.get(node, ()))
        return found


@dataclass(frozen=True)
class BatchReport:
    """Several documents validated together: ``failed`` names the first non-conforming one, and
    ``report`` is then its report alone; ``warnings`` are the warnings per document name."""

    report: Report
    failed: str | None
    warnings: dict[str, list[Finding]]


def validate_documents(
    documents: Sequence[tuple[str, Graph]], context: Context, shapes: Graph
) -> BatchReport:
    """Validate several document graphs (``(name, graph)``) together, each with its small context."""
    merged = Graph()
    owner: dict[str, str] = {}
    for name, graph in documents:
        proven = proven_annotation_nodes(graph)
        for triple in graph:
            if triple[0] not in proven:
                merged.add(triple)
                owner.setdefault(_node_text(triple[0]), name)
        for triple in context.for_graph(graph):
            merged.add(triple)
    report = _run(merged, shapes, advanced=True, inplace=True)
    if not report.conforms:
        for name, graph in documents:
            alone = validate_document(graph, context, shapes)
            if not alone.conforms:
                return BatchReport(alone, name, {})
        return BatchReport(report, documents[0][0] if documents else "", {})
    warnings: dict[str, list[Finding]] = {}
    for finding in report.warnings:
        warnings.setdefault(owner.get(finding.focus, ""), []).append(finding)
    return BatchReport(report, None, warnings)


def validate_document(graph: Graph, context: Context, shapes: Graph) -> Report:
    """Validate one document graph with the type and label triples of the IRIs it names.

    Annotations that :func:`~ldpub.validate_anchors.proven_annotation_nodes` vouches for are left out of
    what pySHACL sees (the report is the same; the run is about five times shorter).
    """
    data = Graph()
    proven = proven_annotation_nodes(graph)
    for triple in graph:
        if triple[0] not in proven:
            data.add(triple)
    for triple in context.for_graph(graph):
        data.add(triple)
    return _run(data, shapes, advanced=True, inplace=True)


def check_shapes(shapes: Graph) -> Report:
    """Validate a shapes graph against SHACL-SHACL, so that a malformed shape is caught."""
    return _run(shapes, _shacl_shacl(), advanced=False)


@lru_cache(maxsize=1)
def _shacl_shacl() -> Graph:
    source = files("pyshacl").joinpath("assets", "shacl-shacl.ttl")
    return Graph().parse(data=source.read_text(encoding="utf-8"), format="turtle")


def _merged(data: Graph | Dataset) -> Graph:
    if not isinstance(data, Dataset):
        return data
    merged = Graph()
    for subject, predicate, obj, _graph in data.quads((None, None, None, None)):
        merged.add((subject, predicate, obj))
    return merged


def _run(data: Graph, shapes: Graph, *, advanced: bool, inplace: bool = False) -> Report:
    """Run pySHACL; ``inplace`` (our own throw-away graphs only) skips its defensive copy of the data."""
    try:
        _conforms, results, text = pyshacl.validate(
            data,
            shacl_graph=shapes,
            advanced=advanced,
            inference="none",
            allow_warnings=True,
            do_owl_imports=False,
            inplace=inplace,
        )
    except ReportableRuntimeError as error:
        raise ValidationFailed(f"the shapes cannot be applied: {error}") from error
    if not isinstance(results, Graph):
        raise ValidationFailed("the shapes cannot be applied", str(text))
    findings = sorted(
        (_finding(results, result, shapes) for result in results.subjects(RDF.type, SH.ValidationResult)),
        key=lambda f: (f.focus, f.path, f.message, f.value, f.shape),
    )
    violations = [f for f in findings if f.severity == "Violation"]
    warnings = [f for f in findings if f.severity == "Warning"]
    warnings += [f for f in findings if f.severity == "Info"]
    return Report(not violations, violations, warnings, _text(violations, warnings))


def _finding(results: Graph, result: Node, shapes: Graph) -> Finding:
    severity = results.value(result, SH.resultSeverity)
    focus = results.value(result, SH.focusNode)
    path = results.value(result, SH.resultPath)
    value = results.value(result, SH.value)
    messages = list(results.objects(result, SH.resultMessage))
    english = [str(m) for m in messages if _english(m)] or [str(m) for m in messages]
    return Finding(
        severity=str(severity).removeprefix(str(SH)) if severity is not None else "Violation",
        focus=_node_text(focus),
        path=_path_text(results, path, shapes) if path is not None else "",
        value=value.n3(shapes.namespace_manager) if value is not None else "",
        message="; ".join(sorted(english)),
        shape=_shape_text(results.value(result, SH.sourceShape), shapes),
    )


def _english(message: Node) -> bool:
    language = message.language if isinstance(message, Literal) else None
    return language is None or language.lower().split("-")[0] == "en"


def _node_text(node: Node | None) -> str:
    if node is None:
        return ""
    return f"_:{node}" if isinstance(node, BNode) else str(node)


def _path_text(graph: Graph, path: Node, shapes: Graph) -> str:
    """A SHACL property path (SHACL §2.3.1) in SPARQL syntax, compacted with the shapes' prefixes."""
    if isinstance(path, URIRef):
        return path.n3(shapes.namespace_manager)
    if graph.value(path, RDF.first) is not None:
        return "/".join(_path_text(graph, step, shapes) for step in Collection(graph, path))
    for predicate, template in (
        (SH.inversePath, "^{}"),
        (SH.zeroOrMorePath, "({})*"),
        (SH.oneOrMorePath, "({})+"),
        (SH.zeroOrOnePath, "({})?"),
    ):
        inner = graph.value(path, predicate)
        if inner is not None:
            return template.format(_path_text(graph, inner, shapes))
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        steps = Collection(graph, alternatives)
        return "(" + "|".join(_path_text(graph, step, shapes) for step in steps) + ")"
    return _node_text(path)


def _shape_text(shape: Node | None, shapes: Graph) -> str:
    if isinstance(shape, BNode):
        holder = shapes.value(predicate=SH.property, object=shape)
        if isinstance(holder, URIRef):
            return holder.n3(shapes.namespace_manager)
    return shape.n3(shapes.namespace_manager) if isinstance(shape, URIRef | BNode) else ""


def _text(violations: list[Finding], warnings: list[Finding]) -> str:
    lines = [f"{len(violations)} violation(s), {len(warnings)} warning(s)"]
    for finding in violations + warnings:
        where = f"<{finding.focus}>" + (f" {finding.path}" if finding.path else "")
        lines.append(f"{finding.severity} {where}: {finding.message}")
    return "\n".join(lines) + "\n"

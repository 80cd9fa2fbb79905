"""HTML pages: a first, plain version (a home page listing documents, a table of a resource's statements).

Every value is escaped by Jinja's autoescaping.
"""

from __future__ import annotations

from flask import Blueprint, render_template_string
from rdflib import Graph, URIRef
from rdflib.namespace import RDFS

from ..store import SelectResult
from . import state

pages = Blueprint("pages", __name__)

_RESOURCE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ label }}</title></head>
<body><h1>{{ label }}</h1><p><code>{{ iri }}</code></p>
<table>{% for p, o in rows %}<tr><td>{{ p }}</td><td>{{ o }}</td></tr>{% endfor %}</table></body></html>"""

_HOME = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>ldpub</title></head>
<body><h1>Documents</h1><ul>{% for iri, label in documents %}
<li><a href="{{ iri }}">{{ label }}</a></li>{% endfor %}</ul></body></html>"""


def resource_page(iri: str, description: Graph) -> str:
    """The HTML page of one resource from its description graph."""
    subject = URIRef(iri)
    label = next((str(o) for o in description.objects(subject, RDFS.label)), iri)
    rows = sorted((str(p), str(o)) for p, o in description.predicate_objects(subject))
    return render_template_string(_RESOURCE, label=label, iri=iri, rows=rows)


@pages.get("/")
def home() -> str:
    result = state().store.query(
        "SELECT ?d ?l WHERE { ?d <http://www.cidoc-crm.org/cidoc-crm/P102_has_title> ?t ; "
        "<http://www.w3.org/2000/01/rdf-schema#label> ?l } ORDER BY ?l"
    )
    assert isinstance(result, SelectResult)
    documents = [(str(r["d"]), str(r["l"])) for r in result.rows]
    return render_template_string(_HOME, documents=documents)

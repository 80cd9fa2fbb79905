"""The vocabularies the model uses (every term is checked against vocab/ by a test)."""

from rdflib import Namespace
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

CRM = Namespace("http://www.cidoc-crm.org/cidoc-crm/")
OA = Namespace("http://www.w3.org/ns/oa#")
DCMITYPE = Namespace("http://purl.org/dc/dcmitype/")
LDPUB = Namespace("https://w3id.org/ldpub/ns#")

PREFIXES = {
    "crm": CRM,
    "dcterms": DCTERMS,
    "dcmitype": DCMITYPE,
    "oa": OA,
    "prov": PROV,
    "owl": OWL,
    "skos": SKOS,
    "rdfs": RDFS,
    "xsd": XSD,
    "ldpub": LDPUB,
}

__all__ = [
    "CRM",
    "DCMITYPE",
    "DCTERMS",
    "LDPUB",
    "OA",
    "OWL",
    "PREFIXES",
    "PROV",
    "RDF",
    "RDFS",
    "SKOS",
    "XSD",
]

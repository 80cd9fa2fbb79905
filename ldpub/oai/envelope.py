"""The XML of an OAI-PMH 2.0 response (§3.2 XML response format): the ``OAI-PMH`` root in the OAI
namespace with its ``schemaLocation``, ``responseDate``, ``request`` and either the verb's element or
``error`` elements; plus the header (§2.5) and resumption token (§3.5) elements the list verbs share.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from .protocol import OAIError, format_datestamp

OAI = "http://www.openarchives.org/OAI/2.0/"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
XSI = "http://www.w3.org/2001/XMLSchema-instance"


def q(name: str) -> str:
    """An element name in the OAI namespace: unqualified in the tree, since the root declares the OAI
    namespace as the default (``xmlns``) and ElementTree cannot write a default namespace for a tree that
    also holds unqualified attributes. Payload elements (``oai_dc``, RDF/XML) are all qualified.

    >>> q("record")
    'record'
    """
    return name


def sub(parent: ET.Element, name: str, text: str | None = None, **attributes: str) -> ET.Element:
    """Append an OAI element with optional text and attributes."""
    element = ET.SubElement(parent, q(name), attributes)
    if text is not None:
        element.text = text
    return element


def envelope(base_url: str, arguments: dict[str, str] | None, now: datetime | None = None) -> ET.Element:
    """The root with ``responseDate`` and ``request``; ``arguments`` is ``None`` after a ``badVerb`` or
    ``badArgument`` error, when the request element carries no attributes (§3.2)."""
    root = ET.Element(q("OAI-PMH"), {"xmlns": OAI})
    root.set(f"{{{XSI}}}schemaLocation", f"{OAI} {OAI_SCHEMA}")
    sub(root, "responseDate", format_datestamp(now or datetime.now(UTC)))
    sub(root, "request", base_url, **(arguments or {}))
    return root


def error_response(base_url: str, arguments: dict[str, str], errors: list[OAIError]) -> ET.Element:
    """A response carrying the error conditions ``errors`` (§3.6)."""
    bare = any(e.code in ("badVerb", "badArgument") for e in errors)
    root = envelope(base_url, None if bare else arguments)
    for error in errors:
        sub(root, "error", error.message, code=error.code)
    return root


def serialize(root: ET.Element) -> bytes:
    """The response document, UTF-8 with an XML declaration."""
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data

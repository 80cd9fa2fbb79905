"""The six OAI-PMH 2.0 verbs (§4.1 GetRecord, §4.2 Identify, §4.3 ListIdentifiers, §4.4
ListMetadataFormats, §4.5 ListRecords, §4.6 ListSets) over a release of the dataset.

:func:`respond` turns a request's parameters into the response document; every fault is answered with the
protocol's own error element (§3.6), never an exception.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from ..settings import Settings
from ..store import DatasetStore
from . import tokens
from .envelope import envelope, error_response, serialize, sub
from .metadata import MetadataFormat, format_of, formats, metadata
from .protocol import GRANULARITY, OAIError, Request, check_range, check_request, format_datestamp
from .repository import Item, Repository, Selection, host_of, oai_identifier, repository, slug_of

OAI_IDENTIFIER = "http://www.openarchives.org/OAI/2.0/oai-identifier"
_ECHO = {
    "verb": re.compile(r"[A-Za-z]+\Z"),
    "metadataPrefix": re.compile(r"[A-Za-z0-9\-_.!~*'()]+\Z"),
    "set": re.compile(r"[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*\Z"),
    "identifier": re.compile(r"[!#-;=?-\[\]_a-z~]+\Z"),  # printable ASCII but for <>"{}|\^` and space
    "from": re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}Z)?\Z"),
    "until": re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}Z)?\Z"),
    "resumptionToken": re.compile(r"[A-Za-z0-9_\-.]+\Z"),
}


@dataclass
class Context:
    """What a verb needs: the store, the settings, the release's repository and the token secret."""

    store: DatasetStore
    settings: Settings
    base_url: str
    repository: Repository
    secret: bytes


def respond(
    params: Mapping[str, Sequence[str]], base_url: str, store: DatasetStore, settings: Settings
) -> bytes:
    """The response document (UTF-8 XML) to an OAI-PMH request with ``params`` (§3.1, §3.2)."""
    try:
        request = check_request(params)
    except OAIError as error:
        return serialize(error_response(base_url, {}, [error]))
    echo = {
        key: value for key, value in {"verb": request.verb, **request.args}.items() if _ECHO[key].match(value)
    }
    secret = tokens.load_secret(settings.store / "oai")
    with repository(store, settings) as items:
        ctx = Context(store, settings, base_url, items, secret)
        root = envelope(base_url, echo)
        try:
            HANDLERS[request.verb](ctx, request, root)
        except OAIErrors as errors:
            return serialize(error_response(base_url, echo, errors.errors))
        except OAIError as error:
            return serialize(error_response(base_url, echo, [error]))
    return serialize(root)


class OAIErrors(Exception):
    """Several error conditions at once (§3.6 allows more than one ``error`` element)."""

    def __init__(self, errors: list[OAIError]) -> None:
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))


def identify(ctx: Context, request: Request, root: ET.Element) -> None:
    """§4.2: the repository's description."""
    settings, element = ctx.settings, sub(root, "Identify")
    sub(element, "repositoryName", settings.dataset_title)
    sub(element, "baseURL", ctx.base_url)
    sub(element, "protocolVersion", "2.0")
    sub(element, "adminEmail", settings.oai_admin_email)
    sub(element, "earliestDatestamp", format_datestamp(ctx.repository.earliest()))
    sub(element, "deletedRecord", "persistent")
    sub(element, "granularity", GRANULARITY)
    host = host_of(settings)
    sample = ctx.repository.sample() or "document"
    if "." in host:  # the oai-identifier schema wants a domain name
        description = ET.SubElement(sub(element, "description"), f"{{{OAI_IDENTIFIER}}}oai-identifier")
        for name, text in (
            ("scheme", "oai"),
            ("repositoryIdentifier", host),
            ("delimiter", ":"),
            ("sampleIdentifier", oai_identifier(settings, sample)),
        ):
            ET.SubElement(description, f"{{{OAI_IDENTIFIER}}}{name}").text = text


def list_metadata_formats(ctx: Context, request: Request, root: ET.Element) -> None:
    """§4.4: the formats of the repository, or of one item (none for a deleted item)."""
    if "identifier" in request.args:
        item = _item(ctx, request.args["identifier"])
        if item.deleted:
            raise OAIError("noMetadataFormats", "the item is deleted: no metadata is disseminated for it")
    element = sub(root, "ListMetadataFormats")
    for fmt in formats():
        entry = sub(element, "metadataFormat")
        sub(entry, "metadataPrefix", fmt.prefix)
        sub(entry, "schema", fmt.schema)
        sub(entry, "metadataNamespace", fmt.namespace)


def list_sets(ctx: Context, request: Request, root: ET.Element) -> None:
    """§4.6: the set hierarchy, in one answer (it is never long enough to page)."""
    if "resumptionToken" in request.args:
        raise OAIError("badResumptionToken", "ListSets is never paged: this token was not issued here")
    found = ctx.repository.sets()
    if not found:
        raise OAIError("noSetHierarchy", "the repository has no documents, so no sets")
    element = sub(root, "ListSets")
    for oai_set in found:
        entry = sub(element, "set")
        sub(entry, "setSpec", oai_set.spec)
        sub(entry, "setName", oai_set.name)


def get_record(ctx: Context, request: Request, root: ET.Element) -> None:
    """§4.1: one record in one format (a deleted item: its header only)."""
    errors: list[OAIError] = []
    fmt = item = None
    try:
        fmt = _format(request.args["metadataPrefix"])
    except OAIError as error:
        errors.append(error)
    try:
        item = _item(ctx, request.args["identifier"])
    except OAIError as error:
        errors.append(error)
    if errors or fmt is None or item is None:
        raise OAIErrors(errors)
    _record(ctx, sub(root, "GetRecord"), item, fmt)


def list_identifiers(ctx: Context, request: Request, root: ET.Element) -> None:
    """§4.3: headers, paged with resumption tokens."""
    _list(ctx, request, root, records=False)


def list_records(ctx: Context, request: Request, root: ET.Element) -> None:
    """§4.5: records, paged with resumption tokens."""
    _list(ctx, request, root, records=True)


def _list(ctx: Context, request: Request, root: ET.Element, *, records: bool) -> None:
    """One page of a list (§3.5): items after the last one the token names, ``size`` + 1 read to know
    whether more follow; the list's size is counted once, on its first page, and carried by the tokens."""
    release = ctx.repository.release
    after: tuple[str, str] | None = None
    total: int | None = None
    if "resumptionToken" in request.args:
        state = tokens.read(ctx.secret, request.args["resumptionToken"], release)
        if state.verb != request.verb:
            raise OAIError("badResumptionToken", f"this resumption token continues a {state.verb} list")
        if state.position and state.after is None:  # an earlier version's token (it counted positions)
            raise OAIError(
                "badResumptionToken", "the resumption token names no page of this list: start again"
            )
        args = {"metadataPrefix": state.prefix}
        args |= {k: v for k, v in (("set", state.set), ("from", state.start), ("until", state.stop)) if v}
        position, after, total = state.position, state.after, state.total
    else:
        args, position = request.args, 0
    fmt = _format(args["metadataPrefix"])
    selection = _selection(ctx, args)
    size = max(1, ctx.settings.oai_page_size)
    found = ctx.repository.page(selection, after, size + 1)
    page, more = found[:size], len(found) > size
    if not page:
        if position or after is not None:
            raise OAIError("badResumptionToken", "the resumption token points past the end of the list")
        raise OAIError("noRecordsMatch", "no record matches these arguments")
    element = sub(root, request.verb)
    for item in page:
        if records:
            _record(ctx, element, item, fmt)
        else:
            _header(ctx, element, item)
    following = position + len(page)
    if position or more:
        if total is None:
            total = ctx.repository.count(selection)
        attributes = {"completeListSize": str(max(total, following)), "cursor": str(position)}
        if more:
            state = tokens.new_state(request.verb, args, release, following, after=page[-1].key, total=total)
            attributes["expirationDate"] = format_datestamp(state.expiration)
            sub(element, "resumptionToken", tokens.issue(ctx.secret, state), **attributes)
        else:
            sub(element, "resumptionToken", **attributes)  # the last part: an empty token (§3.5)


def _selection(ctx: Context, args: Mapping[str, str]) -> Selection:
    """What a list request selects (§3.3 selective harvesting by datestamp, §3.4 by set)."""
    lower, upper = check_range(args.get("from"), args.get("until"))
    wanted = args.get("set")
    if wanted is not None and not ctx.repository.has_sets():
        raise OAIError("noSetHierarchy", "the repository has no documents, so no sets")
    return Selection(lower, upper, wanted)


def _format(prefix: str) -> MetadataFormat:
    fmt = format_of(prefix)
    if fmt is None:
        known = ", ".join(f.prefix for f in formats())
        raise OAIError(
            "cannotDisseminateFormat", f"{prefix[:100]!r} is not a format of this repository ({known})"
        )
    return fmt


def _item(ctx: Context, identifier: str) -> Item:
    slug = slug_of(ctx.settings, identifier)
    item = ctx.repository.item(slug) if slug is not None else None
    if item is None:
        raise OAIError("idDoesNotExist", f"{identifier[:200]!r} is not an identifier of this repository")
    return item


def _header(ctx: Context, parent: ET.Element, item: Item) -> None:
    header = sub(parent, "header", **({"status": "deleted"} if item.deleted else {}))
    sub(header, "identifier", oai_identifier(ctx.settings, item.slug))
    sub(header, "datestamp", format_datestamp(item.datestamp))
    for spec in item.sets:
        sub(header, "setSpec", spec)


def _record(ctx: Context, parent: ET.Element, item: Item, fmt: MetadataFormat) -> None:
    record = sub(parent, "record")
    _header(ctx, record, item)
    if not item.deleted:
        sub(record, "metadata").append(metadata(ctx.store, ctx.settings, item.slug, fmt))


HANDLERS: dict[str, Callable[[Context, Request, ET.Element], None]] = {
    "Identify": identify,
    "ListMetadataFormats": list_metadata_formats,
    "ListSets": list_sets,
    "GetRecord": get_record,
    "ListIdentifiers": list_identifiers,
    "ListRecords": list_records,
}

"""OAI-PMH 2.0 at ``/oai`` (issue 5, item 2): the protocol's HTTP binding (§3.1.1: ``GET`` with the
arguments in the query, ``POST`` with them as ``application/x-www-form-urlencoded``). Every answer, errors
included, is ``200`` with ``text/xml`` (§3.1.2.1: protocol errors are in the XML, not the status).
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from ..oai import respond
from . import state

harvest = Blueprint("harvest", __name__)


@harvest.route("/oai", methods=["GET", "POST"])
def oai() -> Response:
    """Answer one OAI-PMH request."""
    params = request.form if request.method == "POST" else request.args
    current = state()
    body = respond(
        {key: params.getlist(key) for key in params}, request.base_url, current.store, current.settings
    )
    response = Response(body, content_type="text/xml; charset=utf-8")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response

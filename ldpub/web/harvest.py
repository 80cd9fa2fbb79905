"""OAI-PMH 2.0 at /oai (issue: for aggregators)."""

from __future__ import annotations

from flask import Blueprint

harvest = Blueprint("harvest", __name__)

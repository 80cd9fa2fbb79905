"""Versioned dumps at /dumps/ and the Activity Streams change feed at /activity/ (issue: for aggregators)."""

from __future__ import annotations

from flask import Blueprint

releases = Blueprint("releases", __name__)

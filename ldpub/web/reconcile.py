"""W3C Reconciliation Service API 0.2 over the published entities (issue: Wikidata reconciliation)."""

from __future__ import annotations

from flask import Blueprint

reconcile = Blueprint("reconcile", __name__)

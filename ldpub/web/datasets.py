"""Dataset descriptions: VoID, DCAT 3, sitemap.xml (issue: for aggregators)."""

from __future__ import annotations

from flask import Blueprint

datasets = Blueprint("datasets", __name__)

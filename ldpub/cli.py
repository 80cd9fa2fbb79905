"""The ``ldpub`` command: thin wrappers, each parsing flags and calling one library function."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from . import __version__
from .errors import LdpubError, ValidationFailed
from .settings import Settings, load_settings


def _settings(ctx: click.Context, **overrides: Any) -> Settings:
    """Settings: defaults < ldpub.toml (or --config) < LDPUB_* environment < the command's flags."""
    config: Path | None = ctx.obj.get("config") if ctx.obj else None
    return load_settings(config=config, environ=os.environ, overrides=overrides)


class LdpubGroup(click.Group):
    """Turns every ldpub error into a one-line message and exit status 1 (no traceback)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ValidationFailed as exc:
            click.echo(exc.report, err=True)
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
        except LdpubError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)


@click.group(cls=LdpubGroup)
@click.version_option(__version__, prog_name="ldpub")
@click.option(
    "--config",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Settings file (default: ./ldpub.toml when it exists).",
)
@click.pass_context
def main(ctx: click.Context, config: Path | None) -> None:
    """Publish archival documents as validated CIDOC-CRM linked open data."""
    ctx.ensure_object(dict)
    ctx.obj["config"] = config


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def read(file: Path, fmt: str) -> None:
    """Print the record a reader extracts from FILE (check a capture without building)."""
    from .read import read_path
    from .read.record import render_text

    record = read_path(file)
    if fmt == "json":
        click.echo(json.dumps(record.to_json(), ensure_ascii=False, indent=2))
        return
    data = record.to_json()
    for name, value in data.items():
        if name in ("body", "source") or value in (None, [], ""):
            continue
        if isinstance(value, dict):
            value = value.get("text", value)
        click.echo(f"{name:>18}: {value}")
    text, spans = render_text(record)
    points = [s.key for s in spans if s.key[:1].isdigit()]
    summary = f"{len(record.body)} blocks, points {', '.join(points) or 'none'}, {len(text)} characters"
    click.echo(f"{'body':>18}: {summary}")
    click.echo(f"{'source':>18}: {record.source.path} (sha256 {record.source.sha256[:12]}…)")


@main.command()
@click.option("--sources", type=click.Path(path_type=Path), help="Folder of captures [setting: sources].")
@click.option("--store", type=click.Path(path_type=Path), help="Store folder [setting: store].")
@click.option("--base-uri", help="Base of minted URIs [setting: base_uri].")
@click.option("--on-source-error", type=click.Choice(["fail", "skip"]), help="[setting: on_source_error]")
@click.option("--store-url", help="Load an external SPARQL store at this query URL [setting: store_url].")
@click.option("--store-update-url", help="Its update or Graph Store URL [setting: store_update_url].")
@click.option("--quiet", is_flag=True, help="No progress output.")
@click.pass_context
def build(
    ctx: click.Context,
    sources: Path | None,
    store: Path | None,
    base_uri: str | None,
    on_source_error: str | None,
    store_url: str | None,
    store_update_url: str | None,
    quiet: bool,
) -> None:
    """Read, link, model and validate the sources, then publish them as a new release."""
    from .build import build as run_build

    settings = _settings(
        ctx,
        sources=sources,
        store=store,
        base_uri=base_uri,
        on_source_error=on_source_error,
        store_url=store_url,
        store_update_url=store_update_url,
    )
    shown: dict[str, int] = {}

    def progress(step: str, done: int, total: int) -> None:
        # Show about twenty updates per step, whatever the number of files.
        if quiet or total < 20 or (done != total and done % max(1, total // 20)):
            return
        if shown.get(step) != done:
            shown[step] = done
            click.echo(f"  {step}: {done}/{total}", err=True)

    report = run_build(settings, progress)
    for problem in report.skipped:
        click.echo(f"skipped: {problem}", err=True)
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    release = report.release
    timing = ", ".join(f"{k} {v:.2f}s" for k, v in report.seconds.items())
    click.echo(
        f"built release {release.build_id}: {report.documents} document(s) from {report.sources} source(s), "
        f"{release.triples} triples, {report.entities} entities, {report.annotations} annotations "
        f"({report.figures} figures) into {settings.store_url or settings.store} [{timing}]"
    )


@main.command()
@click.option("--store", type=click.Path(path_type=Path), help="Store folder [setting: store].")
@click.option("--store-url", help="Query URL of an external SPARQL store [setting: store_url].")
@click.pass_context
def validate(ctx: click.Context, store: Path | None, store_url: str | None) -> None:
    """Validate the published dataset against the shapes and print the SHACL report."""
    from .published import validate_published

    settings = _settings(ctx, store=store, store_url=store_url)
    report = validate_published(settings)
    click.echo(report.text or "no findings")
    click.echo(
        f"conforms: {report.conforms} ({len(report.violations)} violations, {len(report.warnings)} warnings)"
    )
    if not report.conforms:
        sys.exit(1)


@main.command()
@click.option("--store", type=click.Path(path_type=Path), help="Store folder [setting: store].")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["nquads", "trig", "turtle", "jsonld"]),
    required=True,
    help="Format.",
)
@click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default stdout)."
)
@click.option("--store-url", help="Query URL of an external SPARQL store [setting: store_url].")
@click.pass_context
def export(
    ctx: click.Context, store: Path | None, fmt: str, output: Path | None, store_url: str | None
) -> None:
    """Write the whole published dataset (turtle: the union of all graphs)."""
    from .published import export_published

    settings = _settings(ctx, store=store, store_url=store_url)
    export_published(settings, fmt, output)


@main.command()
@click.option("--store", type=click.Path(path_type=Path), help="Store folder [setting: store].")
@click.option("--store-url", help="Query URL of an external SPARQL store [setting: store_url].")
@click.pass_context
def stats(ctx: click.Context, store: Path | None, store_url: str | None) -> None:
    """Print the published release and the number of instances per class."""
    from .published import published_stats

    settings = _settings(ctx, store=store, store_url=store_url)
    info, counts = published_stats(settings)
    click.echo(
        f"release {info.build_id} ({info.created.isoformat()}): {info.triples} triples, {info.quads} quads"
    )
    width = max((len(c) for c in counts), default=10)
    for cls, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        click.echo(f"{cls:<{width}}  {count:>7}")


@main.command()
@click.option("--store", type=click.Path(path_type=Path), help="Store folder [setting: store].")
@click.option("--store-url", help="Query URL of an external SPARQL store [setting: store_url].")
@click.option("--host", help="Address to listen on [setting: host].")
@click.option("--port", type=int, help="Port to listen on [setting: port].")
@click.option("--workers", type=int, help="Worker processes [setting: workers].")
@click.pass_context
def serve(
    ctx: click.Context,
    store: Path | None,
    store_url: str | None,
    host: str | None,
    port: int | None,
    workers: int | None,
) -> None:
    """Serve the published dataset: resources, HTML pages and SPARQL under granian (production WSGI)."""
    from .serve import run_server

    settings = _settings(ctx, store=store, store_url=store_url, host=host, port=port, workers=workers)
    run_server(settings)


@main.command()
@click.argument("query_or_file")
@click.option("--endpoint", help="SPARQL endpoint URL (default: the local store, or store_url when set).")
@click.option("--store", type=click.Path(path_type=Path), help="Store folder [setting: store].")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True
)
@click.pass_context
def query(ctx: click.Context, query_or_file: str, endpoint: str | None, store: Path | None, fmt: str) -> None:
    """Run a SPARQL query (text, or a .rq file) with SPARQLWrapper and print the result."""
    from .query import run_query

    settings = _settings(ctx, store=store)
    click.echo(run_query(settings, query_or_file, endpoint=endpoint, fmt=fmt), nl=False)


@main.command()
@click.option("--endpoint", help="Wikidata-shaped SPARQL endpoint [setting: wikidata_endpoint].")
@click.option(
    "--threshold", type=float, help="Score from which a candidate is linked [setting: reconcile_threshold]."
)
@click.option(
    "--output", type=click.Path(file_okay=False, path_type=Path), help="[setting: reconcile_review]"
)
@click.pass_context
def reconcile(ctx: click.Context, endpoint: str | None, threshold: float | None, output: Path | None) -> None:
    """Find Wikidata items for the authority file's persons, groups and places; link, review, export."""
    from .reconcile import run_reconcile

    settings = _settings(
        ctx, wikidata_endpoint=endpoint, reconcile_threshold=threshold, reconcile_review=output
    )
    click.echo(run_reconcile(settings), nl=False)


REFERENCE_START = "<!-- cli-reference: generated by `make docs` from --help; do not edit -->"
REFERENCE_END = "<!-- /cli-reference -->"


def help_reference() -> str:
    """The ``--help`` text of ``ldpub`` and each command, as Markdown (the README's CLI reference)."""
    parts = []
    for name in [None, *sorted(main.commands)]:
        args = [name, "--help"] if name else ["--help"]
        with click.Context(main, info_name="ldpub", terminal_width=100, max_content_width=100) as ctx:
            command = main if name is None else main.commands[name]
            sub = ctx if name is None else click.Context(command, info_name=name, parent=ctx)
            text = command.get_help(sub)
        title = f"ldpub {name}" if name else "ldpub"
        parts.append(f"#### `{title}`\n\n```\n$ ldpub {' '.join(args)}\n{text}\n```\n")
    return "\n".join(parts)


def write_reference(readme: Path) -> None:
    """Replace the README's generated CLI reference with the current ``--help`` texts."""
    text = readme.read_text(encoding="utf-8")
    head, _, rest = text.partition(REFERENCE_START)
    _, _, tail = rest.partition(REFERENCE_END)
    readme.write_text(f"{head}{REFERENCE_START}\n{help_reference()}{REFERENCE_END}{tail}", encoding="utf-8")

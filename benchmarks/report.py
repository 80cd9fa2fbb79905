"""Write benchmarks/RESULTS.md (a table per figure) and benchmarks/plots/*.png from benchmarks/results.json.

    python benchmarks/report.py            # again, from the results of the last run

The harness section sits between two markers in RESULTS.md; everything else in the file (the
reconciliation figures of benchmarks/recon_batch.py) is kept as it is.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"
PLOTS = HERE / "plots"
START, END = "<!-- harness:start (benchmarks/run.py writes this part) -->", "<!-- harness:end -->"
SYSTEMS = {"ldpub": "ldpub", "oxigraph": "Oxigraph server", "rdflib": "rdflib-endpoint"}


def _f(value: Any, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, (int, float)):
        return f"{value:,.{digits}f}"
    return str(value)


def _ratio(a: float | None, b: float | None) -> str:
    if not a or not b:
        return "–"
    return f"{a / b:.2f}×"


def _load(values: Any) -> str:
    return "/".join(f"{v:.1f}" for v in values) if values else "–"


def _table(head: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(" --- " for _ in head) + "|"]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def section(results: dict[str, Any]) -> str:
    sizes = results["sizes"]
    m = results["machine"]
    out = [START, "", f"## Serving and build, side by side ({results['started']} → {results.get('finished', '…')})", ""]
    out += [
        f"Machine: {m['cpus']} CPUs ({m['cpu']}), {m['memory_gb']} GB memory, Linux {m['kernel']}.  ",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in m["versions"].items()) + ".",
        "",
        f"Command: `{results['command']}` (figures: medians of the runs after a warm-up that lasts until "
        "throughput settles; wrk, 2 threads, 16 connections, in a second process; the three servers run side "
        "by side on the same exported N-Quads and, for each figure, take turns run by run; ratios within "
        "this run).",
        "",
        "Load average of the machine (1, 5, 15 min) before and after the serving measurements: "
        + "; ".join(
            f"{n} documents {_load(r.get('loadavg_before'))} → {_load(r.get('loadavg_after'))}"
            for n, r in sizes.items()
        )
        + ". Other work shared the 2 CPUs during this run, so absolute figures are noisy; the ratios "
        "(systems measured in turns) are the figures to read.",
        "",
        "Plots: " + ", ".join(f"[{p.stem}](plots/{p.name})" for p in sorted(PLOTS.glob("*.png"))) + ".",
        "",
    ]
    out += ["### Build (ldpub build, end to end)", ""]
    rows = []
    for n, r in sizes.items():
        b = r["build"]
        steps = ", ".join(f"{k} {v:.1f}" for k, v in b["steps"].items())
        peak = b.get("peak_tree_pss_mb") or b.get("max_rss_mb")
        rows.append([_f(int(n)), _f(b["triples"]), _f(b["seconds"], 1), _f(b["documents_per_s"], 1),
                     _f(b["triples_per_s"]), steps, _f(peak), _f(r["store_bytes"] / 2**20), _f(r["export_bytes"] / 2**20),
                     _f(r["oxigraph_bytes"] / 2**20)])  # fmt: skip
    out += _table(["documents", "triples", "wall s", "docs/s", "triples/s", "steps (s)", "peak MB",
                   "store MB", "N-Quads MB", "Oxigraph DB MB"], rows)  # fmt: skip
    out += ["", "Peak MB: the build's process tree (PSS, polled each second) or, when unavailable, "
            "`/usr/bin/time -v`'s maximum resident set size.", ""]  # fmt: skip
    out += ["### Resource dereference (ldpub /doc/… vs DESCRIBE)", ""]
    rows = []
    for n, r in sizes.items():
        d = r["deref"]
        for fmt in ("turtle", "jsonld", "html"):
            row = [_f(int(n)), fmt]
            for system in SYSTEMS:
                x = d.get(f"{system}/{fmt}")
                row.append(f"{_f(x['rps'])} /s, p50 {_f(x['p50_ms'], 1)} ms, p99 {_f(x['p99_ms'], 1)} ms, "
                           f"{x['errors']} non-2xx" + (" ¹" if x.get("note") else "") if x else "–")  # fmt: skip
            lp = d.get(f"ldpub/{fmt}", {}).get("rps")
            row.append(_ratio(lp, d.get(f"oxigraph/{fmt}", {}).get("rps")))
            row.append(_ratio(lp, d.get(f"rdflib/{fmt}", {}).get("rps")))
            row.append(_ratio(lp, d.get("ldpub/turtle", {}).get("rps")) if fmt == "html" else "")
            rows.append(row)
    out += _table(["documents", "format", *SYSTEMS.values(), "ldpub ÷ Oxigraph", "ldpub ÷ rdflib-endpoint",
                   "HTML ÷ Turtle"], rows)  # fmt: skip
    out += ["", "¹ timed by single requests: the server answers too slowly for a wrk run.", ""]
    for r in sizes.values():
        if r.get("rdflib_skipped"):
            out.append(f"- {r['rdflib_skipped']}.")
    out += ["", "### SPARQL (queries/)", ""]
    rows = []
    for n, r in sizes.items():
        s = r["sparql"]
        queries = sorted({k.split("/")[0] for k in s})
        for q in queries:
            row = [_f(int(n)), q]
            for system in SYSTEMS:
                x = s.get(f"{q}/{system}")
                if x is None:
                    row.append("–")
                    continue
                same = r["sparql_identical"].get(q, {}).get(system)
                if x.get("digest") is None:
                    mark = " no answer (error or time-out)"
                elif system == "oxigraph":
                    mark = ""
                else:
                    mark = " ✓" if same else " ✗ differs"
                row.append(f"{_f(x['rps'], 1)} /s, p50 {_f(x['p50_ms'], 1)} ms{mark}" + (" ¹" if x.get("note") else ""))
            lp = s.get(f"{q}/ldpub", {}).get("rps")
            row.append(_ratio(lp, s.get(f"{q}/oxigraph", {}).get("rps")))
            row.append(_ratio(lp, s.get(f"{q}/rdflib", {}).get("rps")))
            row.append(_f(s.get(f"{q}/oxigraph", {}).get("size")))
            rows.append(row)
    out += _table(["documents", "query", *SYSTEMS.values(), "ldpub ÷ Oxigraph", "ldpub ÷ rdflib-endpoint",
                   "answer size"], rows)  # fmt: skip
    out += ["", "✓ the same rows as Oxigraph server (any order; blank nodes made equal); answer size: rows, "
            "the boolean, or triples.", ""]  # fmt: skip
    out += ["### Server memory (PSS of every process of the server, MB)", ""]
    rows = []
    for n, r in sizes.items():
        for system, mem in r["memory"].items():
            rows.append([_f(int(n)), SYSTEMS[system], _f(mem["rest_pss_mb"]), _f(mem["load_peak_pss_mb"]),
                         _f(mem.get("rest_rss_mb"))])  # fmt: skip
    out += _table(["documents", "server", "at rest", "peak under load", "RSS at rest (shared pages counted per process)"], rows)
    out += ["", "### Reconciliation (benchmarks/recon_batch.py, a batch of 100 queries, ms)", ""]
    rows = [[_f(int(n)), *(_f(r.get("recon", {}).get(k), 1) for k in ("index_ms", "in_process_ms", "flask_ms", "server_ms"))]
            for n, r in sizes.items()]  # fmt: skip
    out += _table(["documents", "index build", "in-process", "Flask app", "real server"], rows)
    out += ["", "### Scaling: ldpub web processes against one Oxigraph server (`ldpub serve --store-url`)", ""]
    rows = []
    for n, r in sizes.items():
        sc = r.get("scaling")
        if not sc:
            continue
        for what, label in (("doc_turtle", "/doc/… Turtle"), ("sparql_ask", "SPARQL 15 (ASK)")):
            one, two = sc["1"][what]["rps"], sc["2"][what]["rps"]
            rows.append([_f(int(n)), label, _f(one), _f(two), _ratio(two, one)])
    out += _table(["documents", "request", "1 process /s", "2 processes /s", "2 ÷ 1"], rows)
    out += ["", "### Commands of this run", ""]
    for n, r in sizes.items():
        out.append(f"- {n} documents: corpus `python benchmarks/make_corpus.py --documents {n} --seed 1 --out "
                   f"WORK/corpus-{n}`; build `/usr/bin/time -v ldpub build --sources WORK/corpus-{n} --store "
                   f"WORK/store-{n} --quiet`; export `ldpub export --store WORK/store-{n} --format nquads`; "
                   f"`oxigraph load --location WORK/oxigraph-{n} --file WORK/export-{n}.nq`")  # fmt: skip
        for system, command in r.get("commands", {}).items():
            out.append(f"  - {SYSTEMS[system]}: `{command}`")
    out += ["", END]
    return "\n".join(out) + "\n"


def plots(results: dict[str, Any]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    PLOTS.mkdir(exist_ok=True)
    sizes = results["sizes"]
    ns = [int(n) for n in sizes]

    def save(name: str, title: str, ylabel: str, series: dict[str, list[float | None]]) -> None:
        fig, ax = plt.subplots(figsize=(6, 4))
        for label, ys in series.items():
            points = [(x, y) for x, y in zip(ns, ys, strict=True) if y is not None]
            if points:
                ax.plot(*zip(*points, strict=True), marker="o", label=label)
        ax.set_xscale("log")
        ax.set_xlabel("documents")
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.grid(True, alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            ax.legend()
        fig.tight_layout()
        fig.savefig(PLOTS / f"{name}.png", dpi=100)
        plt.close(fig)

    def get(r: dict[str, Any], *path: str) -> float | None:
        value: Any = r
        for key in path:
            if not isinstance(value, dict) or key not in value:
                return None
            value = value[key]
        return float(value) if isinstance(value, (int, float)) else None

    save("build-throughput", "Build throughput", "documents/s",
         {"ldpub build": [get(sizes[str(n)], "build", "documents_per_s") for n in ns]})  # fmt: skip
    save("build-memory", "Build peak memory", "MB",
         {"ldpub build": [get(sizes[str(n)], "build", "peak_tree_pss_mb") or get(sizes[str(n)], "build", "max_rss_mb")
                          for n in ns]})  # fmt: skip
    save("store-size", "Size on disk", "MB",
         {"ldpub store (release)": [get(sizes[str(n)], "store_bytes") for n in ns],
          "N-Quads export": [get(sizes[str(n)], "export_bytes") for n in ns]})  # fmt: skip
    for fmt in ("turtle", "jsonld", "html"):
        series = {SYSTEMS[s]: [get(sizes[str(n)], "deref", f"{s}/{fmt}", "rps") for n in ns] for s in SYSTEMS}
        save(f"deref-{fmt}-throughput", f"Dereference {fmt}: throughput", "requests/s", series)
        series = {SYSTEMS[s]: [get(sizes[str(n)], "deref", f"{s}/{fmt}", "p50_ms") for n in ns] for s in SYSTEMS}
        save(f"deref-{fmt}-p50", f"Dereference {fmt}: p50 latency", "ms", series)
    queries = sorted({k.split("/")[0] for r in sizes.values() for k in r["sparql"]})
    for system in SYSTEMS:
        series = {q: [get(sizes[str(n)], "sparql", f"{q}/{system}", "rps") for n in ns] for q in queries}
        save(f"sparql-{system}", f"SPARQL throughput: {SYSTEMS[system]}", "queries/s", series)
    save("server-memory", "Server memory under load (peak PSS)", "MB",
         {SYSTEMS[s]: [get(sizes[str(n)], "memory", s, "load_peak_pss_mb") for n in ns] for s in SYSTEMS})  # fmt: skip
    save("recon-batch", "Reconciliation batch of 100 (real server)", "ms",
         {"ldpub /reconcile": [get(sizes[str(n)], "recon", "server_ms") for n in ns]})  # fmt: skip


def write_report(results: dict[str, Any]) -> None:
    plots(results)
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    new = section(results)
    if START in text and END in text:
        text = text[: text.index(START)] + new + text[text.index(END) + len(END) + 1 :]
    else:
        head, _, rest = text.partition("\n")
        text = f"{head}\n\n{new}{rest}"
    RESULTS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    write_report(json.loads((HERE / "results.json").read_text()))
    sys.exit(0)

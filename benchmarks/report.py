"""Write benchmarks/RESULTS.md (a table per figure, and every target of issue 6 met or missed, by how much,
per corpus size) and benchmarks/plots/*.png from benchmarks/results.json.

    python benchmarks/report.py            # again, from the results of the last run

The harness section sits between two markers in RESULTS.md; everything else in the file (the
reconciliation figures of benchmarks/recon_batch.py, notes written by hand) is kept as it is.
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
FORMATS = ("turtle", "jsonld", "html")
REFERENCE = 10000
"""The size issue 6's targets hold at unless a target names its own."""


def _f(value: Any, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return f"{value:,.{digits}f}"
    return str(value)


def _div(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def _ratio(a: float | None, b: float | None) -> str:
    r = _div(a, b)
    return "–" if r is None or not a else f"{r:.2f}×"


def _load(values: Any) -> str:
    return "/".join(f"{v:.1f}" for v in values) if values else "–"


def _table(head: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(" --- " for _ in head) + "|"]
    return lines + ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]


def _cell(x: dict[str, Any] | None, unit: str = "/s", digits: int = 0) -> str:
    """One measured figure: 2xx throughput, latencies, non-2xx answers, and a mark when not from wrk."""
    if x is None:
        return "–"
    if x.get("skipped") or x.get("no_answer"):
        return x.get("note", "no answer")
    text = (
        f"{_f(x.get('rps'), digits)} {unit}, p50 {_f(x.get('p50_ms'), 1)} ms, p99 {_f(x.get('p99_ms'), 1)} ms"
    )
    text += f", {_f(x.get('errors'))} non-2xx"
    if x.get("note"):
        text += " ¹"
    return text


# Targets: each (what, threshold, kind) judged per size.


def _at_least(value: float | None, target: float, unit: str = "") -> tuple[str, str]:
    if value is None:
        return "not measured", ""
    if value >= target:
        return "**met**", f"{value / target - 1:+.0%} over the target"
    short = f"{value / target:.0%} of the target"
    return "**missed**", short + (f" (×{target / value:.1f} needed)" if value > 0 else "")


def _at_most(value: float | None, target: float, unit: str = "") -> tuple[str, str]:
    if value is None:
        return "not measured", ""
    if value <= target:
        return "**met**", f"{1 - value / target:.0%} under the limit"
    return "**missed**", f"{value / target:.2f}× the limit ({value - target:+,.0f}{unit})"


def _within(value: float | None, reference: float | None, share: float = 0.2) -> tuple[str, str]:
    if value is None or not reference:
        return "not measured", ""
    change = value / reference - 1
    verdict = "**met**" if abs(change) <= share else "**missed**"
    return verdict, f"{change:+.0%} (limit ±{share:.0%})"


def targets(results: dict[str, Any]) -> list[list[str]]:
    """Every target of issue 6: per size, what was measured, met or missed, by how much."""
    sizes = results["sizes"]
    rows: list[list[str]] = []
    first = min(sizes, key=int) if sizes else None

    def size(n: str, at: int = REFERENCE) -> str:
        return _f(int(n)) + (" ★" if int(n) == at else "")

    def rps(r: dict[str, Any], key: str, part: str = "deref") -> float | None:
        x = r.get(part, {}).get(key)
        return None if x is None or x.get("skipped") or x.get("no_answer") else x.get("rps")

    for n, r in sizes.items():
        lt, ot, rt = rps(r, "ldpub/turtle"), rps(r, "oxigraph/turtle"), rps(r, "rdflib/turtle")
        rows.append(["Dereference (Turtle) ≥ 0.8× Oxigraph server's `DESCRIBE`", size(n), _ratio(lt, ot),
                     *_at_least(_div(lt, ot), 0.8)])  # fmt: skip
        status = _at_least(_div(lt, rt), 10)
        if rt is None and r.get("rdflib_skipped"):
            status = ("not measured", f"rdflib-endpoint {r['rdflib_skipped']}")
        rows.append(
            ["Dereference (Turtle) ≥ 10× rdflib-endpoint's `DESCRIBE`", size(n), _ratio(lt, rt), *status]
        )
        lh = rps(r, "ldpub/html")
        rows.append(
            [
                "Dereference: ldpub HTML ≥ 0.5× ldpub Turtle",
                size(n),
                _ratio(lh, lt),
                *_at_least(_div(lh, lt), 0.5),
            ]
        )
        bad = [
            (f, r["deref"][f"ldpub/{f}"].get("errors")) for f in FORMATS if f"ldpub/{f}" in r.get("deref", {})
        ]
        total = sum(b or 0 for _, b in bad) if bad else None
        rows.append(["Dereference: zero non-2xx answers (ldpub, every format)", size(n),
                     ", ".join(f"{f} {_f(b)}" for f, b in bad) or "–",
                     *(("not measured", "") if total is None else ("**met**", "") if total == 0 else
                       ("**missed**", f"{total:,} non-2xx answers"))])  # fmt: skip
        # SPARQL
        s, same = r.get("sparql", {}), r.get("sparql_identical", {})
        queries = sorted({k.split("/")[0] for k in s})
        both = [
            q
            for q in queries
            if rps(r, f"{q}/ldpub", "sparql") is not None and rps(r, f"{q}/oxigraph", "sparql") is not None
        ]
        ratios = {q: _div(s[f"{q}/ldpub"]["rps"], s[f"{q}/oxigraph"]["rps"]) for q in both}
        missed = {q: v for q, v in ratios.items() if v is None or v < 0.8}
        unanswered = [q for q in queries if q not in both]
        if both:
            worst = min((v for v in ratios.values() if v is not None), default=None)
            status = ("**met**", f"every query answered by both: {len(both)}") if not missed else (
                "**missed**", f"{len(missed)} of {len(both)} under 0.8×: "
                + ", ".join(f"{q.split('-')[0]} {v:.2f}×" for q, v in sorted(missed.items()) if v is not None)
                + (f"; worst {worst:.2f}× ({worst / 0.8:.0%} of the target)" if worst is not None else ""))  # fmt: skip
        else:
            status = ("not measured", "")
        measured = f"{len(both) - len(missed)} of {len(both)} queries ≥ 0.8×" if both else "–"
        if unanswered:
            measured += f"; not answered within the time-out by ldpub or Oxigraph: {', '.join(q.split('-')[0] for q in unanswered)}"
        rows.append(["SPARQL: each query ≥ 0.8× Oxigraph server's throughput", size(n), measured, *status])
        compared = {q: v.get("ldpub") for q, v in same.items() if v.get("ldpub") is not None}
        differ = sorted(q for q, v in compared.items() if not v)
        rows.append(["SPARQL: results identical to Oxigraph server's", size(n),
                     f"{len(compared) - len(differ)} of {len(compared)} identical" if compared else "–",
                     *(("not measured", "") if not compared else ("**met**", "") if not differ else
                       ("**missed**", "differ: " + ", ".join(differ)))])  # fmt: skip
        # Build
        b = r.get("build")
        rows.append(["Build ≥ 200 documents/s end to end", size(n), _f(b and b["documents_per_s"], 1) + " /s",
                     *_at_least(b and b["documents_per_s"], 200)])  # fmt: skip
        peak = b and (b.get("peak_tree_pss_mb") or b.get("max_rss_mb"))
        rows.append(["Build peak memory < 4 GB (at 100,000 documents)", size(n, 100000), _f(peak) + " MB",
                     *_at_most(peak, 4096, " MB")])  # fmt: skip
        if first and n != first:
            b1 = sizes[first].get("build")
            rows.append([f"Build throughput within 20% of the throughput at {int(first):,} (linear cost)", size(n, 100000),
                         f"{_f(b and b['documents_per_s'], 1)} vs {_f(b1 and b1['documents_per_s'], 1)} /s",
                         *_within(b and b["documents_per_s"], b1 and b1["documents_per_s"])])  # fmt: skip
            for fmt in FORMATS:
                p, p1 = (
                    r.get("deref", {}).get(f"ldpub/{fmt}", {}).get("p50_ms"),
                    sizes[first].get("deref", {}).get(f"ldpub/{fmt}", {}).get("p50_ms"),
                )
                if p is None and p1 is None:
                    continue
                rows.append([f"Dereference p50 ({fmt}) within 20% of the p50 at {int(first):,} (flat latency)", size(n, 100000),
                             f"{_f(p, 1)} vs {_f(p1, 1)} ms", *_within(p, p1)])  # fmt: skip
        mem = r.get("memory", {}).get("ldpub", {}).get("load_peak_pss_mb")
        rows.append(["ldpub server memory under load < 500 MB (at 100,000 documents)", size(n, 100000), _f(mem) + " MB",
                     *_at_most(mem or None, 500, " MB")])  # fmt: skip
        sc = r.get("scaling")
        for what, label in (("doc_turtle", "/doc/… Turtle"), ("sparql_ask", "SPARQL 15 (ASK)")):
            one, two = (
                (sc or {}).get("1", {}).get(what, {}).get("rps"),
                (sc or {}).get("2", {}).get(what, {}).get("rps"),
            )
            status = _at_least(_div(two, one), 1.1) if one and two else (
                "not measured", r.get("scaling_skipped") or r.get("errors", {}).get("scaling") or "no 2xx answers")  # fmt: skip
            rows.append([f"Scaling: 2 ldpub processes > 1 against one Oxigraph server ({label}; 2 ÷ 1 > 1.1)", size(n),
                         _ratio(two, one), *status])  # fmt: skip
    order: dict[str, int] = {}
    for row in rows:  # each target's sizes together, the targets in the order first met (the order)
        order.setdefault(row[0], len(order))
    rows.sort(key=lambda row: order[row[0]])
    return rows


def section(results: dict[str, Any]) -> str:
    sizes = results["sizes"]
    m = results["machine"]
    st = results.get("settings", {})
    timeout = st.get("query_timeout_s")
    out = [
        START,
        "",
        f"## Serving and build, side by side ({results['started']} → {results.get('finished', '…')})",
        "",
    ]
    if results.get("interrupted"):
        out += [
            f"**The run was interrupted at {results['interrupted']}**: the tables hold what it had measured.",
            "",
        ]
    out += [
        f"Machine: {m['cpus']} CPUs ({m['cpu']}), {m['memory_gb']} GB memory"
        + (
            f" ({m['mem_available_gb_at_start']} GB available at the start)"
            if m.get("mem_available_gb_at_start")
            else ""
        )
        + f", Linux {m['kernel']}.  ",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in m["versions"].items()) + ".",
        "",
        f"Command: `{results['command']}`. Figures: medians of the runs after a warm-up that lasts until "
        "throughput settles; wrk, 2 threads, 16 connections, in a second process; throughput counts 2xx answers "
        "only, and every other answer (status ≥ 400, time-out, dropped connection, or a non-2xx in the checking "
        "pass, which does not follow redirects) is counted as non-2xx; for each figure the servers run side by "
        "side and take turns run by run; ratios are within this run.",
        "",
        "Same data for all three: Oxigraph server serves ldpub's own published release database "
        "(`oxigraph serve-read-only --union-default-graph --location STORE/releases/<build>/oxigraph`, opened "
        "read-only beside `ldpub serve`: no copy, no load); rdflib-endpoint parses the release's N-Quads (the "
        "build's dump, unpacked for it and deleted afterwards) into memory, and is only started when its "
        "estimated memory fits in what the machine has available."
        + (
            f" Every request may take {_f(timeout)} s (probes, checking passes, wrk); a query with no answer "
            "within that time is not loaded further. ldpub's own SPARQL time limit is "
            f"{_f(st.get('server_time_limit_s'))} s, so it stops an abandoned query; Oxigraph server cannot (its "
            "`--timeout-s` starts a sleeping thread per query, which crashed it under load), so it is restarted "
            "after any time-out (0.2 s), and rdflib-endpoint too when its start-up is short."
            if timeout
            else ""
        ),
        "",
        "Load average of the machine (1, 5, 15 min) before and after the serving measurements: "
        + "; ".join(
            f"{int(n):,} documents {_load(r.get('loadavg_before'))} → {_load(r.get('loadavg_after'))}"
            for n, r in sizes.items()
        )
        + ". Other work shared the 2 CPUs, so absolute figures are noisy; the ratios (systems measured in "
        "turns) are the figures to read.",
        "",
        "Plots: " + ", ".join(f"[{p.stem}](plots/{p.name})" for p in sorted(PLOTS.glob("*.png"))) + ".",
        "",
    ]
    failures = [
        (n, stage, message) for n, r in sizes.items() for stage, message in r.get("errors", {}).items()
    ]
    failures += [
        (n, f"{name} restarted", "; ".join(why))
        for n, r in sizes.items()
        for name, why in r.get("restarts", {}).items()
    ]
    if failures:
        out += ["### Failures and restarts recorded (the run went on)", ""]
        out += [
            f"- {int(n):,} documents, {stage}: {message.splitlines()[0][:400]}"
            for n, stage, message in failures
        ]
        out.append("")
    out += ["### Targets of issue 6", ""]
    out += _table(["target", "documents", "measured", "verdict", "by how much"], targets(results))
    out += ["", "★ the size the target is stated for (10,000 documents unless the target names one); every size is "
            "judged against the same threshold. Scaling is counted as met when 2 processes give more than 1.1× "
            "the throughput of 1 (more than the noise of a shared machine).", ""]  # fmt: skip
    out += ["### Build (ldpub build, end to end) and size on disk", ""]
    rows = []
    for n, r in sizes.items():
        b = r.get("build")
        if not b:
            rows.append([_f(int(n)), *["–"] * 9])
            continue
        steps = ", ".join(f"{k} {v:.1f}" for k, v in b["steps"].items())
        peak = b.get("peak_tree_pss_mb") or b.get("max_rss_mb")
        rdf_in = r.get("rdflib", {}).get("input", {}).get("bytes") or r.get("export_bytes")
        rows.append([_f(int(n)), _f(b["triples"]), _f(b["seconds"], 1), _f(b["documents_per_s"], 1),
                     _f(b["triples_per_s"]), steps, _f(peak), _f(r.get("store_bytes", 0) / 2**20),
                     _f(r.get("store_folder_bytes", 0) / 2**20), _f(rdf_in and rdf_in / 2**20)])  # fmt: skip
    out += _table(["documents", "triples", "wall s", "docs/s", "triples/s", "steps (s)", "peak MB",
                   "release DB MB", "store folder MB", "N-Quads for rdflib-endpoint MB"], rows)  # fmt: skip
    out += ["", "Peak MB: the build's process tree (PSS, polled each second) or, when unavailable, "
            "`/usr/bin/time -v`'s maximum resident set size. Release DB: `STORE/releases/<build>/` (the database "
            "ldpub and Oxigraph server both serve); store folder: with the dumps and history. N-Quads: the "
            "file rdflib-endpoint parsed (deleted after the run; – when it did not run).", ""]  # fmt: skip
    reused = [f"- {int(n):,} documents: not built by this run; its figures are those of {r['build']['reused']}."
              for n, r in sizes.items() if r.get("build", {}).get("reused")]  # fmt: skip
    out += [*reused, ""] if reused else []
    out += ["### Resource dereference (ldpub /doc/… vs DESCRIBE)", ""]
    rows = []
    for n, r in sizes.items():
        d = r.get("deref", {})
        for fmt in FORMATS:
            row = [_f(int(n)), fmt]
            for system in SYSTEMS:
                x = d.get(f"{system}/{fmt}")
                if x is None and fmt == "html" and system != "ldpub":
                    row.append("no HTML")
                elif x is None and system == "rdflib" and r.get("rdflib_skipped"):
                    row.append("not run ²")
                else:
                    row.append(_cell(x))
            lp = d.get(f"ldpub/{fmt}", {}).get("rps")
            row.append(_ratio(lp, d.get(f"oxigraph/{fmt}", {}).get("rps")))
            row.append(_ratio(lp, d.get(f"rdflib/{fmt}", {}).get("rps")))
            row.append(_ratio(lp, d.get("ldpub/turtle", {}).get("rps")) if fmt == "html" else "")
            rows.append(row)
    out += _table(["documents", "format", *SYSTEMS.values(), "ldpub ÷ Oxigraph", "ldpub ÷ rdflib-endpoint",
                   "HTML ÷ Turtle"], rows)  # fmt: skip
    out += ["", "Throughput in 2xx answers per second. ¹ not a wrk figure: "]
    notes = sorted(
        {
            f"{int(n):,} {k}: {x['note']}"
            for n, r in sizes.items()
            for k, x in r.get("deref", {}).items()
            if x.get("note")
        }
    )
    notes += sorted({f"{int(n):,} {k}: {x['check_note']}" for n, r in sizes.items() for k, x in r.get("deref", {}).items()
                     if x.get("check_note")})  # fmt: skip
    out += [f"- {note}" for note in notes] or ["- (none)"]
    out += ["", "² rdflib-endpoint:", ""]
    for n, r in sizes.items():
        info = r.get("rdflib", {})
        if r.get("rdflib_skipped"):
            out.append(f"- {int(n):,} documents: {r['rdflib_skipped']}.")
        elif info.get("startup_seconds"):
            out.append(f"- {int(n):,} documents: started in {_f(info['startup_seconds'][0])} s (peak {_f(info.get('startup_peak_pss_mb'))} MB "
                       f"PSS while parsing; estimate beforehand {_f(info.get('estimate_mb'))} MB incl. margin, "
                       f"{_f(info.get('available_mb'))} MB available); {_f(info.get('measured_bytes_per_quad'))} bytes per quad at rest"
                       + (f"; restarted {info['restarts']}× after query time-outs" if info.get("restarts") else "") + ".")  # fmt: skip
    out += ["", "### SPARQL (queries/)", ""]
    rows = []
    for n, r in sizes.items():
        s = r.get("sparql", {})
        queries = sorted({k.split("/")[0] for k in s})
        for q in queries:
            row = [_f(int(n)), q]
            for system in SYSTEMS:
                x = s.get(f"{q}/{system}")
                if x is None:
                    row.append("not run ²" if system == "rdflib" and r.get("rdflib_skipped") else "–")
                    continue
                if x.get("skipped") or x.get("no_answer") or x.get("digest") is None:
                    row.append(x.get("note") or "no answer")
                    continue
                same = r.get("sparql_identical", {}).get(q, {}).get(system)
                mark = "" if system == "oxigraph" else " ✓" if same else " ✗ differs" if same is False else ""
                row.append(
                    f"{_f(x.get('rps'), 1)} /s, p50 {_f(x.get('p50_ms'), 1)} ms{mark}"
                    + (" ¹" if x.get("note") else "")
                )
            lp = s.get(f"{q}/ldpub", {}).get("rps")
            row.append(_ratio(lp, s.get(f"{q}/oxigraph", {}).get("rps")))
            row.append(_ratio(lp, s.get(f"{q}/rdflib", {}).get("rps")))
            sizes_seen = [s.get(f"{q}/{x}", {}).get("size") for x in ("oxigraph", "ldpub")]
            row.append(_f(next((v for v in sizes_seen if v is not None), None)))
            rows.append(row)
    out += _table(["documents", "query", *SYSTEMS.values(), "ldpub ÷ Oxigraph", "ldpub ÷ rdflib-endpoint",
                   "answer size"], rows)  # fmt: skip
    out += ["", "✓ the same rows as Oxigraph server (any order; blank nodes made equal; literals compared by their "
            "lexical form, as sent); answer size: rows, the boolean, or triples. ¹ timed one request at a time "
            "(a heavy query: 16 at once would only measure the queue; then every system of that query is timed that "
            "way, at least 3 requests and 3 s), or measured after the other systems (rdflib-endpoint). Notes per "
            "figure are in results.json.", ""]  # fmt: skip
    diffs = [(n, k, v) for n, r in sizes.items() for k, v in r.get("sparql_differences", {}).items()]
    if diffs:
        out += ["Answers that differ from Oxigraph server's:", ""]
        for n, k, v in diffs:
            if "rows_only_here" in v:
                detail = f"{_f(v.get('rows_only_here'))} rows only in this answer, {_f(v.get('rows_only_in_reference'))} only in Oxigraph's"
                example = v.get("example") or []
                if example:
                    detail += "; e.g. " + "; ".join(
                        (f"column {e['column']}: " if "column" in e else "") + f"`{e['here']}` here, `{e['reference']}` in Oxigraph's"
                        for e in example[:3])  # fmt: skip
            else:
                detail = f"`{v}`"
            out.append(f"- {int(n):,} documents, {k}: {detail}")
        out.append("")
    out += ["### Server memory (PSS of every process of the server, MB)", ""]
    rows = []
    for n, r in sizes.items():
        for system, mem in r.get("memory", {}).items():
            rows.append([_f(int(n)), SYSTEMS[system], _f(mem.get("rest_pss_mb")), _f(mem.get("load_peak_pss_mb")),
                         _f(mem.get("rest_rss_mb"))])  # fmt: skip
    out += _table(
        [
            "documents",
            "server",
            "at rest",
            "peak under load",
            "RSS at rest (shared pages counted per process)",
        ],
        rows,
    )
    out += [
        "",
        "### ldpub's cold pass (its first requests after it starts, before the checking pass and wrk)",
        "",
    ]
    rows = [[_f(int(n)), fmt, _f(x.get("cold_p50_ms"), 1), _f(x.get("cold_max_s"), 1), _f(x.get("cold_over_1s")),
             _f(x.get("cold_pass_requests")), _f(x.get("cold_pass_non_2xx")), _f(x.get("cold_pass_s"))]
            for n, r in sizes.items() for fmt in FORMATS
            if "cold_pass_s" in (x := r.get("deref", {}).get(f"ldpub/{fmt}", {}))]  # fmt: skip
    out += _table(["documents", "format", "p50 of the first request per resource (ms)", "slowest request (s)",
                   "requests ≥ 1 s", "requests", "non-2xx or time-out", "pass (s)"], rows)  # fmt: skip
    out += [
        "",
        "Every sampled resource requested 3 × 2 times, 2 at a time: ldpub computes a representation once "
        "per release in each web process, so this is what the first readers (or a crawler) of a new release "
        "wait; the slow ones are the pages of hub entities, whose lists are sorted once per release.",
        "Oxigraph server and rdflib-endpoint keep nothing between requests: their first pass is their load.",
    ]
    out += [f"- {int(n):,} {k}: {x['cold_note']}" for n, r in sizes.items() for k, x in r.get("deref", {}).items()
            if x.get("cold_note")]  # fmt: skip
    out += ["", "### Reconciliation (benchmarks/recon_batch.py, a batch of 100 queries, ms)", ""]
    rows = [[_f(int(n)), *(_f(r.get("recon", {}).get(k), 1) for k in ("index_ms", "in_process_ms", "flask_ms", "server_ms"))]
            for n, r in sizes.items()]  # fmt: skip
    out += _table(["documents", "index build", "in-process", "Flask app", "real server"], rows)
    out += [
        f"- {int(n):,} documents: {r['recon']['note']}"
        for n, r in sizes.items()
        if r.get("recon", {}).get("note")
    ]
    out += [
        "",
        "### Scaling: ldpub web processes against one Oxigraph server (`ldpub serve --store-url`)",
        "",
    ]
    rows = []
    notes = []
    for n, r in sizes.items():
        sc = r.get("scaling")
        if not sc:
            why = r.get("scaling_skipped") or r.get("errors", {}).get("scaling")
            if why:
                notes.append(f"- {int(n):,} documents: {why}")
            continue
        for what, label in (("doc_turtle", "/doc/… Turtle"), ("sparql_ask", "SPARQL 15 (ASK)")):
            one, two = sc.get("1", {}).get(what, {}), sc.get("2", {}).get(what, {})
            rows.append([_f(int(n)), label, _f(one.get("rps")), _f(one.get("errors")), _f(two.get("rps")),
                         _f(two.get("errors")), _ratio(two.get("rps"), one.get("rps"))])  # fmt: skip
            for workers, x in (("1", one), ("2", two)):
                if x.get("note"):
                    notes.append(f"- {int(n):,} documents, {label}, {workers} process(es): {x['note']}")
        if sc.get("db_own_bytes") is not None:
            notes.append(f"- {int(n):,} documents: Oxigraph database = hard-linked backup of the release's "
                         f"(`oxigraph backup`) + the release description naming {_f(sc.get('release_graphs'))} graphs: "
                         f"{sc['db_own_bytes'] / 2**20:.1f} MB of its own; {sc.get('sample')} resources cycled over.")  # fmt: skip
    out += _table(["documents", "request", "1 process, 2xx/s", "1 process, non-2xx", "2 processes, 2xx/s",
                   "2 processes, non-2xx", "2 ÷ 1"], rows)  # fmt: skip
    out += ["", "Each case: a fresh Oxigraph server (no query left running from the case before); dereference "
            "first, after a warm-up pass that fetches every sampled resource 3 × processes times, one request at a time, so that every "
            "worker process has it cached (a resource with no 2xx answer within the time-out is left out of the "
            "load, and counted below); then Oxigraph server is restarted and the ASK query probed and loaded. "
            "ldpub names the release's graphs in every query it sends "
            "(`default-graph-uri`/`named-graph-uri`, ldpub/store/remote.py), so each request costs in proportion "
            "to the number of graphs.", "", *notes]  # fmt: skip
    out += ["", "### Commands of this run", ""]
    for n, r in sizes.items():
        out.append(f"- {int(n):,} documents: corpus `python benchmarks/make_corpus.py --documents {n} --seed 1 --out "
                   f"WORK/corpus-{n}`; build `/usr/bin/time -v ldpub --config ldpub.toml build --sources WORK/corpus-{n} "
                   f"--store WORK/store-{n} --quiet`")  # fmt: skip
        for system, command in r.get("commands", {}).items():
            out.append(f"  - {SYSTEMS[system]}: `{command}`")
        timing = r.get("stage_seconds")
        if timing:
            out.append("  - stage times (s): " + ", ".join(f"{k} {v:,.0f}" for k, v in timing.items()))
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
        return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None

    save("build-throughput", "Build throughput", "documents/s",
         {"ldpub build": [get(sizes[str(n)], "build", "documents_per_s") for n in ns]})  # fmt: skip
    save("build-memory", "Build peak memory", "MB",
         {"ldpub build": [get(sizes[str(n)], "build", "peak_tree_pss_mb") or get(sizes[str(n)], "build", "max_rss_mb")
                          for n in ns]})  # fmt: skip
    save("store-size", "Size on disk", "MB",
         {"release database (ldpub and Oxigraph server)": [(get(sizes[str(n)], "store_bytes") or 0) / 2**20 or None for n in ns],
          "store folder (with dumps)": [(get(sizes[str(n)], "store_folder_bytes") or 0) / 2**20 or None for n in ns]})  # fmt: skip
    for fmt in FORMATS:
        series = {SYSTEMS[s]: [get(sizes[str(n)], "deref", f"{s}/{fmt}", "rps") for n in ns] for s in SYSTEMS}
        save(f"deref-{fmt}-throughput", f"Dereference {fmt}: throughput (2xx)", "requests/s", series)
        series = {
            SYSTEMS[s]: [get(sizes[str(n)], "deref", f"{s}/{fmt}", "p50_ms") for n in ns] for s in SYSTEMS
        }
        save(f"deref-{fmt}-p50", f"Dereference {fmt}: p50 latency", "ms", series)
    queries = sorted({k.split("/")[0] for r in sizes.values() for k in r.get("sparql", {})})
    for system in SYSTEMS:
        series = {q: [get(sizes[str(n)], "sparql", f"{q}/{system}", "rps") for n in ns] for q in queries}
        save(f"sparql-{system}", f"SPARQL throughput: {SYSTEMS[system]}", "queries/s", series)
    save("server-memory", "Server memory under load (peak PSS)", "MB",
         {SYSTEMS[s]: [get(sizes[str(n)], "memory", s, "load_peak_pss_mb") for n in ns] for s in SYSTEMS})  # fmt: skip
    save("recon-batch", "Reconciliation batch of 100 (real server)", "ms",
         {"ldpub /reconcile": [get(sizes[str(n)], "recon", "server_ms") for n in ns]})  # fmt: skip
    save("scaling", "ldpub processes against one Oxigraph server (2xx/s)", "requests/s",
         {f"{what}, {w} process(es)": [get(sizes[str(n)], "scaling", w, what, "rps") for n in ns]
          for what in ("doc_turtle", "sparql_ask") for w in ("1", "2")})  # fmt: skip


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

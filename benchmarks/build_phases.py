"""Build a corpus in-process and print the step times and the main process's peak RSS per phase.

    python benchmarks/build_phases.py var/corpus-1000 var/store-1000

A thread reads VmRSS (Linux /proc) every 0.2 s; the phase is the build's last progress step, then
``dumps`` (the dumps and the change history, written together from one export). Workers are separate processes: measure the whole with /usr/bin/time -v.
"""

from __future__ import annotations

import shutil
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import ldpub.build as build_module  # noqa: E402
from ldpub.settings import load_settings  # noqa: E402

state: dict[str, object] = {"step": "start"}
peaks: dict[str, int] = {}


def rss_mb() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) // 1024
    return 0


def sample() -> None:
    while True:
        step = str(state["step"])
        peaks[step] = max(peaks.get(step, 0), rss_mb())
        time.sleep(0.2)


def main() -> None:
    sources, store = sys.argv[1], sys.argv[2]
    shutil.rmtree(store, ignore_errors=True)
    settings = load_settings(
        config=ROOT / "ldpub.toml", environ={}, overrides={"sources": sources, "store": store}
    )
    record_release = build_module.history.record_release

    def dumps(*args, **kwargs):  # type: ignore[no-untyped-def]
        state["step"] = "dumps"
        return record_release(*args, **kwargs)

    build_module.history.record_release = dumps  # type: ignore[assignment]
    threading.Thread(target=sample, daemon=True).start()
    started = time.perf_counter()
    report = build_module.build(settings, lambda step, done, total: state.__setitem__("step", step))
    wall = time.perf_counter() - started
    print(f"{report.documents} documents, {report.workers} workers: {wall:.1f} s, {report.documents / wall:.1f} docs/s")
    print("seconds:", {k: round(v, 2) for k, v in report.seconds.items()})
    print("peak RSS MB of the main process per phase:", peaks)


if __name__ == "__main__":
    main()

"""Start real servers on 127.0.0.1 for tests, and stop them: `ldpub serve` (granian) and `oxigraph serve`."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until_up(url: str, process: subprocess.Popen[bytes], seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode(errors="replace") if process.stdout else ""
            raise RuntimeError(f"server exited with {process.returncode}: {output}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server at {url} did not answer within {seconds} s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
    if process.stdout is not None:
        process.stdout.close()  # else an unclosed-pipe ResourceWarning fails the test that owned the server


@contextmanager
def ldpub_server(store: Path, *extra: str, env: dict[str, str] | None = None) -> Iterator[str]:
    """`ldpub serve` on a free loopback port over ``store``; yields the base URL ("http://127.0.0.1:PORT")."""
    port = free_port()
    command = [sys.executable, "-m", "ldpub", "--config", str(ROOT / "ldpub.toml"), "serve"]
    command += ["--store", str(store), "--host", "127.0.0.1", "--port", str(port), "--workers", "1", *extra]
    # The server's output goes to a pipe nobody reads: no access log, so no line is dropped or blocks.
    environment = {**os.environ, "LDPUB_ACCESS_LOG": "", **(env or {})}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=environment)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url + "/", process)
        yield url
    finally:
        _stop(process)


@contextmanager
def oxigraph_server(location: Path) -> Iterator[str]:
    """`oxigraph serve` (the oxigraph package) on a free loopback port; yields its base URL."""
    binary = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    port = free_port()
    command = [binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url + "/query?query=ASK%7B%7D", process)
        yield url
    finally:
        _stop(process)

"""Progress bars: drawn on stderr when it is a terminal (a real pseudo-terminal here),
nothing at all otherwise (click's runner, a pipe)."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from storywire.cli import main

from tests.support.clicorpus import ECB, FIELDS, QUAKE, jsonl
from tests.support.discoversite import news_site
from tests.support.newsserver import NewsServer

BAR_MARKS = ("━", "\x1b[")  # rich's bar glyph, any terminal escape


@pytest.fixture(autouse=True)
def no_forced_terminal(monkeypatch):
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "STORYWIRE_DB"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def corpus(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text(jsonl(QUAKE + ECB), encoding="utf-8")
    return path


def test_quiet_when_not_a_terminal(tmp_path, corpus):
    db = str(tmp_path / "sw.db")
    runs = {
        "import": ["--db", db, "import", str(corpus), *FIELDS],
        "export": ["--db", db, "export", str(tmp_path / "site")],
        "poll": ["--db", db, "poll"],
        "batch": ["batch", str(corpus), "--out", str(tmp_path / "s.jsonl"), *FIELDS],
    }
    for name, args in runs.items():
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, (name, result.output)
        for mark in BAR_MARKS:
            assert mark not in result.stderr and mark not in result.stdout, (name, result.stderr)


def _on_a_terminal(args: list[str], cwd) -> tuple[str, str, int]:
    """Run ``storywire ARGS`` with stderr on a pseudo-terminal; (terminal text, stdout, rc)."""
    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": "100", "TERM": "xterm"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "storywire", *args],
        stdout=subprocess.PIPE,
        stderr=follower,
        stdin=subprocess.DEVNULL,
        cwd=cwd,
        env=env,
    )
    os.close(follower)
    seen = b""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the follower side closed: the process is gone
                break
            if not chunk:
                break
            seen += chunk
        elif proc.poll() is not None:
            break
    with proc:  # closes the stdout pipe
        stdout = proc.stdout.read().decode() if proc.stdout else ""
        rc = proc.wait(timeout=30)
    os.close(leader)
    return seen.decode("utf-8", "replace"), stdout, rc


def test_bars_on_a_terminal(tmp_path, corpus):
    db = str(tmp_path / "sw.db")
    shown, stdout, rc = _on_a_terminal(["--db", db, "import", str(corpus), *FIELDS], tmp_path)
    assert rc == 0, shown
    assert "import + cluster" in shown and "write stories" in shown and "6/6" in shown
    assert "━" in shown
    assert "6 new articles" in stdout and "\x1b[" not in stdout, "stdout stays plain"
    shown, _, rc = _on_a_terminal(["--db", db, "export", str(tmp_path / "site")], tmp_path)
    assert rc == 0 and "story pages" in shown and "2/2" in shown, shown
    out = tmp_path / "s.jsonl"
    shown, _, rc = _on_a_terminal(["batch", str(corpus), "--out", str(out), *FIELDS], tmp_path)
    assert rc == 0 and "cluster" in shown and "write stories" in shown, shown
    assert len([json.loads(line) for line in out.read_text().splitlines()]) == 2
    with NewsServer(news_site()) as site:
        assert CliRunner().invoke(main, ["--db", db, "feeds", "add", site.url("/world.atom")])
        shown, stdout, rc = _on_a_terminal(["--db", db, "poll"], tmp_path)
    assert rc == 0 and "feeds" in shown and "1/1" in shown, shown
    assert "1 feed polled" in stdout

"""The search benchmark (make bench-search) still runs: a tiny run, in its own throwaway folder."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # a benchmark in a process of its own

ROOT = Path(__file__).resolve().parents[2]


def test_benchmark_runs_small_and_reports_every_figure(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "TMPDIR": str(tmp_path), "HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "search_bench.py"), "--posts", "300", "--queries", "3",
         "--memory-queries", "50", "--json"],
        capture_output=True, text=True, timeout=300, cwd=str(ROOT), env=env,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert report["posts"] == 300
    assert report["documents"] > 300  # posts, plus lab questions, knowledge items and collectives
    assert report["documents_per_s"] > 0 and report["index_mb"] > 0
    assert set(report["queries"]) >= {"een woord", "twee woorden", "drie woorden",
                                      "gefilterd: type discussie", "gefilterd: bezoeker"}
    for figures in report["queries"].values():
        assert figures["queries"] == 3
        assert 0 <= figures["p50_ms"] <= figures["p95_ms"] <= figures["max_ms"]
    assert report["queries"]["veelvoorkomend woord"]["mean_hits"] > 0
    assert report["machine"]["cores"] >= 1
    memory = report["memory"]  # a fresh searching process, like one web worker
    assert memory["queries"] == 50 and memory["rss_mb"] > 10 and memory["private_mb"] > 10
    # it cleaned up after itself, and never wrote to the app's own index or database folders
    assert list(tmp_path.iterdir()) == []

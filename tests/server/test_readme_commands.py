"""The shell walk-throughs of the README and docs/, run as a reader would run them, against a live sandbox.

Each block marked `<!-- run by tests/server/test_readme_commands.py -->` runs in bash with `-euo pipefail`
(so any failing command fails the test), with the README's `http://127.0.0.1:8080` pointed at a
sandbox started here on a free port (and `.venv/bin/elevate-sandbox` at this interpreter's).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from elevate_sandbox.live import LiveSandbox
from elevate_sandbox.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
MARKER = "<!-- run by tests/server/test_readme_commands.py -->"
README_URL = "http://127.0.0.1:8080"


def _blocks() -> dict[str, str]:
    """The marked blocks, named by the section (heading of level 1 or 2) they stand in."""
    blocks = {}
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = page.read_text(encoding="utf-8")
        for match in re.finditer(re.escape(MARKER) + r"\n```sh\n(.*?)```", text, re.S):
            heading = re.findall(r"^##? (.+)$", text[: match.start()], re.M)[-1]
            blocks[heading] = match.group(1)
    return blocks


BLOCKS = _blocks()


def test_the_docs_mark_their_walk_throughs() -> None:
    assert set(BLOCKS) == {"Every operation, with curl", "A demo, end to end"}


@pytest.fixture(scope="module")
def live() -> Iterator[LiveSandbox]:
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    with LiveSandbox(Settings(port=0, dataset="demo", seed=0)) as sandbox:
        yield sandbox


def _run(block: str, live: LiveSandbox) -> str:
    # The README's own venv path may not be this interpreter's.
    script = block.replace(README_URL, live.base_url)
    script = script.replace(".venv/bin/elevate-sandbox", f"{sys.executable} -m elevate_sandbox")
    env = {key: value for key, value in os.environ.items() if not key.startswith("SANDBOX_")}
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, f"exit {done.returncode}\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"
    assert done.stderr == "", done.stderr
    return done.stdout


def test_every_operation_with_curl_runs_and_ends_with_the_patched_payout(live: LiveSandbox) -> None:
    lines = _run(BLOCKS["Every operation, with curl"], live).splitlines()
    assert "202" in lines  # the cancel
    assert '"reference":"HFL-PAYOUT-0402"' in lines[-1]
    assert '"thirdPartyOutboundPaymentStatus":"NEW"' in lines[-1]


def test_the_demo_walk_pays_refunds_fails_executes_and_resets(live: LiveSandbox) -> None:
    out = _run(BLOCKS["A demo, end to end"], live)
    lines = out.splitlines()
    assert lines[1:3] == ["200", "PAID"]  # the Pay button's post, then the invoice
    assert "PART_REFUNDED" in lines
    assert '"thirdPartyPaymentStatus":"FAILED"' in out
    assert "EXECUTED" in lines
    assert lines[-1] == '{"tenant":"demo-walk","seed":0,"dataset":"demo"}'

"""The dashboard's script and stylesheet are package files, inlined whole into the page it serves."""

from __future__ import annotations

import shutil
import subprocess
from importlib import resources
from typing import Any

import pytest

STATIC = resources.files("elevate_sandbox.web") / "static"


@pytest.mark.parametrize("name, tag", [("dashboard.js", "script"), ("dashboard.css", "style")])
def test_the_page_inlines_each_static_file_whole(http: Any, name: str, tag: str) -> None:
    source = (STATIC / name).read_text(encoding="utf-8")
    page = http.get("/_sandbox/").text
    assert f"<{tag}>{source}</{tag}>" in page


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_the_dashboard_script_parses_as_javascript() -> None:
    with resources.as_file(STATIC / "dashboard.js") as path:
        done = subprocess.run(["node", "--check", str(path)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr

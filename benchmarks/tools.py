"""What the benchmark needs from the machine: tools (checked and explained, never installed), facts, /proc."""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRISM_DIR = ROOT / "benchmarks" / ".prism"
PRISM_JS = PRISM_DIR / "node_modules" / "@stoplight" / "prism-cli" / "dist" / "index.js"
PRISM_PACKAGE = PRISM_DIR / "node_modules" / "@stoplight" / "prism-cli" / "package.json"
WRK_SCRIPT = ROOT / "benchmarks" / "wrk.lua"
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Missing:
    """A tool the benchmark cannot run without, and how to get it."""

    tool: str
    why: str
    fix: str


def missing_tools(with_prism: bool) -> list[Missing]:
    """Every missing tool, each with the command that installs it (nothing is installed here)."""
    missing = []
    if shutil.which("wrk") is None:
        missing.append(Missing("wrk", "the load generator", "apt-get update && apt-get install -y wrk"))
    if shutil.which("taskset") is None:
        missing.append(Missing("taskset", "pins server and load to their cores", "apt-get install -y util-linux"))
    if with_prism:
        if shutil.which("node") is None:
            missing.append(Missing("node", "runs Prism (Node.js 18 or later)", "apt-get install -y nodejs npm"))
        if not PRISM_JS.exists():
            missing.append(
                Missing(
                    "prism",
                    "Stoplight Prism 5, pinned in benchmarks/.prism/package-lock.json",
                    "npm ci --prefix benchmarks/.prism",
                )
            )
    return missing


def explain(missing: list[Missing]) -> str:
    """A message naming each missing tool and the command that installs it."""
    lines = ["The benchmark cannot run: it installs nothing itself, and these are missing:"]
    lines += [f"  - {m.tool} ({m.why}): {m.fix}" for m in missing]
    lines.append("Or run the sandbox side alone with --no-prism (still needs wrk and taskset).")
    return "\n".join(lines)


def _version(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=10, check=False)
    except OSError:
        return "unknown"
    text = (done.stdout or done.stderr).strip().splitlines()
    return text[0] if text else "unknown"


def prism_version() -> str:
    """The installed @stoplight/prism-cli version."""
    try:
        return json.loads(PRISM_PACKAGE.read_text())["version"]
    except (OSError, ValueError, KeyError):
        return "not installed"


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine() -> dict[str, object]:
    """The facts a reader needs to compare runs: cores, CPU, memory, versions, load."""
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    mem_kb = next((int(line.split()[1]) for line in meminfo if line.startswith("MemTotal")), 0)
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu_model(),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "node": _version(["node", "--version"]) if shutil.which("node") else "not installed",
        "wrk": " ".join(_version(["wrk", "--version"]).split()[:2]) if shutil.which("wrk") else "not installed",
        "prism": prism_version(),
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
    }


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def memory_mb(pid: int) -> dict[str, float]:
    """Resident memory now and at its peak (VmRSS, VmHWM), in MB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = round(int(rest.split()[0]) / 1024, 1)
    return {"rss_mb": values.get("VmRSS", 0.0), "peak_rss_mb": values.get("VmHWM", 0.0)}


def pinned(core: int, command: list[str]) -> list[str]:
    """``command`` pinned to one core (unpinned on a one-core machine)."""
    if (os.cpu_count() or 1) < 2:
        return command
    return ["taskset", "-c", str(core), *command]


def python() -> str:
    return sys.executable

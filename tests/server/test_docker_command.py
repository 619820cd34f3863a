"""The image as Docker builds and runs it, without a Docker engine (none runs in CI).

The build context is the repository filtered by `.dockerignore`; each stage's own RUN steps run in order, with the
image's paths (/src, /wheels, /opt/venv, /data) mapped into a temporary directory and a fresh venv standing in for
the base image's Python; then the final stage's CMD runs with its ENV (and compose.yaml's environment and volume)
and its HEALTHCHECK is run against it.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shlex
import shutil
import subprocess
import time
import venv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import yaml

from elevate_sandbox.live import free_port

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
IMAGE_PATHS = ("/opt/venv", "/wheels", "/src", "/data")
# What the final image must not hold: the kit's and the developers' tools.
NOT_IN_THE_IMAGE = ("pytest", "schemathesis", "hypothesis", "build", "ruff", "selenium", "openapi_spec_validator")


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [rest for key, rest in self.instructions if key == keyword]

    def one(self, keyword: str) -> str:
        found = self.all(keyword)
        assert len(found) == 1, f"expected one {keyword} in the stage FROM {self.base}, found {len(found)}"
        return found[0]


def _stages() -> list[Stage]:
    """The Dockerfile's stages, continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    stages: list[Stage] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if keyword.upper() == "FROM":
            words = rest.split()
            stages.append(Stage(words[0], words[2] if len(words) == 3 and words[1].upper() == "AS" else None))
        else:
            stages[-1].instructions.append((keyword.upper(), rest.strip()))
    return stages


def _ignored(relative: str, patterns: list[str]) -> bool:
    """Whether .dockerignore leaves ``relative`` out of the build context (a directory takes its contents along)."""
    parts = relative.split("/")
    for pattern in patterns:
        if pattern.startswith("**/"):
            if any(fnmatch.fnmatch(part, pattern[3:]) for part in parts):
                return True
        elif any(fnmatch.fnmatch("/".join(parts[:i]), pattern) for i in range(1, len(parts) + 1)):
            return True
    return False


def _dockerignore() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    return [line.strip().strip("/") for line in lines if line.strip() and not line.startswith("#")]


def _context(target: Path) -> Path:
    """A copy of the build context Docker would send."""
    patterns = _dockerignore()

    def ignore(directory: str, names: list[str]) -> set[str]:
        base = Path(directory).relative_to(ROOT)
        return {name for name in names if _ignored((base / name).as_posix().removeprefix("./"), patterns)}

    shutil.copytree(ROOT, target, ignore=ignore)
    return target


class Image:
    """The image's paths, mapped into ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.paths = {path: root / path.strip("/").replace("/", "-") for path in IMAGE_PATHS}

    def map(self, text: str) -> str:
        pattern = "|".join(re.escape(path) for path in IMAGE_PATHS)
        return re.sub(rf"(?<![\w/.-])({pattern})(?=/|\s|$|\W)", lambda m: str(self.paths[m.group(1)]), text)

    def expand(self, value: str, env: dict[str, str]) -> str:
        """``value`` mapped, with $VAR and ${VAR} taken from ``env``."""
        return re.sub(r"\$(\w+)|\$\{(\w+)\}", lambda m: env.get(m.group(1) or m.group(2), ""), self.map(value))

    def environment(self, stage: Stage, base: dict[str, str]) -> dict[str, str]:
        """``base`` with the stage's ENV applied in order ($VAR expanded from what is set so far)."""
        env = dict(base)
        for rest in stage.all("ENV"):
            for item in shlex.split(rest):
                key, value = item.split("=", 1)
                env[key] = self.expand(value, env)
        return env


def _run_step(command: str, cwd: Path, env: dict[str, str]) -> None:
    done = subprocess.run(["sh", "-c", command], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"RUN {command}\nexit {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"


def _base_env() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if not key.startswith(("SANDBOX_", "VIRTUAL_ENV"))}


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> Image:
    """Every stage's RUN steps, run in order: the wheel built from the context, installed into /opt/venv."""
    image = Image(tmp_path_factory.mktemp("image"))
    _context(image.paths["/src"])
    # The base image's Python: a fresh interpreter environment of this Python version, nothing installed.
    python = image.root / "base-python"
    venv.create(python, with_pip=True)
    for stage in _stages():
        env = _base_env()
        env["PATH"] = f"{python / 'bin'}{os.pathsep}{env['PATH']}"
        cwd = image.root  # the image's /
        for keyword, rest in stage.instructions:
            if keyword == "ENV":
                for item in shlex.split(rest):
                    key, value = item.split("=", 1)
                    env[key] = image.expand(value, env)
            elif keyword == "WORKDIR":
                mapped = Path(image.map(rest))
                cwd = mapped if mapped.is_absolute() and mapped.is_relative_to(image.root) else image.root
            elif keyword == "RUN" and rest.startswith("useradd"):
                # Creating the image's user needs root on the host; the test only needs the directory it owns.
                assert "mkdir /data" in rest
                image.paths["/data"].mkdir()
            elif keyword == "RUN":
                # --no-cache-dir keeps pip's cache out of the image's layers; here the host's cache is reused.
                _run_step(image.map(rest).replace(" --no-cache-dir", ""), cwd, env)
    return image


def test_the_image_is_two_stages_slim_unprivileged_and_documents_its_port() -> None:
    build, final = _stages()
    for stage in (build, final):
        assert re.fullmatch(r"python:3\.\d+-slim(-\w+)?", stage.base)
    assert final.base == build.base  # the wheel is built and installed by the same Python
    assert final.all("COPY") == [f"--from={build.name} /wheels /wheels"]  # the wheel, and nothing of the source
    install = final.all("RUN")[0]
    assert "pip install" in install and "-e " not in install and "[" not in install  # not editable, no extra
    assert final.all("USER")[-1] not in ("root", "0")
    assert final.one("EXPOSE") == "8080"
    assert "/_sandbox/health" in final.one("HEALTHCHECK")
    environment = [shlex.split(rest) for rest in final.all("ENV")]
    names = {item.split("=", 1)[0] for items in environment for item in items}
    assert all(name == "PATH" or name.startswith(("SANDBOX_", "PYTHON")) for name in names), names


def test_the_build_context_holds_what_the_build_needs_and_nothing_else(tmp_path: Path) -> None:
    context = _context(tmp_path / "context")
    for needed in ("pyproject.toml", "README.md", "constraints/ci.txt", "openapi/elevate-payments.yaml",
                   "sandbox/cli.py", "fixtures/demo.py", "contract_tests/conftest.py"):  # fmt: skip
        assert (context / needed).is_file(), needed
    for left_out in (".venv", ".git", "tests", "benchmarks", "docs", "dist"):
        assert not (context / left_out).exists(), left_out
    assert not list(context.rglob("__pycache__"))


def test_the_final_image_holds_the_installed_wheel_and_no_test_or_dev_tools(image: Image) -> None:
    python = image.paths["/opt/venv"] / "bin" / "python"
    probe = (
        "import importlib.metadata as m, importlib.util as u, json, elevate_sandbox;"
        f"print(json.dumps([elevate_sandbox.__file__, m.version('elevate-sandbox'), "
        f"[n for n in {list(NOT_IN_THE_IMAGE)!r} if u.find_spec(n)]]))"
    )
    done = subprocess.run([str(python), "-c", probe], capture_output=True, text=True, cwd=image.root, check=True)
    location, version, present = json.loads(done.stdout)
    assert "site-packages" in Path(location).parts  # installed, not an editable link to the source
    assert version
    assert present == []
    assert not image.paths["/wheels"].exists()  # the install step leaves no wheel behind


def _healthy(command: str, env: dict[str, str]) -> bool:
    done = subprocess.run(["sh", "-c", command], env=env, capture_output=True, timeout=30, check=False)
    return done.returncode == 0


@pytest.fixture
def serve(image: Image) -> Iterator:
    """Start the image's CMD with an environment; stops whatever it started."""
    final = _stages()[-1]
    command = json.loads(final.one("CMD"))
    healthcheck = final.one("HEALTHCHECK").partition(" CMD ")[2].strip()
    started: list[subprocess.Popen] = []

    def start(extra: dict[str, str]) -> tuple[subprocess.Popen, dict[str, str]]:
        env = image.environment(final, _base_env())
        # The image listens on 0.0.0.0, which refuses the public default secret (docs/security.md): a deployment
        # passes its own, as `docker run -e SANDBOX_JWT_SECRET=...` would (compose.yaml sets SANDBOX_INSECURE).
        env["SANDBOX_JWT_SECRET"] = "a-secret-of-this-deployment-0123456789"
        env.update({key: image.map(str(value)) for key, value in extra.items()})
        env["SANDBOX_PORT"] = str(free_port())
        assert not _healthy(healthcheck, env), "the health check must fail while nothing listens"
        server = subprocess.Popen(command, env=env, cwd=image.root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        started.append(server)
        deadline = time.monotonic() + 60
        while not _healthy(healthcheck, env):
            if server.poll() is not None:
                pytest.fail(f"{command} exited with {server.returncode}: {server.stdout.read().decode()}")
            assert time.monotonic() < deadline, "the health check did not pass within 60 s"
            time.sleep(0.2)
        return server, env

    yield start
    for server in started:
        if server.poll() is None:
            server.kill()
            server.communicate(timeout=30)


def _stop(server: subprocess.Popen) -> str:
    server.terminate()  # what `docker stop` / `docker compose down` sends
    return server.communicate(timeout=30)[0].decode()


def test_the_image_command_serves_and_passes_its_health_check(serve) -> None:
    server, env = serve({})
    assert f":{env['SANDBOX_PORT']}/v1" in _stop(server)  # the one line saying where it listens


def test_compose_keeps_the_tenants_on_its_volume_across_down_and_up(serve, image: Image) -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    service = compose["services"]["elevate-sandbox"]
    volume, _, mounted = service["volumes"][0].partition(":")
    assert volume in compose["volumes"]  # a named volume: `down` keeps it, only `down -v` deletes it
    state_file = service["environment"]["SANDBOX_STATE_FILE"]
    assert state_file.startswith(mounted + "/")

    server, env = serve(service["environment"])
    root = f"http://127.0.0.1:{env['SANDBOX_PORT']}"
    token = httpx.post(f"{root}/_sandbox/tokens", json={"tenant": "compose"}, timeout=10).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    body = {"type": "STRIPE", "name": "Kept across restarts", "status": "ACTIVE", "contractOwnerIds": [1]}
    created = httpx.post(f"{root}/v1/payment-providers", json=body, headers=headers, timeout=10)
    assert created.status_code == 201, created.text
    _stop(server)
    assert Path(image.map(state_file)).is_file()

    server, env = serve(service["environment"])
    root = f"http://127.0.0.1:{env['SANDBOX_PORT']}"
    again = httpx.get(f"{root}/v1/payment-providers/{created.json()['id']}", headers=headers, timeout=10)
    assert again.status_code == 200, again.text
    assert again.json()["name"] == "Kept across restarts"
    _stop(server)

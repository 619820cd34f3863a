"""The floor under the sandbox's request path: a bare Starlette app that answers the benchmark's
requests with the very bytes the sandbox answered, doing no other work (no auth, no validation, no data).

    python -m benchmarks.floor BYTES_JSON PORT

BYTES_JSON maps "METHOD path" to [status, body as text]; benchmarks/adapter.py writes it from the
sandbox's own answers. What the sandbox costs above this app is what its request path costs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


def app_for(answers: dict[str, list]) -> Starlette:
    by_path: dict[str, dict[str, tuple[int, bytes]]] = {}
    for key, (status, body) in answers.items():
        method, path = key.split(" ", 1)
        by_path.setdefault(path.split("?", 1)[0], {})[method] = (status, body.encode())

    def endpoint_for(path: str) -> object:
        async def endpoint(request: Request) -> Response:
            if request.method != "GET":
                await request.body()
            status, body = by_path[path][request.method]
            return Response(body, status_code=status, media_type="application/json")

        return endpoint

    routes = [Route(path, endpoint_for(path), methods=list(methods)) for path, methods in by_path.items()]
    return Starlette(routes=routes)


def main() -> None:
    answers = json.loads(Path(sys.argv[1]).read_text())
    uvicorn.run(app_for(answers), host="127.0.0.1", port=int(sys.argv[2]), http="httptools", log_level="warning",
                access_log=False, lifespan="off")  # fmt: skip


if __name__ == "__main__":
    main()

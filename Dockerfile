# The Elevate payments sandbox: a stateful local Elevate on port 8080 (`docker compose up`, or see README).
# Two stages: the first builds the wheel from the source; the second installs only that wheel (not editable,
# no [kit] or [dev] extra, no build tools) into /opt/venv. tests/server/test_docker_command.py runs these same steps.

FROM python:3.11-slim AS build
WORKDIR /src
COPY . .
# The lock (constraints/ci.txt) pins the build tools and, copied beside the wheel, what the wheel installs.
RUN pip install --no-cache-dir --disable-pip-version-check -c constraints/ci.txt build \
    && PIP_CONSTRAINT=/src/constraints/ci.txt python -m build --wheel --outdir /wheels . \
    && cp constraints/ci.txt /wheels/constraints.txt

FROM python:3.11-slim
# Configured by SANDBOX_* variables (each `elevate-sandbox serve` flag has one): SANDBOX_SEED, SANDBOX_DATASET,
# SANDBOX_JWT_SECRET, SANDBOX_FREEZE_TIME, SANDBOX_PUBLIC_URL, SANDBOX_STATE_FILE, ...
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    SANDBOX_HOST=0.0.0.0 \
    SANDBOX_PORT=8080 \
    SANDBOX_SEED=0 \
    SANDBOX_DATASET=demo

COPY --from=build /wheels /wheels
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-cache-dir --disable-pip-version-check -c /wheels/constraints.txt /wheels/*.whl \
    && rm -rf /wheels
# /data holds the state file when SANDBOX_STATE_FILE points there (compose.yaml mounts a volume on it).
RUN useradd --create-home --uid 10001 sandbox && mkdir /data && chown sandbox /data
USER sandbox
WORKDIR /home/sandbox

EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/_sandbox/health' % os.environ.get('SANDBOX_PORT', '8080'), timeout=2)"

CMD ["elevate-sandbox", "serve"]

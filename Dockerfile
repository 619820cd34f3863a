# The Elevate payments sandbox: a stateful local Elevate on port 8080 (`docker compose up`, or see README).
FROM python:3.11-slim

# Configured by SANDBOX_* variables (each `elevate-sandbox serve` flag has one): SANDBOX_SEED, SANDBOX_DATASET,
# SANDBOX_JWT_SECRET, SANDBOX_FREEZE_TIME, SANDBOX_PUBLIC_URL, SANDBOX_VALIDATE_RESPONSES, ...
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    SANDBOX_HOST=0.0.0.0 \
    SANDBOX_PORT=8080 \
    SANDBOX_SEED=0 \
    SANDBOX_DATASET=demo

WORKDIR /app
RUN useradd --create-home --uid 10001 sandbox
COPY pyproject.toml README.md ./
COPY openapi ./openapi
COPY sandbox ./sandbox
COPY fixtures ./fixtures
COPY contract_tests ./contract_tests
# Editable: the contract stays in /app/openapi, where the sandbox reads it (settings.OPENAPI_DIR).
RUN pip install -e .
USER sandbox

EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/_sandbox/health' % os.environ.get('SANDBOX_PORT', '8080'), timeout=2)"

CMD ["elevate-sandbox", "serve"]

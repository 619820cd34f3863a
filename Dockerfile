# The Elevate payments sandbox: a stateful local Elevate on port 8080.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    SANDBOX_HOST=0.0.0.0 \
    SANDBOX_PORT=8080

WORKDIR /app
COPY pyproject.toml README.md ./
COPY sandbox ./sandbox
COPY fixtures ./fixtures
COPY contract_tests ./contract_tests
COPY openapi ./openapi
RUN pip install --no-cache-dir -e . \
    && useradd --create-home --uid 10001 sandbox
USER sandbox

EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/_sandbox/health' % os.environ.get('SANDBOX_PORT', '8080'), timeout=2)"

# Configured by SANDBOX_* variables: SANDBOX_SEED, SANDBOX_DATASET, SANDBOX_JWT_SECRET, ...
CMD ["elevate-sandbox", "serve"]

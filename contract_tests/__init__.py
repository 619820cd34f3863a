"""The Elevate contract test kit: checks any implementation of the Elevate Payment and Refund API 1.39.

Run it with ``elevate-sandbox verify`` (see ``contract_tests/README.md``) or with pytest directly:
``python -m pytest contract_tests --base-url URL --token TOKEN``. The contract always comes from the
project's ``openapi/`` files, never from the target.
"""

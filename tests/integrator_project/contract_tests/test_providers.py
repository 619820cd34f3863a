"""Acme's contract: a provider it registers reads back with every field its billing code uses."""

import sandbox
from contract_tests import PROVIDER_FIELDS


def test_a_registered_provider_reads_back_with_the_fields_acme_uses(elevate_sandbox):
    with elevate_sandbox.client() as api:
        provider_id = sandbox.register_provider(api, "Acme Direct Debit")
        response = api.get(f"/payment-providers/{provider_id}")
    assert response.status_code == 200, response.text
    provider = response.json()
    assert provider.keys() >= PROVIDER_FIELDS
    assert (provider["id"], provider["name"], provider["type"]) == (provider_id, "Acme Direct Debit", "GO_CARDLESS")

"""Acme Billing's own checks of the parts of the Elevate API it relies on."""

# The provider fields Acme's billing code reads.
PROVIDER_FIELDS = {"id", "name", "type", "status"}

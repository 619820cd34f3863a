"""Business scenarios of the Elevate payment API, written as given/when/then tests."""

"""The contracts, shipped as package data: read them with importlib.resources, never by a repository path."""

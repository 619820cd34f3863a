"""The sandbox's domain: pure Python models, rules and typed errors (no HTTP, no Connexion)."""

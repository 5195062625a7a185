"""The two evaluation sets of demands and supplies, and the ranking metrics used by ``feidi match eval``."""

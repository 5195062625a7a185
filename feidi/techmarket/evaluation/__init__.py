"""Labelled demand–supply set and the ranking metrics used by ``feidi match eval``."""

"""Shared kernel: settings, database, ORM models, domain types and the Celery app.

Every other package may import from here; this package imports libraries only.
"""

"""Storage: models, sessions, queries, migrations and the baseline data.

The only layer that imports SQLAlchemy and Alembic.
"""

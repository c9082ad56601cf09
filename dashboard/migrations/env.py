"""Alembic's environment for the dashboard's migrations.

The dashboard runs its migrations itself (:mod:`dashboard.data.migrations`): it hands a
connection that already holds the import lock in ``config.attributes["connection"]``,
and everything runs in that one transaction. Developers may also run the ``alembic``
command with the ``alembic.ini`` at the project's root; then the database is
``sqlalchemy.url`` from the command line (``-x url=...``) or ``DATABASE_URL``.

``target_metadata`` is the live schema (:data:`dashboard.data.db.metadata`), used only to
compare (autogenerate, and the test that migrations and ``db.py`` agree). The migrations
in ``versions/`` never import it: each writes its change out in full.
"""

from __future__ import annotations

from alembic import context

from dashboard.data.db import metadata

config = context.config
OPTIONS = {
    "target_metadata": metadata,
    # SQLite cannot alter most of a table in place: autogenerate writes batch operations
    # (copy, change, rename), which are plain ALTERs on PostgreSQL.
    "render_as_batch": True,
    "compare_type": True,
}


def _url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url") \
        or config.get_main_option("sqlalchemy.url")
    if not url:
        from dashboard.config import load_settings

        url = load_settings().database_url
    return url


def run_offline() -> None:
    """``alembic upgrade --sql``: write the SQL instead of running it."""
    context.configure(url=_url(), literal_binds=True, dialect_opts={"paramstyle": "named"},
                      **OPTIONS)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:  # the dashboard's own call: a transaction holding the lock
        context.configure(connection=connection, **OPTIONS)
        with context.begin_transaction():
            context.run_migrations()
        return
    from dashboard.data.db import make_engine

    if config.config_file_name is not None:  # the alembic command: its logging section
        from logging.config import fileConfig

        fileConfig(config.config_file_name, disable_existing_loggers=False)
    engine = make_engine(_url())
    try:
        with engine.connect() as connection, connection.begin():
            context.configure(connection=connection, **OPTIONS)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()

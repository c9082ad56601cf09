"""The data version: of all the data, and of each agreement."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from dashboard.data import repository


def versions(engine: Engine) -> tuple[str, dict[str, str]]:
    """``(all, {agreement: version})``; one small query (the import log's ids and undos)."""
    with repository.read_transaction(engine) as conn:
        return repository.data_versions(conn)

"""Sign-in attempts, limited per login and per address, shared by every worker (the
database keeps the count).

After :data:`FREE_PER_LOGIN` failures for one login (or :data:`FREE_PER_ADDRESS` from one
address, whichever login they try) each further failure doubles the wait before the next
attempt is even looked at: 1, 2, 4 … seconds, at most :data:`MAX_WAIT` (15 minutes). A
success clears the login's count (not the address's: one's own account must not reset
the count of an address guessing others'); counts are forgotten an hour after the last
failure. A refused attempt is answered without checking the password.
"""

from __future__ import annotations

import time

from sqlalchemy.engine import Engine

from dashboard.people import store

FREE_PER_LOGIN = 5
FREE_PER_ADDRESS = 20
MAX_WAIT = 900.0
FORGET_AFTER = 3600.0


def _keys(login: str, address: str | None) -> dict[str, int]:
    keys = {f"login:{login[:280]}": FREE_PER_LOGIN}
    if address:
        keys[f"address:{address[:60]}"] = FREE_PER_ADDRESS
    return keys


def _block_for(free: int):
    def block(failures: int) -> float:
        return 0.0 if failures < free else min(2.0 ** (failures - free), MAX_WAIT)
    return block


def wait_seconds(engine: Engine, login: str, address: str | None,
                 now: float | None = None) -> int:
    """Seconds before this login may be tried from this address (0: now)."""
    now = time.time() if now is None else now
    rows = store.attempts(engine, list(_keys(login, address)))
    waits = [r["blocked_until"] - now for r in rows.values()
             if now - r["last_failure"] <= FORGET_AFTER]
    return max(0, int(max(waits, default=0.0) + 0.999))


def failed(engine: Engine, login: str, address: str | None, now: float | None = None) -> None:
    now = time.time() if now is None else now
    for key, free in _keys(login, address).items():
        store.record_failure(engine, key, now, FORGET_AFTER, _block_for(free))


def succeeded(engine: Engine, login: str) -> None:
    store.clear_attempts(engine, f"login:{login[:280]}")

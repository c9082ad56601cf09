"""Sign-in attempts, slowed per account *and* address, never a lock of the account for
everyone; shared by every worker (the database keeps the counts).

Three counts, each forgotten :data:`FORGET_AFTER` seconds after its last failure:

* ``pair:<login>|<address>``: the failures of one address at one login. After
  :data:`FREE_PER_PAIR` of them each further failure doubles the wait before that address
  may try that login again: 1, 2, 4 … seconds, at most :data:`MAX_WAIT` (15 minutes).
* ``address:<address>``: the failures of one address, whatever login it tries (guessing
  many accounts): the same doubling after :data:`FREE_PER_ADDRESS`.
* ``login:<login>``: the failures at one login from every address (guessing from many
  addresses). After :data:`FREE_PER_LOGIN` (NIST SP 800-63B: at most 100) it slows only
  the addresses that have themselves failed at that login; an address that has not (the
  person, from their own computer) is never slowed by what others did.

So the person whose login is guessed signs in from their own address with the right
password however many wrong ones others have typed. A success clears the count of that
login at that address (not the address's: one's own account must not reset the count of
an address guessing others'). A refused attempt is answered without checking the
password. An administrator sees the counts (:func:`current`) and lifts them
(:func:`lift`; the admin page and ``python -m dashboard users throttles``), audited.

Every function takes ``now`` (seconds since the epoch), so tests need no clock.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from dashboard.people import audit, store

FREE_PER_PAIR = 5
FREE_PER_ADDRESS = 20
FREE_PER_LOGIN = 100
MAX_WAIT = 900.0
FORGET_AFTER = 3600.0
KINDS = ("pair", "address", "login")


def _pair(login: str, address: str | None) -> str:
    return f"pair:{login[:230]}|{(address or '?')[:60]}"


def _keys(login: str, address: str | None) -> dict[str, int]:
    keys = {_pair(login, address): FREE_PER_PAIR, f"login:{login[:280]}": FREE_PER_LOGIN}
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
    live = {k: r for k, r in rows.items() if now - r["last_failure"] <= FORGET_AFTER}
    if _pair(login, address) not in live:  # this address has not failed at this login
        live.pop(f"login:{login[:280]}", None)
    waits = [r["blocked_until"] - now for r in live.values()]
    return max(0, int(max(waits, default=0.0) + 0.999))


def failed(engine: Engine, login: str, address: str | None, now: float | None = None) -> None:
    now = time.time() if now is None else now
    for key, free in _keys(login, address).items():
        store.record_failure(engine, key, now, FORGET_AFTER, _block_for(free))


def succeeded(engine: Engine, login: str, address: str | None = None) -> None:
    """A sign-in (or a new password): this address's count at this login is cleared; with
    no address (a new password set by an administrator) every count of the login."""
    if address is None:
        store.clear_attempts_like(engine, f"pair:{login[:230]}|")
        store.clear_attempts(engine, f"login:{login[:280]}")
    else:
        store.clear_attempts(engine, _pair(login, address))


@dataclass(frozen=True)
class Throttle:
    """One count that slows someone now or may soon."""

    key: str
    kind: str  # pair | address | login
    login: str | None
    address: str | None
    failures: int
    wait: int  # seconds before the next attempt is looked at (0: none now)
    last_failure: float

    def to_json(self) -> dict:
        return {"key": self.key, "kind": self.kind, "login": self.login,
                "address": self.address, "failures": self.failures, "wait_seconds": self.wait,
                "last_failure": self.last_failure}


def _parse(key: str) -> tuple[str, str | None, str | None]:
    kind, _, rest = key.partition(":")
    if kind == "pair":
        login, _, address = rest.rpartition("|")
        return kind, login, address
    if kind == "login":
        return kind, rest, None
    return kind, None, rest


def current(engine: Engine, now: float | None = None) -> list[Throttle]:
    """Every count not yet forgotten, those slowing someone now first."""
    now = time.time() if now is None else now
    found = []
    for row in store.all_attempts(engine):
        if now - row["last_failure"] > FORGET_AFTER:
            continue
        kind, login, address = _parse(row["key"])
        if kind not in KINDS:
            continue
        wait = max(0, int(row["blocked_until"] - now + 0.999))
        found.append(Throttle(row["key"], kind, login, address, row["failures"], wait,
                              row["last_failure"]))
    return sorted(found, key=lambda t: (-t.wait, -t.failures, t.key))


def lift(engine: Engine, *, login: str | None = None, address: str | None = None,
         key: str | None = None, actor: str, by_address: str | None = None) -> list[str]:
    """Forget counts, recorded in the audit log: a login's (at every address), an
    address's (at every login), a login's at one address (both given), or one ``key``.
    Returns the keys lifted."""
    keys = []
    for k in store.attempt_keys(engine):
        _, k_login, k_address = _parse(k)
        if key is not None:
            chosen = k == key
        elif login is not None and address is not None:
            chosen = k_login == login and k_address == address
        elif login is not None:
            chosen = k_login == login
        else:
            chosen = address is not None and k_address == address
        if chosen:
            keys.append(k)
    for k in keys:
        store.clear_attempts(engine, k)
    if keys:
        audit.record(engine, "throttle_lifted", actor=actor, obj=(login or address or key)[:254],
                     address=by_address, detail={"lifted": len(keys)})
    return keys

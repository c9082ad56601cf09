"""The SQL of accounts, roles, sessions, sign-in attempts and the audit log.

The room's one module that talks to the database (as :mod:`dashboard.data.repository` is for the
data): SQLAlchemy Core, every value bound. Functions take an engine and run in a short
transaction of their own; none of them touches the data tables or the import lock.
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import and_, delete, func, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from dashboard.data.db import account_roles, accounts, audit_log, sessions, sign_in_attempts


def now_iso(delta: dt.timedelta | None = None) -> str:
    """The time now (plus ``delta``) in UTC, ISO 8601 to the second (sorts as text)."""
    moment = dt.datetime.now(dt.UTC) + (delta or dt.timedelta())
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


# --------------------------------------------------------------------------- accounts


def _account(row) -> dict | None:
    if row is None:
        return None
    out = dict(row._mapping)
    out["is_admin"], out["disabled"] = bool(out["is_admin"]), bool(out["disabled"])
    return out


def account_by_login(engine: Engine, login: str) -> dict | None:
    with engine.connect() as conn:
        return _account(conn.execute(select(accounts).where(accounts.c.login == login))
                        .first())


def account_by_id(engine: Engine, account_id: int) -> dict | None:
    with engine.connect() as conn:
        return _account(conn.execute(select(accounts).where(accounts.c.id == account_id))
                        .first())


def any_account(engine: Engine) -> bool:
    with engine.connect() as conn:
        return conn.execute(select(accounts.c.id).limit(1)).first() is not None


def active_admin_exists(engine: Engine) -> bool:
    with engine.connect() as conn:
        return conn.execute(select(accounts.c.id).where(
            accounts.c.is_admin.is_(True), accounts.c.disabled.is_(False)).limit(1)
        ).first() is not None


def create_account(engine: Engine, login: str, name: str, password_hash: str | None,
                   is_admin: bool, source: str) -> int | None:
    """The new account's id, or ``None`` when the login is taken."""
    now = now_iso()
    try:
        with engine.begin() as conn:
            result = conn.execute(insert(accounts).values(
                login=login, name=name, password_hash=password_hash, is_admin=is_admin,
                disabled=False, source=source, created_at=now, updated_at=now))
            return int(result.inserted_primary_key[0])
    except IntegrityError:
        return None


def update_account(engine: Engine, account_id: int, **values) -> None:
    with engine.begin() as conn:
        conn.execute(update(accounts).where(accounts.c.id == account_id)
                     .values(updated_at=now_iso(), **values))


def signed_in(engine: Engine, account_id: int) -> None:
    with engine.begin() as conn:
        conn.execute(update(accounts).where(accounts.c.id == account_id)
                     .values(last_sign_in_at=now_iso()))


def list_accounts(engine: Engine) -> list[dict]:
    """Every account with its roles (``roles``: a list of dicts), by login."""
    with engine.connect() as conn:
        rows = [_account(r) for r in conn.execute(select(accounts)
                                                  .order_by(accounts.c.login))]
        roles = conn.execute(select(account_roles).order_by(
            account_roles.c.agreement_id, account_roles.c.cluster_id)).mappings().all()
    by_account: dict[int, list[dict]] = {}
    for r in roles:
        by_account.setdefault(r["account_id"], []).append(dict(r))
    for row in rows:
        row["roles"] = by_account.get(row["id"], [])
    return rows


# --------------------------------------------------------------------------- roles


def roles_of(engine: Engine, account_id: int) -> list[dict]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(
            select(account_roles.c.agreement_id, account_roles.c.cluster_id,
                   account_roles.c.role).where(account_roles.c.account_id == account_id)
        ).mappings()]


def set_role(engine: Engine, account_id: int, agreement_id: str, cluster_id: str,
             role: str, granted_by: str) -> str | None:
    """Give the role (replacing the one held at that level); the role it replaced."""
    where = and_(account_roles.c.account_id == account_id,
                 account_roles.c.agreement_id == agreement_id,
                 account_roles.c.cluster_id == cluster_id)
    with engine.begin() as conn:
        before = conn.execute(select(account_roles.c.role).where(where)).scalar()
        if before is None:
            conn.execute(insert(account_roles).values(
                account_id=account_id, agreement_id=agreement_id, cluster_id=cluster_id,
                role=role, granted_at=now_iso(), granted_by=granted_by))
        else:
            conn.execute(update(account_roles).where(where).values(
                role=role, granted_at=now_iso(), granted_by=granted_by))
    return before


def delete_roles(engine: Engine, account_id: int, agreement_id: str | None = None,
                 cluster_id: str | None = None) -> list[dict]:
    """Take away roles: all of them, those on one agreement (its clusters' too), or the
    one on a cluster. Returns what was taken."""
    conditions = [account_roles.c.account_id == account_id]
    if agreement_id is not None:
        conditions.append(account_roles.c.agreement_id == agreement_id)
    if cluster_id is not None:
        conditions.append(account_roles.c.cluster_id == cluster_id)
    with engine.begin() as conn:
        taken = [dict(r) for r in conn.execute(
            select(account_roles.c.agreement_id, account_roles.c.cluster_id,
                   account_roles.c.role).where(*conditions)).mappings()]
        conn.execute(delete(account_roles).where(*conditions))
    return taken


# --------------------------------------------------------------------------- sessions


def create_session(engine: Engine, session_id: str, account_id: int, via: str,
                   hours: float) -> None:
    now = now_iso()
    with engine.begin() as conn:
        conn.execute(delete(sessions).where(sessions.c.expires_at < now))
        conn.execute(insert(sessions).values(
            id=session_id, account_id=account_id, via=via, created_at=now, last_seen_at=now,
            expires_at=now_iso(dt.timedelta(hours=hours))))


def session_account(engine: Engine, session_id: str) -> dict | None:
    """The account of an unexpired session (with the session's ``via``, ``last_seen_at``)."""
    stmt = (select(accounts, sessions.c.via, sessions.c.last_seen_at)
            .join(sessions, sessions.c.account_id == accounts.c.id)
            .where(sessions.c.id == session_id, sessions.c.expires_at > now_iso()))
    with engine.connect() as conn:
        return _account(conn.execute(stmt).first())


def touch_session(engine: Engine, session_id: str) -> None:
    with engine.begin() as conn:
        conn.execute(update(sessions).where(sessions.c.id == session_id)
                     .values(last_seen_at=now_iso()))


def delete_session(engine: Engine, session_id: str) -> None:
    with engine.begin() as conn:
        conn.execute(delete(sessions).where(sessions.c.id == session_id))


def delete_sessions_of(engine: Engine, account_id: int) -> int:
    with engine.begin() as conn:
        return conn.execute(delete(sessions).where(sessions.c.account_id == account_id)
                            ).rowcount


# --------------------------------------------------------------------------- sign-in attempts


def attempts(engine: Engine, keys: list[str]) -> dict[str, dict]:
    with engine.connect() as conn:
        rows = conn.execute(select(sign_in_attempts)
                            .where(sign_in_attempts.c.key.in_(keys))).mappings().all()
    return {r["key"]: dict(r) for r in rows}


def record_failure(engine: Engine, key: str, now: float, forget_after: float,
                   block_for) -> dict:
    """Count one more failure for ``key`` (starting again after ``forget_after`` seconds
    without one); ``block_for(failures)`` gives the seconds to refuse the next attempt."""
    for _ in range(3):  # two workers counting the first failure of a key at once
        with engine.begin() as conn:
            row = conn.execute(select(sign_in_attempts)
                               .where(sign_in_attempts.c.key == key)).mappings().first()
            failures = 1 if row is None or now - row["last_failure"] > forget_after \
                else row["failures"] + 1
            values = {"failures": failures, "last_failure": now,
                      "blocked_until": now + block_for(failures)}
            try:
                if row is None:
                    conn.execute(insert(sign_in_attempts).values(key=key, **values))
                else:
                    conn.execute(update(sign_in_attempts)
                                 .where(sign_in_attempts.c.key == key).values(**values))
                return values
            except IntegrityError:
                continue
    return values


def clear_attempts(engine: Engine, key: str) -> None:
    with engine.begin() as conn:
        conn.execute(delete(sign_in_attempts).where(sign_in_attempts.c.key == key))


def clear_attempts_like(engine: Engine, prefix: str) -> None:
    """Forget every count whose key starts with ``prefix`` (taken literally)."""
    with engine.begin() as conn:
        keys = [k for k in conn.execute(select(sign_in_attempts.c.key)).scalars()
                if k.startswith(prefix)]
        if keys:
            conn.execute(delete(sign_in_attempts).where(sign_in_attempts.c.key.in_(keys)))


def all_attempts(engine: Engine) -> list[dict]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(sign_in_attempts)).mappings()]


def attempt_keys(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(select(sign_in_attempts.c.key)).scalars())


# --------------------------------------------------------------------------- audit log


def add_audit(engine: Engine, **values) -> int:
    """Add an entry; its id."""
    values["detail"] = json.dumps(values.get("detail") or {}, ensure_ascii=False,
                                  sort_keys=True)
    with engine.begin() as conn:
        result = conn.execute(insert(audit_log).values(at=now_iso(), **values))
        return int(result.inserted_primary_key[0])


def _audit_filters(action: str | None = None, actor: str | None = None,
                   agreement: str | None = None, since: str | None = None,
                   until: str | None = None) -> list:
    """``actor``: a part of the actor's name (case-insensitive); ``since``/``until``: the
    first and last day (``YYYY-MM-DD``, UTC) or an ISO time."""
    where = []
    if action:
        where.append(audit_log.c.action == action)
    if actor:
        pattern = "%" + actor.lower().replace("\\", "\\\\").replace("%", "\\%") \
            .replace("_", "\\_") + "%"
        where.append(func.lower(audit_log.c.actor).like(pattern, escape="\\"))
    if agreement:
        where.append(audit_log.c.agreement_id == agreement)
    if since:
        where.append(audit_log.c.at >= since)
    if until:
        if len(until) == 10:  # a day means the whole day: up to (not including) the next
            until = (dt.date.fromisoformat(until) + dt.timedelta(days=1)).isoformat()
        where.append(audit_log.c.at < until)
    return where


def audit_entries(engine: Engine, limit: int | None = 500, action: str | None = None,
                  actor: str | None = None, agreement: str | None = None,
                  since: str | None = None, until: str | None = None) -> list[dict]:
    """The newest entries first, filtered (see :func:`_audit_filters`)."""
    stmt = select(audit_log).order_by(audit_log.c.id.desc())
    for condition in _audit_filters(action, actor, agreement, since, until):
        stmt = stmt.where(condition)
    if limit:
        stmt = stmt.limit(limit)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(stmt).mappings()]


def audit_count(engine: Engine, **filters) -> int:
    stmt = select(func.count()).select_from(audit_log)
    for condition in _audit_filters(**filters):
        stmt = stmt.where(condition)
    with engine.connect() as conn:
        return conn.execute(stmt).scalar_one()


def audit_actors(engine: Engine) -> list[str]:
    """Every actor named in the log, sorted."""
    with engine.connect() as conn:
        return sorted(r[0] for r in conn.execute(select(audit_log.c.actor).distinct()))


def delete_audit_before(engine: Engine, before: str) -> int:
    """Delete the entries made before ``before`` (an ISO time); how many."""
    with engine.begin() as conn:
        return conn.execute(delete(audit_log).where(audit_log.c.at < before)).rowcount or 0

"""Accounts, roles and the audit log without a server (SQLite and PostgreSQL): rights by
role, passwords, the account operations and their refusals, the sign-in throttle, the
audit log's CSV, and that every callback of the app declares its rights."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest

from dashboard.config import PROJECT_ROOT
from dashboard.people import accounts, audit, passwords, store, throttle
from dashboard.people.accounts import AccountError
from dashboard.people.rights import ADMIN, IMPORT, SEE, SIGNED_IN, WRITE, Rights

KRAMI, STHLM = "krami-sthlm-2023", "sthlm-af-2023"


# --------------------------------------------------------------------------- rights


def rights(*roles, admin=False) -> Rights:
    return Rights.of([{"agreement_id": a, "cluster_id": c or "", "role": r}
                      for r, a, c in roles], admin=admin)


def test_what_each_role_may():
    viewer = rights(("viewer", KRAMI, None))
    member = rights(("member", KRAMI, None))
    steward = rights(("steward", KRAMI, None))
    cluster = rights(("viewer", STHLM, "jarva"))
    admin = rights(admin=True)
    table = {  # (need, agreement, cluster): who may
        (SEE, KRAMI, None): {"viewer", "member", "steward", "admin"},
        (SEE, KRAMI, "stockholm"): {"viewer", "member", "steward", "admin"},
        (SEE, STHLM, None): {"admin"},
        (SEE, STHLM, "jarva"): {"cluster", "admin"},
        (SEE, STHLM, "vallingby-city"): {"admin"},
        (WRITE, KRAMI, None): {"member", "steward", "admin"},
        (WRITE, STHLM, "jarva"): {"admin"},
        (IMPORT, KRAMI, None): {"steward", "admin"},
        (IMPORT, STHLM, None): {"admin"},
        (ADMIN, None, None): {"admin"},
        (SIGNED_IN, None, None): {"viewer", "member", "steward", "cluster", "admin"},
    }
    people = {"viewer": viewer, "member": member, "steward": steward, "cluster": cluster,
              "admin": admin}
    for (need, a, c), allowed in table.items():
        got = {name for name, r in people.items() if r.may(need, a, c)}
        assert got == allowed, (need, a, c)
    assert cluster.cluster_scopes() == [(STHLM, "jarva")]
    assert cluster.visible_agreements() == set() and admin.visible_agreements() is None
    # Two roles on one agreement: the higher one counts.
    both = rights(("viewer", KRAMI, None), ("steward", KRAMI, None))
    assert both.may(IMPORT, KRAMI)


def test_the_cache_key_names_what_is_seen_not_who_sees_it():
    a = rights(("viewer", KRAMI, None))
    b = rights(("member", KRAMI, None))
    c = rights(("viewer", KRAMI, None), ("viewer", STHLM, "jarva"))
    assert a.key() == b.key() != c.key()
    assert rights(admin=True).key() == "all" != Rights().key()


# --------------------------------------------------------------------------- passwords


def test_passwords_are_argon2id_hashes():
    hashed = passwords.hash_password("ett långt lösenord")
    assert hashed.startswith("$argon2id$")
    assert passwords.verify(hashed, "ett långt lösenord")
    assert not passwords.verify(hashed, "ett annat lösenord")
    assert not passwords.verify(None, "vad som helst")
    assert not passwords.verify("not a hash", "x")
    generated = passwords.generate()
    assert len(generated) == 16 and generated.isalnum()
    assert passwords.problem("kort") == "password_short"


# --------------------------------------------------------------------------- accounts


def test_accounts_roles_and_their_audit_entries(any_engine):
    engine = any_engine
    added = accounts.add(engine, " Anna.Andersson@Kommun.se ", actor="cli:root",
                         name="Anna  Andersson")
    assert added.login == "anna.andersson@kommun.se" and len(added.password) == 16
    row = store.account_by_login(engine, added.login)
    assert passwords.verify(row["password_hash"], added.password)
    assert row["name"] == "Anna Andersson" and not row["is_admin"]
    with pytest.raises(AccountError) as exc:
        accounts.add(engine, "anna.andersson@kommun.se", actor="x")
    assert exc.value.code == "account_exists"
    for bad in ("", "Anna Andersson", "ö-namn", "-x"):
        with pytest.raises(AccountError, match="bad_login"):
            accounts.add(engine, bad, actor="x")
    login = added.login
    done = accounts.grant(engine, login, "viewer", KRAMI, actor="admin",
                          known={KRAMI: {"stockholm"}})
    assert done.replaced is None and done.notes == []
    done = accounts.grant(engine, login, "steward", KRAMI, actor="admin")
    assert done.replaced == "viewer"
    done = accounts.grant(engine, login, "viewer", STHLM, "jarva", actor="admin",
                          known={KRAMI: set()})
    assert done.notes == ["agreement_not_stored"]
    with pytest.raises(AccountError, match="cluster_viewer_only"):
        accounts.grant(engine, login, "member", STHLM, "jarva", actor="admin")
    with pytest.raises(AccountError, match="bad_role"):
        accounts.grant(engine, login, "owner", KRAMI, actor="admin")
    with pytest.raises(AccountError, match="bad_id"):
        accounts.grant(engine, login, "viewer", "no spaces", actor="admin")
    listing = accounts.listing(engine)
    assert listing[0]["roles"] == [
        {"role": "steward", "agreement_id": KRAMI, "cluster_id": None},
        {"role": "viewer", "agreement_id": STHLM, "cluster_id": "jarva"}]
    assert "password_hash" not in json.dumps(listing)
    assert accounts.revoke(engine, login, STHLM, "jarva", actor="admin") == [
        {"agreement_id": STHLM, "cluster_id": "jarva", "role": "viewer"}]
    accounts.grant(engine, login, "viewer", KRAMI, "stockholm", actor="admin")
    # The agreement alone: its own role and its clusters' go.
    assert len(accounts.revoke(engine, login, KRAMI, actor="admin")) == 2
    assert accounts.revoke(engine, login, actor="admin") == []
    actions = [e["action"] for e in store.audit_entries(engine, None)][::-1]
    assert actions == ["account_added", "role_granted", "role_granted", "role_granted",
                       "role_revoked", "role_granted", "role_revoked", "role_revoked"]


def test_a_reset_password_or_a_disabled_account_ends_its_sessions(any_engine):
    engine = any_engine
    accounts.add(engine, "boss", actor="x", admin=True, password="Tornet-Ekorre-19")
    accounts.add(engine, "bo", actor="x", password="Bo-Tallrik-Moln-12")
    bo = store.account_by_login(engine, "bo")
    store.create_session(engine, "s1", bo["id"], "password", 1)
    assert store.session_account(engine, "s1")["login"] == "bo"
    new = accounts.reset_password(engine, "bo", actor="boss")
    assert store.session_account(engine, "s1") is None
    assert passwords.verify(store.account_by_login(engine, "bo")["password_hash"], new)
    store.create_session(engine, "s2", bo["id"], "password", 1)
    accounts.set_disabled(engine, "bo", True, actor="boss")
    assert store.session_account(engine, "s2") is None
    with pytest.raises(AccountError, match="last_admin"):
        accounts.set_disabled(engine, "boss", True, actor="boss")
    with pytest.raises(AccountError, match="last_admin"):
        accounts.set_admin(engine, "boss", False, actor="boss")
    store.create_session(engine, "old", bo["id"], "password", -1)  # expired
    assert store.session_account(engine, "old") is None


# --------------------------------------------------------------------------- throttle


def test_the_throttle_doubles_the_wait_per_login_at_an_address_and_per_address(any_engine):
    engine = any_engine
    now = 1_000_000.0
    for i in range(throttle.FREE_PER_PAIR - 1):
        throttle.failed(engine, "anna", "10.0.0.1", now + i)
        assert throttle.wait_seconds(engine, "anna", "10.0.0.1", now + i) == 0
    waits = []
    for i in range(4):
        t = now + 10 + i * 100
        throttle.failed(engine, "anna", "10.0.0.1", t)
        waits.append(throttle.wait_seconds(engine, "anna", "10.0.0.1", t))
    assert waits == [1, 2, 4, 8]
    # Never a lock for everyone: Anna from her own address is not slowed.
    assert throttle.wait_seconds(engine, "anna", "10.0.0.2", now + 310) == 0
    assert throttle.wait_seconds(engine, "bo", "10.0.0.1", now + 310) == 0  # another login
    throttle.succeeded(engine, "anna", "10.0.0.1")
    assert throttle.wait_seconds(engine, "anna", "10.0.0.1", now + 310) == 0
    # One address trying many logins.
    for i in range(throttle.FREE_PER_ADDRESS):
        throttle.failed(engine, f"user{i}", "10.6.6.6", now + i)
    last = now + throttle.FREE_PER_ADDRESS - 1
    assert throttle.wait_seconds(engine, "someone", "10.6.6.6", last) == 1
    # Forgotten an hour after the last failure; the wait never passes 15 minutes.
    assert throttle.wait_seconds(engine, "someone", "10.6.6.6",
                                 last + throttle.FORGET_AFTER + 1) == 0
    for i in range(40):
        throttle.failed(engine, "cap", None, now + i)
    assert throttle.wait_seconds(engine, "cap", None, now + 40) <= throttle.MAX_WAIT


def test_many_addresses_guessing_one_login_are_slowed_but_not_its_owner(any_engine):
    """NIST SP 800-63B: at most 100 failures at one account; past them every address that
    failed there waits, the owner's own address (no failure) does not."""
    engine = any_engine
    now = 2_000_000.0
    for i in range(throttle.FREE_PER_LOGIN):
        throttle.failed(engine, "cy", f"10.9.{i // 200}.{i % 200}", now + i)
    t = now + throttle.FREE_PER_LOGIN
    throttle.failed(engine, "cy", "10.9.9.9", t)
    assert throttle.wait_seconds(engine, "cy", "10.9.0.1", t) >= 1  # one of the guessers
    assert throttle.wait_seconds(engine, "cy", "10.9.9.9", t) >= 1
    assert throttle.wait_seconds(engine, "cy", "192.0.2.1", t) == 0  # the owner
    shown = {(x.kind, x.login, x.address) for x in throttle.current(engine, t)}
    assert ("login", "cy", None) in shown and ("pair", "cy", "10.9.9.9") in shown
    lifted = throttle.lift(engine, login="cy", actor="test")
    assert "login:cy" in lifted and len(lifted) == throttle.FREE_PER_LOGIN + 2
    assert throttle.wait_seconds(engine, "cy", "10.9.9.9", t) == 0
    assert store.audit_entries(engine, action="throttle_lifted")[0]["object"] == "cy"


# --------------------------------------------------------------------------- audit log


def test_the_audit_log_holds_ids_and_its_csv_is_formula_safe(any_engine):
    engine = any_engine
    audit.record(engine, "sign_in", actor="=HYPERLINK(\"x\")", address="127.0.0.1",
                 detail={"via": "password"})
    audit.record(engine, "import", actor="anna", agreement=KRAMI, obj="12",
                 detail={"rows": {"occupancy": 4}, "file": audit.file_name("data.xlsx")})
    with pytest.raises(ValueError):
        audit.record(engine, "made_up", actor="x")
    assert audit.file_name("lista-19121212-1212.xlsx") is None
    assert audit.file_name("krami-2024.xlsx") == "krami-2024.xlsx"
    entries = store.audit_entries(engine, None)
    text = audit.csv_text(entries, "sv")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:4] == ["id", "at", "actor", "action"]
    actors = {r[2] for r in rows[1:]}
    assert "'=HYPERLINK(\"x\")" in actors and "anna" in actors
    assert rows[1][-1] == "Import" and audit.detail_text(entries[0]["detail"]) == \
        "file: data.xlsx; rows: occupancy 4"


# --------------------------------------------------------------------------- one mechanism

CHECK_CALLBACKS = """
import tempfile
from dashboard.web.app import create_app
from dashboard.web.auth.guard import ROUTER_OUTPUT, rule_of
folder = tempfile.mkdtemp()
app = create_app({"database_url": f"sqlite:///{folder}/a.sqlite", "load_demo": False,
                  "secret_key": "k" * 40})
app.server.test_client().get("/_dash-dependencies")  # Dash moves the callbacks in
server_side = {k: v for k, v in app.callback_map.items() if "callback" in v}
print(len(server_side))
for key, entry in server_side.items():
    if ROUTER_OUTPUT not in key and rule_of(entry["callback"]) is None:
        print("UNGUARDED", key)
from dashboard.web.pages import admin, audit, upload
for view in ("upload_file", "audit_csv"):
    print(view, rule_of(app.server.view_functions[view]).need)
"""


def test_every_callback_and_route_declares_its_rights():
    """Every server-side callback of the app has a rule (dashboard.web.auth.guard); the gate
    refuses one that has none, and this test finds it first. In a process of its own:
    Dash moves callbacks into the first app that starts (the browser tests' app)."""
    out = subprocess.run([sys.executable, "-c", CHECK_CALLBACKS], cwd=PROJECT_ROOT,
                         capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr[-2000:]
    lines = out.stdout.splitlines()
    assert int(lines[0]) >= 14
    assert [x for x in lines if x.startswith("UNGUARDED")] == []
    assert "upload_file import" in lines and "audit_csv admin" in lines

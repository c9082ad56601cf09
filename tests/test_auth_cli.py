"""``python -m dashboard users add|grant|revoke|list`` as contract section 8 says, on
SQLite: exit codes, a generated password printed once (alone on standard
output), ``--password-stdin``, ``list --format json``, and the audit log's entries."""

from __future__ import annotations

import json
import sys

from dashboard.people import passwords, store
from tests.cli import run_cli, run_process


def users(url: str, *args: str, stdin: str | None = None):
    """``python -m dashboard users ARGS`` (its ``main(argv)``, in this process)."""
    return run_cli(url, "users", *args, stdin=stdin)


def test_users_commands(db_url, engine):
    url = db_url  # the store itself is tested on both databases (test_auth.py)
    out = users(url, "add", "Anna", "--name", "Anna Andersson", "--admin")
    assert out.returncode == 0, out.stderr
    password = out.stdout.strip()
    assert len(password) == 16 and "\n" not in password
    assert "Kontot ”anna” är skapat (administratör)." in out.stderr
    assert passwords.verify(store.account_by_login(engine, "anna")["password_hash"], password)
    out = users(url, "add", "bo", "--password-stdin", stdin="bos-eget-losenord\n")
    assert out.returncode == 0 and out.stdout == ""
    assert passwords.verify(store.account_by_login(engine, "bo")["password_hash"],
                            "bos-eget-losenord")
    assert users(url, "add", "bo").returncode == 1  # taken
    assert users(url, "add", "cy", "--password-stdin", stdin="kort\n").returncode == 1
    out = users(url, "grant", "bo", "--role", "steward", "--agreement", "krami-sthlm-2023")
    assert out.returncode == 0 and "bo: dataförvaltare för krami-sthlm-2023" in out.stdout
    assert "finns inte i databasen än" in out.stderr  # an empty database: noted, granted
    out = users(url, "grant", "bo", "--role", "viewer", "--agreement", "sthlm-af-2023",
                "--cluster", "jarva")
    assert out.returncode == 0
    out = users(url, "grant", "bo", "--role", "member", "--agreement", "sthlm-af-2023",
                "--cluster", "jarva")
    assert out.returncode == 2 and "bara ha läsare" in out.stderr
    assert users(url, "grant", "bo", "--role", "owner", "--agreement", "x").returncode == 2
    assert users(url, "grant", "nobody", "--role", "viewer", "--agreement", "x").returncode \
        == 1
    out = users(url, "list", "--format", "json")
    assert out.returncode == 0
    listed = {a["login"]: a for a in json.loads(out.stdout)}
    assert listed["anna"]["admin"] is True and listed["anna"]["roles"] == []
    assert listed["bo"]["roles"] == [
        {"role": "steward", "agreement_id": "krami-sthlm-2023", "cluster_id": None},
        {"role": "viewer", "agreement_id": "sthlm-af-2023", "cluster_id": "jarva"}]
    text = users(url, "list").stdout.splitlines()
    assert text[0].split("\t") == ["användare", "namn", "admin", "status", "roller"]
    out = users(url, "revoke", "bo", "--agreement", "sthlm-af-2023", "--cluster", "jarva")
    assert out.returncode == 0 and "läsare för sthlm-af-2023/jarva borttagen" in out.stdout
    out = users(url, "revoke", "bo")
    assert out.returncode == 0 and "dataförvaltare för krami-sthlm-2023" in out.stdout
    assert users(url, "revoke", "bo").stdout.strip() == "bo hade ingen sådan roll."
    assert users(url, "--help").returncode == 0
    entries = store.audit_entries(engine, None)
    assert {e["actor"] for e in entries} <= {f"cli:{a}" for a in _os_users()} | {"cli"}
    assert [e["action"] for e in entries][::-1] == [
        "account_added", "account_added", "role_granted", "role_granted", "role_revoked",
        "role_revoked"]


def test_users_as_a_process(db_url, engine):
    """``python -m dashboard users add`` as a shell runs it: the generated password alone
    on standard output, what was done on standard error."""
    out = run_process(db_url, "users", "add", "Anna", "--name", "Anna Andersson", "--admin")
    assert out.returncode == 0, out.stderr
    password = out.stdout.strip()
    assert len(password) == 16 and "\n" not in password
    assert "Kontot ”anna” är skapat (administratör)." in out.stderr
    assert passwords.verify(store.account_by_login(engine, "anna")["password_hash"], password)


def _os_users() -> set[str]:
    import getpass

    try:
        return {getpass.getuser()}
    except Exception:  # noqa: BLE001
        return set()


# --------------------------------------------------------------------------- users password


def main_of(url: str, monkeypatch, capsys, *args: str, stdin: str = "",
            lang: str = "sv") -> tuple[int, str, str]:
    """``python -m dashboard users ARGS`` in this process (the CLI's own ``main``): its exit
    code, standard output and standard error."""
    import io

    from dashboard.cli.main import main

    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("DASHBOARD_LANG", raising=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    capsys.readouterr()
    code = main(["--lang", lang, "users", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_users_password_is_the_way_back_in(any_db_url, any_engine, monkeypatch, capsys):
    """Contract section 8 (amended), on SQLite and PostgreSQL: a password from standard
    input, or one generated and printed once (alone on standard output); the account's
    sessions end and its failed sign-ins are forgotten; an unknown login is said, exit 1."""
    from dashboard.people import accounts, throttle

    url, engine = any_db_url, any_engine
    accounts.add(engine, "anna", actor="test", admin=True, password="Första-Lyktan-31")
    anna = store.account_by_login(engine, "anna")
    store.create_session(engine, "a" * 64, anna["id"], "password", 8)
    for _ in range(7):  # she tried, and tried again: the throttle holds her back
        throttle.failed(engine, "anna", "10.0.0.1")
    assert throttle.wait_seconds(engine, "anna", "10.0.0.1") > 0

    code, out, err = main_of(url, monkeypatch, capsys, "password", "Anna", "--password-stdin",
                             stdin="Nya-Lyktan-Strand-32\n")
    assert (code, out) == (0, "")
    assert err.splitlines() == ["Nytt lösenord för ”anna”; kontots inloggningar är avslutade."]
    hashed = store.account_by_login(engine, "anna")["password_hash"]
    assert passwords.verify(hashed, "Nya-Lyktan-Strand-32")
    assert not passwords.verify(hashed, "Första-Lyktan-31")
    assert store.session_account(engine, "a" * 64) is None  # signed out everywhere
    assert throttle.wait_seconds(engine, "anna", "10.0.0.1") == 0

    code, out, err = main_of(url, monkeypatch, capsys, "password", "anna")
    generated = out.strip()
    assert code == 0 and out == generated + "\n" and len(generated) == 16
    assert "Lösenordet (visas bara nu) står på nästa rad:" in err
    assert passwords.verify(store.account_by_login(engine, "anna")["password_hash"], generated)

    # Refusals: nothing changes.
    code, out, err = main_of(url, monkeypatch, capsys, "password", "nobody", "--password-stdin",
                             stdin="ett-bra-losenord\n")
    assert (code, out, err) == (1, "", "Kontot ”nobody” finns inte.\n")
    code, _, err = main_of(url, monkeypatch, capsys, "password", "nobody", lang="en")
    assert (code, err) == (1, "The account 'nobody' does not exist.\n")
    code, _, err = main_of(url, monkeypatch, capsys, "password", "anna", "--password-stdin",
                           stdin="kort\n")
    assert code == 1 and "minst" in err
    code, _, err = main_of(url, monkeypatch, capsys, "password", "anna", "--password-stdin")
    assert (code, err) == (1, "Inget lösenord på standard in.\n")
    code, _, _ = main_of(url, monkeypatch, capsys, "password", "Inte Ett Namn")
    assert code == 2
    assert passwords.verify(store.account_by_login(engine, "anna")["password_hash"], generated)
    resets = [e for e in store.audit_entries(engine, None) if e["action"] == "password_reset"]
    assert len(resets) == 2 and all(e["actor"].startswith("cli") for e in resets)
    assert all(e["object"] == "anna" for e in resets)

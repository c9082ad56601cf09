"""The newcomer's path (README): the app's log says when it loaded the demo data and from
where; a command on an empty database says how to load the demo; every command README
shows works as written after ``make run`` (no activated environment needed)."""

from __future__ import annotations

import logging
import re
import subprocess

from dashboard.config import DATA_DIR, PROJECT_ROOT, load_settings
from dashboard.data import repository
from dashboard.data.db import make_engine
from dashboard.web.app import load_demo
from tests.cli import run_cli


def test_the_log_says_the_demo_data_was_loaded_from_where(tmp_path, caplog):
    url = f"sqlite:///{tmp_path / 'fresh.sqlite'}"
    engine = make_engine(url)
    repository.ensure_schema(engine)
    with caplog.at_level(logging.INFO, logger="dashboard.web.app"):
        results = load_demo(engine, load_settings({"database_url": url}))
    engine.dispose()
    assert len(results) == 4 and all(r.ok for r in results)
    (line,) = [r.getMessage() for r in caplog.records if "demo" in r.getMessage()]
    assert line.startswith("Loaded the demo data (4 of 4 workbooks) from "
                           f"{(DATA_DIR / 'demo').resolve()} into the empty database {url}.")
    assert "delete the database" in line and "LOAD_DEMO=0" in line


def test_the_log_hides_a_database_password(tmp_path, caplog, monkeypatch):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.sqlite'}")
    monkeypatch.setattr(engine, "url", engine.url.set(drivername="postgresql",
                                                      username="u", password="secret"))
    settings = load_settings({"demo_dir": tmp_path})  # no workbooks there
    with caplog.at_level(logging.INFO, logger="dashboard.web.app"):
        load_demo(engine, settings)
    assert "secret" not in caplog.text and "***" in caplog.text


def cli(db_url: str, *args: str) -> subprocess.CompletedProcess:
    """``python -m dashboard ARGS`` (its ``main(argv)``, in this process)."""
    return run_cli(db_url, *args)


def test_a_command_on_an_empty_database_says_how_to_load_the_demo(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    out = cli(url, "kpis", "--agreement", "krami-sthlm-2023", "--period", "2023")
    assert out.returncode == 1
    assert f"Databasen {url} är tom" in out.stderr
    assert "make load-demo" in out.stderr and "make run" in out.stderr
    out = cli(url, "--lang", "en", "export", "--agreement", "krami-sthlm-2023",
              "--period", "2023", "--out", str(tmp_path / "out"))
    assert out.returncode == 1
    assert f"The database {url} is empty" in out.stderr and "make load-demo" in out.stderr
    out = cli(url, "imports")
    assert out.returncode == 0
    assert "Inga importer ännu." in out.stdout and "make load-demo" in out.stdout


def test_an_unknown_agreement_in_a_loaded_database_still_lists_the_stored_ones(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    engine = make_engine(url)
    repository.ensure_schema(engine)
    load_demo(engine, load_settings({"database_url": url}))
    engine.dispose()
    out = cli(url, "kpis", "--agreement", "finns-inte", "--period", "2023")
    assert out.returncode == 1
    assert "krami-sthlm-2023" in out.stderr and "är tom" not in out.stderr


def readme_commands() -> list[str]:
    """The shell commands of README's code blocks (continued lines joined)."""
    text = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", text, flags=re.S)
    return [line.strip() for block in blocks
            for line in block.replace("\\\n", " ").splitlines() if line.strip()]


def test_readme_commands_work_without_an_activated_environment():
    commands = readme_commands()
    assert len(commands) > 5
    bare = [c for c in commands if re.match(r"(python3?|pytest|ruff|gunicorn)\b", c)]
    assert bare == [], "README runs these without the project's environment (.venv/bin/…)"
    # Every make target README names exists.
    makefile = (PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][a-z0-9-]*):", makefile, flags=re.M))
    named = {m for c in commands for m in re.findall(r"\bmake ([a-z][a-z0-9-]*)", c)}
    assert named and named <= targets, named - targets

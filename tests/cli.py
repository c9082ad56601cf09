"""The command line in the test process: :func:`dashboard.cli.main` with ``argv``.

``python -m dashboard ARGS`` as a process costs seconds per call (the interpreter and the
package imported again); :func:`run_cli` calls the same ``main(argv)`` that
``python -m dashboard`` calls, with the environment a shell would give it
(``DATABASE_URL``, no ``DASHBOARD_LANG`` unless asked), standard input from a string, and
returns what a process would: exit code, standard output and standard error (a
:class:`Ran`, read as :class:`subprocess.CompletedProcess` is). A usage error (argparse's
``SystemExit``) gives its exit code, as the process would; any other exception is
raised, failing the test (a process would have printed a traceback).

Each command group keeps one test that runs it as a real process (``python -m dashboard``,
marked ``subprocess`` by :mod:`tests.conftest`), so that the way in stays tested too.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from dataclasses import dataclass


@dataclass
class Ran:
    """What a command gave: as :class:`subprocess.CompletedProcess`."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str


@contextlib.contextmanager
def environment(values: dict[str, str | None]):
    """``os.environ`` with ``values`` set (``None``: removed) for a while; only those
    keys are touched (threads of the test process, such as a served app, may read it)."""
    saved = {key: os.environ.get(key) for key in values}

    def put(items):
        for key, value in items.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value

    put(values)
    try:
        yield
    finally:
        put(saved)


def run_cli(db_url: str | None, *args: str, lang: str | None = None,
            stdin: str | None = None, **env: str) -> Ran:
    """``python -m dashboard *args`` on ``db_url``, in this process."""
    from dashboard.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    values: dict[str, str | None] = {"DASHBOARD_LANG": lang, **env}
    if db_url is not None:
        values["DATABASE_URL"] = db_url
    saved_stdin = sys.stdin
    sys.stdin = io.StringIO(stdin or "")
    try:
        with environment(values), contextlib.redirect_stdout(out), \
                contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exc:  # argparse: usage errors (2) and --help (0)
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None
                                                                    else 1)
                if exc.code is not None and not isinstance(exc.code, int):
                    print(exc.code, file=sys.stderr)
    finally:
        sys.stdin = saved_stdin
    return Ran(["python", "-m", "dashboard", *args], code, out.getvalue(), err.getvalue())


def run_process(db_url: str, *args: str, lang: str | None = None, stdin: str | None = None,
                timeout: float = 120, **env: str):
    """``python -m dashboard *args`` as a process of its own (the smoke tests): a
    :class:`subprocess.CompletedProcess`."""
    import subprocess

    from dashboard.config import PROJECT_ROOT

    environ = {k: v for k, v in os.environ.items() if k != "DASHBOARD_LANG"}
    environ.update({"DATABASE_URL": db_url, **env})
    if lang:
        environ["DASHBOARD_LANG"] = lang
    return subprocess.run([sys.executable, "-m", "dashboard", *args], input=stdin,
                          capture_output=True, text=True, env=environ, cwd=PROJECT_ROOT,
                          timeout=timeout)

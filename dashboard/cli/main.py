"""Command line: ``python -m dashboard <command>`` (contract.md section 4).

Commands: ``import``, ``kpis``, ``imports``, ``undo``, ``template``, ``export``, ``mail``
(a meeting's pre-read by e-mail, :mod:`dashboard.cli.mail`), ``db``,
``audit prune`` (the audit log's retention, :func:`dashboard.people.audit.prune`),
``users`` (accounts and roles, :mod:`dashboard.cli.users`), ``meetings`` (steering meetings,
:mod:`dashboard.cli.meetings`), ``kolada`` (municipal statistics, :mod:`dashboard.cli.kolada`).
Exit codes: 0 success, 1 refused (bad data, unknown agreement, a database that cannot be
used as it is), 2 wrong usage. Messages are in Swedish unless ``--lang en`` or
``DASHBOARD_LANG=en``. Every command that reads or writes data first checks the database
(:func:`dashboard.data.startup.open_database`): an outdated schema is refused with the command
that upgrades it, except where the settings let it upgrade itself.

``import`` reads within the limits of the settings (``MAX_IMPORT_MB``, ``MAX_TABLE_ROWS``,
``MAX_WORKBOOK_CELLS``, ``MAX_WORKBOOK_PART_MB``); run as its own program (``python -m
dashboard``) it imports in a child process whose memory is capped (``IMPORT_MEMORY_MB``,
:mod:`dashboard.data.ingest.capped`), so that a file no limit foresaw stops the import with
a message, not the machine.
"""

from __future__ import annotations

import argparse
import csv
import functools
import json
import logging
import sys
import time
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from dashboard.cli.common import resolve
from dashboard.config import load_settings
from dashboard.data import repository
from dashboard.data.ingest import import_dataset, undo_import
from dashboard.data.ingest.capped import import_capped
from dashboard.data.startup import StartupError, database_message, open_database
from dashboard.domain.kpis import KpiValue, compute_kpis
from dashboard.domain.safety import safe_cell
from dashboard.i18n import _, column_heads, known
from dashboard.people import audit

log = logging.getLogger(__name__)


class _Parser(argparse.ArgumentParser):
    """argparse, whose usage errors never say back an identity number (contract section 6:
    an argument typed in the wrong place would otherwise be echoed)."""

    def error(self, message: str):
        from dashboard.domain.pnr import in_typed_text

        if in_typed_text(message):
            message = ("ett argument ser ut att innehålla ett personnummer (visas inte) / "
                       "an argument looks like a personal identity number (not shown)")
        super().error(message)


@functools.cache
def _parser() -> argparse.ArgumentParser:
    """The command line's parser, made once per process (parsing leaves it as it was)."""
    from dashboard.cli.meetings import meeting_id

    p = _Parser(prog="python -m dashboard",
                                description="Samverkan dashboard: import, key figures, export.")
    p.add_argument("--lang", choices=["sv", "en"], help="language of messages (default sv)")
    sub = p.add_subparsers(dest="command", required=True)

    imp = sub.add_parser("import", help="import a workbook (.xlsx) or a folder of CSV files")
    imp.add_argument("path", type=Path)
    imp.add_argument("--replace", action="store_true",
                     help="replace all stored rows of the imported tables for the file's "
                          "agreements (default: upsert by key)")

    k = sub.add_parser("kpis", help="print the key figures of a period")
    k.add_argument("--agreement", required=True)
    k.add_argument("--period", required=True)
    k.add_argument("--cluster")
    k.add_argument("--format", choices=["json", "csv"], default="json")

    sub.add_parser("imports", help="the import log")

    u = sub.add_parser("undo", help="undo an import")
    u.add_argument("import_id", type=int)

    t = sub.add_parser("template", help="write an empty workbook with every sheet and column")
    t.add_argument("out", type=Path)

    e = sub.add_parser("export", help="write the meeting pack of an agreement and period, "
                                      "or of a steering meeting (--meeting)")
    e.add_argument("--agreement", help="required unless --meeting")
    e.add_argument("--period", help="required unless --meeting")
    e.add_argument("--meeting", type=meeting_id,
                   help="the pack of a steering meeting, from its own (frozen) figures")
    e.add_argument("--cluster")
    e.add_argument("--out", required=True, type=Path)
    e.add_argument("--format", default="png,svg,docx,pptx,pdf",
                   help="comma-separated: png (1920x1080 and print 3840x2160), svg, docx, "
                        "pptx, pdf (the minutes, tagged PDF/A-3); the pack also holds "
                        "SHA256SUMS")
    e.add_argument("--per-cluster", action="store_true",
                   help="add one slide (and chart) per cluster to an agreement's pack")

    a = sub.add_parser("audit", help="the audit log: delete entries older than the retention")
    audit_sub = a.add_subparsers(dest="audit_command", required=True)
    prune = audit_sub.add_parser("prune", help="delete the entries older than "
                                               "AUDIT_RETENTION_DAYS (default 730) days")
    prune.add_argument("--days", type=int,
                       help="keep this many days instead of AUDIT_RETENTION_DAYS (0: keep all)")

    from dashboard.cli.db import add_parser as add_db_parser
    from dashboard.cli.users import add_parser as add_users_parser

    add_db_parser(sub)
    add_users_parser(sub)
    from dashboard.cli.meetings import add_parser as add_meetings_parser

    add_meetings_parser(sub)
    from dashboard.cli.mail import add_parser as add_mail_parser

    add_mail_parser(sub, meeting_id)
    from dashboard.cli.kolada import add_parser as add_kolada_parser

    add_kolada_parser(sub)
    return p


def main(argv: list[str] | None = None, own_process: bool = False) -> int:
    """Run one command; ``own_process``: this process is the command's own (``python -m
    dashboard``): an import runs in a capped child (in a test's process, in that process)."""
    args = _parser().parse_args(argv)
    settings = load_settings()
    lang = args.lang or settings.lang
    if args.command == "template":
        from dashboard.data.template import write_template

        path = write_template(args.out, lang)
        print(_("cli.main.template", lang, path=path))
        return 0
    if args.command == "db":
        from dashboard.cli.db import run as run_db

        return run_db(args, settings, lang)
    try:
        engine = open_database(settings, lang)
    except StartupError as exc:
        print(exc, file=sys.stderr)
        return exc.exit_code
    try:
        if args.command == "import":
            code = _import(engine, args, lang, settings.import_limits, own_process)
            return code or _compute_ahead(settings, lang)
        if args.command == "kpis":
            return _kpis(engine, args, lang)
        if args.command == "imports":
            return _imports(engine, lang)
        if args.command == "undo":
            return _undo(engine, args, lang) or _compute_ahead(settings, lang)
        if args.command == "audit":
            return _audit_prune(engine, args, lang, settings.audit_retention_days)
        if args.command == "export":
            from dashboard.cli.export import run_export

            return run_export(engine, args, lang, settings)
        if args.command == "mail":
            from dashboard.cli.mail import run_mail

            return run_mail(engine, args, lang, settings)
        if args.command == "users":
            from dashboard.cli.users import run as run_users

            return run_users(args, engine, lang)
        if args.command == "meetings":
            from dashboard.cli.meetings import run as run_meetings

            return run_meetings(args, engine, lang)
        if args.command == "kolada":
            from dashboard.cli.kolada import run as run_kolada

            return run_kolada(args, engine, lang, settings)
    except SQLAlchemyError as exc:  # the database went away during the command
        print(database_message(exc, settings.database_url, lang), file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    return 2


def _compute_ahead(settings, lang: str) -> int:
    """After an import or an undo: the portfolio of the new data version computed into the
    shared figure cache (``CACHE_DIR`` or ``REDIS_URL``), so that the first person after it
    (and after a start) reads it kept instead of waiting for it. Running servers compute it
    too when they see the new version (dashboard/store/warm.py); this covers an import made
    while none runs. ``WARM_CACHE=0`` or no shared cache: nothing. A failure here never
    fails the import: the first person asking computes it, as before. Returns 0."""
    if not settings.warm_cache or (settings.cache_dir == "" and not settings.redis_url):
        return 0
    started = time.perf_counter()
    try:
        from dashboard.store.warm import warm_everyone
        from dashboard.web.app import create_app

        web = logging.getLogger("dashboard.web")
        level = web.level
        web.setLevel(logging.ERROR)  # what the app says at its start is not the import's
        try:
            app = create_app()
        finally:
            web.setLevel(level)
        warm_everyone(app.server)
    except Exception:  # noqa: BLE001 - computing ahead is a courtesy, the import is done
        log.warning("the portfolio could not be computed ahead", exc_info=True)
        print(_("cli.main.ahead_failed", lang), file=sys.stderr)
        return 0
    print(_("cli.main.ahead", lang, seconds=f"{time.perf_counter() - started:.1f}"))
    return 0


def _agreements_of(engine, import_id: int) -> list[str]:
    """The agreements an import touched, from the import log."""
    with repository.read_transaction(engine) as conn:
        entry = repository.get_import(conn, import_id)
    return json.loads(entry["agreements_json"] or "[]") if entry else []


def _import(engine, args, lang: str, limits, capped: bool) -> int:
    run = import_capped if capped else import_dataset
    result = run(engine, args.path, replace=args.replace, limits=limits)
    for w in result.warnings:
        print(f"{_('cli.main.warning', lang)}: {w.message(lang)}", file=sys.stderr)
    if not result.ok:
        audit.record(engine, "import_refused", actor=audit.cli_actor(),
                     detail={"problems": len(result.problems),
                             "file": audit.file_name(Path(args.path).name)})
        print(_("cli.main.refused", lang, n=len(result.problems)), file=sys.stderr)
        for p in result.problems:
            print(f"  - {p.message(lang)}", file=sys.stderr)
        return 1
    agreements = _agreements_of(engine, result.import_id)
    audit.record(engine, "import", actor=audit.cli_actor(),
                 agreement=agreements[0] if len(agreements) == 1 else None,
                 obj=str(result.import_id),
                 detail={"agreements": agreements, "rows": result.rows,
                         "mode": "replace" if args.replace else "upsert",
                         "file": audit.file_name(Path(args.path).name)})
    print(_("cli.main.imported", lang, id=result.import_id, source=result.source))
    width = max(len(n) for n in result.rows)
    for name, n in result.rows.items():
        word = _("cli.main.row" if n == 1 else "cli.main.rows", lang)
        extra = result.replaced.get(name)
        tail = f" ({_('cli.main.replaced', lang, n=extra)})" if extra else ""
        print(f"  {name:<{width}}  {n:>6} {word}{tail}")
    return 0


def _kpis(engine, args, lang: str) -> int:
    data, period, error = resolve(engine, args.agreement, args.period, args.cluster, lang)
    if error:
        print(error[0], file=sys.stderr)
        return error[1]
    values = compute_kpis(data, period, args.cluster)
    rows = [_with_period_as_asked(v, args.period) for v in values]
    if args.format == "json":
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        writer = csv.DictWriter(sys.stdout, fieldnames=list(KpiValue.CONTRACT_FIELDS),
                                lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: ("" if v is None else safe_cell(v)) for k, v in row.items()})
    return 0


def _with_period_as_asked(value: KpiValue, asked: str) -> dict:
    row = value.contract_dict()
    row["period"] = asked
    return row


def _imports(engine, lang: str) -> int:
    log = repository.list_imports(engine)
    if log.empty:
        print(_("cli.main.no_imports", lang))
        if repository.list_agreements(engine).empty:
            print(_("cli.common.load_demo", lang))
        return 0
    head = column_heads("cli.main.log_head", lang)
    print("\t".join(head))
    for rec in log.to_dict("records"):
        rows = json.loads(rec["rows_json"])
        rows_text = ", ".join(f"{k} {v}" for k, v in rows.items())
        status = _(f"cli.main.status_{rec['status']}", lang) \
            if known(f"cli.main.status_{rec['status']}") else rec["status"]
        # Tab-separated: it may end up in a spreadsheet, so the file name is made safe.
        print("\t".join([str(rec["id"]), rec["imported_at"], rec["mode"], status,
                         safe_cell(rec["file_name"]), rows_text, rec["file_sha256"][:12]]))
    return 0


def _undo(engine, args, lang: str) -> int:
    agreements = _agreements_of(engine, args.import_id)
    result = undo_import(engine, args.import_id)
    one = agreements[0] if len(agreements) == 1 else None
    if not result.ok:
        audit.record(engine, "undo_refused", actor=audit.cli_actor(), agreement=one,
                     obj=str(args.import_id), detail={"problems": len(result.problems)})
        print(_("cli.main.undo_failed", lang), file=sys.stderr)
        for p in result.problems:
            print(f"  - {p.message(lang)}", file=sys.stderr)
        return 1
    audit.record(engine, "undo", actor=audit.cli_actor(), agreement=one,
                 obj=str(args.import_id),
                 detail={"agreements": agreements, "restored": result.restored})
    restored = ", ".join(f"{k} {v}" for k, v in result.restored.items()) or "0"
    print(_("cli.main.undone", lang, id=args.import_id, restored=restored))
    return 0


def _audit_prune(engine, args, lang: str, retention_days: int) -> int:
    days = retention_days if args.days is None else args.days
    if days < 0:
        print(_("cli.main.audit_bad_days", lang), file=sys.stderr)
        return 2
    if days == 0:
        print(_("cli.main.audit_keep_all", lang))
        return 0
    deleted = audit.prune(engine, days, actor=audit.cli_actor())
    print(_("cli.main.audit_pruned", lang, n=deleted, days=days))
    return 0


if __name__ == "__main__":
    sys.exit(main())

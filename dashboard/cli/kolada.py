"""``python -m dashboard kolada …``: municipal statistics from Kolada (contract.md §9).

``import FILE...`` stores the values of saved API v3 responses (pages in any order, the
same value twice stored once, a newer value of a key replacing the stored one); a file that
is not such a response is refused by name with what is wrong, and nothing is stored.
``fetch --kpi KPI[,KPI] [--year YYYY[..YYYY]] [--municipality ID,...]`` asks the API at
``KOLADA_URL`` for the stored agreements' municipalities (and the country, ``0000``) and
stores the answer like ``import``; offline it says so and exits 1. ``show --agreement ID
[--period YYYY] [--format json]`` prints the agreement's municipalities' and the country's
values (JSON: a list of ``{"municipality", "kpi", "period", "gender", "value"}``).

Exit codes: 0 done, 1 refused (a broken file, no answer from Kolada, an unknown agreement),
2 wrong usage (a key figure, year or municipality that is not one).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from dashboard.data import kolada as kolada_data
from dashboard.data import repository
from dashboard.domain import kolada
from dashboard.domain.places import municipality_name
from dashboard.i18n import _, column_heads, fmt_number
from dashboard.people import audit


def add_parser(sub) -> None:
    k = sub.add_parser("kolada", help="municipal statistics from Kolada: import saved "
                                      "responses, fetch from the API, show")
    cmd = k.add_subparsers(dest="kolada_command", required=True)

    i = cmd.add_parser("import", help="store the values of saved API v3 responses "
                                      "(one page per file, any order)")
    i.add_argument("files", nargs="+", type=Path)

    f = cmd.add_parser("fetch", help="ask Kolada's API (KOLADA_URL) and store the answer")
    f.add_argument("--kpi", required=True, help="Kolada key figures, e.g. N03937,N31807")
    f.add_argument("--year", help="YYYY or YYYY..YYYY (default: every year Kolada has)")
    f.add_argument("--municipality",
                   help="SCB codes, comma-separated (default: the stored agreements' "
                        "municipalities); the country (0000) is always asked too")

    s = cmd.add_parser("show", help="an agreement's municipalities' values and the country's")
    s.add_argument("--agreement", required=True)
    s.add_argument("--period", help="a year, YYYY (default: every year stored)")
    s.add_argument("--format", choices=["table", "json"], default="table")
    for parser in (i, f, s):
        parser.add_argument("--lang", choices=["sv", "en"], default=argparse.SUPPRESS,
                            help="language of messages (default sv)")


def run(args: argparse.Namespace, engine, lang: str, settings) -> int:
    """The ``kolada`` command; returns the exit code (a message, never a traceback)."""
    if args.kolada_command == "import":
        return _import(args, engine, lang)
    if args.kolada_command == "fetch":
        return _fetch(args, engine, lang, settings)
    return _show(args, engine, lang)


def _stored(result, lang: str) -> None:
    print(_("cli.kolada.stored", lang, values=result.values, pages=result.pages,
            added=result.stored.added, changed=result.stored.changed,
            same=result.stored.same))


def _import(args, engine, lang: str) -> int:
    try:
        result = kolada_data.import_files(engine, args.files)
    except kolada_data.KoladaFileError as exc:
        print(_("cli.kolada.refused", lang, file=exc.file,
                problem=_(f"cli.kolada.bad_{exc.code}", lang, **exc.params)),
              file=sys.stderr)
        return 1
    audit.record(engine, "kolada_import", actor=audit.cli_actor(),
                 detail={"files": len(args.files), "values": result.values})
    _stored(result, lang)
    return 0


def _codes(text: str | None) -> list[str]:
    return [c.strip() for c in (text or "").split(",") if c.strip()]


def _fetch(args, engine, lang: str, settings) -> int:
    kpis = _codes(args.kpi)
    wrong = [k for k in kpis if not kolada.is_kpi(k)]
    if not kpis or wrong:
        print(_("cli.kolada.bad_kpi_arg", lang, value=", ".join(wrong)[:60]), file=sys.stderr)
        return 2
    try:
        years = kolada.years(args.year)
    except ValueError:
        print(_("cli.kolada.bad_year_arg", lang), file=sys.stderr)
        return 2
    places = _codes(args.municipality) if args.municipality else \
        repository.kolada_municipalities(engine)
    wrong = [m for m in places if not kolada.is_municipality(m)]
    if wrong:
        print(_("cli.kolada.bad_municipality_arg", lang, value=", ".join(wrong)[:60]),
              file=sys.stderr)
        return 2
    places = list(dict.fromkeys([*places, kolada.COUNTRY]))
    try:
        result = kolada_data.fetch(engine, settings.kolada_url, kpis, places, years,
                                   timeout=settings.kolada_timeout,
                                   retries=settings.kolada_retries,
                                   backoff=settings.kolada_backoff)
    except kolada_data.KoladaUnreachable as exc:
        print(_("cli.kolada.offline", lang, url=settings.kolada_url, reason=exc.reason,
                tries=settings.kolada_retries + 1), file=sys.stderr)
        return 1
    except kolada_data.KoladaAnswerError as exc:
        problem = _("cli.kolada.http", lang, status=exc.params.get("status")) \
            if exc.code == "http" else _(f"cli.kolada.bad_{exc.code}", lang, **exc.params)
        print(_("cli.kolada.bad_answer", lang, url=settings.kolada_url, problem=problem),
              file=sys.stderr)
        return 1
    audit.record(engine, "kolada_fetch", actor=audit.cli_actor(),
                 detail={"kpis": kpis, "municipalities": len(places), "values": result.values})
    _stored(result, lang)
    return 0


def _show(args, engine, lang: str) -> int:
    agreement = repository.get_agreement(engine, args.agreement)
    if agreement is None:
        print(_("cli.kolada.no_agreement", lang), file=sys.stderr)
        return 1
    year = None
    if args.period:
        try:
            found = kolada.years(args.period)
        except ValueError:
            found = []
        if len(found) != 1:
            print(_("cli.kolada.bad_year_arg", lang), file=sys.stderr)
            return 2
        year = found[0]
    places = [*kolada.municipalities_of(agreement.get("municipalities")), kolada.COUNTRY]
    rows = kolada.show_rows(repository.kolada_values_of(engine, places),
                            agreement.get("municipalities"), year)
    if args.format == "json":
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    if not rows:
        print(_("cli.kolada.none_stored", lang))
        return 0
    print("\t".join(column_heads("cli.kolada.show_head", lang)))
    for r in rows:
        value = kolada.NOT_PUBLISHED if r["value"] is None else fmt_number(r["value"], 1, lang)
        place = _("ui.kolada.country", lang) if r["municipality"] == kolada.COUNTRY \
            else municipality_name(r["municipality"])
        print("\t".join([r["kpi"], place, str(r["period"]), r["gender"], value]))
    print(_("ui.kolada.source", lang, years=_years_text(rows)))
    return 0


def _years_text(rows: list[dict]) -> str:
    years = sorted({r["period"] for r in rows})
    return str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}"

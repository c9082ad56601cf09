"""``python -m dashboard meetings …``: steering meetings on the command line (contract §7).

``add`` prints the new meeting's id; ``checkin``, ``decide`` and ``close`` say what was
written; ``list`` and ``show`` print a table or, with ``--format json``, the contract's
JSON (``show``: ``{"meeting": {...}, "figures": [...], "checkins": [...], "decisions":
[...], "actions": [...]}``, the figures with the fields of ``kpis``). ``done`` marks an
action done (or, with ``--undo``, not done) in an open meeting. The command line runs with
the server's rights; what it writes is signed ``--by`` or ``cli:<user>``.

Exit codes: 0 done, 1 refused (no such meeting, a closed meeting, an identity number in
a text, not a target of the meeting), 2 wrong usage (a date or period that is not one).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys

from dashboard.cli.common import one_line, print_listing
from dashboard.i18n import (
    _,
    column_heads,
    date_label,
    fmt_value,
    kpi_label,
    status_label,
    target_label,
)
from dashboard.meetings import service, store
from dashboard.meetings.model import ASSESSMENTS, TargetKey
from dashboard.meetings.record import MeetingRecord, load
from dashboard.meetings.rights import cli_writer
from dashboard.meetings.service import MeetingError
from dashboard.meetings.texts import assessment_label, revised_note

log = logging.getLogger(__name__)

def meeting_id(text: str) -> int:
    """A meeting's (or an action's) number; argparse's refusal never echoes what was typed
    (it might be an identity number)."""
    try:
        return int(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError("not a number (ett nummer)") from None


def add_parser(sub) -> None:
    m = sub.add_parser("meetings", help="steering meetings: add, check in, decide, close, "
                                        "list, show")
    cmd = m.add_subparsers(dest="meetings_command", required=True)

    a = cmd.add_parser("add", help="a new meeting of an agreement; prints its id")
    a.add_argument("--agreement", required=True)
    a.add_argument("--period", required=True)
    a.add_argument("--date", required=True, help="YYYY-MM-DD")
    a.add_argument("--title", default="")
    a.add_argument("--attendees", default="", help="who attended (text)")
    a.add_argument("--by")

    c = cmd.add_parser("checkin", help="the group's assessment of a target")
    c.add_argument("meeting", type=meeting_id)
    c.add_argument("--kpi", required=True)
    c.add_argument("--cluster")
    c.add_argument("--party")
    c.add_argument("--role", help="the staffing role of a target on one role")
    # Checked by the service (a wrong one is said back without echoing it).
    c.add_argument("--assessment", required=True, metavar="|".join(ASSESSMENTS))
    c.add_argument("--comment", required=True)
    c.add_argument("--by")

    d = cmd.add_parser("decide", help="a decision, optionally about a target and with an "
                                      "action")
    d.add_argument("meeting", type=meeting_id)
    d.add_argument("--text", required=True)
    d.add_argument("--kpi")
    d.add_argument("--cluster")
    d.add_argument("--party")
    d.add_argument("--role", help="with --kpi: the staffing role of a target on one role")
    d.add_argument("--action")
    d.add_argument("--owner", help="a party or a name")
    d.add_argument("--due", help="YYYY-MM-DD")
    d.add_argument("--by")

    x = cmd.add_parser("close", help="freeze the meeting's figures and close it")
    x.add_argument("meeting", type=meeting_id)
    x.add_argument("--by")

    n = cmd.add_parser("done", help="mark an action done (in an open meeting)")
    n.add_argument("meeting", type=meeting_id)
    n.add_argument("action", type=meeting_id)
    n.add_argument("--undo", action="store_true", help="mark it not done")
    n.add_argument("--by")

    li = cmd.add_parser("list", help="an agreement's meetings")
    li.add_argument("--agreement", required=True)
    li.add_argument("--format", choices=["table", "json"], default="table")

    s = cmd.add_parser("show", help="a meeting: figures, check-ins, decisions, actions")
    s.add_argument("meeting", type=meeting_id)
    s.add_argument("--format", choices=["table", "json"], default="table")
    for parser in (a, c, d, x, n, li, s):  # also after the command: meetings show 1 --lang en
        parser.add_argument("--lang", choices=["sv", "en"], default=argparse.SUPPRESS,
                            help="language of messages (default sv)")


def run(args: argparse.Namespace, engine, lang: str) -> int:
    """The ``meetings`` command; returns the exit code (a message, never a traceback)."""
    from sqlalchemy.exc import SQLAlchemyError

    try:
        return _COMMANDS[args.meetings_command](args, engine, lang)
    except MeetingError as exc:
        print(exc.message(lang), file=sys.stderr)
        return exc.exit_code
    except SQLAlchemyError:
        raise  # the database went away: dashboard.cli.main says so
    except Exception as exc:  # noqa: BLE001 - a message, never a traceback
        log.debug("meetings failed", exc_info=True)
        print(_("meetings.failed", lang, error=type(exc).__name__), file=sys.stderr)
        return 1


def _add(args, engine, lang: str) -> int:
    meeting_id = service.create(engine, args.agreement, args.period, args.date, args.title,
                                args.attendees, cli_writer(args.by))
    print(meeting_id)
    return 0


def _checkin(args, engine, lang: str) -> int:
    key = TargetKey(args.kpi, args.cluster or None, args.party or None, args.role or None)
    service.checkin(engine, args.meeting, key, args.assessment, args.comment,
                    cli_writer(args.by))
    print(_("meetings.checked_in", lang, meeting=args.meeting, target=named(key, lang),
             assessment=assessment_label(args.assessment, lang)))
    return 0


def _decide(args, engine, lang: str) -> int:
    key = TargetKey(args.kpi, args.cluster or None, args.party or None,
                    args.role or None) if args.kpi else None
    action = (args.action, args.owner, args.due) if (args.action or args.owner or args.due) \
        else None
    decision_id, action_id = service.decide(engine, args.meeting, args.text, key, action,
                                            cli_writer(args.by))
    if action_id is None:
        print(_("meetings.decided", lang, id=decision_id, meeting=args.meeting))
    else:
        print(_("meetings.decided_action", lang, id=decision_id, action=action_id,
                 meeting=args.meeting))
    return 0


def _close(args, engine, lang: str) -> int:
    from dashboard.i18n import date_label

    meeting, frozen = service.close(engine, args.meeting, cli_writer(args.by))
    print(_("meetings.closed", lang, id=meeting.id, n=len(frozen["figures"]),
             as_of=date_label(frozen.get("data_as_of"), lang)))
    return 0


def _done(args, engine, lang: str) -> int:
    action = service.set_done(engine, args.meeting, args.action, not args.undo,
                              cli_writer(args.by))
    print(_("meetings.action_done", lang, id=action.id,
             state=_("meetings.done" if action.done else "meetings.not_done", lang).lower()))
    return 0


def _list(args, engine, lang: str) -> int:
    from dashboard.data import repository

    if repository.get_agreement(engine, args.agreement) is None and \
            not store.list_meetings(engine, args.agreement):
        raise MeetingError("no_agreement", id=args.agreement)
    meetings = store.list_meetings(engine, args.agreement)
    counts = store.counts(engine, [m.id for m in meetings])

    def cells(m) -> list:
        c = counts[m.id]
        status = _("meetings.status_closed" if m.closed else "meetings.status_open", lang).lower()
        return [m.id, m.held_on, m.period, status, one_line(m.title), c["checkins"],
                c["decisions"], c["actions"]]

    return print_listing(meetings, args.format, heads=column_heads("meetings.list_head", lang),
                         cells=cells,
                         as_json=lambda m: {**m.to_dict(), **counts[m.id]})


def show_json(record: MeetingRecord, lang: str = "sv") -> dict:
    """The contract's JSON of a meeting (``meetings show --format json``): the figures with
    the fields of ``kpis``; ``meeting`` also holds ``revised`` (the figures the data gives
    differently since closing, with the note in ``lang``) and ``since_last``."""
    meeting = record.meeting
    head = meeting.to_dict()
    head["data_as_of"] = record.data_as_of
    head["previous_meeting_id"] = record.previous.id if record.previous else None
    head["revised"] = [{"agreement_id": v.agreement_id, "cluster_id": v.cluster_id,
                        "party_id": v.party_id, "role": v.role, "kpi": v.kpi,
                        "value_then": v.value,
                        "status_then": v.status, "value_now": today.value,
                        "status_now": today.status, "note": revised_note(v, today, lang)}
                       for v, today in record.revisions()]
    since = record.since()
    head["since_last"] = since.to_dict() if since is not None else None
    head["decision_effects"] = [e.to_dict() for e in record.effects()]
    figures = []
    for v in record.figures:
        row = v.contract_dict()
        row["period"] = meeting.period
        figures.append(row)
    actions = []
    for a in record.actions:
        row = a.to_dict()
        row["overdue"] = record.is_overdue(a)
        row["carried"] = a.carried(meeting.id)
        actions.append(row)
    return {"meeting": head, "figures": figures,
            "checkins": [c.to_dict() for c in record.checkins],
            "decisions": [d.to_dict() for d in record.decisions], "actions": actions}


def _show(args, engine, lang: str) -> int:
    record = load(engine, args.meeting, lang, trends=False)  # the text shows no strips
    if record is None:
        raise MeetingError("no_meeting", id=args.meeting)
    if args.format == "json":
        json.dump(show_json(record, lang), sys.stdout, ensure_ascii=False, indent=2,
                  default=_json_default)
        sys.stdout.write("\n")
        return 0
    for line in show_lines(record, lang):
        print(line)
    return 0


def _json_default(value):
    from dashboard.meetings.frozen import plain

    return plain(value)


def show_lines(record: MeetingRecord, lang: str) -> list[str]:
    """The meeting as text: what, when, each target with its status and assessment,
    decisions and actions."""
    m = record.meeting
    state = _("meetings.status_closed" if m.closed else "meetings.status_open", lang)
    out = [f"{_('meetings.meeting', lang)} {m.id}: {m.title or '–'} ({m.held_on})",
           f"{m.agreement_id} · {_('meetings.period_reviewed', lang)}: {m.period} · {state}"]
    if m.attendees:
        out.append(f"{_('meetings.attendees', lang)}: {one_line(m.attendees)}")
    out += since_lines(record, lang)
    out += effect_lines(record, lang)
    out.append("")
    out.append(_("meetings.targets", lang))
    for v in record.targets():
        where = f"{v.cluster_id}: " if v.cluster_id else ""
        party = f" – {v.party_id}" if v.party_id else ""
        party += f" – {v.role}" if v.role else ""  # a target on one staffing role
        line = (f"  {where}{kpi_label(v.kpi, lang)}{party}: {fmt_value(v.value, v.unit, lang)} "
                f"{status_label(v.status, lang, v.comparator)}")
        today = record.revised(v) if m.closed else None
        if today is not None:
            line += f" ({revised_note(v, today, lang)})"
        out.append(line)
        c = record.checkin(TargetKey.of(v))
        if c is not None:
            out.append(f"    {_('meetings.assessment_short', lang)}: "
                       f"{assessment_label(c.assessment, lang)} – {one_line(c.comment)} "
                       f"({c.written_by}, {c.written_at[:10]})")
    out.append("")
    out.append(_("meetings.decisions", lang))
    out += [f"  {d.id}. {one_line(d.text)}" for d in record.decisions] or \
        [f"  {_('meetings.no_decisions', lang)}"]
    out.append("")
    out.append(_("meetings.actions", lang))
    for a in record.actions:
        state = _("meetings.done" if a.done else "meetings.not_done", lang)
        late = f" {_('meetings.overdue', lang)}" if record.is_overdue(a) else ""
        out.append(f"  {a.id}. {one_line(a.text)} – {a.owner} – {a.due} – {state}{late}")
    if not record.actions:
        out.append(f"  {_('meetings.no_actions', lang)}")
    return out


def effect_lines(record: MeetingRecord, lang: str) -> list[str]:
    """Each earlier decision tied to a target: the target at the decision and now."""
    effects = record.effects()
    if not effects:
        return []
    out = ["", _("meetings.effects", lang)]
    for e in effects:
        then = fmt_value(e.then.value, e.then.unit, lang) if e.then else "–"
        now = fmt_value(e.now.value, e.now.unit, lang) if e.now else "–"
        out.append("  " + _("meetings.effect_line", lang, date=date_label(e.decided_on, lang),
                             text=one_line(e.decision.text), target=e.key.text, then=then,
                             now=now))
    return out


def named(key: TargetKey, lang: str) -> str:
    """A target by its name, then the code it is typed with: ``Järva: Beläggning
    (occupancy@jarva)``, ``Faktiska årsarbetskrafter – vägledare (fte_actual#vägledare)``."""
    where = f"{key.cluster_id}: " if key.cluster_id else ""
    return f"{where}{target_label(key.kpi, lang, key.party_id, key.role)} ({key.text})"


def since_lines(record: MeetingRecord, lang: str) -> list[str]:
    """Since the meeting before: targets that changed status, open actions, new imports."""
    since = record.since()
    if since is None:
        return []
    p = since.previous
    out = ["", _("meetings.since_last", lang),
           "  " + _("meetings.since_intro", lang, date=p.held_on, title=p.title or "–",
                     period=p.period)]
    for row in since.changed:
        then = status_label(row.then.status, lang, row.then.comparator) if row.then else "–"
        now = status_label(row.now.status, lang, row.now.comparator) if row.now else "–"
        out.append(f"  {_('meetings.changed_status', lang)}: {named(row.key, lang)}: "
                   f"{then} → {now}")
    if not since.changed:
        out.append(f"  {_('meetings.no_changes', lang)}")
    overdue = {a.id for a in since.overdue}
    for a in since.open_actions:
        late = f" {_('meetings.overdue', lang)}" if a.id in overdue else ""
        out.append(f"  {_('meetings.open_actions', lang)}: {a.id}. {one_line(a.text)} – "
                   f"{a.owner} – {a.due}{late}")
    for i in since.imports:
        out.append(f"  {_('meetings.data_since', lang)}: {i['imported_at'][:10]} {i['file_name']}")
    return out


_COMMANDS = {"add": _add, "checkin": _checkin, "decide": _decide, "close": _close,
             "done": _done, "list": _list, "show": _show}

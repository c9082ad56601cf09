"""``python -m dashboard users add|grant|revoke|list|password`` (contract section 8).

    users add LOGIN [--name NAME] [--admin] [--password-stdin]
        the password from standard input, else a generated one printed once (alone on
        standard output, so that a script can take it; what was done goes to standard error)
    users grant LOGIN --role steward|member|viewer --agreement ID [--cluster ID]
    users revoke LOGIN [--agreement ID] [--cluster ID]
        every role of the account, those on an agreement (its clusters' too), or one cluster's
    users list [--format json]
    users password LOGIN [--password-stdin]
        a new password: from standard input, else a generated one printed once (as for
        ``add``); the account's sessions end. The way back in for an administrator who
        lost theirs (a disabled account stays disabled: ``admin`` in the app opens it)
    users throttles [--format json]
        the sign-in delays now (dashboard/people/throttle.py): what is slowed (a login at
        one address, an address, a login), its failures and the seconds left
    users throttles --lift [--login LOGIN] [--address ADDRESS]
        forget the delays of a login (at every address), of an address, or of a login at
        one address; in the audit log

The command line runs on the server with the server's rights; what it does is in the audit
log as ``cli:<the operating system's user>``. Exit codes as every command: 0 done, 1 refused
(no such account, a login taken, a password too short), 2 wrong usage.
"""

from __future__ import annotations

import argparse
import sys

from sqlalchemy.engine import Engine

from dashboard.cli.common import one_line, print_listing
from dashboard.data import repository
from dashboard.i18n import _, column_heads
from dashboard.people import accounts, throttle
from dashboard.people.accounts import AccountError
from dashboard.people.audit import cli_actor
from dashboard.people.rights import ROLES

USAGE_ERRORS = {"bad_role", "bad_id", "cluster_viewer_only", "cluster_needs_agreement",
                "bad_login"}

def add_parser(sub) -> None:
    users = sub.add_parser("users", help="accounts and their roles (contract section 8)")
    actions = users.add_subparsers(dest="users_command", required=True)
    add = actions.add_parser("add", help="add an account")
    add.add_argument("login")
    add.add_argument("--name", default="")
    add.add_argument("--admin", action="store_true", help="an administrator (everything)")
    add.add_argument("--password-stdin", action="store_true",
                     help="read the password from standard input (else one is generated)")
    grant = actions.add_parser("grant", help="give a role on an agreement or a cluster")
    grant.add_argument("login")
    grant.add_argument("--role", required=True, choices=list(ROLES))
    grant.add_argument("--agreement", required=True)
    grant.add_argument("--cluster", help="viewers only: the one cluster they see")
    revoke = actions.add_parser("revoke", help="take roles away")
    revoke.add_argument("login")
    revoke.add_argument("--agreement")
    revoke.add_argument("--cluster")
    listing = actions.add_parser("list", help="every account and its roles")
    listing.add_argument("--format", choices=["text", "json"], default="text")
    password = actions.add_parser("password", help="set a new password (the way back in)")
    password.add_argument("login")
    password.add_argument("--password-stdin", action="store_true",
                          help="read the password from standard input (else one is "
                               "generated and printed once)")
    throttles = actions.add_parser("throttles",
                                   help="the sign-in delays now, and lifting them")
    throttles.add_argument("--format", choices=["text", "json"], default="text")
    throttles.add_argument("--lift", action="store_true",
                           help="forget the delays of --login and/or --address (audited)")
    throttles.add_argument("--login", help="with --lift: this login's delays")
    throttles.add_argument("--address", help="with --lift: this address's delays")


def scope_text(agreement_id: str, cluster_id: str | None) -> str:
    return f"{agreement_id}/{cluster_id}" if cluster_id else agreement_id


def role_word(role: str, lang: str) -> str:
    return _('access.' + (f"role_{role}"), lang)


def _stdin_password(lang: str) -> str | None:
    """The first line of standard input (None, said, when there is none)."""
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        print(_("cli.users.empty_stdin", lang), file=sys.stderr)
        return None
    return password


def run(args: argparse.Namespace, engine: Engine, lang: str) -> int:
    actor = cli_actor()
    try:
        if args.users_command == "add":
            password = None
            if args.password_stdin:
                password = _stdin_password(lang)
                if password is None:
                    return 1
            added = accounts.add(engine, args.login, actor=actor, name=args.name,
                                 admin=args.admin, password=password)
            print(_("cli.users.added", lang, login=added.login,
                     admin=_("cli.users.as_admin", lang) if args.admin else ""), file=sys.stderr)
            if added.password:
                print(_("cli.users.password_once", lang), file=sys.stderr)
                print(added.password, flush=True)
            return 0
        if args.users_command == "grant":
            known = _known(engine)
            done = accounts.grant(engine, args.login, args.role, args.agreement, args.cluster,
                                  actor=actor, known=known)
            replaced = _("cli.users.replaced", lang, role=role_word(done.replaced, lang)) \
                if done.replaced and done.replaced != done.role else ""
            print(_("cli.users.granted", lang, login=done.login, role=role_word(done.role, lang),
                     scope=scope_text(done.agreement_id, done.cluster_id or None),
                     replaced=replaced))
            for note in done.notes:
                print(_(f"access.{note}", lang), file=sys.stderr)
            return 0
        if args.users_command == "revoke":
            taken = accounts.revoke(engine, args.login, args.agreement, args.cluster,
                                    actor=actor)
            login = accounts.normalise_login(args.login)
            if not taken:
                print(_("cli.users.nothing", lang, login=login))
            for r in taken:
                print(_("cli.users.revoked", lang, login=login, role=role_word(r["role"], lang),
                         scope=scope_text(r["agreement_id"], r["cluster_id"] or None)))
            return 0
        if args.users_command == "password":
            return _password(engine, args, actor, lang)
        if args.users_command == "throttles":
            return _throttles(engine, args, actor, lang)
        return _list(engine, args.format, lang)
    except AccountError as exc:
        params = {k: role_word(v, lang) if k == "role" and v in ROLES else v
                  for k, v in exc.params.items()}
        print(_(f"access.{exc.code}", lang, **params), file=sys.stderr)
        return 2 if exc.code in USAGE_ERRORS else 1


def _password(engine: Engine, args: argparse.Namespace, actor: str, lang: str) -> int:
    """``users password``: the account is looked up before standard input is read."""
    from dashboard.people import store

    login = accounts.check_login(args.login)
    row = store.account_by_login(engine, login)
    if row is None:
        raise AccountError("no_account", login=login)
    password = None
    if args.password_stdin:
        password = _stdin_password(lang)
        if password is None:
            return 1
    generated = accounts.reset_password(engine, row["login"], actor=actor, password=password)
    print(_("cli.users.password_set", lang, login=row["login"]), file=sys.stderr)
    if row["disabled"]:
        print(_("cli.users.still_disabled", lang), file=sys.stderr)
    if generated:
        print(_("cli.users.password_once", lang), file=sys.stderr)
        print(generated, flush=True)
    return 0


def _throttles(engine: Engine, args: argparse.Namespace, actor: str, lang: str) -> int:
    """``users throttles``: list the sign-in delays, or lift some (``--lift``)."""
    if args.lift:
        login = accounts.normalise_login(args.login) if args.login else None
        if args.login and login is None:
            raise AccountError("bad_login", login=args.login[:60])
        if login is None and not args.address:
            print(_("cli.users.lift_what", lang), file=sys.stderr)
            return 2
        lifted = throttle.lift(engine, login=login, address=args.address, actor=actor)
        print(_("cli.users.lifted", lang, n=len(lifted), what=login or args.address)
              if lifted else _("cli.users.nothing_to_lift", lang))
        return 0
    return print_listing(
        throttle.current(engine), args.format,
        heads=column_heads("cli.users.throttles_head", lang),
        empty=_("cli.users.no_throttles", lang), as_json=lambda t: t.to_json(),
        cells=lambda t: [_(f"access.throttle_{t.kind}", lang), t.login or "", t.address or "",
                         t.failures, t.wait])


def _known(engine: Engine) -> dict[str, set[str]]:
    """Stored agreements and their clusters (a grant notes one not stored yet)."""
    known: dict[str, set[str]] = {a: set() for a in
                                  repository.list_agreements(engine)["agreement_id"]}
    clusters = repository.list_clusters(engine)
    for a, c in zip(clusters["agreement_id"], clusters["cluster_id"], strict=True):
        known.setdefault(a, set()).add(c)
    return known


def _list(engine: Engine, fmt: str, lang: str) -> int:
    def cells(r: dict) -> list:
        roles = ", ".join(f"{role_word(x['role'], lang)}:"
                          f"{scope_text(x['agreement_id'], x['cluster_id'])}"
                          for x in r["roles"])
        return [r["login"], one_line(r["name"]), _("cli.users.yes", lang) if r["admin"] else "",
                _("cli.users.disabled" if r["disabled"] else "cli.users.active", lang), roles]

    return print_listing(accounts.listing(engine), fmt, heads=column_heads("cli.users.head", lang),
                         empty=_("cli.users.none", lang), cells=cells)

"""``/admin``: accounts and roles (admins only; to others the page does not exist).

List every account with its roles; add an account (its generated password shown once);
the very first account, made by the local administrator (``make run`` before any account),
is an administrator who chooses their own password (typed twice) or is shown the generated
one once, and is then asked to sign in as themself: from that moment the local
administrator is gone, so the page shows nothing that would call the server again;
give a role on an agreement (a viewer: on one cluster, if wanted) and take roles away;
reset a password (shown once; the account's sessions end); disable or enable an account
(disabling ends its sessions at once); make or unmake an admin (never the last one); see
the sign-in delays now (:mod:`dashboard.people.throttle`: a login at an address, an
address, a login) and lift one. The same functions as ``python -m dashboard users``
(:mod:`dashboard.people.accounts`), with the same audit entries.
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, dcc, html, no_update

from dashboard.data import repository
from dashboard.data.context import engine
from dashboard.i18n import _, column_heads, document_title, lang_of, swedish_time
from dashboard.people import accounts, passwords, throttle
from dashboard.people.accounts import AccountError
from dashboard.people.rights import ROLES
from dashboard.web import auth
from dashboard.web.components.cards import page_frame
from dashboard.web.components.links import href
from dashboard.web.ids import clicked

dash.register_page(__name__, order=6, path="/admin", title="Administration",
                   name="Administration", rights="admin")

STATE, MESSAGE, TABLE = "admin-state", "admin-message", "admin-accounts"
NEW_LOGIN, NEW_NAME, NEW_ADMIN, NEW_BUTTON = ("new-login", "new-name", "new-admin",
                                              "new-account")
NEW_PASSWORD, NEW_CONFIRM, FIRST_FIELDS, FORMS = ("new-password", "new-password-again",
                                                  "first-password-fields", "admin-forms")
G_LOGIN, G_ROLE, G_AGREEMENT, G_CLUSTER, G_BUTTON = ("grant-login", "grant-role",
                                                     "grant-agreement", "grant-cluster",
                                                     "grant-role-button")
WHOLE = "__whole__"
THROTTLES = "admin-throttles"

def _lang(state) -> str:
    return lang_of(state.get("lang") if isinstance(state, dict) else None)


def role_word(role: str, lang: str) -> str:
    return _('access.' + (f"role_{role}"), lang)


def scope_text(agreement_id: str, cluster_id: str | None, names: dict, clusters: dict) -> str:
    name = names.get(agreement_id, agreement_id)
    if cluster_id:
        return f"{clusters.get((agreement_id, cluster_id), cluster_id)} – {name}"
    return name


def _names() -> tuple[dict, dict]:
    frame = repository.list_agreements(engine())
    names = dict(zip(frame["agreement_id"], frame["name"], strict=True)) if not frame.empty \
        else {}
    cl = repository.list_clusters(engine())
    clusters = {(a, c): n for a, c, n in zip(cl["agreement_id"], cl["cluster_id"], cl["name"],
                                             strict=True)}
    return names, clusters


# --------------------------------------------------------------------------- layout


def layout(**query):
    lang = lang_of(query.get("lang"))
    names, __ = _names()
    everyone = accounts.listing(engine())
    user = auth.current_user()
    first = not everyone
    first_local = first and user is not None and user.local
    new = html.Section([
        html.H2(_("web.pages.admin.new", lang)),
        html.P(_("web.pages.admin.first_admin", lang), className="muted") if first_local else None,
        html.Div([
            html.Div([html.Label(_("web.pages.admin.login_help", lang), htmlFor=NEW_LOGIN,
                                 className="control-label"),
                      dcc.Input(id=NEW_LOGIN, type="text", className="form-control",
                                autoComplete="off")], className="control"),
            html.Div([html.Label(_("web.pages.admin.name", lang), htmlFor=NEW_NAME,
                                 className="control-label"),
                      dcc.Input(id=NEW_NAME, type="text", className="form-control",
                                autoComplete="off")], className="control"),
            html.Div([
                html.P(_("web.pages.admin.first_password", lang, n=passwords.MIN_LENGTH),
                       className="form-text w-100 mb-0"),
                _password_field(_("web.pages.admin.password", lang), NEW_PASSWORD),
                _password_field(_("web.pages.admin.password_again", lang), NEW_CONFIRM),
            ], id=FIRST_FIELDS, className="admin-form w-100", hidden=not first_local),
            dbc.Checklist(id=NEW_ADMIN, options=[{"label": _("web.pages.admin.make_admin", lang),
                                                  "value": "admin",
                                                  "disabled": first_local}],
                          value=["admin"] if first else [], className="control"),
            html.P(_("web.pages.admin.first_is_admin", lang), className="form-text w-100 mb-0")
            if first_local else None,
            html.Button(_("web.pages.admin.create", lang), id=NEW_BUTTON, n_clicks=0,
                        className="btn btn-dark"),
        ], className="admin-form"),
    ], className="admin-section")
    grant = html.Section([
        html.H2(_("web.pages.admin.grant", lang)),
        html.Div([
            _picker(_("web.pages.admin.account", lang), G_LOGIN, login_options(everyone)),
            _picker(_("web.pages.admin.role", lang), G_ROLE,
                    [{"label": role_word(r, lang), "value": r} for r in ROLES]),
            _picker(_("web.pages.admin.agreement", lang), G_AGREEMENT,
                    [{"label": f"{n} ({a})", "value": a} for a, n in sorted(
                        names.items(), key=lambda x: x[1])]),
            _picker(_("web.pages.admin.cluster", lang), G_CLUSTER,
                    [{"label": _("web.pages.admin.whole", lang), "value": WHOLE}], WHOLE),
            html.Button(_("web.pages.admin.give", lang), id=G_BUTTON, n_clicks=0,
                        className="btn btn-dark"),
        ], className="admin-form"),
    ], className="admin-section")
    body = [
        html.H1(_("web.pages.admin.title", lang), className="view-title"),
        dcc.Link(_("web.pages.admin.audit_link", lang), href=href("/admin/audit", lang=lang),
                 id="audit-link"),
        html.Div(id=MESSAGE, role="status", **{"aria-live": "polite"}),
        html.Div([new, grant,
                  html.Section([html.H2(_("web.pages.admin.accounts", lang)),
                                html.Div(accounts_table(lang, everyone), id=TABLE)],
                               className="admin-section"),
                  html.Section([html.H2(_("web.pages.admin.throttles", lang)),
                                html.P(_("web.pages.admin.throttles_help", lang),
                                       className="form-text"),
                                html.Div(throttles_table(lang), id=THROTTLES)],
                               className="admin-section")], id=FORMS),
        dcc.Store(id=STATE, data={"lang": lang}),
    ]
    return page_frame(body, lang=lang, path="/admin", state={"lang": lang},
                      title=document_title(_("web.pages.admin.title", lang), lang=lang))


def login_options(everyone: list[dict]) -> list[dict]:
    return [{"label": a["login"] + (f" ({a['name']})" if a["name"] else ""),
             "value": a["login"]} for a in everyone]


def _password_field(label: str, id_: str) -> html.Div:
    return html.Div([html.Label(label, htmlFor=id_, className="control-label"),
                     dcc.Input(id=id_, type="password", className="form-control",
                               autoComplete="new-password", value="")], className="control")


def _picker(label: str, id_: str, options: list, value=None) -> html.Div:
    return html.Div([html.Label(label, htmlFor=id_, className="control-label"),
                     dcc.Dropdown(id=id_, options=options, value=value, clearable=False,
                                  searchable=True)], className="control")


def accounts_table(lang: str, everyone: list[dict] | None = None):
    everyone = accounts.listing(engine()) if everyone is None else everyone
    if not everyone:
        return html.P(_("web.pages.admin.none", lang), className="muted")
    names, clusters = _names()
    rows = []
    for a in everyone:
        login = a["login"]
        roles = [html.Span([
            f"{role_word(r['role'], lang)}: "
            f"{scope_text(r['agreement_id'], r['cluster_id'], names, clusters)} ",
            html.Button("×", className="btn btn-link btn-sm p-0 align-baseline", n_clicks=0,
                        id={"type": "revoke-role", "login": login,
                            "agreement": r["agreement_id"], "cluster": r["cluster_id"] or ""},
                        title=_("web.pages.admin.revoke", lang),
                        **{"aria-label": _("web.pages.admin.revoke_label", lang,
                                           role=role_word(r["role"], lang),
                                            login=login, scope=scope_text(
                                                r["agreement_id"], r["cluster_id"], names,
                                                clusters))})],
            className="role-chip") for r in a["roles"]] or \
            [html.Span(_("web.pages.admin.no_role", lang), className="muted")]
        status = [_("web.pages.admin.disabled" if a["disabled"] else "web.pages.admin.active",
                    lang)]
        if a["admin"]:
            status.append(_("web.pages.admin.admin_yes", lang))
        if a["source"] in ("oidc", "header"):
            status.append(_('web.pages.admin.' + (f"source_{a['source']}"), lang))

        def action(name: str, words_key: str, login: str = login):
            return html.Button(_(f"web.pages.admin.{words_key}", lang), n_clicks=0,
                               className="btn btn-outline-dark btn-sm me-1 mb-1",
                               id={"type": "account-action", "login": login, "action": name})

        actions = [action("enable", "enable") if a["disabled"] else action("disable", "disable"),
                   action("unadmin", "admin_off") if a["admin"] else action("admin", "admin_on")]
        if a["source"] == "local" or a["password"]:
            actions.insert(0, action("reset", "reset"))
        rows.append(html.Tr([
            html.Th(login, scope="row"), html.Td(a["name"] or ""), html.Td(", ".join(status)),
            html.Td(roles), html.Td(swedish_time(a["last_sign_in_at"] or "")[:16]
                                    .replace("T", " ")),
            html.Td(actions)], **{"data-login": login}))
    head = html.Thead(html.Tr([html.Th(x, scope="col") for x in (
        _("web.pages.admin.account", lang), _("web.pages.admin.name", lang),
        _("web.pages.admin.status", lang), _("web.pages.admin.roles", lang),
        _("web.pages.admin.last", lang), _("web.pages.admin.actions", lang))]))
    return html.Table([head, html.Tbody(rows)], className="table table-sm admin-table",
                      id="accounts-table")


def throttles_table(lang: str):
    """The sign-in delays now, each with a button that lifts it."""
    found = throttle.current(engine())
    if not found:
        return html.P(_("web.pages.admin.no_throttles", lang), className="muted",
                      id="throttles-none")
    rows = [html.Tr([
        html.Td(_(f"access.throttle_{t.kind}", lang)), html.Td(t.login or ""),
        html.Td(t.address or ""), html.Td(str(t.failures)), html.Td(str(t.wait)),
        html.Td(html.Button(_("web.pages.admin.lift", lang), n_clicks=0,
                            className="btn btn-outline-dark btn-sm",
                            id={"type": "throttle-lift", "key": t.key}))],
        **{"data-throttle": t.key}) for t in found[:200]]
    head = html.Thead(html.Tr([html.Th(x, scope="col") for x in (
        *column_heads("cli.users.throttles_head", lang), _("web.pages.admin.actions", lang))]))
    return html.Table([head, html.Tbody(rows)], className="table table-sm admin-table",
                      id="throttles-table")


# --------------------------------------------------------------------------- callbacks


@callback(
    Output(THROTTLES, "children"),
    Output(MESSAGE, "children", allow_duplicate=True),
    Input({"type": "throttle-lift", "key": ALL}, "n_clicks"),
    State(STATE, "data"),
    prevent_initial_call=True,
)
@auth.guard(auth.ADMIN)
def lift_throttle(clicks, state):
    """Lift one sign-in delay (audited), and show the delays left."""
    lang = _lang(state)
    trigger = clicked()
    if trigger is None:
        return no_update, no_update
    key = trigger.get("key")
    if not isinstance(key, str):
        return no_update, no_update
    actor, address = _actor()
    lifted = throttle.lift(engine(), key=key, actor=actor, by_address=address)
    message = dbc.Alert(_("web.pages.admin.lifted", lang), color="success", id="admin-done") \
        if lifted else no_update
    return throttles_table(lang), message


def _actor() -> tuple[str, str | None]:
    user = auth.current_user()
    return user.actor, auth.client_address()


def _refused(exc: AccountError, lang: str) -> dbc.Alert:
    params = {k: role_word(v, lang) if k == "role" and v in ROLES else v
              for k, v in exc.params.items()}
    return dbc.Alert(_(f"access.{exc.code}", lang, **params), color="danger", id="admin-refused")


def _password(text: str, password: str) -> dbc.Alert:
    return dbc.Alert([html.P(text, className="mb-1"),
                      html.Code(password, className="one-time-password", id="one-time-password")],
                     color="success", id="admin-done")


def first_done(login: str, password: str | None, lang: str) -> dbc.Alert:
    """After the first administrator is made: their password once (when generated), and
    the way to sign in as them (a whole page load: the local administrator is gone)."""
    sign_in = href("/login", next=dash.get_relative_path("/admin"), login=login, lang=lang)
    return dbc.Alert([
        html.H2(_("web.pages.admin.first_done", lang, login=login), className="h4"),
        html.P(_("web.pages.admin.first_generated" if password else "web.pages.admin.first_own",
                 lang)),
        html.P(html.Code(password, className="one-time-password first-password",
                         id="one-time-password")) if password else None,
        html.P(_("web.pages.admin.first_lost", lang, login=login), className="small"),
        html.A(_("web.pages.admin.sign_in_now", lang, login=login), href=sign_in,
               className="btn btn-dark btn-lg", id="first-sign-in"),
    ], color="success", id="admin-first-done")


@callback(
    Output(MESSAGE, "children"),
    Output(TABLE, "children"),
    Output(G_LOGIN, "options"),
    Output(FORMS, "hidden"),
    Output(NEW_PASSWORD, "value"),
    Output(NEW_CONFIRM, "value"),
    Input(NEW_BUTTON, "n_clicks"),
    State(NEW_LOGIN, "value"),
    State(NEW_NAME, "value"),
    State(NEW_ADMIN, "value"),
    State(NEW_PASSWORD, "value"),
    State(NEW_CONFIRM, "value"),
    State(STATE, "data"),
    prevent_initial_call=True,
)
@auth.guard(auth.ADMIN)
def add_account(clicks, login, name, admin, password, again, state):
    lang = _lang(state)
    if not clicks:
        return (no_update,) * 6
    actor, address = _actor()
    first = auth.current_user().local  # the local administrator: no account exists yet
    password = password if first and isinstance(password, str) and password else None
    again = again if first and isinstance(again, str) and again else None
    if password != again:
        return (dbc.Alert(_("web.pages.admin.password_mismatch", lang), color="danger",
                          id="admin-refused"),
                no_update, no_update, no_update, "", "")
    try:
        added = accounts.add(engine(), login if isinstance(login, str) else "", actor=actor,
                             name=name if isinstance(name, str) else "",
                             admin=first or (isinstance(admin, list) and "admin" in admin),
                             password=password, address=address)
    except AccountError as exc:
        return _refused(exc, lang), no_update, no_update, no_update, "", ""
    if first:
        # Every further call of this page would be refused (nobody is signed in): the
        # forms go, nothing new appears that calls the server, and they sign in.
        return first_done(added.login, added.password, lang), no_update, no_update, True, \
            "", ""
    message = _password(_("web.pages.admin.created", lang, login=added.login), added.password)
    everyone = accounts.listing(engine())
    return message, accounts_table(lang, everyone), login_options(everyone), no_update, \
        no_update, no_update


@callback(
    Output(G_CLUSTER, "options"),
    Output(G_CLUSTER, "value"),
    Input(G_AGREEMENT, "value"),
    State(STATE, "data"),
    prevent_initial_call=True,
)
@auth.guard(auth.ADMIN)
def cluster_options(agreement_id, state):
    lang = _lang(state)
    whole = [{"label": _("web.pages.admin.whole", lang), "value": WHOLE}]
    if not isinstance(agreement_id, str):
        return whole, WHOLE
    frame = repository.list_clusters(engine(), [agreement_id])
    return whole + [{"label": n, "value": c} for c, n in zip(frame["cluster_id"], frame["name"],
                                                              strict=True)], WHOLE


@callback(
    Output(MESSAGE, "children", allow_duplicate=True),
    Output(TABLE, "children", allow_duplicate=True),
    Input(G_BUTTON, "n_clicks"),
    State(G_LOGIN, "value"),
    State(G_ROLE, "value"),
    State(G_AGREEMENT, "value"),
    State(G_CLUSTER, "value"),
    State(STATE, "data"),
    prevent_initial_call=True,
)
@auth.guard(auth.ADMIN)
def grant_role(clicks, login, role, agreement_id, cluster_id, state):
    lang = _lang(state)
    if not clicks:
        return no_update, no_update
    if not all(isinstance(v, str) and v for v in (login, role, agreement_id)):
        return dbc.Alert(_("web.pages.admin.choose_all", lang), color="warning",
                         id="admin-refused"), no_update
    cluster = cluster_id if isinstance(cluster_id, str) and cluster_id != WHOLE else None
    actor, address = _actor()
    try:
        done = accounts.grant(engine(), login, role, agreement_id, cluster, actor=actor,
                              address=address)
    except AccountError as exc:
        return _refused(exc, lang), no_update
    names, clusters = _names()
    return dbc.Alert(_("web.pages.admin.granted", lang, login=done.login, role=role_word(done.role,
                                                                                         lang),
                        scope=scope_text(done.agreement_id, done.cluster_id, names, clusters)),
                     color="success", id="admin-done"), accounts_table(lang)


@callback(
    Output(MESSAGE, "children", allow_duplicate=True),
    Output(TABLE, "children", allow_duplicate=True),
    Input({"type": "revoke-role", "login": ALL, "agreement": ALL, "cluster": ALL}, "n_clicks"),
    State(STATE, "data"),
    prevent_initial_call=True,
)
@auth.guard(auth.ADMIN)
def revoke_role(clicks, state):
    lang = _lang(state)
    trigger = clicked()
    if trigger is None:
        return no_update, no_update
    actor, address = _actor()
    try:
        taken = accounts.revoke(engine(), str(trigger["login"]), str(trigger["agreement"]),
                                str(trigger["cluster"]), actor=actor, address=address,
                                exact=True)
    except AccountError as exc:
        return _refused(exc, lang), no_update
    names, clusters = _names()
    text = " ".join(_("web.pages.admin.revoked", lang, login=trigger["login"],
                      role=role_word(r["role"], lang),
                       scope=scope_text(r["agreement_id"], r["cluster_id"], names, clusters))
                    for r in taken)
    return dbc.Alert(text or "–", color="success", id="admin-done"), accounts_table(lang)


@callback(
    Output(MESSAGE, "children", allow_duplicate=True),
    Output(TABLE, "children", allow_duplicate=True),
    Input({"type": "account-action", "login": ALL, "action": ALL}, "n_clicks"),
    State(STATE, "data"),
    prevent_initial_call=True,
)
@auth.guard(auth.ADMIN)
def account_action(clicks, state):
    lang = _lang(state)
    trigger = clicked()
    if trigger is None:
        return no_update, no_update
    login, what = str(trigger.get("login")), trigger.get("action")
    actor, address = _actor()
    try:
        if what == "reset":
            password = accounts.reset_password(engine(), login, actor=actor, address=address)
            return _password(_("web.pages.admin.reset_done", lang, login=login),
                             password), accounts_table(lang)
        if what in ("disable", "enable"):
            accounts.set_disabled(engine(), login, what == "disable", actor=actor,
                                  address=address)
            done = _("web.pages.admin.disabled_done" if what == "disable"
                     else "web.pages.admin.enabled_done", lang,
                      login=login)
        elif what in ("admin", "unadmin"):
            accounts.set_admin(engine(), login, what == "admin", actor=actor, address=address)
            done = _("web.pages.admin.admin_done" if what == "admin"
                     else "web.pages.admin.unadmin_done", lang, login=login)
        else:
            return no_update, no_update
    except AccountError as exc:
        return _refused(exc, lang), no_update
    return dbc.Alert(done, color="success", id="admin-done"), accounts_table(lang)

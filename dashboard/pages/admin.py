"""``/admin``: accounts and roles (admins only; to others the page does not exist).

List every account with its roles; add an account (its generated password shown once);
give a role on an agreement (a viewer: on one cluster, if wanted) and take roles away;
reset a password (shown once; the account's sessions end); disable or enable an account
(disabling ends its sessions at once); make or unmake an admin (never the last one). The
same functions as ``python -m dashboard users`` (:mod:`dashboard.people.accounts`), with the
same audit entries.
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update
from flask import current_app

from dashboard.web import auth
from dashboard.data import repository
from dashboard.people import accounts
from dashboard.people.accounts import AccountError
from dashboard.people.rights import ROLES
from dashboard.access.texts import tt
from dashboard.web.components.cards import page_frame
from dashboard.web.components.links import href
from dashboard.i18n import document_title, lang_of, swedish_time, words

dash.register_page(__name__, order=6, path="/admin", title="Administration",
                   name="Administration", rights="admin")

STATE, MESSAGE, TABLE = "admin-state", "admin-message", "admin-accounts"
NEW_LOGIN, NEW_NAME, NEW_ADMIN, NEW_BUTTON = ("new-login", "new-name", "new-admin",
                                              "new-account")
G_LOGIN, G_ROLE, G_AGREEMENT, G_CLUSTER, G_BUTTON = ("grant-login", "grant-role",
                                                     "grant-agreement", "grant-cluster",
                                                     "grant-role-button")
WHOLE = "__whole__"

_T = {
    "title": ("Administration", "Administration"),
    "audit_link": ("Granskningslogg", "Audit log"),
    "new": ("Nytt konto", "New account"),
    "login_help": ("Användarnamn (samma som i organisationens inloggning, om ni använder den)",
                   "User name (the same as in your organisation's sign-in, if you use it)"),
    "name": ("Namn", "Name"),
    "make_admin": ("Administratör (får allt, också konton)",
                   "Administrator (may do everything, accounts too)"),
    "first_admin": ("Det första kontot blir administratör: skapa det åt dig själv.",
                    "The first account is an administrator: create it for yourself."),
    "create": ("Skapa konto", "Add account"),
    "created": ("Kontot ”{login}” är skapat. Lösenordet visas bara nu – ge det till "
                "personen på ett säkert sätt:",
                "The account '{login}' is added. The password is shown only now – give it "
                "to the person in a safe way:"),
    "created_local": ("Nu finns ett konto, så inloggning krävs från och med nästa sida.",
                      "Now that an account exists, signing in is required from the next "
                      "page on."),
    "grant": ("Ge roll", "Give a role"),
    "account": ("Konto", "Account"),
    "role": ("Roll", "Role"),
    "agreement": ("Överenskommelse", "Agreement"),
    "cluster": ("Kluster (bara för läsare)", "Cluster (viewers only)"),
    "whole": ("Hela överenskommelsen", "The whole agreement"),
    "give": ("Ge roll", "Give role"),
    "granted": ("{login} är nu {role} för {scope}.", "{login} is now {role} of {scope}."),
    "choose_all": ("Välj konto, roll och överenskommelse.",
                   "Choose an account, a role and an agreement."),
    "accounts": ("Konton", "Accounts"),
    "roles": ("Roller", "Roles"),
    "status": ("Status", "Status"),
    "last": ("Senast inloggad", "Last signed in"),
    "actions": ("Åtgärder", "Actions"),
    "admin_yes": ("administratör", "administrator"),
    "active": ("aktiv", "active"),
    "disabled": ("avstängd", "disabled"),
    "reset": ("Nytt lösenord", "New password"),
    "disable": ("Stäng av", "Disable"),
    "enable": ("Öppna", "Enable"),
    "admin_on": ("Gör till administratör", "Make administrator"),
    "admin_off": ("Ta bort administratörsrätt", "Remove administrator"),
    "revoke": ("Ta bort", "Remove"),
    "revoke_label": ("Ta bort rollen {role} för {scope} från {login}",
                     "Remove the role {role} of {scope} from {login}"),
    "reset_done": ("Nytt lösenord för ”{login}” (visas bara nu; kontots inloggningar är "
                   "avslutade):",
                   "New password for '{login}' (shown only now; the account's sessions are "
                   "ended):"),
    "disabled_done": ("”{login}” är avstängt; dess inloggningar är avslutade.",
                      "'{login}' is disabled; its sessions are ended."),
    "enabled_done": ("”{login}” är öppnat igen.", "'{login}' is enabled again."),
    "admin_done": ("”{login}” är administratör.", "'{login}' is an administrator."),
    "unadmin_done": ("”{login}” är inte längre administratör.",
                     "'{login}' is no longer an administrator."),
    "revoked": ("Rollen {role} för {scope} är borttagen från ”{login}”.",
                "The role {role} of {scope} is removed from '{login}'."),
    "none": ("Inga konton ännu.", "No accounts yet."),
    "no_role": ("ingen roll", "no role"),
    "source_oidc": ("via OIDC", "by OIDC"),
    "source_header": ("via proxy", "by proxy"),
}


def _t(key: str, lang: str, **kw) -> str:
    return words(_T, key, lang, kw)


def engine():
    return current_app.config["DASHBOARD_ENGINE"]


def _lang(state) -> str:
    return lang_of(state.get("lang") if isinstance(state, dict) else None)


def role_word(role: str, lang: str) -> str:
    return tt(f"role_{role}", lang)


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
    names, _ = _names()
    everyone = accounts.listing(engine())
    user = auth.current_user()
    first = not everyone
    new = html.Section([
        html.H2(_t("new", lang)),
        html.P(_t("first_admin", lang), className="muted") if first and user.local else None,
        html.Div([
            html.Div([html.Label(_t("login_help", lang), htmlFor=NEW_LOGIN,
                                 className="control-label"),
                      dcc.Input(id=NEW_LOGIN, type="text", className="form-control",
                                autoComplete="off")], className="control"),
            html.Div([html.Label(_t("name", lang), htmlFor=NEW_NAME, className="control-label"),
                      dcc.Input(id=NEW_NAME, type="text", className="form-control",
                                autoComplete="off")], className="control"),
            dbc.Checklist(id=NEW_ADMIN, options=[{"label": _t("make_admin", lang),
                                                  "value": "admin"}],
                          value=["admin"] if first else [], className="control"),
            html.Button(_t("create", lang), id=NEW_BUTTON, n_clicks=0,
                        className="btn btn-dark"),
        ], className="admin-form"),
    ], className="admin-section")
    grant = html.Section([
        html.H2(_t("grant", lang)),
        html.Div([
            _picker(_t("account", lang), G_LOGIN, login_options(everyone)),
            _picker(_t("role", lang), G_ROLE,
                    [{"label": role_word(r, lang), "value": r} for r in ROLES]),
            _picker(_t("agreement", lang), G_AGREEMENT,
                    [{"label": f"{n} ({a})", "value": a} for a, n in sorted(
                        names.items(), key=lambda x: x[1])]),
            _picker(_t("cluster", lang), G_CLUSTER,
                    [{"label": _t("whole", lang), "value": WHOLE}], WHOLE),
            html.Button(_t("give", lang), id=G_BUTTON, n_clicks=0, className="btn btn-dark"),
        ], className="admin-form"),
    ], className="admin-section")
    body = [
        html.H1(_t("title", lang), className="view-title"),
        dcc.Link(_t("audit_link", lang), href=href("/admin/audit", lang=lang),
                 id="audit-link"),
        html.Div(id=MESSAGE, role="status", **{"aria-live": "polite"}),
        new, grant,
        html.Section([html.H2(_t("accounts", lang)),
                      html.Div(accounts_table(lang, everyone), id=TABLE)],
                     className="admin-section"),
        dcc.Store(id=STATE, data={"lang": lang}),
    ]
    return page_frame(body, lang=lang, path="/admin", state={"lang": lang},
                      title=document_title(_t("title", lang), lang=lang))


def login_options(everyone: list[dict]) -> list[dict]:
    return [{"label": a["login"] + (f" ({a['name']})" if a["name"] else ""),
             "value": a["login"]} for a in everyone]


def _picker(label: str, id_: str, options: list, value=None) -> html.Div:
    return html.Div([html.Label(label, htmlFor=id_, className="control-label"),
                     dcc.Dropdown(id=id_, options=options, value=value, clearable=False,
                                  searchable=True)], className="control")


def accounts_table(lang: str, everyone: list[dict] | None = None):
    everyone = accounts.listing(engine()) if everyone is None else everyone
    if not everyone:
        return html.P(_t("none", lang), className="muted")
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
                        title=_t("revoke", lang),
                        **{"aria-label": _t("revoke_label", lang, role=role_word(r["role"], lang),
                                            login=login, scope=scope_text(
                                                r["agreement_id"], r["cluster_id"], names,
                                                clusters))})],
            className="role-chip") for r in a["roles"]] or \
            [html.Span(_t("no_role", lang), className="muted")]
        status = [_t("disabled" if a["disabled"] else "active", lang)]
        if a["admin"]:
            status.append(_t("admin_yes", lang))
        if a["source"] in ("oidc", "header"):
            status.append(_t(f"source_{a['source']}", lang))

        def action(name: str, words_key: str, login: str = login):
            return html.Button(_t(words_key, lang), n_clicks=0,
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
        _t("account", lang), _t("name", lang), _t("status", lang), _t("roles", lang),
        _t("last", lang), _t("actions", lang))]))
    return html.Table([head, html.Tbody(rows)], className="table table-sm admin-table",
                      id="accounts-table")


# --------------------------------------------------------------------------- callbacks


def _actor() -> tuple[str, str | None]:
    user = auth.current_user()
    return user.actor, auth.client_address()


def _refused(exc: AccountError, lang: str) -> dbc.Alert:
    params = {k: role_word(v, lang) if k == "role" and v in ROLES else v
              for k, v in exc.params.items()}
    return dbc.Alert(tt(exc.code, lang, **params), color="danger", id="admin-refused")


def _password(text: str, password: str) -> dbc.Alert:
    return dbc.Alert([html.P(text, className="mb-1"),
                      html.Code(password, className="one-time-password", id="one-time-password")],
                     color="success", id="admin-done")


@callback(
    Output(MESSAGE, "children"),
    Output(TABLE, "children"),
    Output(G_LOGIN, "options"),
    Input(NEW_BUTTON, "n_clicks"),
    State(NEW_LOGIN, "value"),
    State(NEW_NAME, "value"),
    State(NEW_ADMIN, "value"),
    State(STATE, "data"),
    prevent_initial_call=True,
)
@auth.guard(auth.ADMIN)
def add_account(clicks, login, name, admin, state):
    lang = _lang(state)
    if not clicks:
        return no_update, no_update, no_update
    actor, address = _actor()
    try:
        added = accounts.add(engine(), login if isinstance(login, str) else "", actor=actor,
                             name=name if isinstance(name, str) else "",
                             admin=isinstance(admin, list) and "admin" in admin,
                             address=address)
    except AccountError as exc:
        return _refused(exc, lang), no_update, no_update
    message = _password(_t("created", lang, login=added.login), added.password)
    if auth.current_user().local:
        message.children.append(html.P(_t("created_local", lang), className="mt-2 mb-0"))
    everyone = accounts.listing(engine())
    return message, accounts_table(lang, everyone), login_options(everyone)


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
    whole = [{"label": _t("whole", lang), "value": WHOLE}]
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
        return dbc.Alert(_t("choose_all", lang), color="warning", id="admin-refused"), no_update
    cluster = cluster_id if isinstance(cluster_id, str) and cluster_id != WHOLE else None
    actor, address = _actor()
    try:
        done = accounts.grant(engine(), login, role, agreement_id, cluster, actor=actor,
                              address=address)
    except AccountError as exc:
        return _refused(exc, lang), no_update
    names, clusters = _names()
    return dbc.Alert(_t("granted", lang, login=done.login, role=role_word(done.role, lang),
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
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not (ctx.triggered and ctx.triggered[0].get("value")):
        return no_update, no_update
    actor, address = _actor()
    try:
        taken = accounts.revoke(engine(), str(trigger["login"]), str(trigger["agreement"]),
                                str(trigger["cluster"]), actor=actor, address=address,
                                exact=True)
    except AccountError as exc:
        return _refused(exc, lang), no_update
    names, clusters = _names()
    text = " ".join(_t("revoked", lang, login=trigger["login"], role=role_word(r["role"], lang),
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
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not (ctx.triggered and ctx.triggered[0].get("value")):
        return no_update, no_update
    login, what = str(trigger.get("login")), trigger.get("action")
    actor, address = _actor()
    try:
        if what == "reset":
            password = accounts.reset_password(engine(), login, actor=actor, address=address)
            return _password(_t("reset_done", lang, login=login), password), accounts_table(lang)
        if what in ("disable", "enable"):
            accounts.set_disabled(engine(), login, what == "disable", actor=actor,
                                  address=address)
            done = _t("disabled_done" if what == "disable" else "enabled_done", lang,
                      login=login)
        elif what in ("admin", "unadmin"):
            accounts.set_admin(engine(), login, what == "admin", actor=actor, address=address)
            done = _t("admin_done" if what == "admin" else "unadmin_done", lang, login=login)
        else:
            return no_update, no_update
    except AccountError as exc:
        return _refused(exc, lang), no_update
    return dbc.Alert(done, color="success", id="admin-done"), accounts_table(lang)

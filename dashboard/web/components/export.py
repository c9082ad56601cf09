"""Downloads in the app: each chart as PNG or SVG, and the meeting pack of the view.

* Every panel card has buttons (PNG 1920×1080, PNG for print, SVG): the server draws the
  chart again with the figure function, in the export theme and with small counts in
  breakdowns hidden, and sends the image. Where the server has no browser for kaleido,
  the same export figure is sent to the user's browser, which draws it with plotly.js
  (``Plotly.downloadImage``), and a note says so.
* The "Mötespaket" button builds the meeting pack (every chart as PNG and SVG, the Word
  document, the PowerPoint deck with one slide per cluster when the agreement has
  clusters, the minutes as PDF, and ``SHA256SUMS``) as a zip. It runs as a job of the
  person who clicked (a process of its own on this machine, or a Celery task with
  ``REDIS_URL``: :func:`dashboard.jobs.background_manager`);
  the page keeps the job's handle (:class:`dashboard.jobs.OwnedJobs`) and polls with it in
  the request's body, so that it shows its place in the queue, then the progress, then
  the download. Only its owner, with the rights they have now, gets an answer.

Both take a turn in the job queue (:mod:`dashboard.jobs`): at most ``EXPORT_BROWSERS``
browsers at once on the whole server, one job per user. A chart waits ``EXPORT_WAIT``
seconds at most for its turn, then says the server is busy.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, clientside_callback, ctx, dcc, html
from dash.exceptions import BackgroundCallbackError, PreventUpdate

from dashboard import jobs
from dashboard.data.context import engine as context_engine
from dashboard.data.db import make_engine
from dashboard.export.images import (
    IMAGE_FORMATS,
    ExportError,
    NoBrowserError,
    figure_image,
    find_browser,
)
from dashboard.export.pack import write_pack, zip_pack
from dashboard.export.texts import slug
from dashboard.figures.panels import build_panels
from dashboard.figures.theme import EXPORT
from dashboard.i18n import _, fmt_number, lang_of
from dashboard.meetings.record import decision_markers
from dashboard.model.view import View
from dashboard.web import auth, errors
from dashboard.web.ids import Ids

SHOWN = {"display": "inline-flex", "alignItems": "center"}
HIDDEN = {"display": "none"}
POLL_MS = 400  # between an answer about a job and the next question


# Chosen once, from the environment: Celery with REDIS_URL, else processes of this machine.
JOBS = jobs.background_manager()


def export_controls(view: View) -> html.Div:
    """The meeting-pack button, its progress and result, and the downloads' receivers."""
    lang = view.lang
    state = {"agreement": view.agreement_id, "cluster": view.cluster_id,
             "period": view.period.text, "breakdown": view.breakdown, "lang": lang}
    return html.Div([
        html.Button(f"⬇ {_('export.pack_button', lang)}", id=Ids.EXPORT_BUTTON, n_clicks=0,
                    className="btn btn-outline-dark me-2", title=_("export.pack_title", lang)),
        html.Span([
            dbc.Progress(id=Ids.EXPORT_PROGRESS, value=0, striped=True, animated=True,
                         style={"width": "12rem", "height": "1.1rem"}),
            html.Span(id=Ids.EXPORT_STEP, className="small ms-2"),
        ], id=Ids.EXPORT_RUNNING, style=HIDDEN),
        html.Span(html.Span(id=Ids.EXPORT_STATUS, className="small"), id=Ids.EXPORT_DONE,
                  role="status", **{"aria-live": "polite"}),
        dcc.Download(id=Ids.EXPORT_DOWNLOAD),
        *pack_poller(VIEW_PACK),
        dcc.Download(id=Ids.PANEL_DOWNLOAD),
        dcc.Store(id=Ids.EXPORT_VIEW, data=state),
        dcc.Store(id=Ids.PANEL_FALLBACK),
        dbc.Toast(id=Ids.PANEL_STATUS, is_open=False, dismissable=True, duration=15000,
                  header=_("ui.download", lang), icon="warning",
                  style={"position": "fixed", "bottom": "1rem", "right": "1rem",
                         "zIndex": 1080, "maxWidth": "28rem"}),
    ], className="export-controls", style={"display": "inline-flex", "alignItems": "center",
                                           "flexWrap": "wrap", "gap": "0.25rem"})


# --------------------------------------------------------------------------- server side


def _settings():
    """The app's settings: in a request, a background job's process or a Celery worker."""
    return jobs.current_settings()


def pack_file_name(state: dict) -> str:
    """``motespaket-krami-sthlm-2023-2023`` (``meeting-pack-…`` in English)."""
    prefix = "motespaket" if state.get("lang") != "en" else "meeting-pack"
    parts = [state.get("agreement"), state.get("cluster"), state.get("period")]
    return slug("-".join([prefix, *(p for p in parts if p)]), limit=140)


def build_pack_zip(state: dict, settings, progress=None,
                   on_browser=None) -> tuple[bytes, str, int]:
    """The zipped meeting pack of the view in ``state``: (bytes, file name, files)."""
    lang = state.get("lang") or "sv"
    engine = make_engine(settings.database_url)  # a job's own: never a parent's pool
    name = pack_file_name(state)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            paths = write_pack(engine, state["agreement"], state.get("period"),
                               state.get("cluster"), Path(tmp) / name, lang=lang,
                               threshold=settings.suppression_threshold,
                               per_cluster=not state.get("cluster"), progress=progress,
                               on_browser=on_browser)
            return zip_pack(paths, Path(tmp)), f"{name}.zip", len(paths)
    finally:
        engine.dispose()


@dataclass(frozen=True)
class PackIds:
    """The ids of one pack's controls (the view's, a meeting's)."""

    button: str
    progress: str
    step: str
    running: str
    done: str
    status: str
    download: str
    job: str  # the handle of the person's job (dashboard.jobs.handles)
    poll: str  # asks for the job's state, one request at a time


VIEW_PACK = PackIds(Ids.EXPORT_BUTTON, Ids.EXPORT_PROGRESS, Ids.EXPORT_STEP, Ids.EXPORT_RUNNING,
                    Ids.EXPORT_DONE, Ids.EXPORT_STATUS, Ids.EXPORT_DOWNLOAD, Ids.EXPORT_JOB,
                    Ids.EXPORT_POLL)


def pack_poller(ids: PackIds) -> list:
    """The page's part of a pack's job: its handle, and the poll (off until a job starts;
    ``max_intervals`` lets one more request go each time an answer came back)."""
    return [dcc.Store(id=ids.job),
            dcc.Interval(id=ids.poll, interval=POLL_MS, disabled=True, n_intervals=0,
                         max_intervals=0)]


def pack_callbacks(ids: PackIds, packs: jobs.OwnedJobs, scope, lang_of_state, state,
                   audit_action: str = "export_pack") -> None:
    """The two callbacks of a pack: the click starts the person's job (``scope(state)``:
    what it is about, checked by the guard, then bound to the job), and the poll shows its
    place, progress and result to its owner only (the guard reads the scopes from the
    claim; the job's handle travels in the body, never in the address)."""

    @callback(
        Output(ids.job, "data"),
        Output(ids.poll, "disabled"),
        Output(ids.poll, "max_intervals"),
        Output(ids.button, "disabled"),
        Output(ids.running, "style"),
        Output(ids.done, "style"),
        Output(ids.progress, "value"),
        Output(ids.step, "children"),
        Output(ids.status, "children"),
        Input(ids.button, "n_clicks"),
        State(state, "data"),
        State(ids.poll, "n_intervals"),
        prevent_initial_call=True,
    )
    @auth.guard(auth.SEE, scope=lambda clicks, data, n: scope(data), audit=audit_action)
    def start(n_clicks, data, n_intervals):
        if not n_clicks or not isinstance(data, dict):
            raise PreventUpdate
        lang = lang_of_state(data)
        handle = packs.start((data,), auth.SEE, [scope(data)])
        return ({"job": handle, "lang": lang}, False, (n_intervals or 0) + 1, True, SHOWN,
                HIDDEN, 1, _("export.pack_starting", lang), "")

    poll_callback(ids, packs)


def poll_callback(ids: PackIds, packs: jobs.OwnedJobs) -> None:
    """The poll of a person's job (a pack, a pre-read being sent): its place, progress and
    result to its owner only, their rights checked now (:meth:`jobs.OwnedJobs.look`)."""
    again = {"allow_duplicate": True}

    @callback(
        Output(ids.download, "data"),
        Output(ids.status, "children", **again),
        Output(ids.progress, "value", **again),
        Output(ids.step, "children", **again),
        Output(ids.button, "disabled", **again),
        Output(ids.running, "style", **again),
        Output(ids.done, "style", **again),
        Output(ids.poll, "disabled", **again),
        Output(ids.poll, "max_intervals", **again),
        Output(ids.job, "data", **again),
        Input(ids.poll, "n_intervals"),
        State(ids.job, "data"),
        prevent_initial_call=True,
    )
    @auth.guard(auth.SEE, scope=lambda n, job: packs.scopes(job), unknown=404)
    def poll(n_intervals, job):
        return poll_outputs(packs, job, n_intervals or 0)


def _plain(value):
    """A result's value as an output (Celery gives JSON: ``no_update`` as a dict)."""
    if isinstance(value, dict) and value.get("_dash_no_update") == "_dash_no_update":
        return dash.no_update
    return value


def poll_outputs(packs: jobs.OwnedJobs, job, n_intervals: int) -> tuple:
    """What the poll shows: the place or step while the job runs; the download and the
    words under the button when it is done (or why not)."""
    lang = lang_of((job or {}).get("lang") if isinstance(job, dict) else None)
    look = packs.look(job)  # the owner's, with their rights now (else refused)
    if look.state == "running":
        value, step = (list(look.progress or []) + [dash.no_update, dash.no_update])[:2]
        return (dash.no_update, dash.no_update, value, step, dash.no_update, dash.no_update,
                dash.no_update, dash.no_update, n_intervals + 1, dash.no_update)
    download, status = dash.no_update, html.Span(_("jobs.job_lost", lang),
                                                 className="text-danger")
    result = look.result
    if isinstance(result, dict) and "background_callback_error" in result:
        error = result["background_callback_error"]
        errors.callback_error(BackgroundCallbackError(f"{error.get('msg')}\n{error.get('tb')}"))
        status = ""
    elif isinstance(result, dict) and result.get("_dash_no_update"):
        status = ""
    elif isinstance(result, (list, tuple)) and len(result) == 2:
        download, status = (_plain(v) for v in result)
    return (download, status, 0, "", False, HIDDEN, {}, True, 0, None)


def _make_pack(set_progress, state):
    """The job: the meeting pack of the view in ``state``, in its turn of the queue."""
    lang = lang_of(state.get("lang"))
    return pack_job(set_progress, lang, lambda progress, on_browser: build_pack_zip(
        state, _settings(), progress, on_browser=on_browser))


PACKS = jobs.OwnedJobs(JOBS, "view_pack", _make_pack, lost=lambda state: _pack_lost(state))
pack_callbacks(VIEW_PACK, PACKS, auth.view_scope, lambda data: lang_of(data.get("lang")),
               Ids.EXPORT_VIEW)


def queued_job(set_progress, lang: str, work, refusals: tuple = ()) -> tuple:
    """A job done in its turn of the job queue (one browser at a time on the server),
    reporting its place and then each step: ``work(progress, on_browser)`` gives the
    outputs (the download, the words under the button). ``refusals``: more exceptions
    whose message the user reads (``message(lang)`` if they have one)."""
    set_progress((1, _("export.pack_starting", lang)))

    def waiting(ahead: int) -> None:
        set_progress((1, _("jobs.queue_ahead", lang, n=ahead) if ahead else _("jobs.queue_next",
                                                                              lang)))

    def progress(fraction: float, message: str) -> None:
        set_progress((max(1, round(fraction * 100)), message))

    try:
        with jobs.browser_turn("pack", on_wait=waiting) as turn:
            set_progress((1, _("export.pack_starting", lang)))
            return work(progress, turn.record_browser)
    except jobs.OwnerBusy:
        return dash.no_update, html.Span(_("jobs.pack_owner_busy", lang), className="text-danger")
    except (ExportError, *refusals) as exc:
        text = exc.message(lang) if hasattr(exc, "message") else str(exc)
        return dash.no_update, html.Span(text, className="text-danger")


def pack_job(set_progress, lang: str, build, refusals: tuple = ()) -> tuple:
    """A pack made in its turn of the job queue (:func:`queued_job`): ``build(progress,
    on_browser)`` gives ``(bytes, file name, files)``; the outputs are the download and the
    words under the button."""

    def work(progress, on_browser) -> tuple:
        data, name, files = build(progress, on_browser)
        size = f"{fmt_number(len(data) / 1_000_000, 1, lang)} MB"
        return (dcc.send_bytes(data, name, type="application/zip"),
                _("export.pack_ready", lang, name=name, files=files, size=size))

    return queued_job(set_progress, lang, work, refusals)


def _pack_lost(state) -> tuple:
    """The outputs of a pack whose job died (the job's reaper writes them)."""
    lang = (state or {}).get("lang") or "sv"
    return dash.no_update, html.Span(_("jobs.job_lost", lang), className="text-danger")


def queued_image(figure, fmt: str, lang: str, settings) -> bytes:
    """One chart's image, drawn when a browser is free (the same turns as the packs).

    Waits a bounded time, and not at all behind a long queue, so a worker stays free.
    Raises :class:`NoBrowserError` (no browser on the server), :class:`jobs.Busy` (no turn
    in time) or :class:`ExportError` (the drawing failed)."""
    if find_browser() is None:  # nothing to queue for
        raise NoBrowserError(_("export.no_browser", lang))
    with jobs.browser_turn("image", wait=settings.export_wait, wait_for_owner=True,
                           max_ahead=settings.export_browsers) as turn:
        return figure_image(figure, fmt, lang, on_browser=turn.record_browser)


@callback(
    Output(Ids.PANEL_DOWNLOAD, "data"),
    Output(Ids.PANEL_FALLBACK, "data"),
    Output(Ids.PANEL_STATUS, "children"),
    Output(Ids.PANEL_STATUS, "is_open"),
    Input({"type": "panel-download", "panel": ALL, "format": ALL}, "n_clicks"),
    State(Ids.EXPORT_VIEW, "data"),
    prevent_initial_call=True,
)
@auth.guard(auth.SEE, scope=lambda clicks, state: auth.view_scope(state), audit="export_chart")
def download_panel(clicks, state):
    """One chart as PNG (1920×1080 or print) or SVG, drawn for export."""
    trigger = ctx.triggered_id
    if not trigger or not state or not any(c for c in clicks or [] if c):
        raise PreventUpdate
    if not (ctx.triggered and ctx.triggered[0].get("value")):
        raise PreventUpdate  # a button added to the page, not a click
    key, fmt = trigger["panel"], trigger["format"]
    lang = state.get("lang") or "sv"
    settings = _settings()
    view = auth.view_for(state["agreement"], state.get("period"), state.get("cluster"),
                         state.get("breakdown"), lang)
    if view is not None:  # the decisions its chart marks, as on the page
        view.markers = decision_markers(context_engine(), view.agreement_id)
    panel = next((p for p in build_panels(view, EXPORT,
                                          suppress_below=settings.suppression_threshold)
                  if p.key == key), None) if view is not None else None
    if panel is None or fmt not in IMAGE_FORMATS:
        raise PreventUpdate
    image = IMAGE_FORMATS[fmt]
    stem = slug(f"{panel.title}-{view.where}-{view.period.text}", limit=120)
    filename = image.file_name(stem, lang)
    try:
        data = queued_image(panel.figure, fmt, lang, settings)
    except NoBrowserError:
        spec = {"figure": panel.figure.to_plotly_json(), "format": image.format,
                "scale": image.scale, "filename": filename.rsplit(".", 1)[0],
                "clicks": sum(c or 0 for c in clicks)}
        return dash.no_update, spec, _("export.panel_fallback", lang), True
    except jobs.Busy:
        return dash.no_update, dash.no_update, _("jobs.image_busy", lang), True
    except ExportError as exc:
        return dash.no_update, dash.no_update, str(exc), True
    return dcc.send_bytes(data, filename, type=image.mime), dash.no_update, "", False


# Where the server cannot draw images: the user's browser draws the same export figure.
clientside_callback(
    """
    function(spec) {
        if (!spec || !window.Plotly) { return window.dash_clientside.no_update; }
        window.Plotly.downloadImage(spec.figure, {format: spec.format, width: 1920,
            height: 1080, scale: spec.scale, filename: spec.filename});
        return window.dash_clientside.no_update;
    }
    """,
    Output(Ids.PANEL_FALLBACK, "clear_data"),
    Input(Ids.PANEL_FALLBACK, "data"),
    prevent_initial_call=True,
)

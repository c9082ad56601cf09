"""Component ids, in one place, and which pattern-matched id a callback was called for."""

from enum import StrEnum

from dash import ctx


class Ids(StrEnum):
    URL = "url"
    APP_ALERT = "app-alert"  # a message above every page (dashboard/web/errors.py)
    PERIOD = "period-select"
    PERIOD_PREV = "period-prev"
    PERIOD_NEXT = "period-next"
    BREAKDOWN = "breakdown-switch"
    VIEW_STATE = "view-state"
    KPI_TABLE = "kpi-table"
    KOLADA = "kolada-context"
    TARGETS = "targets-summary"
    NOTES = "completeness-notes"
    # presentation mode
    SLIDES = "slides"
    SLIDE_INDEX = "slide-index"
    KEYS = "present-keys"
    # export
    EXPORT_BUTTON = "export-pack"
    EXPORT_DOWNLOAD = "export-download"
    EXPORT_STATUS = "export-status"
    EXPORT_PROGRESS = "export-progress"
    EXPORT_STEP = "export-step"
    EXPORT_RUNNING = "export-running"
    EXPORT_DONE = "export-done"
    EXPORT_VIEW = "export-view"
    EXPORT_JOB = "export-job"
    EXPORT_POLL = "export-poll"
    PANEL_DOWNLOAD = "panel-download-file"
    PANEL_FALLBACK = "panel-download-fallback"
    PANEL_STATUS = "panel-download-status"
    # the address, changed without a page rebuild (history.replaceState/pushState)
    URL_SYNC = "url-sync"
    VIEW_CONTENT = "view-content"
    HISTORY_TARGET = "history-target"
    PREV_HOLDER = "period-prev-holder"
    NEXT_HOLDER = "period-next-holder"
    # portfolio
    PORTFOLIO_PERIOD = "portfolio-period"
    PORTFOLIO_KIND = "portfolio-kind"
    PORTFOLIO_COUNTY = "portfolio-county"
    PORTFOLIO_STATUS = "portfolio-status"
    PORTFOLIO_SEARCH = "portfolio-search"
    PORTFOLIO_GRID = "portfolio-grid"
    PORTFOLIO_SUMMARY = "portfolio-summary-box"
    PORTFOLIO_COUNT = "portfolio-count"
    PORTFOLIO_STATE = "portfolio-state"
    PORTFOLIO_GROUP = "portfolio-group"
    PORTFOLIO_TOTALS_DOWNLOAD = "portfolio-totals-download"
    PORTFOLIO_TOTALS_FILE = "portfolio-totals-file"


def panel_id(key: str) -> dict:
    """Pattern-matching id of a panel's graph (one per panel of a view)."""
    return {"type": "panel-graph", "panel": key}


def download_id(key: str, fmt: str) -> dict:
    return {"type": "panel-download", "panel": key, "format": fmt}


def clicked() -> dict | None:
    """The pattern-matched id (``{"type": ..., ...}``) of the button whose click called this
    callback, or None when it was called for another reason (a button added to the page
    fires with ``n_clicks`` 0 or None, not a click)."""
    trigger = ctx.triggered_id
    if isinstance(trigger, dict) and ctx.triggered and ctx.triggered[0].get("value"):
        return trigger
    return None

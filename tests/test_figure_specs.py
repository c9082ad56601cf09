"""Every figure of every demo view is a valid plotly figure.

The figure functions build plain dicts without plotly's validation (it cost 200–450 ms per
view); here, once, every chart of every demo view in every medium (tests/figure_views.py)
goes through ``plotly.graph_objects.Figure``, which validates every property and fails
on a misspelt or misplaced one. How the charts look is measured in the browser
(tests/browser/test_collisions.py).
"""

from __future__ import annotations

import json

import plotly.graph_objects as go
import pytest

from dashboard.config import DATA_DIR, load_settings
from dashboard.data import repository
from dashboard.data.db import make_engine
from tests.figure_views import every_chart


@pytest.fixture(scope="module")
def charts(tmp_path_factory):
    from dashboard.web.app import load_demo

    url = f"sqlite:///{tmp_path_factory.mktemp('specs') / 'demo.sqlite'}"
    engine = make_engine(url)
    try:
        repository.ensure_schema(engine)
        results = load_demo(engine, load_settings({"database_url": url,
                                                   "demo_dir": DATA_DIR / "demo"}))
        assert all(r.ok for r in results)
        yield list(every_chart(engine))
    finally:
        engine.dispose()


def test_every_demo_figure_is_valid_for_plotly(charts):
    assert len(charts) > 250
    for chart in charts:
        try:
            go.Figure(chart.figure)
        except (ValueError, TypeError) as exc:
            pytest.fail(f"{chart.id}: {exc}".splitlines()[0][:400] + "\n" + str(exc)[:2000])


def test_every_demo_figure_is_plain_json(charts):
    """Plain data all the way down: what Dash and kaleido send as it is."""
    for chart in charts:
        text = json.dumps(chart.figure, allow_nan=False)
        assert json.loads(text) == chart.figure, chart.id

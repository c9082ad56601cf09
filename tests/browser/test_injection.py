"""Names from the data are text everywhere: no HTML or script gets in through a name."""

from __future__ import annotations

import pytest

from dashboard.data.db import make_engine
from dashboard.data.ingest import import_dataset, undo_import
from tests.browser.support import dash_errors, set_viewport, visit
from tests.builders import base_tables, write_workbook

HOSTILE_CLUSTER = '<img src=x onerror="window.__pwned=1">Norr'
HOSTILE_AGREEMENT = "<script>window.__pwned=2</script><b>Fet</b> avtal"
HOSTILE_PARTY = '<a href="javascript:window.__pwned=3">KV</a>'


@pytest.fixture
def hostile(browser_db_url, tmp_path):
    tables = base_tables()
    for rows in tables.values():
        for row in rows[1:]:
            row[0] = "xss-test"
    tables["agreements"][1][1] = HOSTILE_AGREEMENT
    tables["clusters"][1][2] = HOSTILE_CLUSTER
    tables["parties"][2][2] = HOSTILE_PARTY
    engine = make_engine(browser_db_url)
    result = import_dataset(engine, write_workbook(tmp_path / "xss.xlsx", tables))
    assert result.ok, result.messages("en")
    yield
    assert undo_import(engine, result.import_id).ok
    engine.dispose()


@pytest.mark.parametrize("path", ["/", "/agreements/xss-test?period=2023-Q1",
                                  "/agreements/xss-test/clusters/norr?period=2023-Q1",
                                  "/present/xss-test?period=2023-Q1"])
def test_hostile_names_are_shown_as_text(duo, hostile, path):
    set_viewport(duo.driver, 1920, 1080)
    duo.reset_log_timestamp()
    visit(duo, path, "document.querySelector('.page, #present')")
    d = duo.driver
    assert d.execute_script("return window.__pwned === undefined")
    # No element came from the names: no image, script or javascript: link in the page.
    assert not d.find_elements("css selector", "img[src='x']")
    assert not d.execute_script(
        "return Array.from(document.querySelectorAll('a')).some("
        "a => (a.getAttribute('href') || '').startsWith('javascript:'))")
    assert not d.execute_script(
        "return Array.from(document.querySelectorAll('script'))"
        ".some(s => s.textContent.includes('__pwned'))")
    text = d.execute_script("return document.body.textContent")
    if path == "/":
        assert HOSTILE_AGREEMENT in text
    else:
        # Written out literally, in the page and in the charts' titles.
        assert HOSTILE_AGREEMENT in text or "<b>Fet</b>" in text
    if "clusters" in path:
        assert HOSTILE_CLUSTER in text
    assert dash_errors(duo) == []

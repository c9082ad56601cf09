"""Effect since decision (issue 19, part 3): a decision of an earlier meeting tied to a
target shows, at the later meetings, the target's value at the decision and now.

Järfälla's directional target ``kolada:N03937`` (openly unemployed, decrease) on the
recorded Kolada pages (data/demo/kolada): 5.8 for 2022, 6.1 for 2023. The spring meeting
of 2023 reviews 2022 and decides "förstärk uppsökande arbete" on that target; the spring
meeting of 2024 reviews 2023: at the decision 5.8, now 6.1.
"""

from __future__ import annotations

import json

from dashboard.data.db import make_engine
from dashboard.meetings.record import load
from dashboard.web.components.meeting import effects_block
from tests.builders import write_csv_folder
from tests.cli import run_cli
from tests.test_kolada import AGREEMENTS, PAGES


def _run(url, *args, lang=None):
    ran = run_cli(url, *args, lang=lang)
    assert ran.returncode == 0, ran.stderr
    return ran.stdout.strip()


def test_a_decision_on_a_target_shows_its_value_then_and_now(db_url, tmp_path):
    _run(db_url, "import", str(write_csv_folder(tmp_path / "set", AGREEMENTS, swedish=False)))
    _run(db_url, "kolada", "import", *map(str, PAGES))
    first = _run(db_url, "meetings", "add", "--agreement", "jfl", "--period", "2022",
                 "--date", "2023-03-12", "--title", "Vårens möte")
    _run(db_url, "meetings", "decide", first, "--text", "förstärk uppsökande arbete",
         "--kpi", "kolada:N03937")
    _run(db_url, "meetings", "decide", first, "--text", "nästa möte i juni")  # no target
    _run(db_url, "meetings", "close", first)
    second = _run(db_url, "meetings", "add", "--agreement", "jfl", "--period", "2023",
                  "--date", "2024-03-12")

    shown = json.loads(_run(db_url, "meetings", "show", second, "--format", "json"))
    (effect,) = shown["meeting"]["decision_effects"]
    assert (effect["decided_on"], effect["text"], effect["kpi"], effect["meeting_id"]) == \
        ("2023-03-12", "förstärk uppsökande arbete", "kolada:N03937", int(first))
    assert (effect["then"]["period"], effect["then"]["value"], effect["then"]["status"]) == \
        ("2022", 5.8, "green")  # 5.8 against 5.9 in 2021: down
    assert (effect["now"]["period"], effect["now"]["value"], effect["now"]["status"]) == \
        ("2023", 6.1, "red")  # 6.1 against 5.8: up
    text = _run(db_url, "meetings", "show", second)
    assert ("Beslut 12 mars 2023: förstärk uppsökande arbete – kolada:N03937: "
            "5,8 vid beslutet, 6,1 nu") in text
    # The deciding meeting itself shows no effect of its own decisions.
    assert json.loads(_run(db_url, "meetings", "show", first, "--format", "json"))[
        "meeting"]["decision_effects"] == []

    # The meeting page's part (beside "since the meeting before"): the same line, in words.
    engine = make_engine(db_url)
    try:
        record = load(engine, int(second), "sv", trends=False)
    finally:
        engine.dispose()
    block = effects_block(record, "sv", {}, {})
    heading, items = block.children
    assert heading.children == "Effekt sedan beslut"
    (item,) = items.children
    assert item.children == ("Beslut 12 mars 2023: förstärk uppsökande arbete – "
                             "Öppet arbetslösa, andel (%) av befolkningen 18–65 år: "
                             "5,8 vid beslutet, 6,1 nu")
    assert item.to_plotly_json()["props"]["data-target"] == "kolada:N03937"

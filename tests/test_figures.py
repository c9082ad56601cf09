"""The figure functions (dashboard.figures), drawn from small inline frames, no browser.

The figures are plain data (:class:`dashboard.figures.spec.Figure`): assertions are on
``fig.data`` (trace dicts) and ``fig.layout`` (a dict): the target line and its label,
the axis stretched to the target, values written on the bars in Swedish formats, the mean
in the legend, title (what) over subtitle (where · when), the footer, escaped names, and
the size each theme asks for. Where the words are placed so that nothing collides is
measured in a browser (tests/browser/test_collisions.py).
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from dashboard.domain.periods import Period
from dashboard.figures.clusters import cluster_figure
from dashboard.figures.common import FigureText, esc, headroom, percent_axis, wrap
from dashboard.figures.costs import costs_figure
from dashboard.figures.indicators import indicators_figure
from dashboard.figures.occupancy import flow_figure, occupancy_figure
from dashboard.figures.outcomes import outcomes_figure
from dashboard.figures.staffing import staffing_figure
from dashboard.figures.theme import EXPORT, PRESENT, SCREEN
from dashboard.model.series import TOTAL

NBSP = "\u00a0"
MINUS = "\u2212"
MONTHS = ["2023-01", "2023-02", "2023-03"]
FOOTER = "Data per 23 november 2026 · Källa: krami.xlsx"
EVIL = "<script>alert(1)</script> <b>fet</b>"


def text(title="Beläggning", lang="sv", where="Krami Test", when="jan–mar 2023",
         footer=FOOTER):
    return FigureText(title=title, subtitle=f"{where} · {when}", footer=footer, lang=lang)


def strings(fig) -> list[str]:
    """Every string of the figure as plotly.js receives it (the JSON decoded).

    ``fig.to_json()`` itself writes ``<`` as ``\\u003c``, so a raw search of the JSON text
    would never find ``<script``: decode first, then look.
    """
    out: list[str] = []

    def walk(x):
        if isinstance(x, str):
            out.append(x)
        elif isinstance(x, dict):
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    walk(json.loads(json.dumps(fig.to_dict())))
    return out


def annotation_texts(fig) -> list[str]:
    return [a["text"] for a in fig.annotations]


def subtitle(fig) -> str:
    """Where · when, written under the title."""
    return next(a["text"] for a in fig.annotations if a.get("name") == "subtitle")


def traces(fig, kind: str, mode: str | None = None) -> list[dict]:
    return [tr for tr in fig.data if tr["type"] == kind and (mode is None or
                                                              tr.get("mode") == mode)]


def monthly(values, group=TOTAL, months=MONTHS):
    return pd.DataFrame({"month": months[:len(values)], "group": [group] * len(values),
                         "participants": values})


def occupancy(monthly_frame, *, target=80, mean=None, theme=SCREEN, lang="sv", **kw):
    return occupancy_figure(monthly_frame, months=kw.pop("months", MONTHS),
                            breakdown=kw.pop("breakdown", "total"), target=target, mean=mean,
                            text=kw.pop("text", text(lang=lang)), theme=theme, **kw)


# --------------------------------------------------------------------------- common


def test_headroom_holds_values_and_target():
    assert headroom(40, 80, factor=1.25) == 100
    assert headroom(None, None) == 1.0
    assert headroom(10, None, factor=1.5) == 15


def test_percent_axis_suffix():
    assert percent_axis("sv") == {"tickformat": ",.0f", "ticksuffix": f"{NBSP}%"}
    assert percent_axis("en")["ticksuffix"] == "%"


def test_esc_makes_markup_plain_text():
    assert esc("<script>x</script> & <b>") == "&lt;script&gt;x&lt;/script&gt; &amp; &lt;b&gt;"
    assert esc(12) == "12"


def test_wrap_breaks_the_footer_at_separators():
    footer = " · ".join(["a" * 40] * 5)
    lines = wrap(footer, SCREEN)
    assert len(lines) > 1
    assert " · ".join(lines) == footer


# --------------------------------------------------------------------------- occupancy


def test_occupancy_target_line_labelled_and_axis_reaches_it_when_bars_are_below():
    fig = occupancy(monthly([40, 45, 42]), target=80)
    (shape,) = fig.shapes
    assert (shape["y0"], shape["y1"]) == (80, 80)
    assert any("Mål 80" in a for a in annotation_texts(fig))
    assert fig.layout["yaxis"]["range"][0] == 0
    assert fig.layout["yaxis"]["range"][1] >= 80


def test_occupancy_without_target_has_no_line():
    fig = occupancy(monthly([40, 45, 42]), target=None)
    assert fig.shapes == []
    assert not any("Mål" in a for a in annotation_texts(fig))
    assert fig.layout["yaxis"]["range"][1] >= 45


def test_occupancy_totals_written_on_top_in_swedish_format():
    fig = occupancy(monthly([1234, 40]), target=80)
    totals = [tr for tr in fig.data if tr["type"] == "scatter" and tr.get("mode") == "text"]
    assert len(totals) == 1
    # March has no data: no bar, no number.
    assert list(totals[0]["text"]) == [f"<b>1{NBSP}234</b>", "<b>40</b>", ""]
    assert list(fig.layout["xaxis"]["categoryarray"]) == ["jan", "feb", "mar"]


def test_occupancy_totals_in_english_format():
    fig = occupancy(monthly([1234, 40]), lang="en")
    totals = next(tr for tr in fig.data if tr["type"] == "scatter" and tr.get("mode") == "text")
    assert list(totals["text"]) == ["<b>1,234</b>", "<b>40</b>", ""]
    assert fig.layout["separators"] == ".,"


def test_occupancy_by_gender_stacks_segments_with_their_numbers():
    frame = pd.DataFrame({"month": ["2023-01", "2023-01", "2023-01"],
                          "group": ["K", "M", ""], "participants": [10, 30, 35]})
    fig = occupancy(frame, breakdown="gender", months=["2023-01"])
    bars = [tr for tr in fig.data if tr["type"] == "bar"]
    assert [b["name"] for b in bars] == ["Kvinnor", "Män", "Ej uppdelat"]
    assert [list(b["text"]) for b in bars] == [["10"], ["30"], ["35"]]
    assert fig.layout["barmode"] == "stack"
    totals = next(tr for tr in fig.data if tr["type"] == "scatter" and tr.get("mode") == "text")
    assert list(totals["text"]) == ["<b>75</b>"]


def test_occupancy_mean_line_is_named_in_the_legend():
    fig = occupancy(monthly([40, 45, 42]), mean=127 / 3)
    (mean,) = [tr for tr in fig.data if tr["type"] == "scatter" and tr.get("mode") == "lines"]
    assert mean["name"] == "Medel 42,3"
    assert mean["showlegend"] is True
    assert list(mean["y"]) == [pytest.approx(127 / 3)] * 3


def test_occupancy_flagged_month_is_marked():
    fig = occupancy(monthly([75, 45, 82]), flagged={"2023-02"})
    assert list(fig.layout["xaxis"]["categoryarray"]) == ["jan", "feb *", "mar"]


def test_months_across_years_carry_the_year():
    months = ["2022-12", "2023-01"]
    fig = occupancy(monthly([10, 20], months=months), months=months)
    assert list(fig.layout["xaxis"]["categoryarray"]) == ["dec 2022", "jan 2023"]


def test_title_is_what_subtitle_where_and_when_footer_data_as_of_and_source():
    fig = occupancy(monthly([40, 45, 42]))
    assert fig.layout["title"]["text"] == "<b>Beläggning</b>"
    assert subtitle(fig) == "Krami Test · jan–mar 2023"
    # In the app the footer is text under the chart; slides and images draw it (below).
    footer = fig.footer
    assert "Data per 23 november 2026" in footer
    assert "Källa: krami.xlsx" in footer


def test_swedish_separators_on_axes():
    fig = occupancy(monthly([40]))
    # Decimal comma, non-breaking space between thousands (like the written numbers).
    assert fig.layout["separators"] == ",\u00a0"


def test_empty_occupancy_is_an_empty_figure_that_says_so():
    empty = pd.DataFrame(columns=["month", "group", "participants"])
    fig = occupancy(empty)
    assert fig.data == []
    assert "Inga uppgifter för perioden." in annotation_texts(fig)
    assert fig.layout["title"]["text"] == "<b>Beläggning</b>"
    assert fig.layout["xaxis"]["visible"] is False and fig.layout["yaxis"]["visible"] is False
    english = occupancy(empty, text=text(lang="en"))
    assert "No data for the period." in annotation_texts(english)


@pytest.mark.parametrize("theme", [SCREEN, PRESENT, EXPORT], ids=lambda t: t.name)
def test_each_theme_gives_its_size_and_type(theme):
    fig = occupancy(monthly([40, 45, 42]), theme=theme, mean=42.0)
    assert fig.layout["height"] == theme.height
    assert fig.layout.get("width") == theme.width
    assert fig.layout["title"]["font"]["size"] == theme.title_size
    assert fig.layout["font"]["size"] == theme.font_size
    assert fig.shapes[0]["line"]["width"] == theme.line_width


def test_theme_sizes():
    assert (SCREEN.height, SCREEN.width) == (400, None)
    assert (PRESENT.height, PRESENT.width) == (620, None)
    assert (EXPORT.height, EXPORT.width) == (1080, 1920)


@pytest.mark.parametrize("theme", [SCREEN, PRESENT, EXPORT], ids=lambda t: t.name)
def test_every_figure_takes_the_theme_width(theme):
    staffing = staffing_frame()
    figures = [
        occupancy(monthly([40]), theme=theme),
        flow_figure(flow_frame(), months=MONTHS, text=text(), theme=theme),
        outcomes_figure(outcome_frame(), breakdown="total", target=0.6, comparator=">=",
                        status="amber", text=text(), theme=theme),
        staffing_figure(staffing, text=text(), theme=theme),
        costs_figure(cost_frame(), PARTY_NAMES, text=text(), theme=theme),
        cluster_figure(cluster_frame(), "occupancy", text=text(), theme=theme, target=80),
    ]
    for fig in figures:
        assert fig.layout.get("width") == theme.width
        assert fig.layout["font"]["size"] == theme.font_size


# --------------------------------------------------------------------------- flow


def flow_frame():
    return pd.DataFrame([{"month": "2023-01", "started": 9, "exited": 6},
                         {"month": "2023-02", "started": 8, "exited": 3},
                         {"month": "2023-03", "started": 1200, "exited": 7}])


def test_flow_values_written_on_the_bars():
    fig = flow_figure(flow_frame(), months=MONTHS, text=text("Inflöde och utflöde"),
                      theme=SCREEN)
    started, exited = fig.data
    assert (started["name"], exited["name"]) == ("Påbörjade", "Avslutade")
    assert list(started["text"]) == ["9", "8", f"1{NBSP}200"]
    assert list(exited["text"]) == ["6", "3", "7"]
    assert fig.layout["yaxis"]["range"][1] >= 1200


def test_flow_with_started_not_reported_has_a_finite_axis():
    # flow_by_month gives None where a column is not reported.
    flow = pd.DataFrame([{"month": "2023-01", "started": None, "exited": 3},
                         {"month": "2023-02", "started": None, "exited": 4}])
    fig = flow_figure(flow, months=MONTHS[:2], text=text(), theme=SCREEN)
    top = fig.layout["yaxis"]["range"][1]
    assert top == top and top >= 4  # not NaN


def test_flow_without_data_is_empty():
    flow = pd.DataFrame([{"month": "2023-01", "started": None, "exited": None}])
    fig = flow_figure(flow, months=MONTHS[:1], text=text(), theme=SCREEN)
    assert "Inga uppgifter för perioden." in annotation_texts(fig)


# --------------------------------------------------------------------------- outcomes


def outcome_frame(groups=None):
    """Q1 of base_tables by gender: the total, K, M and soder (not broken down)."""
    return pd.DataFrame(groups or [
        {"group": TOTAL, "completed": 14, "work": 5, "study": 3, "other": 5,
         "discontinued": 6, "share": 8 / 14},
        {"group": "K", "completed": 2, "work": 1, "study": 0, "other": 1,
         "discontinued": 2, "share": 0.5},
        {"group": "M", "completed": 8, "work": 3, "study": 2, "other": 2,
         "discontinued": 2, "share": 0.625},
        {"group": "", "completed": 4, "work": 1, "study": 1, "other": 2,
         "discontinued": 2, "share": 0.5},
    ])


def test_outcomes_share_per_group_with_n_and_target():
    fig = outcomes_figure(outcome_frame(), breakdown="gender", target=0.6, comparator=">=",
                          status="amber", text=text("Utfall för avslutade"), theme=SCREEN)
    shares = fig.data[0]
    assert list(shares["y"]) == ["Totalt", "Kvinnor", "Män", "Ej uppdelat"]
    assert list(shares["x"]) == pytest.approx([800 / 14, 50, 62.5, 50])
    assert shares["text"][0] == f"<b>57{NBSP}%</b>  (n = 14)"
    assert shares["text"][1] == f"<b>50{NBSP}%</b>  (n = 2)"
    assert shares["text"][3] == f"<b>50{NBSP}%</b>  (n = 4)"
    assert all("(n = " in s for s in shares["text"])
    texts = annotation_texts(fig)
    assert f"<b>Mål 60{NBSP}%</b>" in texts
    assert "<b>▲ Nära målet</b>" in texts
    (line,) = fig.shapes
    assert (line["x0"], line["x1"]) == (60, 60)
    assert fig.layout["xaxis"]["ticksuffix"] == f"{NBSP}%"


def test_outcomes_split_into_work_study_other_discontinued():
    fig = outcomes_figure(outcome_frame(), breakdown="gender", target=None, comparator=None,
                          status=None, text=text(), theme=SCREEN)
    split = {tr["name"]: list(tr["x"]) for tr in fig.data[1:] if tr["type"] == "bar"}
    # M: 8 completed, 3 + 2 + 2 = 7 reported: 1 "uppgift saknas" (so the total has 1 too).
    assert split == {"Arbete": [5, 1, 3, 1], "Studier": [3, 0, 2, 1], "Annat": [5, 1, 2, 2],
                     "Uppgift saknas": [1, 0, 1, 0], "Avbrutit": [6, 2, 2, 2]}
    # A zero is not written on the bar.
    assert list(fig.data[2]["text"]) == ["3", "", "2", "1"]
    # The completers' parts stack from 0 and end at n, which is written there.
    assert list(fig.data[2]["base"]) == [5, 1, 3, 1]
    ends = next(tr for tr in fig.data if tr["type"] == "scatter")
    assert list(ends["x"]) == [14, 2, 8, 4]
    assert [t.strip() for t in ends["text"]] == ["n = 14", "n = 2", "n = 8", "n = 4"]
    assert fig.shapes == []


def test_completers_without_a_reported_outcome_are_a_part_of_their_own():
    # Krami Stockholm 2023: 103 completers, 30 + 11 + 57 = 98 reported: 5 "uppgift saknas".
    groups = outcome_frame([{"group": TOTAL, "completed": 103, "work": 30, "study": 11,
                             "other": 57, "discontinued": 35, "unknown": 5,
                             "share": 41 / 103}])
    fig = outcomes_figure(groups, breakdown="total", target=0.6, comparator=">=",
                          status="red", text=text(), theme=SCREEN)
    parts = {tr["name"]: tr["x"][0] for tr in fig.data[1:] if tr["type"] == "bar"}
    assert parts["Uppgift saknas"] == 5
    assert sum(parts[k] for k in ("Arbete", "Studier", "Annat", "Uppgift saknas")) == 103
    ends = next(tr for tr in fig.data if tr["type"] == "scatter")
    assert (ends["x"][0], ends["text"][0].strip()) == (103, "n = 103")


def test_outcomes_with_zero_completers_show_a_dash_and_n_0():
    groups = outcome_frame([{"group": TOTAL, "completed": 0, "work": 0, "study": 0,
                             "other": 0, "discontinued": 2, "share": None}])
    fig = outcomes_figure(groups, breakdown="total", target=0.6, comparator=">=",
                          status="grey", text=text(), theme=SCREEN)
    assert list(fig.data[0]["text"]) == ["<b>–</b>  (n = 0)"]


def test_outcomes_against_the_previous_year_when_the_target_is_a_direction():
    fig = outcomes_figure(outcome_frame(), breakdown="total", target=None,
                          comparator="increase", status="green", previous=0.5,
                          text=text(), theme=SCREEN)
    assert f"<b>Föregående år 50{NBSP}%</b>" in annotation_texts(fig)
    assert "<b>✔ Uppnått</b>" in annotation_texts(fig)


def test_outcomes_empty():
    groups = pd.DataFrame(columns=["group", "completed", "work", "study", "other",
                                   "discontinued", "share"])
    fig = outcomes_figure(groups, breakdown="total", target=0.6, comparator=">=",
                          status=None, text=text(), theme=SCREEN)
    assert "Inga uppgifter för perioden." in annotation_texts(fig)


# --------------------------------------------------------------------------- staffing


def staffing_frame(kv_name="Kriminalvården"):
    """Q1 of base_tables: KV has a target of at least 2 FTE and reached 1.75 (red)."""
    nan = float("nan")
    return pd.DataFrame([
        {"party_id": "AF", "party": "Arbetsförmedlingen", "committed": 2.0, "actual": 2.0,
         "fulfilment": 1.0, "target": nan, "comparator": nan, "status": "grey"},
        {"party_id": "KV", "party": kv_name, "committed": 2.0, "actual": 1.75,
         "fulfilment": 0.875, "target": 2.0, "comparator": ">=", "status": "red"},
        {"party_id": "STHLM", "party": "Stockholms stad", "committed": 2.5, "actual": 2.0,
         "fulfilment": 0.8, "target": nan, "comparator": nan, "status": "grey"},
        {"party_id": None, "party": None, "committed": 6.5, "actual": 5.75,
         "fulfilment": 5.75 / 6.5, "target": nan, "comparator": nan, "status": "grey"},
    ])


def test_staffing_per_party_with_status_symbol_and_target():
    fig = staffing_figure(staffing_frame(), text=text("Bemanning"), theme=SCREEN)
    committed, actual = fig.data[0], fig.data[1]
    assert (committed["name"], actual["name"]) == ("Utlovat", "Faktiskt")
    assert committed["y"][0] == "Arbetsförmedlingen"
    assert committed["y"][1].startswith("Kriminalvården ✖<br>")
    assert "mål 2,0" in committed["y"][1]
    assert committed["y"][2] == "Stockholms stad"
    assert list(actual["text"]) == ["2,0 åa", "1,75 åa", "2,0 åa"]
    assert list(committed["text"]) == ["2,0 åa", "2,0 åa", "2,5 åa"]
    (target,) = [tr for tr in fig.data if tr["type"] == "scatter"]
    assert target["name"] == "Mål"
    assert list(target["x"]) == [2.0]


def test_staffing_all_parties_in_the_lower_chart():
    fig = staffing_figure(staffing_frame(), text=text(), theme=SCREEN)
    lower = [tr for tr in fig.data if tr["type"] == "bar" and tr.get("yaxis") == "y2"]
    assert [tuple(tr["y"]) for tr in lower] == [("Alla parter",), ("Alla parter",)]
    assert [tuple(tr["text"]) for tr in lower] == [("6,5 åa",), ("5,75 åa",)]
    # The axis holds the largest bar with room for the words.
    assert fig.layout["xaxis"]["range"][1] >= 2.5
    assert fig.layout["xaxis2"]["range"][1] >= 6.5


def test_staffing_green_and_amber_symbols():
    frame = staffing_frame()
    frame.loc[1, "status"] = "green"
    assert "✔" in staffing_figure(frame, text=text(), theme=SCREEN).data[0]["y"][1]
    frame.loc[1, "status"] = "amber"
    assert "▲" in staffing_figure(frame, text=text(), theme=SCREEN).data[0]["y"][1]


def test_staffing_shrunk_to_fit_a_slide_says_its_key_once():
    """A staffing chart too tall for its slide is drawn again in smaller type: its footer
    says what "åa" and the symbols mean once, not once per drawing (seen on Krami's
    slide: "Symbolerna: ▲ Nära målet · åa = årsarbetskrafter · Symbolerna: ▲ …")."""
    rows = staffing_frame().to_dict("records")
    many = pd.DataFrame([{**rows[1], "party_id": f"P{n}", "party": f"Part nummer {n}"}
                         for n in range(9)] + rows[-1:])
    fig = staffing_figure(many, text=text("Bemanning"), theme=PRESENT)
    assert fig.fit < 1  # shrunk
    footer = " ".join(annotation_texts(fig))
    assert footer.count("Symbolerna") == 1 and footer.count("åa = årsarbetskrafter") == 1


# --------------------------------------------------------------------------- costs


PARTY_NAMES = {"AF": "Arbetsförmedlingen", "KV": "Kriminalvården", "STHLM": "Stockholms stad"}


def cost_frame():
    """Q1 of base_tables: operating costs 230 000,50 split 50/50, fees −9 800 split 50/50."""
    return pd.DataFrame([
        {"party_id": "AF", "category": "driftskostnader", "paid": 0.0, "due": 0.0,
         "share": 0.0},
        {"party_id": "KV", "category": "avgiftsintäkter", "paid": 0.0, "due": -4900.0,
         "share": 0.5},
        {"party_id": "KV", "category": "driftskostnader", "paid": 20000.0, "due": 115000.25,
         "share": 0.5},
        {"party_id": "STHLM", "category": "avgiftsintäkter", "paid": -9800.0, "due": -4900.0,
         "share": 0.5},
        {"party_id": "STHLM", "category": "driftskostnader", "paid": 210000.5,
         "due": 115000.25, "share": 0.5},
    ])


def test_costs_in_kronor_with_the_balance_per_party():
    fig = costs_figure(cost_frame(), PARTY_NAMES, text=text("Kostnadsfördelning"),
                       theme=SCREEN)
    # One small chart per category (in the order of the data), then the total.
    titles = [a["text"] for a in fig.annotations[:3]]
    assert titles == ["<b>Driftskostnader</b>", "<b>Avgiftsintäkter</b>", "<b>Totalt</b>"]
    due, paid = fig.data[-2:]
    assert (due["name"], paid["name"]) == ("Ska betala", "Betalat")
    # KV due 115 000,25 − 4 900; STHLM paid 210 000,50 − 9 800.
    assert list(due["x"]) == pytest.approx([0, 110100.25, 110100.25])
    assert list(paid["x"]) == pytest.approx([0, 20000, 200200.5])
    assert list(due["text"]) == [f"0{NBSP}kr", f"110{NBSP}100{NBSP}kr", f"110{NBSP}100{NBSP}kr"]
    assert list(paid["text"]) == [f"0{NBSP}kr", f"20{NBSP}000{NBSP}kr", f"200{NBSP}201{NBSP}kr"]
    # (200 200,5 kr rounds up, as in Excel)
    labels = list(due["y"])
    assert labels[0].startswith("Arbetsförmedlingen<br>")
    assert f"Saldo 0{NBSP}kr" in labels[0]
    assert f"Saldo {MINUS}90{NBSP}100{NBSP}kr" in labels[1]
    assert f"Saldo +90{NBSP}100{NBSP}kr" in labels[2]
    assert fig.layout["xaxis3"]["range"][1] >= 200200.5
    # Operating costs: KV due half of 230 000,50, paid 20 000: −95 000 in that category;
    # AF has no share and paid nothing there: not drawn in it.
    op_due, op_paid = fig.data[0:2]
    assert [y.split("<br>")[0] for y in op_due["y"]] == ["Kriminalvården", "Stockholms stad"]
    assert list(op_due["x"]) == pytest.approx([115000.25, 115000.25])
    assert f"Saldo {MINUS}95{NBSP}000{NBSP}kr" in op_due["y"][0]


def test_costs_in_english():
    fig = costs_figure(cost_frame(), PARTY_NAMES, text=text(lang="en"), theme=SCREEN)
    assert list(fig.data[-1]["text"])[1] == f"SEK{NBSP}20,000"
    assert "Balance +SEK" in fig.data[-2]["y"][2]


def test_costs_empty():
    fig = costs_figure(pd.DataFrame(columns=["party_id", "category", "paid", "due", "share"]),
                       PARTY_NAMES, text=text(), theme=SCREEN)
    assert "Inga uppgifter för perioden." in annotation_texts(fig)


# --------------------------------------------------------------------------- clusters


def cluster_frame(names=("Norr", "Söder", "Mitt")):
    return pd.DataFrame([
        {"cluster_id": "norr", "name": names[0], "occupancy": 42.4,
         "occupancy_status": "red", "occupancy_target": 80, "work_study_share": 0.6,
         "share_status": "green", "share_target": 0.6, "completed": 10},
        {"cluster_id": "soder", "name": names[1], "occupancy": 75.0,
         "occupancy_status": "amber", "occupancy_target": 80, "work_study_share": 0.5,
         "share_status": "red", "share_target": 0.6, "completed": 4},
        {"cluster_id": "mitt", "name": names[2], "occupancy": 1200.0,
         "occupancy_status": "grey", "occupancy_target": None, "work_study_share": None,
         "share_status": "grey", "share_target": 0.6, "completed": 0},
    ])


def test_cluster_occupancy_best_first_with_symbols_and_target():
    fig = cluster_figure(cluster_frame(), "occupancy", text=text(), theme=SCREEN, target=80)
    (bars,) = fig.data
    # Grey status: no symbol (a name alone reads "not assessed").
    assert list(bars["y"]) == ["Mitt", "Söder ▲", "Norr ✖"]
    assert list(bars["x"]) == [1200, 75, 42.4]
    assert list(bars["text"]) == [f"<b>1{NBSP}200,0</b>", "<b>75,0</b>", "<b>42,4</b>"]
    assert fig.layout["yaxis"]["autorange"] == "reversed"
    assert "<b>Mål 80</b>" in annotation_texts(fig)
    (line,) = fig.shapes
    assert (line["x0"], line["x1"]) == (80, 80)


def test_cluster_axis_reaches_the_target_when_every_cluster_is_below():
    frame = cluster_frame().iloc[:2]
    fig = cluster_figure(frame, "occupancy", text=text(), theme=SCREEN, target=80)
    assert fig.layout["xaxis"]["range"][1] >= 80


def test_cluster_share_with_n_and_the_unknown_last():
    fig = cluster_figure(cluster_frame(), "work_study_share", text=text(), theme=SCREEN,
                         target=0.6)
    (bars,) = fig.data
    assert list(bars["y"]) == ["Norr ✔", "Söder ✖", "Mitt"]
    assert list(bars["x"]) == pytest.approx([60, 50, 0])
    assert list(bars["text"]) == [f"<b>60{NBSP}%</b>  (n = 10)", f"<b>50{NBSP}%</b>  (n = 4)",
                               "<b>–</b>  (n = 0)"]
    assert fig.layout["xaxis"]["ticksuffix"] == f"{NBSP}%"
    assert f"<b>Mål 60{NBSP}%</b>" in annotation_texts(fig)


def test_cluster_figure_empty():
    frame = cluster_frame()
    frame["work_study_share"] = None
    fig = cluster_figure(frame, "work_study_share", text=text(), theme=SCREEN)
    assert "Inga uppgifter för perioden." in annotation_texts(fig)


# --------------------------------------------------------------------------- indicators


def indicator_inputs():
    rows = pd.DataFrame([
        {"name": "overgang_studier_andel", "label": "Övergång till studier", "value": 0.012,
         "previous": 0.008, "unit": "percent", "target": 0.01, "comparator": ">=",
         "status": "green"},
        {"name": "aterfall", "label": "Aterfall", "value": 9, "previous": 11,
         "unit": "number", "target": None, "comparator": None, "status": "grey"},
        {"name": "langtidsarbetslosa_12", "label": "Långtidsarbetslösa > 12 mån",
         "value": 300, "previous": 320, "unit": "number", "target": None,
         "comparator": "decrease", "status": "green"},
    ])
    q1, q1_before = Period.parse("2023-Q1"), Period.parse("2022-Q1")

    def series(before, now):
        return pd.DataFrame({"period": [q1_before, q1], "value": [before, now],
                             "current": [False, True]})

    return rows, {"overgang_studier_andel": series(0.008, 0.012),
                  "aterfall": series(11, 9), "langtidsarbetslosa_12": series(320, 300)}


def test_indicators_one_subplot_title_each_status_only_with_a_target():
    rows, series = indicator_inputs()
    fig = indicators_figure(rows, series, text=text("Indikatorer"), theme=SCREEN)
    titles = annotation_texts(fig)[:3]
    assert titles[0].startswith("<b>Övergång till studier</b>")
    assert f"(mål ≥ 1{NBSP}%)" in titles[0]
    assert titles[0].endswith("✔ Uppnått")
    assert titles[1] == "<b>Aterfall</b>"
    assert titles[2].startswith("<b>Långtidsarbetslösa &gt; 12 mån</b> ↓")
    assert titles[2].endswith("✔ Uppnått")
    # Three small charts in two columns, then the footer.
    assert len([tr for tr in fig.data if tr["type"] == "bar"]) == 3
    assert "Data per" in fig.footer


def test_indicator_values_on_bars_percent_axis_and_target_line():
    rows, series = indicator_inputs()
    fig = indicators_figure(rows, series, text=text(), theme=SCREEN)
    studies, relapse, _ = fig.data
    assert list(studies["x"]) == ["kv. 1<br>2022", "kv. 1<br>2023"]
    assert list(studies["y"]) == pytest.approx([0.8, 1.2])
    assert list(studies["text"]) == [f"0,8{NBSP}%", f"1,2{NBSP}%"]
    assert list(relapse["text"]) == ["11", "9"]
    assert fig.layout["yaxis"]["ticksuffix"] == f"{NBSP}%"
    assert fig.layout["yaxis"]["range"][1] >= 1.2
    # The target line (at 1 %) only on the chart with an at-least target.
    (line,) = fig.shapes
    assert (line["y0"], line["y1"]) == (1.0, 1.0)


def test_indicators_without_series_is_empty():
    rows, _ = indicator_inputs()
    fig = indicators_figure(rows, {}, text=text(), theme=SCREEN)
    assert "Inga uppgifter för perioden." in annotation_texts(fig)


# --------------------------------------------------------------------------- escaping


def test_names_from_the_data_are_never_markup():
    frame = pd.DataFrame({"month": ["2023-01", "2023-01"], "group": [EVIL, "vuxna"],
                          "participants": [3, 4]})
    evil_text = text(title=EVIL, where=EVIL, footer=f"Data per 1 mars 2023 · Källa: {EVIL}")
    rows, series = indicator_inputs()
    rows.loc[1, "label"] = EVIL
    figures = [
        occupancy_figure(frame, months=["2023-01"], breakdown="target_group", target=80,
                         mean=7, text=evil_text, theme=SCREEN),
        outcomes_figure(outcome_frame([{"group": EVIL, "completed": 1, "work": 1, "study": 0,
                                        "other": 0, "discontinued": 0, "share": 1.0}]),
                        breakdown="target_group", target=0.6, comparator=">=",
                        status="green", text=evil_text, theme=SCREEN),
        staffing_figure(staffing_frame(EVIL), text=evil_text, theme=SCREEN),
        costs_figure(cost_frame(), {**PARTY_NAMES, "KV": EVIL}, text=evil_text, theme=SCREEN),
        cluster_figure(cluster_frame((EVIL, "B", "C")), "occupancy", text=evil_text,
                       theme=SCREEN, target=80),
        indicators_figure(rows, series, text=evil_text, theme=SCREEN),
        occupancy(pd.DataFrame(columns=["month", "group", "participants"]), text=evil_text),
    ]
    for fig in figures:
        found = strings(fig)
        assert not [s for s in found if "<script" in s.lower() or "<b>fet" in s]
        assert any("&lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;fet" in s for s in found)


def test_an_ampersand_is_escaped_once():
    fig = cluster_figure(cluster_frame(("Vällingby & City", "B", "C")), "occupancy",
                         text=text(where="Stad & land"), theme=SCREEN)
    assert "Vällingby &amp; City ✖" in list(fig.data[0]["y"])
    assert subtitle(fig) == "Stad &amp; land · jan–mar 2023"

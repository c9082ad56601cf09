"""Synthetic demo data: one workbook per agreement of the seeds.

``python -m dashboard.data.demo OUTDIR`` writes four workbooks in the import format of
contract.md section 1 (the committed copies are in ``data/demo/``). Parties, clusters,
targets and rules come from the agreement documents in ``seeds/``; every monthly figure,
every indicator value and every cost is SYNTHETIC. The numbers come from
``random.Random`` with a fixed seed per agreement and nothing else (no clock), so a
second run writes the same cells; the workbooks' internal timestamps are fixed too, so
it writes the same bytes.

The data are shaped to exercise the dashboard: targets met, nearly met and missed,
small counts in breakdowns (for privacy suppression), one missing month, income as
negative costs, indicators by quarter, half year and year.
"""

from __future__ import annotations

import io
import math
import random
import re
import sys
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

from dashboard.domain.periods import Period
from dashboard.domain.schema import TABLES

DEMO_MARK = "SYNTETISKA DEMODATA"
SOURCE_TAIL = " (syntetiska demodata)"
ABOUT_SHEET = "_om_demodata"
GENDERS = ("K", "M")

# Fixed timestamps inside the .xlsx (zip entries and document properties).
_ZIP_TIME = (2024, 1, 1, 0, 0, 0)
_CORE_TIME = b"2024-01-01T00:00:00Z"
_W3CDTF = re.compile(rb"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z")

Sheets = dict[str, tuple[list[str], list[list]]]


# --------------------------------------------------------------------------- helpers


def months(first: str, last: str) -> list[str]:
    """Every ``YYYY-MM`` from ``first`` to ``last`` inclusive."""
    return Period.parse(f"{first}..{last}").months


def percent_text(fraction: float, decimals: int = 1) -> str:
    """A fraction as Swedish percentage text: ``0.012`` -> ``"1,2 %"``."""
    return f"{fraction * 100:.{decimals}f}".replace(".", ",") + " %"


def binomial(n: int, p: float, rng: random.Random) -> int:
    """How many of ``n`` trials with probability ``p`` succeed."""
    return sum(rng.random() < p for _ in range(n))


def stochastic_round(x: float, rng: random.Random) -> int:
    """Round up with probability equal to the fraction: unbiased, noise below one."""
    whole = math.floor(x)
    return whole + (rng.random() < x - whole)


def split(total: int, weights: Sequence[float], rng: random.Random) -> list[int]:
    """Spread ``total`` units over the weights at random (counts that sum to ``total``)."""
    counts = [0] * len(weights)
    for i in rng.choices(range(len(weights)), weights=weights, k=total):
        counts[i] += 1
    return counts


def allocate(capacities: Sequence[int], k: int, rng: random.Random) -> list[int]:
    """Place ``k`` units at random in slots, at most ``capacities[i]`` in slot ``i``."""
    owners = [i for i, c in enumerate(capacities) for _ in range(c)]
    counts = [0] * len(capacities)
    for slot in rng.sample(range(len(owners)), min(k, len(owners))):
        counts[owners[slot]] += 1
    return counts


def vacancies(rng: random.Random, n_months: int, spells: int, most: float) -> list[float]:
    """FTE missing per month: a few spells of 1–4 months, each 0.5 up to ``most``."""
    gap = [0.0] * n_months
    for _ in range(spells):
        start = rng.randrange(n_months)
        size = rng.choice([x / 2 for x in range(1, int(most * 2) + 1)])
        for i in range(start, min(n_months, start + rng.randint(1, 4))):
            gap[i] = size
    return gap


def simulate_stock(rng: random.Random, weights: Sequence[float], totals: Sequence[int],
                   exit_p: float) -> list[list[tuple[int, int, int]]]:
    """Participants per cell and month as a stock with flows.

    Each month every participant leaves with probability ``exit_p`` (more leave when the
    month's total must drop), and new ones start, spread by ``weights``, until the month
    ends at its total. Returns per month, per cell ``(participants, started, exited)``.
    """
    stock = split(totals[0], weights, rng)
    out = []
    for total in totals:
        exited = [binomial(n, exit_p, rng) for n in stock]
        left = [n - e for n, e in zip(stock, exited, strict=True)]
        while sum(left) > total:
            i = rng.choices(range(len(left)), weights=left)[0]
            left[i] -= 1
            exited[i] += 1
        started = split(total - sum(left), weights, rng)
        stock = [n + s for n, s in zip(left, started, strict=True)]
        out.append(list(zip(stock, started, exited, strict=True)))
    return out


def records(name: str, rows: list[dict]) -> tuple[list[str], list[list]]:
    """A table of the contract from dicts: its English column names and the rows."""
    columns = TABLES[name].column_names
    for row in rows:
        unknown = set(row) - set(columns)
        if unknown:
            raise ValueError(f"{name}: unknown columns {sorted(unknown)}")
    return columns, [[row.get(c) for c in columns] for row in rows]


def description(agreement: str, extra: str = "") -> str:
    """The agreement's description: the demo mark first (the app looks for "syntetisk")."""
    text = (f"{DEMO_MARK}: Mål och regler kommer från {agreement}; alla månadssiffror "
            f"är påhittade.")
    return f"{text} {extra}".strip()


def about(seed_file: str, document: str, rng_seed: int) -> tuple[list[str], list[list]]:
    """The ``_om_demodata`` sheet (ignored on import): what is real and what is not."""
    lines = [
        f"{DEMO_MARK} – får inte användas som underlag för beslut eller i protokoll.",
        f"Parter, kluster, mål och regler kommer från överenskommelsen: {document} "
        f"(källdokument seeds/{seed_file}).",
        "Alla månadssiffror (beläggning, utfall, bemanning, kostnader) och alla "
        "indikatorvärden är SYNTETISKA DEMODATA, påhittade för att visa instrumentpanelen.",
        f"Genererade av dashboard/data/demo.py med fast slumpfrö {rng_seed}; "
        "återskapa med: python -m dashboard.data.demo data/demo",
        "Blad vars namn börjar med _ hoppas över vid import.",
    ]
    return ["Om demodata"], [[line] for line in lines]


def write_workbook(path: Path, sheets: Sheets) -> Path:
    """Write ``{sheet: (columns, rows)}`` as an .xlsx; text cells are stored as text.

    Text cells get the number format ``@`` so that Excel keeps ``2023-01`` as text.
    The file's timestamps are fixed, so the same sheets give the same bytes.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    for title, (columns, rows) in sheets.items():
        ws = wb.create_sheet(title)
        ws.append(columns)
        for row in rows:
            ws.append(row)
        for cells in ws.iter_rows(min_row=2):
            for cell in cells:
                if isinstance(cell.value, str):
                    cell.number_format = "@"
        for i, heading in enumerate(columns, start=1):
            ws.cell(1, i).font = Font(bold=True)
            longest = max([len(str(heading))] + [len(str(r[i - 1])) for r in rows
                                                 if r[i - 1] is not None])
            ws.column_dimensions[get_column_letter(i)].width = min(100, longest + 2)
        ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    wb.save(buffer)
    path.write_bytes(_fixed_times(buffer.getvalue()))
    return path


def _fixed_times(data: bytes) -> bytes:
    """The same .xlsx with fixed zip entry times and document property dates."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = _W3CDTF.sub(_CORE_TIME, body)
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 3
            dst.writestr(entry, body)
    return out.getvalue()


def _outcome(rng: random.Random, exits: int, p_discontinue: float, p_work_study: float,
             work_part: float, base: dict) -> dict:
    """An outcomes row for ``exits`` leavers: completed, work, study, other, discontinued.

    ``p_work_study`` of the completers go to work or study (rounded at random, so that
    the share over a year stays close to it), ``work_part`` of those to work.
    """
    discontinued = binomial(exits, p_discontinue, rng)
    completed = exits - discontinued
    work_study = min(completed, stochastic_round(completed * p_work_study, rng))
    work = stochastic_round(work_study * work_part, rng)
    return {**base, "completed": completed, "work": work, "study": work_study - work,
            "other": completed - work_study, "discontinued": discontinued}


def _place_outcomes(rng: random.Random, rows: list[dict], p_work: float,
                    p_study: float) -> None:
    """Fill work, study and other in a year of outcome rows (each with ``completed``).

    The year's totals are exactly the shares of its completers (so that a change
    between years shows through small monthly counts); the months get them at random.
    """
    completed = [r["completed"] for r in rows]
    total = sum(completed)
    work_study = allocate(completed, round(total * (p_work + p_study)), rng)
    work = allocate(work_study, round(total * p_work), rng)
    for row, ws, w in zip(rows, work_study, work, strict=True):
        row.update(work=w, study=ws - w, other=row["completed"] - ws)


# --------------------------------------------------------------------------- Krami

KRAMI_SEED = 2023_000
KRAMI_GROUPS = ("1 Anstalt, utsluss", "2 Övervakning", "3 Unga 18–25", "4 Övriga")


def _by_target_group(rng: random.Random, row: dict, exits: Sequence[int]) -> list[dict]:
    """One outcomes row per target group from a row of all groups: each leaver (a
    completer to work, study, other or not yet known, or one who discontinued) is placed
    in a group that had an exit that month, at random."""
    leavers = (["work"] * row["work"] + ["study"] * row["study"] + ["other"] * row["other"]
               + ["unknown"] * (row["completed"] - row["work"] - row["study"] - row["other"])
               + ["discontinued"] * row["discontinued"])
    rng.shuffle(leavers)
    slots = [g for g, n in zip(KRAMI_GROUPS, exits, strict=True) for _ in range(n)]
    rng.shuffle(slots)
    out = []
    for group in KRAMI_GROUPS:
        mine = [kind for kind, g in zip(leavers, slots, strict=False) if g == group]
        counts = {k: mine.count(k) for k in ("work", "study", "other", "unknown",
                                             "discontinued")}
        out.append({**{k: v for k, v in row.items() if k not in counts},
                    "target_group": group,
                    "completed": counts["work"] + counts["study"] + counts["other"]
                    + counts["unknown"],
                    "work": counts["work"], "study": counts["study"], "other": counts["other"],
                    "discontinued": counts["discontinued"]})
    return out


def krami_stockholm() -> Sheets:
    """Krami Stockholm 2023 (seed 000): AF, KV and the city; occupancy target 80."""
    rng = random.Random(KRAMI_SEED)
    # Outcomes are split by target group with a stream of their own, so that the totals
    # per gender and month stay what they were before the split was added.
    group_rng = random.Random(KRAMI_SEED + 1)
    a = "krami-sthlm-2023"
    period = months("2023-01", "2023-12")
    agreements = [{"agreement_id": a, "name": "Krami Stockholm 2023", "kind": "krami",
                   "municipalities": "0180", "meetings_per_year": 4,
                   "valid_from": "2023-01-01", "valid_to": "2023-12-31",
                   "description": description(
                       "den lokala överenskommelsen för Krami i Stockholm 2023")}]
    parties = [{"agreement_id": a, "party_id": "AF", "name": "Arbetsförmedlingen"},
               {"agreement_id": a, "party_id": "KV", "name": "Kriminalvården"},
               {"agreement_id": a, "party_id": "STHLM",
                "name": "Stockholms stad (Arbetsmarknadsförvaltningen)"}]
    clusters = [{"agreement_id": a, "cluster_id": "stockholm", "name": "Krami Stockholm"}]
    targets = [
        {"kpi": "occupancy", "comparator": ">=", "value": 80,
         "note": "Nyckeltal för beläggning 2023 är 80 deltagare för Krami."},
        {"kpi": "work_study_share", "comparator": ">=", "value": "60 %",
         "note": "Målet är att 60 % av alla avslutade deltagare, som fullföljt "
                 "vägledningsprogrammet, arbetar eller studerar."},
        {"kpi": "fte_actual", "role": "vägledare", "comparator": ">=", "value": 6,
         "note": "Totalt avsätter parterna 6 årsarbetskrafter till Krami (2 + 2 + 2 "
                 "vägledare; administratören räknas inte in i Krami-laget)."},
        {"kpi": "fte_actual_min", "role": "vägledare", "comparator": ">=", "value": 3,
         "note": "Ett Krami-lag bör bestå av minst tre heltidstjänster."},
        {"kpi": "fte_actual", "party_id": "AF", "comparator": ">=", "value": 2,
         "note": "Arbetsförmedlingen avsätter 2 årsarbetskrafter till Krami."},
        {"kpi": "fte_actual", "party_id": "KV", "comparator": ">=", "value": 2,
         "note": "Kriminalvården avsätter 2 årsarbetskrafter till Krami."},
        {"kpi": "fte_actual", "party_id": "STHLM", "comparator": ">=", "value": 2.5,
         "note": "Kommunen avsätter 2 årsarbetskrafter till Krami, och administratören "
                 "(50 %) är anställd i Stockholms stad: 2,5 årsarbetskrafter."},
        {"kpi": "fte_actual_min", "party_id": "AF", "comparator": ">=", "value": 1,
         "note": "Arbetsförmedlingen och Kriminalvården bidrar med motsvarande minst en "
                 "heltidstjänst vardera."},
        {"kpi": "fte_actual_min", "party_id": "KV", "comparator": ">=", "value": 1,
         "note": "Arbetsförmedlingen och Kriminalvården bidrar med motsvarande minst en "
                 "heltidstjänst vardera."},
        {"kpi": "fte_actual", "role": "administratör", "comparator": ">=", "value": 0.5,
         "note": "Stockholms stad och Kriminalvården delar på kostnaden för en "
                 "administratör med tjänstgöringsgraden 50 %."},
        {"kpi": "aterfall_andel", "comparator": "decrease",
         "note": "Målet är också att de ska leva ett liv utan kriminalitet, bli delaktiga i "
                 "nya sociala sammanhang med syfte att förebygga återfall i kriminalitet, "
                 "missbruk och motverka utanförskap."},
    ]
    targets = [{"agreement_id": a, **t} for t in targets]

    # Occupancy: a year below the target at first, above it in the autumn.
    profile = [70, 73, 77, 82, 85, 80, 69, 66, 75, 83, 88, 91]
    totals = [p + rng.randint(-2, 2) for p in profile]
    women = [round(t * rng.uniform(0.12, 0.18)) for t in totals]
    group_weights = (0.25, 0.35, 0.2, 0.2)
    stock = {"K": simulate_stock(rng, group_weights, women, exit_p=0.14),
             "M": simulate_stock(rng, group_weights,
                                 [t - k for t, k in zip(totals, women, strict=True)],
                                 exit_p=0.14)}
    occupancy, outcomes = [], []
    # Share of completers to work or study per month: mostly under 60 %, a few above.
    month_ws = [0.4, 0.36, 0.45, 0.42, 0.64, 0.38, 0.33, 0.41, 0.48, 0.62, 0.44, 0.61]
    for i, (month, p_ws) in enumerate(zip(period, month_ws, strict=True)):
        for gender in GENDERS:
            base = {"agreement_id": a, "cluster_id": "stockholm", "month": month,
                    "gender": gender}
            flows = stock[gender][i]
            for group, (n, started, exited) in zip(KRAMI_GROUPS, flows, strict=True):
                occupancy.append({**base, "target_group": group, "participants": n,
                                  "started": started, "exited": exited})
            exits = sum(f[2] for f in flows)
            p = p_ws * (0.75 if gender == "K" else 1.0)  # weaker results for women (seed 002)
            row = _outcome(rng, exits, 0.22, p, 0.7, base)
            if row["other"] and rng.random() < 0.25:
                row["other"] -= 1  # destination not known yet
            outcomes += _by_target_group(group_rng, row, [f[2] for f in flows])

    # Staffing: 2 FTE per party; vacancies and sick leave in a few months.
    absent = {("KV", "2023-03"): 0.5, ("KV", "2023-04"): 0.5, ("KV", "2023-05"): 0.5,
              ("AF", "2023-08"): 1.0, ("STHLM", "2023-07"): 0.25}
    staffing = []
    for month in period:
        for party in ("AF", "KV", "STHLM"):
            staffing.append({"agreement_id": a, "month": month, "party_id": party,
                             "role": "vägledare", "committed_fte": 2.0,
                             "actual_fte": 2.0 - absent.get((party, month), 0.0)})
        staffing.append({"agreement_id": a, "month": month, "party_id": "STHLM",
                         "role": "administratör", "committed_fte": 0.5, "actual_fte": 0.5})

    categories = ("driftskostnader", "administratör", "avgiftsintäkter")
    cost_shares = [{"agreement_id": a, "cost_category": c, "party_id": p, "share": 0.5}
                   for c in categories for p in ("KV", "STHLM")]
    costs = []
    for month in period:
        base = {"agreement_id": a, "month": month}
        costs.append({**base, "cost_category": "driftskostnader", "paid_by": "STHLM",
                      "amount_sek": round(rng.uniform(110_000, 140_000), -2),
                      "note": "Lokaler, service och städ, handledning, försäkringar"})
        costs.append({**base, "cost_category": "driftskostnader", "paid_by": "KV",
                      "amount_sek": round(rng.uniform(15_000, 30_000), -2),
                      "note": "Deltagartelefoner, deltagardatorer, förbrukningsmaterial"})
        costs.append({**base, "cost_category": "administratör", "paid_by": "STHLM",
                      "amount_sek": 24_000.0,
                      "note": "Administratör 50 %, anställd i Stockholms stad"})
        paying = rng.choices([0, 1, 2, 3], weights=[3, 3, 2, 1])[0]
        if paying:
            # The payment model for municipalities outside the agreement: 24 500 kr per
            # participant (4 900 kr a month for five months), invoiced at enrolment.
            costs.append({**base, "cost_category": "avgiftsintäkter", "paid_by": "STHLM",
                          "amount_sek": -24_500.0 * paying,
                          "note": "Avgift från kommun utanför överenskommelsen: 24 500 kr "
                                  f"per deltagare × {paying}"})

    # Reoffending (seed 002: "andelen återfall är nu under 30 procent"): the share of those
    # who left Krami a year earlier who reoffended, measured each quarter (a rate: a year
    # is the mean of its quarters); 2023-Q4 is not known yet when the year is reviewed.
    reoffending = [0.31, 0.29, 0.3, 0.28, 0.27, 0.27, 0.25]
    indicators = [{"agreement_id": a, "period": f"{2022 + i // 4}-Q{i % 4 + 1}",
                   "indicator": "aterfall_andel", "value": percent_text(v),
                   "source": "Kriminalvården" + SOURCE_TAIL}
                  for i, v in enumerate(reoffending)]
    indicator_defs = [{"agreement_id": a, "indicator": "aterfall_andel",
                       "name": "Återfall i brott inom ett år", "unit": "share",
                       "aggregate": "mean", "source": "Kriminalvården" + SOURCE_TAIL}]

    return {
        ABOUT_SHEET: about("000_f334da2bcd5c7f11.txt",
                           "Lokal överenskommelse för Krami i Stockholm 2023", KRAMI_SEED),
        "agreements": records("agreements", agreements),
        "parties": records("parties", parties),
        "clusters": records("clusters", clusters),
        "targets": records("targets", targets),
        "occupancy": records("occupancy", occupancy),
        "staffing": records("staffing", staffing),
        "cost_shares": records("cost_shares", cost_shares),
        "costs": records("costs", costs),
        "outcomes": records("outcomes", outcomes),
        "indicators": records("indicators", indicators),
        "indicator_defs": records("indicator_defs", indicator_defs),
    }


# --------------------------------------------------------------------------- Stockholm–AF

STHLM_AF_SEED = 2023_001
STHLM_AF_GROUPS = ("Nyanlända i etableringsprogrammet", "Övriga nyanlända", "Unga 16–29",
                   "Funktionsnedsättning", "Övriga")
# cluster id: name, mean participants, group weights, FTE committed (STHLM, AF),
# change of the share to work or study from 2022 to 2023.
STHLM_AF_CLUSTERS = {
    "jarva": ("Järva", 360, (0.1, 0.14, 0.3, 0.12, 0.34), (6.0, 5.0), 0.06),
    "vallingby-city": ("Vällingby-City", 230, (0.06, 0.1, 0.3, 0.16, 0.38), (4.0, 4.0), 0.04),
    "soderort-grona": ("Söderort – Gröna linjen", 200, (0.07, 0.11, 0.3, 0.15, 0.37),
                       (3.0, 3.0), -0.05),
    "soderort-roda": ("Söderort – Röda linjen", 160, (0.08, 0.12, 0.3, 0.14, 0.36),
                      (3.0, 2.0), 0.04),
    "nyanlanda": ("Nyanlända", 260, (0.56, 0.34, 0.05, 0.02, 0.03), (5.0, 4.0), -0.03),
}
# Per target group: share of completers to work and to studies (men; women lower).
STHLM_AF_RATES = {
    "Nyanlända i etableringsprogrammet": (0.24, 0.18),
    "Övriga nyanlända": (0.3, 0.14),
    "Unga 16–29": (0.3, 0.2),
    "Funktionsnedsättning": (0.18, 0.05),
    "Övriga": (0.34, 0.08),
}
STHLM_AF_MISSING = ("soderort-roda", "2023-05")


def stockholm_af() -> Sheets:
    """Stockholms stad – Arbetsförmedlingen 2023 (seed 001): five clusters, 2022 to compare."""
    rng = random.Random(STHLM_AF_SEED)
    a = "sthlm-af-2023"
    period = months("2022-01", "2023-12")
    agreements = [{"agreement_id": a, "name": "Stockholms stad – Arbetsförmedlingen 2023",
                   "kind": "lok", "municipalities": "0180", "meetings_per_year": 2,
                   "valid_from": "2022-01-01", "valid_to": "2023-12-31",
                   "description": description(
                       "samverkansöverenskommelsen mellan Stockholms stad och "
                       "Arbetsförmedlingen",
                       "Överenskommelsen gäller från 2023-01-01 utan slutdatum; uppföljningen "
                       "avser 2023 med 2022 som jämförelseår. Här börjar giltigheten "
                       "2022-01-01 så att jämförelseårets månader (under den tidigare "
                       "överenskommelsen) kan lagras; målen gäller från 2023-01-01. Den "
                       "operativa styrgruppen följer upp samverkan terminsvis: två möten "
                       "per år.")}]
    parties = [{"agreement_id": a, "party_id": "STHLM", "name": "Stockholms stad"},
               {"agreement_id": a, "party_id": "AF",
                "name": "Arbetsförmedlingen Region Stockholm-Gotland"}]
    clusters = [{"agreement_id": a, "cluster_id": c, "name": spec[0]}
                for c, spec in STHLM_AF_CLUSTERS.items()]
    goal = ("Andelen arbetslösa stockholmare som börjar arbeta eller påbörjar reguljära "
            "studier ska öka jämfört med föregående år.")
    progression = ("Progressionen kartläggs av respektive kluster genom analys av bland "
                   "annat genomströmning och andel som börjar arbeta respektive studera.")
    targets = []
    for c in ("", *STHLM_AF_CLUSTERS):
        targets.append({"agreement_id": a, "cluster_id": c or None, "kpi": "work_study_share",
                        "comparator": "increase", "note": goal})
        targets += [{"agreement_id": a, "cluster_id": c or None, "kpi": kpi,
                     "comparator": "increase", "note": progression}
                    for kpi in ("work_share", "study_share")]
    targets.append({"agreement_id": a, "kpi": "arbetsgivare_stod", "comparator": "increase",
                    "note": "Fler arbetsgivare har fått stöd för att stärka sin förmåga att "
                            "hantera sitt kompetensförsörjningsbehov."})
    targets = [{**t, "valid_from": "2023-01-01"} for t in targets]

    season = [1.0, 1.02, 1.04, 1.03, 1.0, 0.96, 0.88, 0.9, 1.0, 1.04, 1.05, 1.0]
    cells = [(g, t) for g in GENDERS for t in STHLM_AF_GROUPS]
    occupancy, outcomes, staffing = [], [], []
    for cluster, (_name, size, group_w, fte, change) in STHLM_AF_CLUSTERS.items():
        women = 0.5 if cluster == "nyanlanda" else 0.45
        weights = [(women if g == "K" else 1 - women) * w for g in GENDERS for w in group_w]
        totals = [round(size * season[i % 12] * (1 + 0.03 * (i // 12))
                        * rng.uniform(0.96, 1.04)) for i in range(len(period))]
        stock = simulate_stock(rng, weights, totals, exit_p=0.08)
        by_year: dict[tuple, list[dict]] = {}
        for month, flows in zip(period, stock, strict=True):
            if (cluster, month) == STHLM_AF_MISSING:
                continue  # not reported: a gap the dashboard must show
            for (gender, group), (n, started, exited) in zip(cells, flows, strict=True):
                key = {"agreement_id": a, "cluster_id": cluster, "month": month,
                       "gender": gender, "target_group": group}
                occupancy.append({**key, "participants": n, "started": started,
                                  "exited": exited})
                completed = stochastic_round(exited * 0.72, rng)
                row = {**key, "completed": completed, "discontinued": exited - completed}
                outcomes.append(row)
                by_year.setdefault((gender, group, month[:4]), []).append(row)
        for (gender, group, year), rows in by_year.items():
            p_work, p_study = STHLM_AF_RATES[group]
            if gender == "K":  # weaker results for women to work (seed 002)
                p_work, p_study = p_work * 0.7, p_study * 1.1
            lift = change if year == "2023" else 0.0
            _place_outcomes(rng, rows, p_work + lift * 0.7, p_study + lift * 0.3)
        for party, role, committed in (("STHLM", "arbetsmarknadskonsulent", fte[0]),
                                       ("AF", "arbetsförmedlare", fte[1])):
            gaps = vacancies(rng, len(period), spells=3, most=1.0)
            for month, gap in zip(period, gaps, strict=True):
                staffing.append({"agreement_id": a, "cluster_id": cluster, "month": month,
                                 "party_id": party, "role": role, "committed_fte": committed,
                                 "actual_fte": committed - gap})

    employers = {"2022-H1": 142, "2022-H2": 158, "2023-H1": 171, "2023-H2": 153}
    indicators = [{"agreement_id": a, "period": p, "indicator": "arbetsgivare_stod",
                   "value": v + rng.randint(-3, 3),
                   "source": "Arbetsförmedlingen" + SOURCE_TAIL}
                  for p, v in employers.items()]
    # Employers supported in a half year: a flow (the year is the sum of its halves).
    indicator_defs = [{"agreement_id": a, "indicator": "arbetsgivare_stod",
                       "name": "Arbetsgivare som fått stöd", "unit": "count",
                       "aggregate": "sum", "source": "Arbetsförmedlingen" + SOURCE_TAIL}]

    return {
        ABOUT_SHEET: about("001_c59e305c58621bb7.txt", "Samverkansöverenskommelse mellan "
                           "Stockholms stad och Arbetsförmedlingen från 2023-01-01",
                           STHLM_AF_SEED),
        "agreements": records("agreements", agreements),
        "parties": records("parties", parties),
        "clusters": records("clusters", clusters),
        "targets": records("targets", targets),
        "occupancy": records("occupancy", occupancy),
        "staffing": records("staffing", staffing),
        "outcomes": records("outcomes", outcomes),
        "indicators": records("indicators", indicators),
        "indicator_defs": records("indicator_defs", indicator_defs),
    }


# --------------------------------------------------------------------------- Järfälla

JARFALLA_SEED = 2023_003
_AF = "Arbetsförmedlingen" + SOURCE_TAIL
_AME = "Arbetsmarknadsenheten, Järfälla kommun" + SOURCE_TAIL
_VUX = "Vuxenutbildningen, Järfälla kommun" + SOURCE_TAIL
# indicator: comparator, target value, kind ("count", "gender" or "percent"),
# level of 2022-Q1 (a count, or a fraction), 2023 against the same quarter of 2022
# (relative change for counts, percentage points for percentages), source, quote.
JARFALLA_INDICATORS = {
    "overgang_arbete": (
        "increase", None, "gender", {"K": 128, "M": 164}, (0.06, 0.04, -0.03, 0.07), _AF,
        "Antal arbetssökande män och kvinnor som övergår till arbete ska öka."),
    "langtidsarbetslosa_12": (
        "decrease", None, "count", 1480, (-0.04, -0.06, -0.05, -0.08), _AF,
        "Antal långtidsarbetslösa (>12 mån) ska minska."),
    "langtidsarbetslosa_24": (
        "decrease", None, "gender", {"K": 430, "M": 365}, (-0.02, 0.03, 0.04, 0.05), _AF,
        "Antal män och kvinnor i lång långtidsarbetslöshet (>24 mån) ska minska."),
    "langtidsarbetslosa_24_utomeurop_fodda": (
        "decrease", None, "count", 485, (-0.03, -0.01, 0.0, -0.04), _AF,
        "Antal utomeuropeiskt födda personer i lång långtidsarbetslöshet ska minska."),
    "kommunal_insats_under_55": (
        "increase", None, "count", 104, (0.1, 0.12, 0.08, 0.0), _AME,
        "Antal personer <55 år som deltar i kommunal arbetsmarknadsinsats ska öka."),
    "overgang_studier_andel": (
        ">=", "1 %", "percent", 0.011, (0.001, 0.001, -0.003, 0.003), _AF,
        "Omsättningen till studier ska vara minst 1 %."),
    "sfi_genomstromning_andel": (
        "increase", None, "percent", 0.415, (0.021, 0.014, -0.008, 0.03), _VUX,
        "Genomströmningen i vuxenutbildningens SFI-utbildningar ska öka."),
    "unga_16_24_arbete_studier_andel": (
        "increase", None, "percent", 0.318, (0.015, 0.008, 0.022, -0.014), _AF,
        "Andelen arbetssökande ungdomar i ålder 16–24 som övergår till studier eller "
        "arbete ska öka."),
    "unga_16_24_studier_andel": (
        "increase", None, "percent", 0.096, (0.006, 0.009, 0.004, 0.007), _VUX,
        "Andel ungdomar i ålder 16–24 år som övergår i studier ska öka."),
}


# How each indicator reads (indicator_defs): unit and how quarters combine into a year.
# Flows (people who moved to work during the quarter) are summed; levels (long-term
# unemployed, participants at the end of the quarter) are the latest quarter; rates
# measured each quarter are their mean.
JARFALLA_DEFS = {  # indicator: (unit, aggregate)
    "overgang_arbete": ("count", "sum"),
    "langtidsarbetslosa_12": ("count", "last"),
    "langtidsarbetslosa_24": ("count", "last"),
    "langtidsarbetslosa_24_utomeurop_fodda": ("count", "last"),
    "kommunal_insats_under_55": ("count", "last"),
    "overgang_studier_andel": ("share", "mean"),
    "sfi_genomstromning_andel": ("share", "mean"),
    "unga_16_24_arbete_studier_andel": ("share", "mean"),
    "unga_16_24_studier_andel": ("share", "mean"),
    "forsorjningsstod_andel": ("share", "last"),
}


def _moved(value: int, change: float) -> int:
    """A count changed by ``change`` (relative), moving at least one the same way."""
    new = round(value * (1 + change))
    if change and new == value:
        new += 1 if change > 0 else -1
    return new


def jarfalla_af() -> Sheets:
    """Järfälla kommun – Arbetsförmedlingen 2023 (seed 003): directional indicator targets."""
    rng = random.Random(JARFALLA_SEED)
    a = "jarfalla-af-2023"
    agreements = [{"agreement_id": a, "name": "Järfälla kommun – Arbetsförmedlingen 2023",
                   "kind": "lok", "municipalities": "0123", "meetings_per_year": 4,
                   "valid_from": "2023-01-01", "valid_to": "2023-12-31",
                   "description": description(
                       "överenskommelsen om samverkan mellan Järfälla kommun och "
                       "Arbetsförmedlingen",
                       "Överenskommelsen gäller från 2023-01-01 och tillsvidare och ses över vid "
                       "årets sista styrgruppsmöte; här följs 2023 upp med 2022 som "
                       "jämförelseår.")}]
    parties = [{"agreement_id": a, "party_id": "AF",
                "name": "Arbetsförmedlingen Stockholm Nordväst"},
               {"agreement_id": a, "party_id": "JARFALLA", "name": "Järfälla kommun"}]
    targets, indicators = [], []
    for name, (comparator, value, kind, level, change, source, quote) in \
            JARFALLA_INDICATORS.items():
        targets.append({"agreement_id": a, "kpi": name, "comparator": comparator,
                        "value": value, "note": quote})
        for gender in (GENDERS if kind == "gender" else (None,)):
            start = level[gender] if kind == "gender" else level
            # 2022: a slow random walk from quarter to quarter.
            year_before = [start]
            for _ in range(3):
                if kind == "percent":
                    step = round(rng.uniform(-0.002, 0.002) if start < 0.05 else
                                 rng.uniform(-0.012, 0.012), 3)
                    year_before.append(round(year_before[-1] + step, 3))
                else:
                    year_before.append(round(year_before[-1] * rng.uniform(0.96, 1.04)))
            if kind == "percent":
                year = [round(v + c, 3) for v, c in zip(year_before, change, strict=True)]
                shown = [percent_text(v) for v in year_before + year]
            else:
                year = [_moved(v, c) for v, c in zip(year_before, change, strict=True)]
                shown = year_before + year
            for i, v in enumerate(shown):
                indicators.append({"agreement_id": a, "period": f"{2022 + i // 4}-Q{i % 4 + 1}",
                                   "indicator": name, "gender": gender, "value": v,
                                   "source": source})
    targets.append({"agreement_id": a, "kpi": "forsorjningsstod_andel",
                    "comparator": "decrease",
                    "note": "Personer som uppbär försörjningsstöd ska minska som andel av "
                            "befolkningen. Mäts årligen via Kolada."})
    for year, share in ((2022, 0.026), (2023, 0.024)):
        indicators.append({"agreement_id": a, "period": str(year),
                           "indicator": "forsorjningsstod_andel",
                           "value": percent_text(share), "source": "Kolada" + SOURCE_TAIL})
    sources = {i["indicator"]: i["source"] for i in indicators}
    indicator_defs = [{"agreement_id": a, "indicator": name, "unit": unit,
                       "aggregate": aggregate, "source": sources[name]}
                      for name, (unit, aggregate) in JARFALLA_DEFS.items()]

    return {
        ABOUT_SHEET: about("003_f81afe8033d4e5e6.txt", "Överenskommelse om samverkan mellan "
                           "Järfälla kommun och Arbetsförmedlingen från 2023-01-01",
                           JARFALLA_SEED),
        "agreements": records("agreements", agreements),
        "parties": records("parties", parties),
        "clusters": records("clusters", []),
        "targets": records("targets", targets),
        "indicators": records("indicators", indicators),
        "indicator_defs": records("indicator_defs", indicator_defs),
    }


# --------------------------------------------------------------------------- Grums

GRUMS_SEED = 2016_004


def grums_unga() -> Sheets:
    """Grums kommun – AF, young people 16–24, 2016–2018 (seed 004): the 90-day guarantee."""
    rng = random.Random(GRUMS_SEED)
    a = "grums-unga-2016"
    period = months("2016-01", "2018-12")
    agreements = [{"agreement_id": a,
                   "name": "Grums kommun – Arbetsförmedlingen, unga 16–24 (2016–2018)",
                   "kind": "unga", "municipalities": "1764;1761;1780",
                   "meetings_per_year": 4,
                   "valid_from": "2016-01-01", "valid_to": "2018-12-31",
                   "description": description(
                       "den lokala överenskommelsen om ungdomsarbetslöshet (bilaga 3 B, "
                       "Grums kommun)",
                       "Andelen med försörjningsstöd följs upp men är inget mål i sig.")}]
    parties = [{"agreement_id": a, "party_id": "AF", "name": "Arbetsförmedlingen"},
               {"agreement_id": a, "party_id": "GRUMS", "name": "Grums kommun"}]
    clusters = [{"agreement_id": a, "cluster_id": "grums", "name": "Grums"}]
    targets = [
        {"kpi": "inom_90_dagar_andel", "comparator": ">=", "value": "100 %",
         "note": "90-dagars garanti: inom 90 dagar ska det påbörjas ett arbete med "
                 "ungdomen."},
        {"kpi": "fte_actual", "party_id": "AF", "comparator": ">=", "value": 2,
         "note": "Arbetsförmedlingen bistår med två arbetsförmedlare på kontoret i Grums."},
        {"kpi": "fte_actual", "party_id": "GRUMS", "comparator": ">=", "value": 3,
         "note": "Kommunen bidrar med en samordnare och två handledare."},
        {"kpi": "fte_actual", "role": "samordnare", "comparator": ">=", "value": 1,
         "note": "En huvudansvarig samordnare kommer att utses för överenskommelsearbetet."},
        {"kpi": "fte_actual", "role": "handledare", "comparator": ">=", "value": 2,
         "note": "... två handledare som arbetar praktiskt med ungdomarna."},
    ]
    targets = [{"agreement_id": a, **t} for t in targets]

    # Young people in the collaboration: more after the school year ends.
    season = [0, 0, 1, 1, 2, 4, 7, 6, 3, 1, 0, -2]
    level = {2016: 18, 2017: 22, 2018: 21}
    totals = [max(15, min(35, level[int(m[:4])] + season[i % 12] + rng.randint(-2, 2)))
              for i, m in enumerate(period)]
    stock = simulate_stock(rng, [0.4, 0.6], totals, exit_p=0.2)
    occupancy, outcomes = [], []
    for month, flows in zip(period, stock, strict=True):
        for gender, (n, started, exited) in zip(GENDERS, flows, strict=True):
            base = {"agreement_id": a, "cluster_id": "grums", "month": month, "gender": gender}
            occupancy.append({**base, "participants": n, "started": started,
                              "exited": exited})
            p_work_study = 0.55 if gender == "K" else 0.62
            outcomes.append(_outcome(rng, exited, 0.15, p_work_study, 0.55 if gender == "K"
                                     else 0.7, base))

    staffing = []
    plan = (("AF", "arbetsförmedlare", 2.0, 2), ("GRUMS", "samordnare", 1.0, 0),
            ("GRUMS", "handledare", 2.0, 2))
    for party, role, committed, spells in plan:
        gaps = vacancies(rng, len(period), spells, most=committed / 2)
        for i, (month, gap) in enumerate(zip(period, gaps, strict=True)):
            if role == "samordnare" and i < 3:
                gap = committed  # the coordinator was appointed in the spring of 2016
            staffing.append({"agreement_id": a, "cluster_id": "grums", "month": month,
                             "party_id": party, "role": role, "committed_fte": committed,
                             "actual_fte": committed - gap})

    indicators = []
    for q in range(len(period) // 3):
        starts = sum(sum(f[1] for f in stock[m]) for m in range(3 * q, 3 * q + 3))
        if not starts:
            continue
        reached = max(starts - binomial(starts, 0.07, rng), math.ceil(starts * 0.82))
        indicators.append({"agreement_id": a, "period": f"{2016 + q // 4}-Q{q % 4 + 1}",
                           "indicator": "inom_90_dagar_andel",
                           "value": percent_text(reached / starts),
                           "source": "Arbetsförmedlingen och Grums kommun" + SOURCE_TAIL})
    for year, share in ((2016, 0.048), (2017, 0.045), (2018, 0.046)):
        indicators.append({"agreement_id": a, "period": str(year),
                           "indicator": "forsorjningsstod_andel",
                           "value": percent_text(share), "source": "Kolada" + SOURCE_TAIL})
    # The guarantee is a rate measured each quarter: a year is the mean of its quarters
    # (weighted by months), not its last quarter.
    indicator_defs = [
        {"agreement_id": a, "indicator": "inom_90_dagar_andel",
         "name": "Insats inom 90 dagar (90-dagarsgarantin)", "unit": "share",
         "aggregate": "mean", "source": "Arbetsförmedlingen och Grums kommun" + SOURCE_TAIL},
        {"agreement_id": a, "indicator": "forsorjningsstod_andel",
         "name": "Andel med försörjningsstöd", "unit": "share", "aggregate": "last",
         "source": "Kolada" + SOURCE_TAIL}]

    return {
        ABOUT_SHEET: about("004_6adf92ae3e3f89ed.txt", "Bilaga 3 B, verksamhet i samverkan "
                           "i Grums kommun (unga 16–24), 2016–2018", GRUMS_SEED),
        "agreements": records("agreements", agreements),
        "parties": records("parties", parties),
        "clusters": records("clusters", clusters),
        "targets": records("targets", targets),
        "occupancy": records("occupancy", occupancy),
        "staffing": records("staffing", staffing),
        "outcomes": records("outcomes", outcomes),
        "indicators": records("indicators", indicators),
        "indicator_defs": records("indicator_defs", indicator_defs),
    }


# --------------------------------------------------------------------------- command line

DEMOS: dict[str, Callable[[], Sheets]] = {
    "krami-stockholm-2023.xlsx": krami_stockholm,
    "stockholm-af-2023.xlsx": stockholm_af,
    "jarfalla-af-2023.xlsx": jarfalla_af,
    "grums-unga-2016-2018.xlsx": grums_unga,
}

# Steering meetings of the demo (synthetic, like the data): Grums's strategic group met in
# April 2018 on the first quarter, decided to reach young people sooner (tied to the share
# offered a measure within 90 days) and closed the meeting; its October meeting (open)
# reviews the third quarter and shows the effect since that decision, and the agreement's
# indicator chart marks it. Loaded with the workbooks into an empty database
# (dashboard.web.app.load_demo, through dashboard.meetings), never written into them.
DEMO_MEETINGS: list[dict] = [
    {"agreement_id": "grums-unga-2016", "period": "2018-Q1", "held_on": "2018-04-19",
     "title": "Strategiska gruppen april", "attendees": "AF, Grums kommun",
     "decisions": [{"text": "Förstärk uppsökande arbete: första kontakt inom 30 dagar",
                    "kpi": "inom_90_dagar_andel"}],
     "closed": True},
    {"agreement_id": "grums-unga-2016", "period": "2018-Q3", "held_on": "2018-10-18",
     "title": "Strategiska gruppen oktober", "attendees": "AF, Grums kommun",
     "decisions": [], "closed": False},
]


def generate(outdir: Path | str) -> list[Path]:
    """Write every demo workbook into ``outdir``; returns their paths."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    return [write_workbook(outdir / name, build()) for name, build in DEMOS.items()]


def main(argv: list[str] | None = None) -> int:
    """``python -m dashboard.data.demo OUTDIR``."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or args[0].startswith("-"):
        print("usage: python -m dashboard.data.demo OUTDIR", file=sys.stderr)
        return 2
    for path in generate(args[0]):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())

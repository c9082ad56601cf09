"""A synthetic national dataset: every agreement of the country, monthly for ten years.

    .venv/bin/python bench/national.py [OUT] [--zip] [--swedish] [--agreements N]
                                       [--first 2015-01] [--last 2024-12]

Writes a folder of ``<table>.csv`` files (contract.md section 1) into ``OUT`` (default
``/tmp/national``), and with ``--zip`` also ``OUT.zip`` holding the same files. The shape
is the national one of issue 9: 330 agreements (``kind`` krami, lok or unga, one to
three SCB municipality codes of one county each; the first has ten clusters, the
biggest), about 1 300 clusters in all, three
parties each, monthly 2015-01..2024-12; occupancy by gender (K/M) and four target
groups, outcomes by gender, staffing per party and role, costs in four categories with
their cost shares, indicators by quarter (by gender) and by year, and targets: about
1.9 million rows, 110 MB. Every figure is SYNTHETIC.

Deterministic: ``random.Random`` with a fixed seed and nothing else (no clock, fixed zip
timestamps), so two runs write the same bytes. The dataset is valid: it imports with no
problem. ``--swedish`` writes the files as Swedish Excel saves them (``;``, decimal
comma, Windows-1252) instead of UTF-8 with ``,``.

:func:`generate` is also used by the tests, with a few agreements and months.
"""

from __future__ import annotations

import argparse
import calendar
import csv
import random
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dashboard.domain.places import MUNICIPALITIES  # noqa: E402

SEED = 20_241_231
GENDERS = ("K", "M")
KINDS = (("krami", 0.2), ("lok", 0.5), ("unga", 0.3))
TARGET_GROUPS = {
    "krami": ("frigivna", "frivård", "unga 18–25", "övriga"),
    "lok": ("nyanlända", "unga 16–29", "funktionsnedsättning", "övriga"),
    "unga": ("16–19 år", "20–24 år", "utan gymnasieexamen", "övriga"),
}
THIRD_PARTY = {"krami": ("KV", "Kriminalvården"), "lok": ("FK", "Försäkringskassan"),
               "unga": ("GY", "Gymnasieförvaltningen")}
KIND_NAMES = {"krami": "Krami", "lok": "Lokal överenskommelse", "unga": "Unga"}
# The counties (län) with their biggest municipalities; a neighbour is any of the county's
# municipalities (dashboard/domain/places.py: the importer checks the codes against SCB's list).
COUNTIES = {
    "01": ("Stockholm", ["0180", "0114", "0123", "0126", "0138", "0160", "0182"]),
    "03": ("Uppsala", ["0380", "0381"]), "04": ("Södermanland", ["0480", "0484"]),
    "05": ("Östergötland", ["0580", "0581"]), "06": ("Jönköping", ["0680", "0683"]),
    "07": ("Kronoberg", ["0780"]), "08": ("Kalmar", ["0880", "0882"]),
    "09": ("Gotland", ["0980"]), "10": ("Blekinge", ["1080", "1082"]),
    "12": ("Skåne", ["1280", "1281", "1283", "1290"]), "13": ("Halland", ["1380", "1382"]),
    "14": ("Västra Götaland", ["1480", "1485", "1490", "1494"]),
    "17": ("Värmland", ["1780", "1764"]), "18": ("Örebro", ["1880", "1881"]),
    "19": ("Västmanland", ["1980", "1983"]), "20": ("Dalarna", ["2080", "2081"]),
    "21": ("Gävleborg", ["2180", "2181"]), "22": ("Västernorrland", ["2280", "2281"]),
    "23": ("Jämtland", ["2380"]), "24": ("Västerbotten", ["2480", "2482"]),
    "25": ("Norrbotten", ["2580", "2581"]),
}
ZIP_TIME = (2024, 1, 1, 0, 0, 0)

HEADERS = {
    "agreements": ["agreement_id", "name", "valid_from", "valid_to", "description", "kind",
                   "municipalities"],
    "parties": ["agreement_id", "party_id", "name"],
    "clusters": ["agreement_id", "cluster_id", "name"],
    "targets": ["agreement_id", "cluster_id", "party_id", "kpi", "comparator", "value",
                "tolerance", "valid_from", "valid_to", "note"],
    "occupancy": ["agreement_id", "cluster_id", "month", "gender", "target_group",
                  "participants", "started", "exited"],
    "staffing": ["agreement_id", "cluster_id", "month", "party_id", "role", "committed_fte",
                 "actual_fte"],
    "cost_shares": ["agreement_id", "cost_category", "party_id", "share"],
    "costs": ["agreement_id", "month", "cost_category", "paid_by", "amount_sek", "note"],
    "outcomes": ["agreement_id", "cluster_id", "month", "gender", "target_group", "completed",
                 "work", "study", "other", "discontinued"],
    "indicators": ["agreement_id", "cluster_id", "period", "indicator", "gender", "value",
                   "source"],
}


@dataclass
class Shape:
    """How big: the defaults are the national dataset."""

    agreements: int = 330
    first: str = "2015-01"
    last: str = "2024-12"
    seed: int = SEED


def month_list(first: str, last: str) -> list[str]:
    y, m = map(int, first.split("-"))
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


class _Writer:
    """One CSV file per table, UTF-8 with ``,`` or Swedish Excel's ``;`` and comma."""

    def __init__(self, folder: Path, swedish: bool):
        self.folder, self.swedish = folder, swedish
        self.files, self.writers = {}, {}
        self.counts = {name: 0 for name in HEADERS}

    def row(self, table: str, values: list) -> None:
        w = self.writers.get(table)
        if w is None:
            fh = (self.folder / f"{table}.csv").open(
                "w", encoding="cp1252" if self.swedish else "utf-8", newline="")
            self.files[table] = fh
            w = self.writers[table] = csv.writer(fh, delimiter=";" if self.swedish else ",",
                                                 lineterminator="\r\n" if self.swedish else "\n")
            w.writerow(HEADERS[table])
        w.writerow([self._cell(v) for v in values])
        self.counts[table] += 1

    def _cell(self, v) -> str:
        if v is None:
            return ""
        if isinstance(v, float):
            text = repr(round(v, 4)) if v != int(v) else str(int(v))
            return text.replace(".", ",") if self.swedish else text
        return str(v)

    def close(self) -> None:
        for fh in self.files.values():
            fh.close()


def generate(folder: Path | str, shape: Shape | None = None, swedish: bool = False
             ) -> dict[str, int]:
    """Write the dataset into ``folder``; returns the rows written per table."""
    shape = shape or Shape()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.csv"):
        old.unlink()
    rng = random.Random(shape.seed)
    months = month_list(shape.first, shape.last)
    years = sorted({m[:4] for m in months})
    out = _Writer(folder, swedish)
    county_codes = sorted(COUNTIES)
    kinds = [k for k, _ in KINDS]
    weights = [w for _, w in KINDS]
    last_day = calendar.monthrange(int(months[-1][:4]), int(months[-1][5:]))[1]
    valid_from, valid_to = f"{months[0]}-01", f"{months[-1]}-{last_day:02d}"
    try:
        for n in range(1, shape.agreements + 1):
            kind = rng.choices(kinds, weights)[0]
            county = rng.choice(county_codes)
            county_name, known = COUNTIES[county]
            codes = [rng.choice(known)]
            neighbours = [c for c in MUNICIPALITIES if c[:2] == county]
            for _ in range(rng.choice((0, 0, 1, 2))):
                code = rng.choice(neighbours)
                if code not in codes:
                    codes.append(code)
            aid = f"{kind}-{county}-{n:03d}"
            about = f"Syntetisk överenskommelse nr {n} ({county_name} län)"
            out.row("agreements", [aid, f"{KIND_NAMES[kind]} {county_name} {n}", valid_from,
                                   valid_to, about, kind, ";".join(codes)])
            third_id, third_name = THIRD_PARTY[kind]
            parties = [("AF", "Arbetsförmedlingen"), ("KOM", f"Kommunen {codes[0]}"),
                       (third_id, third_name)]
            for pid, name in parties:
                out.row("parties", [aid, pid, name])
            n_clusters = rng.choices((1, 2, 3, 4, 5, 6, 7), (5, 10, 20, 25, 20, 12, 8))[0]
            if n == 1:
                n_clusters = 10  # the biggest: a period switch is measured on it
            clusters = [f"k{c}" for c in range(1, n_clusters + 1)]
            for c in clusters:
                out.row("clusters", [aid, c, f"Kluster {c[1:]} – {county_name}"])
            groups = TARGET_GROUPS[kind]
            base = {c: rng.randint(3, 12) for c in clusters}
            _targets(out, rng, aid, clusters, parties, base, valid_from)
            _monthly(out, rng, aid, clusters, groups, base, months)
            _staffing_and_costs(out, rng, aid, parties, months)
            _indicators(out, rng, aid, years)
    finally:
        out.close()
    return out.counts


def _targets(out, rng, aid, clusters, parties, base, valid_from) -> None:
    total = sum(base.values()) * 8
    out.row("targets", [aid, None, None, "occupancy", ">=", total, None, None, None,
                        "Beläggning enligt överenskommelsen"])
    out.row("targets", [aid, None, None, "work_study_share", ">=", "60 %", None, None, None,
                        None])
    for pid, _ in parties:
        out.row("targets", [aid, None, pid, "fte_actual", ">=", 2, "5 %", None, None, None])
    out.row("targets", [aid, None, None, "langtidsarbetslosa", "decrease", None, None,
                        valid_from, None, None])
    out.row("targets", [aid, None, None, "forsorjningsstod", "decrease", None, None, None,
                        None, "Kolada"])
    for c in clusters:
        out.row("targets", [aid, c, None, "occupancy", ">=", base[c] * 8, None, None, None,
                            None])


def _monthly(out, rng, aid, clusters, groups, base, months) -> None:
    rand, randint = rng.random, rng.randint
    for c in clusters:
        level = {(g, tg): base[c] + randint(0, 4) for g in GENDERS for tg in groups}
        for month in months:
            for g in GENDERS:
                for tg in groups:
                    now = max(0, level[(g, tg)] + randint(-2, 2))
                    started, exited = randint(0, 3), randint(0, 3)
                    level[(g, tg)] = now
                    out.row("occupancy", [aid, c, month, g, tg, now, started, exited])
                completed = randint(0, 6)
                work = sum(rand() < 0.4 for _ in range(completed))
                study = sum(rand() < 0.3 for _ in range(completed - work))
                other = randint(0, completed - work - study)
                out.row("outcomes", [aid, c, month, g, None, completed, work, study, other,
                                     randint(0, 2)])


def _staffing_and_costs(out, rng, aid, parties, months) -> None:
    af, kom, third = (p for p, _ in parties)
    out.row("cost_shares", [aid, "driftskostnader", kom, 0.5])
    out.row("cost_shares", [aid, "driftskostnader", third, "50 %"])
    out.row("cost_shares", [aid, "lokaler", kom, 1])
    out.row("cost_shares", [aid, "administratör", kom, 0.5])
    out.row("cost_shares", [aid, "administratör", third, 0.5])
    out.row("cost_shares", [aid, "avgiftsintäkter", kom, 0.5])
    out.row("cost_shares", [aid, "avgiftsintäkter", third, 0.5])
    for month in months:
        for pid in (af, kom, third):
            actual = rng.choice((2.0, 2.0, 2.0, 1.5, 1.75, 1.0, 2.5))
            out.row("staffing", [aid, None, month, pid, "vägledare", 2.0, actual])
        out.row("staffing", [aid, None, month, kom, "administratör", 0.5,
                             rng.choice((0.5, 0.5, 0.25))])
        out.row("costs", [aid, month, "driftskostnader", kom,
                          round(rng.uniform(40_000, 120_000), 2), None])
        out.row("costs", [aid, month, "driftskostnader", third,
                          round(rng.uniform(10_000, 60_000), 2), None])
        out.row("costs", [aid, month, "lokaler", kom, rng.randint(20, 40) * 1000, None])
        out.row("costs", [aid, month, "avgiftsintäkter", kom, -4900 * rng.randint(0, 4),
                          "Avgift från kommuner utanför överenskommelsen"])


def _indicators(out, rng, aid, years) -> None:
    for year in years:
        for q in range(1, 5):
            for g in GENDERS:
                out.row("indicators", [aid, None, f"{year}-Q{q}", "langtidsarbetslosa", g,
                                       rng.randint(20, 400), "Arbetsförmedlingen"])
        out.row("indicators", [aid, None, year, "forsorjningsstod", None,
                               f"{rng.uniform(1.5, 6.0):.1f} %".replace(".", ","), "Kolada"])


def write_zip(folder: Path, path: Path) -> Path:
    """The folder's CSV files in one zip file, with fixed timestamps (same bytes each run)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        for f in sorted(folder.glob("*.csv")):
            info = zipfile.ZipInfo(f.name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            with f.open("rb") as src, z.open(info, "w") as dst:
                while block := src.read(1 << 20):
                    dst.write(block)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, default=Path("/tmp/national"))
    parser.add_argument("--zip", action="store_true", help="also write OUT.zip")
    parser.add_argument("--swedish", action="store_true",
                        help="';', decimal comma, Windows-1252 (default: UTF-8 with ',')")
    parser.add_argument("--agreements", type=int, default=Shape.agreements)
    parser.add_argument("--first", default=Shape.first)
    parser.add_argument("--last", default=Shape.last)
    args = parser.parse_args(argv)
    counts = generate(args.out, Shape(args.agreements, args.first, args.last), args.swedish)
    size = sum(f.stat().st_size for f in args.out.glob("*.csv"))
    for name, n in counts.items():
        print(f"{name:<12} {n:>9,}".replace(",", " "))
    print(f"{'total':<12} {sum(counts.values()):>9,} rows, {size / 1e6:.0f} MB in {args.out}"
          .replace(",", " "))
    if args.zip:
        path = write_zip(args.out, args.out.with_suffix(".zip"))
        print(f"{path}: {path.stat().st_size / 1e6:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())

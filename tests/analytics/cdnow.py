"""The public data sets the literature fits, as files for ``panorama import orders``."""

import csv
import datetime
import io
import runpy
from pathlib import Path

import lifetimes

DATASETS = Path(lifetimes.__file__).parent / "datasets"
ROOT = Path(__file__).resolve().parents[2]


def cdnow_sample_csv(path: Path) -> Path:
    """CDNOW's 1/10th sample (2,357 customers), through scripts/cdnow_to_csv.py."""
    convert = runpy.run_path(str(ROOT / "scripts" / "cdnow_to_csv.py"))["convert"]
    sample = DATASETS / "CDNOW_sample.txt"
    with sample.open(encoding="ascii") as source, path.open("w", newline="") as out:
        convert(source, out)
    return path


def donations_csv(path: Path) -> Path:
    """The 1995 cohort of donors (Fader, Hardie & Shang 2010), ships as (x, t_x, n=6,
    weight) rows: each donor becomes a first gift in 1995 and x yearly gifts, the last
    in year t_x (the likelihood reads x and t_x only)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["customer_id", "date", "amount"])
    donor = 0
    with (DATASETS / "donations.csv").open() as source:
        for row in csv.DictReader(source):
            x, t_x, weight = int(row["frequency"]), int(row["recency"]), int(row["weights"])
            years = [1995] + [1995 + t for t in range(t_x - x + 1, t_x + 1)]
            for _ in range(weight):
                donor += 1
                for year in years:
                    writer.writerow([f"donor-{donor}", datetime.date(year, 6, 1), "10"])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path

#!/usr/bin/env python3
"""CDNOW (Fader & Hardie's text files) → the CSV of ``panorama import orders``.

    python scripts/cdnow_to_csv.py CDNOW_sample.txt > cdnow.csv
    panorama import orders cdnow.csv
    panorama analytics clv --calibration-end 1997-09-30 --period week --json

Input lines are whitespace-separated: ``customer_id [sample_id] yyyymmdd cds dollars``
(CDNOW_master.txt has 4 columns, CDNOW_sample.txt 5: the master id, then the id in the
1/10th sample). Both ship with the ``lifetimes`` package (``lifetimes/datasets``). The
output has one row per purchase: ``customer_id,date,amount,quantity`` (quantity = CDs).
"""

import csv
import sys


def convert(lines, out) -> int:
    writer = csv.writer(out)
    writer.writerow(["customer_id", "date", "amount", "quantity"])
    rows = 0
    for line in lines:
        parts = line.split()
        if not parts or not parts[0].isdigit():  # blank, or lifetimes' header line
            continue
        if len(parts) == 5:  # the sample: the master id, then its own 1..2357 id
            customer, _sample, day, cds, dollars = parts
        else:
            customer, day, cds, dollars = parts
        iso = f"{day[:4]}-{day[4:6]}-{day[6:8]}"
        writer.writerow([f"cdnow-{int(customer)}", iso, dollars, cds])
        rows += 1
    return rows


if __name__ == "__main__":
    if len(sys.argv) > 1:
        with open(sys.argv[1], encoding="ascii") as source:
            convert(source, sys.stdout)
    else:
        convert(sys.stdin, sys.stdout)

"""The bench's lifetime value figures, on CDNOW (the 1/10th sample the literature fits):
``clv_fit_s`` fits BG/NBD and Gamma-Gamma with ``analytics.mining.clv``;
``clv_fit_reference_s`` makes the same two fits with the ``lifetimes`` package, in the
same run and on the same customer summaries (calibration to 1997-09-30, weeks). Both
are the median of ``RUNS`` fits. The data set ships with ``lifetimes``; without that
package (it is a development dependency) both figures are None."""

import datetime
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from panorama.analytics.mining import clv
from panorama.analytics.mining.data import History, Summary, summarise

RUNS = 3
CALIBRATION_END = datetime.date(1997, 9, 30)


def cdnow_history() -> History | None:
    try:
        import lifetimes
    except ImportError:
        return None
    path = Path(lifetimes.__file__).parent / "datasets" / "CDNOW_sample.txt"
    customers, days, amounts = [], [], []
    for line in path.read_text(encoding="ascii").splitlines():
        parts = line.split()
        if len(parts) != 5:
            continue
        day = parts[2]
        customers.append(int(parts[0]))
        days.append(datetime.date(int(day[:4]), int(day[4:6]), int(day[6:])).toordinal())
        amounts.append(float(parts[4]))
    return History(np.array(customers), np.array(days), np.array(amounts))


def _ours(s: Summary) -> None:
    clv.bgnbd_fit(s.frequency, s.recency, s.T)
    clv.gammagamma_fit(s.frequency, s.monetary)


def _reference(s: Summary) -> None:
    from lifetimes import BetaGeoFitter, GammaGammaFitter

    BetaGeoFitter().fit(s.frequency, s.recency, s.T)
    repeat = s.frequency > 0
    GammaGammaFitter().fit(s.frequency[repeat], s.monetary[repeat])


def _median_seconds(run: Callable[[], None]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure_all(say: Callable[[str], None]) -> dict:
    history = cdnow_history()
    if history is None:
        say("Skipping the CLV fits: the lifetimes package (and its CDNOW data) is missing.")
        return {"clv_fit_s": None, "clv_fit_reference_s": None}
    s = summarise(history, calibration_end=CALIBRATION_END, period="week")
    say("Measuring the CLV fit (BG/NBD + Gamma-Gamma on CDNOW), ours and lifetimes'...")
    ours = _median_seconds(lambda: _ours(s))
    reference = _median_seconds(lambda: _reference(s))
    return {"clv_fit_s": round(ours, 3), "clv_fit_reference_s": round(reference, 3)}

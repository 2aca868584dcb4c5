"""The bench's CLV figures: our BG/NBD + Gamma-Gamma fit on CDNOW and lifetimes' same fit."""

from panorama.bench import clv as bench_clv
from panorama.bench.parts import JSON_KEYS


def test_both_clv_fit_figures_are_measured_and_written(monkeypatch):
    monkeypatch.setattr(bench_clv, "RUNS", 1)
    said: list[str] = []
    out = bench_clv.measure_all(said.append)
    assert set(out) == {"clv_fit_s", "clv_fit_reference_s"}
    assert out["clv_fit_s"] > 0 and out["clv_fit_reference_s"] > 0
    assert "clv_fit_s" in JSON_KEYS and "clv_fit_reference_s" in JSON_KEYS
    assert "CLV fit" in said[0]

"""The benchmark helpers that decide what a table reports."""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

_PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "_common.py"


@pytest.fixture(scope="module")
def common():
    spec = importlib.util.spec_from_file_location("bench_common", _PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules[spec.name]


def test_top_k_takes_the_largest_scores(common):
    scores = [0.1, 5.0, 0.3, 4.0, 0.2]
    assert set(common.top_k(scores, 2)) == {1, 3}


def test_top_k_does_not_break_ties_by_column_order(common):
    # the synthetic sets put the useful columns first: a method that scores
    # everything zero must not get them for free
    scores = np.zeros(500)
    picked = [set(common.top_k(scores, 20, seed=s)) for s in range(5)]
    assert all(len(p) == 20 for p in picked)
    first_20 = [len(p & set(range(20))) for p in picked]
    assert max(first_20) <= 5
    assert picked[0] == set(common.top_k(scores, 20, seed=0))  # seeded


def test_full_mode_writes_beside_the_quick_results(common, monkeypatch, tmp_path):
    # setup() also sets process-wide state: keep it out of the test session
    monkeypatch.setattr(common.torch, "set_num_threads", lambda n: None)
    monkeypatch.setattr(common.warnings, "filterwarnings", lambda *a, **k: None)
    monkeypatch.setenv("PYTHONWARNINGS", "default")
    monkeypatch.setattr(common, "RESULTS", tmp_path)
    common.setup(1, quick=False)
    assert common.results_dir() == tmp_path / "full"
    assert (tmp_path / "full").is_dir()
    common.setup(1, quick=True)
    assert common.results_dir() == tmp_path

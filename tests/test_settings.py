"""One settings object: every tuned constant, passed in rather than patched."""

import ast
import pathlib
from dataclasses import FrozenInstanceError, fields, replace

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification

from sklearn_spectral import (
    DEFAULT_SETTINGS,
    Settings,
    SpectralFeatureSelector,
    SpectralMLPClassifier,
    SpectralMLPRegressor,
)
from sklearn_spectral._defaults import documented_values

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_settings_are_frozen_and_validated():
    with pytest.raises(FrozenInstanceError):
        DEFAULT_SETTINGS.penalty_warmup = 3
    with pytest.raises(ValueError, match="penalty_warmup must be non-negative"):
        Settings(penalty_warmup=-1)
    with pytest.raises(TypeError, match="auto_batch_max must be an int"):
        Settings(auto_batch_max=2.5)
    with pytest.raises(ValueError, match="input_beta2 must be below 1"):
        Settings(input_beta2=1.0)
    with pytest.raises(ValueError, match="alpha_grid_factors"):
        Settings(alpha_grid_factors=(2.0, 1.0))
    assert Settings(alpha_grid_factors=[1, 3]).alpha_grid_factors == (1.0, 3.0)


@pytest.mark.parametrize(
    "cls", [SpectralMLPClassifier, SpectralMLPRegressor, SpectralFeatureSelector]
)
def test_settings_parameter_is_validated_and_cloned(cls):
    X, y = make_classification(60, 4, random_state=0)
    with pytest.raises(ValueError, match="settings"):
        cls(settings={"penalty_warmup": 0}).fit(X, y)
    custom = replace(DEFAULT_SETTINGS, penalty_warmup=0)
    est = cls(settings=custom)
    assert clone(est).get_params()["settings"] == custom


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_a_setting_reaches_the_fit_without_touching_other_fits():
    X, y = make_classification(500, 6, random_state=0)
    small = replace(DEFAULT_SETTINGS, auto_batch_max=50)
    clf = SpectralMLPClassifier((8,), max_iter=3, random_state=0, settings=small)
    clf.fit(X, y)
    assert clf.net_.batch_size == 50
    default = SpectralMLPClassifier((8,), max_iter=3, random_state=0).fit(X, y)
    assert default.net_.batch_size == 167  # 3 equal batches of at most 200


def test_the_selector_passes_its_settings_to_its_default_model():
    X, y = make_classification(200, 6, random_state=0)
    custom = replace(DEFAULT_SETTINGS, penalty_warmup=0)
    sel = SpectralFeatureSelector(alpha=None, settings=custom).fit(X, y)
    assert sel.estimator_.settings == custom


def test_grid_factors_come_from_the_settings():
    X, y = make_classification(200, 6, n_informative=3, random_state=0)
    custom = replace(DEFAULT_SETTINGS, alpha_grid_factors=(1.0, 3.0))
    sel = SpectralFeatureSelector(random_state=0, settings=custom).fit(X, y)
    np.testing.assert_allclose(sel.alpha_path_["alpha"], [0.1, 0.3])


def test_every_setting_is_documented_and_formatted():
    values = documented_values()
    for field in fields(Settings):
        if isinstance(getattr(DEFAULT_SETTINGS, field.name), (int, float)):
            assert field.name.upper() in values
    doc = SpectralMLPClassifier.__doc__
    assert "{PENALTY_WARMUP}" not in doc
    assert f"first {DEFAULT_SETTINGS.penalty_warmup} epochs" in doc


def _module_global_assignments(path):
    """``module.NAME = ...`` assignments to an upper-case attribute."""
    tree = ast.parse(path.read_text())
    found = []
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        for target in targets:
            for sub in ast.walk(target):
                if isinstance(sub, ast.Attribute) and sub.attr.isupper():
                    found.append(f"{path.name}:{node.lineno} .{sub.attr}")
    return found


def test_no_test_or_benchmark_assigns_a_library_constant():
    files = sorted((ROOT / "benchmarks").glob("*.py")) + sorted(
        (ROOT / "tests").glob("*.py")
    )
    found = [hit for path in files for hit in _module_global_assignments(path)]
    assert found == []

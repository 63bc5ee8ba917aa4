"""Shared fixtures: small seeded data sets and a single torch thread."""

import numpy as np
import pytest
import torch
from sklearn.datasets import make_classification, make_regression

torch.set_num_threads(1)


@pytest.fixture
def classification_data():
    """300 x 8, 3 informative columns first, 3 classes."""
    return make_classification(
        n_samples=300,
        n_features=8,
        n_informative=3,
        n_redundant=0,
        n_classes=3,
        n_clusters_per_class=1,
        shuffle=False,
        random_state=0,
    )


@pytest.fixture
def regression_data():
    """200 x 6, 2 informative columns, 2 outputs."""
    X, y = make_regression(
        n_samples=200,
        n_features=6,
        n_informative=2,
        n_targets=2,
        shuffle=False,
        random_state=0,
    )
    return X, y


@pytest.fixture
def rng():
    return np.random.RandomState(0)

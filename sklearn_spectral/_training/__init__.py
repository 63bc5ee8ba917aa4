"""The skorch side: the net, its data path and the training callbacks.

This package imports torch and skorch, never scikit-learn. The objective
(penalties, proximal optimizer) lives in :mod:`sklearn_spectral.nn`; here is
how it is trained: the skorch net (:class:`SpectralNet`, skorch's batch
contract with a lean loop while no callback observes batches), the penalty
schedule (:class:`PenaltySchedule`), the stopping rule
(:class:`ConvergenceStopping`) and the per-fit thread count
(:func:`torch_threads`).
"""

from .callbacks import (
    ConvergenceStopping,
    EpochLog,
    PenaltySchedule,
    StopOnDivergence,
    TermSchedule,
    TrainingDiverged,
)
from .data import TensorBatches, TensorData
from .net import SpectralNet, prediction_map, user_callbacks
from .threads import auto_threads, torch_threads

__all__ = [
    "ConvergenceStopping",
    "EpochLog",
    "PenaltySchedule",
    "SpectralNet",
    "StopOnDivergence",
    "TensorBatches",
    "TensorData",
    "TermSchedule",
    "TrainingDiverged",
    "auto_threads",
    "prediction_map",
    "torch_threads",
    "user_callbacks",
]

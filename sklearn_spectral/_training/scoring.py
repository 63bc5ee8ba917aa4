"""The validation score of every epoch, as ``MLPClassifier`` records it."""

from __future__ import annotations

import torch
from skorch.callbacks import Callback

from .data import dataset_tensors

__all__ = ["ValidationScore", "accuracy", "r2", "r2_of_exp", "subset_accuracy"]


def accuracy(out, y, w):
    """(Weighted) fraction of rows whose largest logit is the true class."""
    hit = (out.argmax(dim=1) == y).to(torch.float64)
    if w is None:
        return float(hit.mean())
    w = w.to(torch.float64)
    return float((hit * w).sum() / w.sum())


def subset_accuracy(out, y, w):
    """(Weighted) fraction of rows whose every label is right (logit > 0 is 1),
    scikit-learn's ``accuracy_score`` on multilabel indicators."""
    hit = ((out > 0) == (y > 0.5)).all(dim=1).to(torch.float64)
    if w is None:
        return float(hit.mean())
    w = w.to(torch.float64)
    return float((hit * w).sum() / w.sum())


def _rows(X, start, stop):
    """Rows ``start:stop`` of a dense or sparse (COO) tensor, dense."""
    if X.is_sparse:
        index = torch.arange(start, min(stop, X.shape[0]), device=X.device)
        return X.index_select(0, index).to_dense()
    return X[start:stop]


def r2(out, y, w):
    """(Weighted) R^2 averaged over the outputs, as ``sklearn.metrics.r2_score``.

    Per output, R^2 does not change under an affine map of the target, so
    it is the same on standardised targets as in the units of ``y``. An
    output without spread scores 1 when predicted exactly, else 0.
    """
    out, y = out.to(torch.float64), y.to(torch.float64)
    if y.dim() == 1:
        out, y = out.reshape(len(y), -1), y.reshape(-1, 1)
    w = torch.ones(len(y), dtype=torch.float64, device=y.device) if w is None else w
    w = w.to(torch.float64)[:, None]
    residual = (w * (y - out) ** 2).sum(dim=0)
    mean = (w * y).sum(dim=0) / w.sum()
    total = (w * (y - mean) ** 2).sum(dim=0)
    score = torch.where(
        total > 0,
        1 - residual / torch.where(total > 0, total, 1.0),
        torch.where(residual > 0, 0.0, 1.0).to(torch.float64),
    )
    return float(score.mean())


def r2_of_exp(out, y, w):
    """:func:`r2` of ``exp(out)``: the Poisson regressor's log-link outputs."""
    return r2(torch.exp(out), y, w)


class ValidationScore(Callback):
    """Record ``valid_score``: a score of the held-out rows after each epoch.

    Parameters
    ----------
    score : callable
        ``score(outputs, y, sample_weight) -> float`` on tensors: the raw
        network outputs of the validation rows, their encoded targets and
        their weights (or None).
    batch_size : int, default=4096
        Rows per forward pass.
    """

    def __init__(self, score, batch_size=4096):
        self.score = score
        self.batch_size = batch_size

    def on_epoch_end(self, net, dataset_valid=None, **kwargs):
        if dataset_valid is None:
            return
        X, y, w = dataset_tensors(dataset_valid, net.device)
        module = net.module_
        with torch.no_grad():
            was_training = module.training
            module.eval()
            out = torch.cat(
                [
                    module(_rows(X, i, i + self.batch_size))
                    for i in range(0, X.shape[0], self.batch_size)
                ]
            )
            module.train(was_training)
        net.history.record("valid_score", float(self.score(out, y, w)))

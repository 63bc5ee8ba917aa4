"""The skorch nets the public estimators build inside ``fit``.

The public estimators are plain scikit-learn estimators (composition); these
private subclasses of skorch's nets only add what skorch leaves to the user:
the eigenvalue penalty (skorch's documented way is to extend ``get_loss``),
the proximal optimizer groups, and a stop on divergence.
"""

from __future__ import annotations

import math

import torch
from skorch import NeuralNetClassifier, NeuralNetRegressor
from skorch.callbacks import Callback

__all__ = ["Regularizer", "StopOnDivergence", "TrainingDiverged"]


class Regularizer:
    """Penalty terms added to the mean data loss of every training batch.

    The terms follow the authors' Keras code: ``strength * sum(...)`` added
    to the *mean* loss of each batch, neither multiplied by the batch size
    nor divided by the number of samples. With ``relative=True`` the
    eigenvalue strength is ``alpha * s`` where ``s`` is a running mean of
    the data loss: to first order this minimises ``log(data loss) + alpha *
    P(lam)``, so ``alpha`` is the relative loss improvement an eigenvalue
    must buy, whatever the scale of the loss and however well the data are
    already fitted.

    Parameters
    ----------
    alpha : float
        Strength of the eigenvalue penalty.
    penalty : {"l1", "l2", "group"}
        ``"l1"`` is applied as a proximal step of the optimizer (exact
        zeros); its value is still added, without gradient, to the reported
        loss. ``"l2"`` (``sum lam**2``) and ``"group"`` (``||lam_layer||_2``
        summed over layers) enter the loss.
    which : str
        Passed to the module's ``penalized_eigenvalues``.
    phi_alpha : float
        Strength of ``sum phi**2`` over every eigenvector parameter (never
        relative).
    relative : bool
        Whether the eigenvalue strength follows the data loss.
    """

    def __init__(self, alpha, penalty, which, phi_alpha, relative=True):
        self.alpha = float(alpha)
        self.penalty = penalty
        self.which = which
        self.phi_alpha = float(phi_alpha)
        self.relative = bool(relative)

    @property
    def proximal(self):
        return self.penalty == "l1" and self.alpha > 0

    def proximal_parameters(self, module):
        """Parameters that the optimizer soft-thresholds."""
        return module.penalized_eigenvalues(self.which) if self.proximal else []

    def strength(self, loss_scale):
        """Eigenvalue strength for the current running data loss."""
        return self.alpha * (loss_scale if self.relative else 1.0)

    def __call__(self, module, loss_scale=1.0):
        """Penalty of ``module`` as a scalar tensor."""
        total = 0.0
        strength = self.strength(loss_scale)
        if strength > 0:
            lams = module.penalized_eigenvalues(self.which)
            if lams:
                value = module.eigenvalue_penalty(lams, self.penalty)
                total = total + strength * (value.detach() if self.proximal else value)
        if self.phi_alpha > 0:
            total = total + self.phi_alpha * sum(
                p.pow(2).sum() for p in module.phi_parameters()
            )
        return total


class TrainingDiverged(FloatingPointError):
    """Raised from inside the training loop when the loss is not finite."""


class StopOnDivergence(Callback):
    """Abort training as soon as a batch loss is NaN or infinite."""

    def on_batch_end(self, net, batch=None, training=None, **kwargs):
        if not training:
            return
        loss = net.history[-1, "batches", -1, "train_loss"]
        if not math.isfinite(loss):
            raise TrainingDiverged(
                f"the training loss became {loss} at epoch {len(net.history)}"
            )


class _SpectralNetMixin:
    """Adds ``regularizer`` to the training loss and the proximal groups."""

    def __init__(self, *args, regularizer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.regularizer = regularizer

    #: Weight of the newest batch in the running mean of the data loss.
    loss_scale_momentum = 0.1

    def get_loss(self, y_pred, y_true, X=None, training=False):
        loss = super().get_loss(y_pred, y_true, X=X, training=training)
        if not training or self.regularizer is None:
            return loss
        value = float(loss.detach())
        if math.isfinite(value):
            previous = self.loss_scale_
            self.loss_scale_ = (
                value
                if previous is None
                else previous + self.loss_scale_momentum * (value - previous)
            )
        scale = 1.0 if self.loss_scale_ is None else self.loss_scale_
        if self.regularizer.proximal:
            self.optimizer_.param_groups[-1]["l1"] = self.regularizer.strength(scale)
        return loss + self.regularizer(self.module_, scale)

    def initialize_optimizer(self, triggered_directly=None):
        named = list(self.get_all_learnable_params())
        _, kwargs = self.get_params_for_optimizer("optimizer", iter(()))
        prox = []
        if self.regularizer is not None:
            prox = self.regularizer.proximal_parameters(self.module_)
        prox_ids = {id(p) for p in prox}
        groups = [{"params": [p for _, p in named if id(p) not in prox_ids]}]
        if prox:
            groups.append({"params": prox, "l1": self.regularizer.alpha})
        self.optimizer_ = self.optimizer(groups, **kwargs)
        self.loss_scale_ = None
        return self


class SpectralClassifierNet(_SpectralNetMixin, NeuralNetClassifier):
    """skorch classifier net with the spectral regularizer."""


class SpectralRegressorNet(_SpectralNetMixin, NeuralNetRegressor):
    """skorch regressor net with the spectral regularizer."""


def dtype_of(name):
    """The torch dtype named by ``"float32"`` or ``"float64"``."""
    return {"float32": torch.float32, "float64": torch.float64}[name]

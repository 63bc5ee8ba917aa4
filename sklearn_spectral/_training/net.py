"""The skorch net the public estimators build inside ``fit``.

skorch runs the fit (initialisation, history, callbacks, devices, warm
starts); this subclass replaces only what costs most on small tabular
networks, the per-batch machinery of ``run_single_epoch``: the data are
tensors already on the device (:class:`~._training.data.TensorBatches`), a
training step is forward, loss, backward and the optimizer's step, and the
history gets one row per epoch instead of several entries per batch. No
per-batch callback is notified: the callbacks this library uses act at
epoch boundaries. Callbacks that need batch events (skorch's
``ProgressBar``, ``LRScheduler(step_every="batch")``) are not supported.

What is minimised is stated in :mod:`sklearn_spectral.nn.objective`.
"""

from __future__ import annotations

import torch
from skorch import NeuralNet
from skorch.callbacks import EpochTimer

from ..nn.objective import penalty_value, smooth_terms
from .data import TensorBatches, dataset_tensors

__all__ = ["SpectralNet"]

#: Samples per batch when evaluating (validation): no gradient is kept, so
#: a large batch only costs activations.
EVAL_BATCH_SIZE = 4096


def _unhooked_step(optimizer):
    """The optimizer's step, without torch's per-call wrapper when it may.

    ``Optimizer.step`` is wrapped in a profiler range and the step hooks;
    with no hook registered, ``ProximalAdam.step_unhooked`` skips the
    wrapper (a fifth of the optimizer's time on the default classifier's
    iris step).
    """
    unhooked = getattr(optimizer, "step_unhooked", None)
    if unhooked is None or optimizer.has_step_hooks():
        return optimizer.step
    return unhooked


class SpectralNet(NeuralNet):
    """skorch net with the lean epoch loop and the spectral objective.

    Parameters
    ----------
    *args, **kwargs
        As for :class:`skorch.NeuralNet`. The criterion must accept
        ``reduction="none"``; it is built that way.
    objective : sklearn_spectral.nn.objective.SpectralObjective
        Builds the optimizer's named parameter groups and penalties.
    seed : int, default=0
        Seed of the shuffling generator (the fit's own; the global torch RNG
        is never used). Each ``fit``/``partial_fit`` call draws its epochs
        from a generator seeded by ``seed`` and the epochs already run, so
        continued training stays reproducible.
    """

    def __init__(self, *args, objective=None, seed=0, **kwargs):
        kwargs.setdefault("criterion__reduction", "none")
        super().__init__(*args, **kwargs)
        self.objective = objective
        self.seed = seed

    def get_default_callbacks(self):
        return [("epoch_timer", EpochTimer())]

    def initialize_optimizer(self, triggered_directly=None):
        _, kwargs = self.get_params_for_optimizer("optimizer", iter(()))
        self.optimizer_ = self.optimizer(
            self.objective.param_groups(
                self.module_,
                lr=kwargs.get("lr"),
                beta1=kwargs.get("betas", (0.9, 0.999))[0],
            ),
            **kwargs,
        )
        return self

    def get_iterator(self, dataset, training=False):
        tensors = dataset_tensors(dataset, self.device)
        if not training:
            return TensorBatches(tensors, EVAL_BATCH_SIZE, False, None)
        generator = torch.Generator().manual_seed(
            (int(self.seed) + 1_000_003 * len(self.history)) % (2**63)
        )
        return TensorBatches(tensors, self.batch_size, True, generator)

    def data_loss(self, y_pred, y_true, sample_weight=None):
        """Mean (weighted) criterion of a batch, a scalar tensor."""
        loss = self.criterion_(y_pred, y_true)
        if loss.dim() > 1:  # per-output losses of a regressor
            loss = loss.mean(dim=tuple(range(1, loss.dim())))
        if sample_weight is None:
            return loss.mean()
        return (loss * sample_weight).mean()

    def _manual_loss(self, iterator):
        """The loss for ``data_loss_and_grads``, or None to use autograd.

        Hand-written gradients apply to a module that offers them
        (``SpectralMLP``, ``GatedSparcsNetwork``), with scikit-learn's
        two losses at their defaults, on this loop's own batches.
        """
        module, criterion = self.module_, self.criterion_
        if (
            not isinstance(iterator, TensorBatches)
            or not getattr(module, "manual_gradients", lambda: False)()
        ):
            return None
        _, y, _ = iterator.tensors
        if (
            type(criterion) is torch.nn.CrossEntropyLoss
            and criterion.weight is None
            and criterion.label_smoothing == 0.0
            and y.dim() == 1
            and not torch.is_floating_point(y)
        ):
            return "cross_entropy"
        n_out = getattr(module, "n_outputs", None)
        if n_out is None:
            n_out = module.layers[-1].out_features
        if type(criterion) is torch.nn.MSELoss and y.dim() == 2 and y.shape[1] == n_out:
            return "squared_error"
        return None

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        if iterator is None:
            return
        if self.module_.training != training:  # a recursive walk otherwise
            self.module_.train(training)
        module, optimizer = self.module_, self.optimizer_
        # strengths change only between epochs (PenaltySchedule)
        smooth = smooth_terms(optimizer.param_groups)
        total = torch.zeros((), dtype=torch.float64, device=self.device)
        n_batches = 0
        manual = training and not smooth and self._manual_loss(iterator)
        if manual:
            # gradients by hand (SpectralMLP.data_loss_and_grads): the same
            # numbers as the autograd path below, without its graph
            step = _unhooked_step(optimizer)
            summed = 0.0  # float64, as ``total``, without a kernel per batch
            with torch.no_grad():  # once, not once per call
                for xb, yb, wb in iterator:
                    loss = module.data_loss_and_grads(xb, yb, manual, wb)
                    step()
                    summed += float(loss) * xb.shape[0]
                    n_batches += 1
            total.add_(summed)
        else:
            step = _unhooked_step(optimizer) if training else None
            grad = torch.enable_grad() if training else torch.no_grad()
            with grad:
                for xb, yb, wb in iterator:
                    loss = self.data_loss(module(xb), yb, wb)
                    if training:
                        optimizer.zero_grad(set_to_none=True)
                        objective = loss
                        for penalty, param in smooth:
                            objective = objective + penalty.value(param)
                        objective.backward()
                        step()
                    total.add_(loss.detach(), alpha=xb.shape[0])
                    n_batches += 1
        loss = float(total) / iterator.n_samples
        # one row lookup: History.record looks the row up on every call
        row = self.history[-1]
        row[f"{prefix}_loss"] = loss
        row[f"{prefix}_batch_count"] = n_batches
        if training:
            # the objective of this epoch's strengths (see nn/objective.py)
            penalty = penalty_value(optimizer.param_groups)
            row["train_penalty"] = penalty
            row["train_objective"] = loss + penalty

"""The skorch nets the public estimators build inside ``fit``.

The public estimators are plain scikit-learn estimators (composition); these
private subclasses of skorch's nets only add what skorch leaves to the user:
the eigenvalue penalty (skorch's documented way is to extend ``get_loss``),
the proximal optimizer groups, and a stop on divergence.
"""

from __future__ import annotations

import math

from skorch import NeuralNetClassifier, NeuralNetRegressor
from skorch.callbacks import Callback, EarlyStopping, PassthroughScoring
from torch.utils.data import BatchSampler, DataLoader, RandomSampler, SequentialSampler

__all__ = [
    "EigenvaluePenalty",
    "PlateauAwareEarlyStopping",
    "Regularizer",
    "StopOnDivergence",
    "TrainingDiverged",
    "data_loss_scoring",
]


class EigenvaluePenalty:
    """One eigenvalue penalty term, ``strength * P(lam)``.

    Parameters
    ----------
    alpha : float
        Strength of the term.
    kind : {"l1", "l2", "group"}
        ``"l1"`` (``sum |lam|``) is applied as a proximal step of the
        optimizer (exact zeros) and enters the reported loss without
        gradient; ``"l2"`` (``sum lam**2``) and ``"group"`` (``||lam_layer||_2``
        summed over layers) enter the loss.
    which : str
        Passed to the module's ``penalized_eigenvalues``.
    relative : bool
        When True the strength is ``alpha`` times a running mean of the data
        loss: to first order this minimises ``log(data loss) + alpha *
        P(lam)``, so ``alpha`` is the relative loss improvement an eigenvalue
        must buy, whatever the scale of the loss. When False it is the
        authors' Keras-style ``alpha * P(lam)``.
    warmup : int, default=0
        The strength ramps up linearly over this many epochs.
    growth : float, default=1.0
        The tensors (layers, input side first) get the weights
        ``growth ** (n_layers - 1 - l)``: the layer next to the output pays
        the plain strength and each layer further from it ``growth`` times
        more, so a deep network grows from the output side backwards and
        keeps a layer only when the layers behind it cannot do its job.
    hold_above : float or None, default=None
        While the running data loss is above this value the term is off, and
        the warm-up starts at the first epoch below it. Auto-depth starts as
        a perceptron: on a non-linear target the loss sits at the level of a
        constant prediction, with no gradient reaching the inputs, until
        hidden neurons grow; an L1 step taken then would switch every input
        off.
    """

    def __init__(
        self, alpha, kind, which, relative, warmup=0, hold_above=None, growth=1.0
    ):
        self.alpha = float(alpha)
        self.growth = float(growth)
        self.kind = kind
        self.which = which
        self.relative = bool(relative)
        self.warmup = int(warmup)
        self.hold_above = hold_above
        self.start_epoch_ = None if hold_above is not None else 0

    @property
    def proximal(self):
        return self.kind == "l1" and self.alpha > 0

    def weights(self, n_tensors):
        """Weight of each penalised tensor (see ``growth``)."""
        return [self.growth ** (n_tensors - 1 - k) for k in range(n_tensors)]

    def strength(self, loss_scale, epoch):
        """Strength for the running data loss at epoch ``epoch`` (from 1)."""
        if self.start_epoch_ is None:
            if loss_scale > self.hold_above:
                return 0.0
            self.start_epoch_ = epoch - 1
        epoch = epoch - self.start_epoch_
        ramp = min(1.0, epoch / self.warmup) if self.warmup > 0 else 1.0
        return self.alpha * ramp * (loss_scale if self.relative else 1.0)

    def __call__(self, module, loss_scale, epoch):
        lams = module.penalized_eigenvalues(self.which)
        if self.alpha <= 0 or not lams:
            return 0.0
        value = module.eigenvalue_penalty(
            lams, self.kind, weights=self.weights(len(lams))
        )
        if self.proximal:
            # reported only (the optimizer applies it), at full strength so
            # that the warm-up does not make the monitored loss rise
            full = self.alpha * (loss_scale if self.relative else 1.0)
            return full * value.detach()
        return self.strength(loss_scale, epoch) * value


class Regularizer:
    """Penalty terms added to the mean data loss of every training batch.

    The terms follow the authors' Keras code: ``strength * sum(...)`` added
    to the *mean* loss of each batch, neither multiplied by the batch size
    nor divided by the number of samples.

    Parameters
    ----------
    terms : list of EigenvaluePenalty
        Eigenvalue penalties.
    phi_alpha : float
        Strength of ``sum phi**2`` over every eigenvector parameter. It is
        applied by the optimizer as the (coupled) weight decay ``2 *
        phi_alpha`` of the ``phi`` parameters, which adds exactly its
        gradient without building it into the loss graph, and it is not
        part of the reported loss.
    """

    def __init__(self, terms, phi_alpha):
        self.terms = list(terms)
        self.phi_alpha = float(phi_alpha)

    @property
    def proximal_terms(self):
        """The L1 terms that the optimizer applies as proximal steps."""
        return [t for t in self.terms if t.proximal]

    def __call__(self, module, loss_scale=1.0, epoch=1):
        """Penalty of ``module`` as a scalar tensor."""
        return sum(term(module, loss_scale, epoch) for term in self.terms)


class TrainingDiverged(FloatingPointError):
    """Raised from inside the training loop when the loss is not finite."""


class StopOnDivergence(Callback):
    """Abort training at the end of an epoch whose loss is NaN or infinite."""

    def on_epoch_end(self, net, **kwargs):
        loss = net.history[-1, "train_loss"]
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
        self.history.record_batch("train_data_loss", value)
        if math.isfinite(value):
            previous = self.loss_scale_
            self.loss_scale_ = (
                value
                if previous is None
                else previous + self.loss_scale_momentum * (value - previous)
            )
        scale = 1.0 if self.loss_scale_ is None else self.loss_scale_
        epoch = max(len(self.history), 1)
        groups = self.optimizer_.param_groups[2:]
        for group, (term, weight) in zip(groups, self.proximal_weights_):
            group["l1"] = term.strength(scale, epoch) * weight
        return loss + self.regularizer(self.module_, scale, epoch)

    def initialize_optimizer(self, triggered_directly=None):
        named = list(self.get_all_learnable_params())
        _, kwargs = self.get_params_for_optimizer("optimizer", iter(()))
        prox_groups = []
        self.proximal_weights_ = []  # (term, weight) of each proximal group
        if self.regularizer is not None:
            for term in self.regularizer.proximal_terms:
                params = self.module_.penalized_eigenvalues(term.which)
                for weight, param in zip(term.weights(len(params)), params):
                    prox_groups.append({"params": [param], "l1": term.alpha * weight})
                    self.proximal_weights_.append((term, weight))
        prox_ids = {id(p) for g in prox_groups for p in g["params"]}
        phi, decay = [], 0.0
        if self.regularizer is not None:
            phi = [p for p in self.module_.phi_parameters() if id(p) not in prox_ids]
            decay = 2.0 * self.regularizer.phi_alpha
        phi_ids = {id(p) for p in phi}
        rest = [p for _, p in named if id(p) not in prox_ids | phi_ids]
        self.optimizer_ = self.optimizer(
            [{"params": rest}, {"params": phi, "weight_decay": decay}, *prox_groups],
            **kwargs,
        )
        self.loss_scale_ = None
        return self


class PlateauAwareEarlyStopping(EarlyStopping):
    """skorch's ``EarlyStopping`` that waits while a penalty is on hold.

    An auto-depth network starts as a perceptron; on a non-linear target its
    loss first sits on a plateau (a constant prediction) until hidden
    neurons grow, which can take longer than the patience. While some
    :class:`EigenvaluePenalty` of the net is still on hold (its loss is
    above ``hold_above``) the miss counter is not advanced.
    """

    def on_epoch_end(self, net, **kwargs):
        regularizer = getattr(net, "regularizer", None)
        holding = regularizer is not None and any(
            term.start_epoch_ is None for term in regularizer.terms
        )
        if holding:
            self.misses_ = 0
            return
        super().on_epoch_end(net, **kwargs)


def batch_loader(dataset, batch_size, shuffle=False, **kwargs):
    """A ``DataLoader`` that fetches each minibatch with one fancy index.

    skorch's default loader indexes the data one sample at a time and
    collates the samples; on tabular data that costs more than the network.
    Here the sampler yields whole index batches and the dataset (a skorch
    ``Dataset`` or a ``Subset`` of one) is indexed once per batch. Shuffling
    draws from torch's RNG like the default loader. Extra ``kwargs`` go to
    ``DataLoader``.
    """
    sampler = RandomSampler(dataset) if shuffle else SequentialSampler(dataset)
    batches = BatchSampler(sampler, batch_size=batch_size, drop_last=False)
    return DataLoader(dataset, batch_size=None, sampler=batches, **kwargs)


def data_loss_scoring():
    """Epoch mean of the batch data losses (penalties excluded)."""
    return PassthroughScoring(name="train_data_loss", on_train=True)


class SpectralClassifierNet(_SpectralNetMixin, NeuralNetClassifier):
    """skorch classifier net with the spectral regularizer."""


class SpectralRegressorNet(_SpectralNetMixin, NeuralNetRegressor):
    """skorch regressor net with the spectral regularizer."""

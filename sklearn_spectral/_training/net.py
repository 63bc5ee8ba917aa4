"""The skorch net the public estimators build inside ``fit``.

skorch runs the fit as designed: initialisation, ``fit_loop``, history,
callbacks, devices, warm starts, and the per-batch contract
(``train_step`` -> ``train_step_single`` -> ``infer`` -> ``get_loss`` ->
``optimizer.step``, with ``on_batch_begin``/``on_grad_computed``/
``on_batch_end`` and one history row per batch). This subclass fills
skorch's extension points: the data are tensors already on the device
(:class:`~._training.data.TensorBatches`), sample weights travel in ``X``
as ``{"X": ..., "sample_weight": ...}`` (the pattern skorch's
documentation gives), :meth:`SpectralNet.get_loss` is the spectral
objective's smooth part (:mod:`sklearn_spectral.nn.losses` plus the
smooth penalties) and the optimizer applies the proximal steps.

One shortcut keeps small fits fast: while nothing observes a batch (no
callback overrides a batch hook, no subclass overrides a step method),
:meth:`SpectralNet.run_single_epoch` runs the same steps as one loop with
the epoch's numbers written once, and takes the gradients in closed form
where the module offers them (:meth:`~sklearn_spectral.nn.mlp.SpectralMLP.
data_loss_and_grads`). Both paths minimise the same objective from the same
batches; their results agree to float32 rounding (``tests/test_engine.py``).

What is minimised is stated in :mod:`sklearn_spectral.nn.objective`.
"""

from __future__ import annotations

import copy
import time

import torch
from skorch import NeuralNet
from skorch.callbacks import Callback, EpochTimer
from skorch.utils import to_tensor
from torch.utils.data import Subset

from ..nn.losses import DataLoss, data_loss
from ..nn.objective import penalty_value, smooth_terms
from .data import TensorBatches, TensorData, dataset_tensors

__all__ = ["SpectralNet", "last_row", "prediction_map", "user_callbacks"]

#: Samples per batch when evaluating (validation): no gradient is kept, so
#: a large batch only costs activations.
EVAL_BATCH_SIZE = 4096

#: A callback that overrides one of these needs skorch's per-batch loop.
_BATCH_HOOKS = ("on_batch_begin", "on_batch_end", "on_grad_computed")

#: A subclass of the net that overrides one of these needs it too.
_STEP_METHODS = (
    "train_step",
    "train_step_single",
    "validation_step",
    "evaluation_step",
    "infer",
    "get_loss",
    "notify",
    *_BATCH_HOOKS,
)


def _softmax(output):
    return torch.softmax(output, dim=-1)


def _exp(output):
    return torch.exp(output)


def _identity(output):
    return output


def prediction_map(loss):
    """The map from the module's outputs to predictions, for ``loss``.

    Parameters
    ----------
    loss : {"cross_entropy", "squared_error", "poisson"}
        The training loss.

    Returns
    -------
    callable
        ``softmax`` (class probabilities), ``exp`` (Poisson means) or the
        identity; skorch's ``predict_nonlinearity``.

    Examples
    --------
    >>> import torch
    >>> from sklearn_spectral._training.net import prediction_map
    >>> prediction_map("cross_entropy")(torch.zeros(1, 2))
    tensor([[0.5000, 0.5000]])
    """
    return {
        "cross_entropy": _softmax,
        "poisson": _exp,
        "binary_cross_entropy": torch.sigmoid,
    }.get(loss, _identity)


def user_callbacks(callbacks, reserved=()):
    """Validated, named copies of a user's skorch callbacks.

    Parameters
    ----------
    callbacks : list or None
        skorch callbacks (instances of :class:`skorch.callbacks.Callback`)
        or ``(name, callback)`` pairs; None for none.
    reserved : collection of str, default=()
        Names the library's own callbacks use.

    Returns
    -------
    list of (str, Callback)
        Deep copies (a fit never changes the caller's objects), each named
        by its given name or ``"user_<ClassName>"``.

    Examples
    --------
    >>> from skorch.callbacks import EpochTimer
    >>> from sklearn_spectral._training.net import user_callbacks
    >>> [name for name, _ in user_callbacks([EpochTimer(), ("t", EpochTimer())])]
    ['user_EpochTimer', 't']
    """
    if callbacks is None:
        return []
    named = []
    for entry in callbacks:
        if isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[0], str):
            name, callback = entry
        else:
            name, callback = None, entry
        if not isinstance(callback, Callback):
            raise TypeError(
                "callbacks must be a list of skorch callbacks (instances of "
                "skorch.callbacks.Callback) or (name, callback) pairs; got "
                f"{entry!r}."
            )
        if name is None:
            name = f"user_{type(callback).__name__}"
        named.append((name, callback))
    names = [name for name, _ in named]
    taken = set(reserved) | {"epoch_timer"}
    clash = sorted({n for n in names if n in taken or names.count(n) > 1})
    if clash:
        raise ValueError(
            f"callbacks: the names {clash} are used twice or by the library's own "
            f"callbacks ({sorted(taken)}); pass (name, callback) pairs with other "
            "names."
        )
    return [(name, copy.deepcopy(callback)) for name, callback in named]


def last_row(history):
    """The last epoch's row of a skorch ``History`` (a dict), in O(1).

    ``History.__getitem__`` copies the whole list of rows on every lookup
    (``history[-1]``, ``history[-1, key]``): per epoch that grows with the
    epochs already run. ``History`` is a ``list`` of dicts, so the row is
    read as a list item.

    Parameters
    ----------
    history : skorch.history.History
        A net's history with at least one epoch.

    Returns
    -------
    dict
        The row itself (writing to it records a value).

    Examples
    --------
    >>> from skorch.history import History
    >>> from sklearn_spectral._training.net import last_row
    >>> history = History()
    >>> history.new_epoch()
    >>> history.record("train_loss", 0.5)
    >>> last_row(history)["train_loss"]
    0.5
    """
    return list.__getitem__(history, -1)


class _EpochTimer(EpochTimer):
    """skorch's :class:`~skorch.callbacks.EpochTimer` (``dur`` in seconds).

    The duration goes into the last row directly: ``History.record`` looks
    the row up through ``History.__getitem__``, a copy of every row's
    reference each epoch (see :func:`last_row`).
    """

    def on_epoch_end(self, net, **kwargs):
        last_row(net.history)["dur"] = time.time() - self.epoch_start_time_


def _split_batch(batch):
    """``(X, y, sample_weight)`` of a skorch-style batch of this net."""
    xb, yb = batch
    if isinstance(xb, dict):
        return xb["X"], yb, xb.get("sample_weight")
    return xb, yb, None


class SpectralNet(NeuralNet):
    """skorch net of the spectral objective.

    Parameters
    ----------
    *args, **kwargs
        As for :class:`skorch.NeuralNet`; the optimizer's keyword arguments
        (Adam's ``betas``, ``eps``) come as ``optimizer__betas``,
        ``optimizer__eps``. The default criterion is
        :class:`~sklearn_spectral.nn.losses.DataLoss`; any criterion must
        return per-sample losses (it is built with ``reduction="none"``).
    objective : sklearn_spectral.nn.objective.SpectralObjective
        Builds the optimizer's named parameter groups and penalties.
    seed : int, default=0
        Seed of the shuffling generator (the fit's own; the global torch RNG
        is never used). Each ``fit``/``partial_fit`` call draws its epochs
        from a generator seeded by ``seed`` and the epochs already run, so
        continued training stays reproducible.
    shuffle : bool, default=True
        Draw a new order of the training rows each epoch.
    """

    def __init__(
        self,
        *args,
        objective=None,
        seed=0,
        shuffle=True,
        criterion=DataLoss,
        standardise_max_bytes=2**23,
        **kwargs,
    ):
        kwargs.setdefault("criterion__reduction", "none")
        super().__init__(*args, criterion=criterion, **kwargs)
        self.objective = objective
        self.seed = seed
        self.shuffle = shuffle
        self.standardise_max_bytes = standardise_max_bytes

    def get_default_callbacks(self):
        return [("epoch_timer", _EpochTimer())]

    def partial_fit(self, X, y=None, classes=None, **fit_params):
        """skorch's ``partial_fit``; the per-call caches are dropped after.

        The standardised copy of the training inputs
        (:meth:`_standardised`) and the callbacks' hooks (:meth:`notify`)
        live for one call: a fitted net keeps neither (its size and its
        pickle stay those of skorch's net).
        """
        try:
            return super().partial_fit(X, y, classes=classes, **fit_params)
        finally:
            for cache in ("_standardised_batches", "_hooks", "_manual"):
                self.__dict__.pop(cache, None)

    def notify(self, method_name, **cb_kwargs):
        """Call ``method_name`` of the net and of every callback that has one.

        skorch's :meth:`~skorch.NeuralNet.notify`, without the calls of
        hooks a callback inherits from :class:`skorch.callbacks.Callback`
        unchanged (they do nothing): of the library's five callbacks, two
        to four do nothing at a given epoch hook, and on data of one batch
        an epoch is a single step. The list of callbacks to call is kept
        per hook while ``callbacks_`` is the same list.
        """
        getattr(self, method_name)(self, **cb_kwargs)
        for method in self._hook_methods(method_name):
            method(self, **cb_kwargs)

    def _hook_methods(self, method_name):
        """The bound ``method_name`` of each callback that overrides it."""
        # kept while callbacks_ is the same list of the same length (skorch
        # and the estimators make a new list when the callbacks change; the
        # cache holds the list, so its id is not reused meanwhile)
        named = self.callbacks_
        cache = self.__dict__.get("_hooks")
        if cache is None or cache[0] is not named or cache[1] != len(named):
            cache = self._hooks = (named, len(named), {})
        methods = cache[2].get(method_name)
        if methods is None:
            base = getattr(Callback, method_name, None)
            methods = [
                getattr(cb, method_name)
                for _, cb in named
                if base is None
                or not isinstance(cb, Callback)
                or method_name in vars(cb)  # set on the instance
                or getattr(type(cb), method_name, None) is not base
            ]
            cache[2][method_name] = methods
        return methods

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

    # ------------------------------------------------------------------ #
    # data: tensors in, skorch-style batches out
    # ------------------------------------------------------------------ #
    def get_dataset(self, X, y=None):
        """A :class:`TensorData` of ``X`` and ``y`` (float32 features).

        A :class:`TensorData` (or a ``Subset`` of one) is used as it is;
        arrays and tensors are converted, so that skorch's ``forward``,
        ``predict_proba`` and scoring work on the fitted net.
        """
        if isinstance(X, (TensorData, Subset)):
            return X
        X = to_tensor(X, device="cpu")
        if torch.is_floating_point(X):
            X = X.to(torch.float32)
        if y is not None:
            y = to_tensor(y, device="cpu")
        return TensorData(X, y)

    def get_iterator(self, dataset, training=False):
        tensors = dataset_tensors(dataset, self.device)
        if not training:
            return TensorBatches(tensors, EVAL_BATCH_SIZE, False, None)
        generator = torch.Generator().manual_seed(
            (int(self.seed) + 1_000_003 * len(self.history)) % (2**63)
        )
        return TensorBatches(tensors, self.batch_size, bool(self.shuffle), generator)

    # ------------------------------------------------------------------ #
    # skorch's per-batch contract
    # ------------------------------------------------------------------ #
    def infer(self, x, **fit_params):
        """The module's outputs for a batch (its features, not its weights)."""
        if isinstance(x, dict):
            x = x["X"]
        return super().infer(x, **fit_params)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        """The batch's objective: weighted data loss (+ smooth penalties).

        The data loss is :meth:`data_loss` with the batch's sample weights
        (carried in ``X``); in training the smooth penalties of the
        optimizer's groups are added (the others take proximal steps).
        """
        weight = X.get("sample_weight") if isinstance(X, dict) else None
        y_true = to_tensor(y_true, device=self.device)
        loss = self.data_loss(y_pred, y_true, weight)
        if training:
            self.history.record_batch("train_data_loss", float(loss.detach()))
            for penalty, param in smooth_terms(self.optimizer_.param_groups):
                loss = loss + penalty.value(param)
        return loss

    def data_loss(self, y_pred, y_true, sample_weight=None):
        """Mean (weighted) data loss of a batch, a scalar tensor.

        The criterion's per-sample losses, averaged over the outputs of a
        regressor and weighted by ``sample_weight``
        (:func:`~sklearn_spectral.nn.losses.data_loss` for the default
        criterion).
        """
        criterion = self.criterion_
        if type(criterion) is DataLoss:
            return data_loss(y_pred, y_true, criterion.name, sample_weight)
        loss = criterion(y_pred, y_true)
        if loss.dim() > 1:  # per-output losses of a regressor
            loss = loss.mean(dim=tuple(range(1, loss.dim())))
        if sample_weight is None:
            return loss.mean()
        return (loss * sample_weight).mean()

    # ------------------------------------------------------------------ #
    # the epoch
    # ------------------------------------------------------------------ #
    def batches_observed(self):
        """Whether a callback or a subclass needs skorch's per-batch loop.

        Returns
        -------
        bool
            True when a callback overrides a batch hook (``on_batch_begin``,
            ``on_batch_end``, ``on_grad_computed``), or is not a skorch
            ``Callback``, or a subclass overrides a step method.
        """
        named = getattr(self, "callbacks_", [])
        # asked every epoch; skorch makes a new list when it (re)initialises
        # the callbacks
        key = (type(self), id(named), len(named))
        cached = self.__dict__.get("_batches_observed")
        if cached is not None and cached[0] == key:
            return cached[1]
        callbacks = [cb for _, cb in named]
        observed = any(
            not isinstance(callback, Callback)
            or any(
                getattr(type(callback), h) is not getattr(Callback, h)
                for h in _BATCH_HOOKS
            )
            for callback in callbacks
        ) or any(
            getattr(type(self), m) is not getattr(SpectralNet, m) for m in _STEP_METHODS
        )
        self._batches_observed = (key, observed)
        return observed

    def _closed_form_loss(self, training, smooth):
        """The loss name for ``data_loss_and_grads``, or None for autograd.

        A module offers closed-form gradients through ``manual_gradients(loss)``
        and ``data_loss_and_grads`` (``SpectralMLP``, ``GatedSparcsNetwork``).
        """
        criterion = self.criterion_
        if not training or smooth or type(criterion) is not DataLoss:
            return None
        # asked every epoch: the answer is kept for this module, loss and
        # activation during one fit call (partial_fit drops it)
        module = self.module_
        key = (module, criterion.name, type(getattr(module, "activation", None)))
        cached = self.__dict__.get("_manual")
        if cached is not None and cached[0] == key:
            return cached[1]
        manual = getattr(module, "manual_gradients", None)
        name = criterion.name if manual is not None and manual(criterion.name) else None
        self._manual = (key, name)
        return name

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        """One epoch: skorch's per-batch loop, or the same steps as one loop.

        skorch's loop (:meth:`skorch.NeuralNet.run_single_epoch`) runs when
        :meth:`batches_observed` or ``fit_params`` are given; otherwise
        the batches are stepped through here without the per-batch
        notifications and history rows that nothing reads. Either way the
        epoch's row gets ``{prefix}_loss`` (the mean data loss over the
        rows), ``{prefix}_batch_count`` and, in training, ``train_penalty``
        and ``train_objective``.
        """
        if iterator is None:
            return
        if fit_params or not isinstance(iterator, TensorBatches):
            skorch_loop = True
        else:
            skorch_loop = self.batches_observed()
        if skorch_loop:
            super().run_single_epoch(iterator, training, prefix, step_fn, **fit_params)
            loss = self._epoch_loss_from_batches(prefix, training)
        else:
            loss, n_batches = self._lean_epoch(iterator, training)
            last_row(self.history)[f"{prefix}_batch_count"] = n_batches
        row = last_row(self.history)
        row[f"{prefix}_loss"] = loss
        if training:
            # the objective of this epoch's strengths (see nn/objective.py)
            penalty = penalty_value(self.optimizer_.param_groups)
            row["train_penalty"] = penalty
            row["train_objective"] = loss + penalty

    def _epoch_loss_from_batches(self, prefix, training):
        """Mean data loss of the epoch's batches, weighted by their rows."""
        key = "train_data_loss" if training else f"{prefix}_loss"
        total = count = 0.0
        for batch in last_row(self.history)["batches"]:
            if key in batch and f"{prefix}_batch_size" in batch:
                total += float(batch[key]) * batch[f"{prefix}_batch_size"]
                count += batch[f"{prefix}_batch_size"]
        return total / count if count else float("nan")

    def _standardised(self, iterator, module):
        """``iterator`` over the module's standardised inputs, once per fit.

        ``(batches, scaled)``: a :class:`TensorBatches` of the same rows,
        order and generator whose features went through the module's
        ``input_scaling`` (an elementwise map: each row maps alike alone or
        in a batch), and whether they did. Standardising each minibatch
        anew cost four small kernels a step (cast, shift, scale, cast). Not
        for a sparse ``X`` (its batches are made dense one at a time) or a
        module without the map; the copy lives as long as the iterator
        (one ``fit``/``partial_fit`` call). Only where the copy is small
        (``X`` of at most ``standardise_max_bytes``): the saving is a few
        microseconds a step, which matters on small data only, and the map's
        temporaries would hold several times a large ``X`` at once.
        """
        scaling = getattr(module, "input_scaling", None)
        X = iterator.tensors[0]
        if (
            scaling is None
            or X.is_sparse
            or not hasattr(module, "_closed_form")
            or X.numel() * X.element_size() > self.standardise_max_bytes
        ):
            # (auto-depth's network takes raw inputs in data_loss_and_grads)
            return iterator, False
        cached = self.__dict__.get("_standardised_batches")
        if cached is not None and cached[0] is iterator and cached[1] is module:
            return cached[2], True
        with torch.no_grad():
            tensors = (scaling(X), *iterator.tensors[1:])
        batches = TensorBatches(
            tensors, iterator.batch_size, iterator.shuffle, iterator.generator
        )
        self._standardised_batches = (iterator, module, batches)
        return batches, True

    def _lean_epoch(self, iterator, training):
        """The epoch's steps in one loop; ``(mean data loss, batches)``."""
        if self.module_.training != training:  # a recursive walk otherwise
            self.module_.train(training)
        module, optimizer = self.module_, self.optimizer_
        # strengths change only between epochs (PenaltySchedule)
        smooth = smooth_terms(optimizer.param_groups) if training else []
        manual = self._closed_form_loss(training, smooth)
        summed, n_batches = 0.0, 0
        # torch's step wrapper (a profiler range, the hook loops) took a
        # third of a default step (0.11-0.16 of 0.40-0.46 ms); without a
        # hook it does nothing (ProximalAdam.has_step_hooks), asked once an
        # epoch
        step = optimizer.step
        if training and not getattr(optimizer, "has_step_hooks", lambda: True)():
            step = optimizer.step_without_hooks
        if manual:
            # closed-form gradients (SpectralMLP.data_loss_and_grads): the
            # numbers of the autograd path below, without its graph; the
            # module's checks were made above (_closed_form_loss), and the
            # inputs are standardised once per fit (_standardised)
            batches, scaled = self._standardised(iterator, module)
            if scaled:
                closed_form, options = module._closed_form, {"scaled": True}
            else:
                closed_form, options = module.data_loss_and_grads, {}
            with torch.no_grad():
                for xb, yb, wb in batches.triples():
                    loss = closed_form(xb, yb, manual, wb, **options)
                    step()
                    summed += float(loss) * xb.shape[0]
                    n_batches += 1
        else:
            with torch.set_grad_enabled(training):
                for xb, yb, wb in iterator.triples():
                    loss = self.data_loss(module(xb), yb, wb)
                    if training:
                        optimizer.zero_grad(set_to_none=True)
                        objective = loss
                        for penalty, param in smooth:
                            objective = objective + penalty.value(param)
                        objective.backward()
                        with torch.no_grad():
                            step()
                    summed += float(loss.detach()) * xb.shape[0]
                    n_batches += 1
        return summed / iterator.n_samples, n_batches

"""Training callbacks: the penalty schedule, the stopping rule, divergence, logs.

Every callback keeps its per-fit state in attributes ending in ``_`` and
resets them in ``initialize()`` (a new fit) or ``on_train_begin`` (a new
call of ``fit``/``partial_fit`` on the same net), so nothing leaks from one
fit into the next.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass

import torch
from skorch.callbacks import Callback

from ..nn.objective import (
    input_score_test,
    readmit_inputs_,
    set_strength,
    shrinking_inputs,
)
from ..nn.penalties import L1
from .data import dataset_tensors

__all__ = [
    "ConvergenceStopping",
    "EpochLog",
    "InputSettling",
    "PenaltySchedule",
    "StopOnDivergence",
    "TermSchedule",
    "TrainingDiverged",
]


@dataclass(frozen=True)
class TermSchedule:
    """How the strength of one eigenvalue term evolves.

    Parameters
    ----------
    relative : bool
        Scale the strength by the previous epoch's mean data loss.
    warmup : int, default=0
        Epochs over which the strength ramps up linearly.
    hold_above : float or None, default=None
        While the data loss is above this value the term is off and the
        ramp has not started (auto-depth: the constant-prediction plateau,
        where an L1 step would switch every input off).
    delay : int, default=0
        Epochs during which the term is off before its ramp starts (with
        ``hold_above`` None); like a hold, they are never misses of the
        stopping rule.
    """

    relative: bool
    warmup: int = 0
    hold_above: float | None = None
    delay: int = 0


class PenaltySchedule(Callback):
    """Set each eigenvalue term's strength at the start of every epoch.

    The strength of term ``k`` at epoch ``t`` is ``alpha_k * ramp_k(t) *
    scale_k(t)`` (see :mod:`sklearn_spectral.nn.objective`). It is written
    into the optimizer's parameter groups by the term's name.

    Parameters
    ----------
    schedules : dict of str to TermSchedule
        Schedule of each term, by term name; terms not listed keep their
        base strength ``alpha`` from the first epoch.
    initial_scale : float
        Loss scale of the first epoch, before any epoch has been measured
        (the loss of a constant prediction).
    momentum : float, default=0.1
        The loss scale is a running mean of the batch data losses in which
        each batch has this weight: after an epoch of ``n`` batches with
        mean loss ``L`` it becomes ``k * scale + (1 - k) * L`` with ``k =
        (1 - momentum) ** n``. Its lag (about ``1 / momentum`` batches) keeps
        the penalty from relaxing as fast as a network that memorises the
        training set lowers its loss (wide data: 600 x 500 kept 9-16 inputs
        with this lag, 14-43 with a lag of one epoch; ``tests/
        test_feature_selection.py::test_wide_data_keeps_a_small_set``).
    min_scale : float, default=0.0
        Floor of the loss scale of relative terms. Without one the strength
        vanishes with the loss on separable data, before the inputs that
        carry nothing reach 0.
    """

    def __init__(self, schedules, initial_scale=1.0, momentum=0.1, min_scale=0.0):
        self.schedules = schedules
        self.initial_scale = initial_scale
        self.momentum = momentum
        self.min_scale = min_scale

    def initialize(self):
        self.start_epoch_ = {
            name: (None if s.hold_above is not None else s.delay)
            for name, s in self.schedules.items()
        }
        self.scale_ = float(self.initial_scale)
        self.epoch_ = 0
        return self

    @property
    def holding(self):
        """Whether some term is still on hold."""
        return any(start is None for start in self.start_epoch_.values())

    @property
    def settled(self):
        """Whether every term is at its full (unramped) strength."""
        for name, start in self.start_epoch_.items():
            if start is None or self.epoch_ - start < self.schedules[name].warmup:
                return False
        return True

    def strength(self, name, alpha):
        """Strength of term ``name`` with base ``alpha`` at the current epoch."""
        schedule = self.schedules.get(name)
        if schedule is None:
            return alpha
        start = self.start_epoch_[name]
        if start is None:
            if self.scale_ > schedule.hold_above:
                return 0.0
            start = self.start_epoch_[name] = self.epoch_ - 1
        elapsed = self.epoch_ - start
        if schedule.delay and elapsed <= 0:
            return 0.0  # still within the delay
        ramp = min(1.0, elapsed / schedule.warmup) if schedule.warmup > 0 else 1.0
        scale = max(self.scale_, self.min_scale) if schedule.relative else 1.0
        return alpha * ramp * scale

    def on_epoch_begin(self, net, **kwargs):
        self.epoch_ = len(net.history)
        for term in net.objective.terms:
            set_strength(
                net.optimizer_.param_groups,
                term.name,
                self.strength(term.name, term.alpha),
            )

    def on_epoch_end(self, net, **kwargs):
        row = net.history[-1]
        loss = row["train_loss"]
        if math.isfinite(loss):
            keep = (1.0 - self.momentum) ** row["train_batch_count"]
            self.scale_ = keep * self.scale_ + (1.0 - keep) * float(loss)


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


class ConvergenceStopping(Callback):
    """Stop when the fit has converged: data loss flat and units settled.

    An epoch is a *miss* when the monitored data loss did not improve on the
    best so far by more than ``tol`` and no penalised unit (the module's
    ``unit_magnitudes()``: inputs, and the hidden neurons of an auto-depth
    network) is switched off, its magnitude exactly 0, that was not off at
    an earlier epoch with a flat loss. Training stops after
    ``patience`` consecutive misses, with ``converged_ = True``. Epochs
    during which a penalty is on hold or still ramping up are never misses:
    the objective is still changing. The units are looked at only at
    epochs whose loss is flat (the others are not misses anyway): looking
    every epoch took about a seventh of the default classifier's iris fit
    (21 default iris fits alternating with ``MLPClassifier()``'s, median
    time ratio: 1.10 looking every epoch, 0.94-0.96 now). A unit at
    the boundary that flickers off and on (stochastic gradients) does not
    hold the fit open.

    Parameters
    ----------
    monitor : str, default="train_loss"
        History key of the data loss (``"valid_loss"`` with a validation
        split). Penalties are left out: a relative penalty's value follows
        the loss scale, so it would count the loss twice.
    tol : float, default=1e-4
        Smallest improvement that counts.
    patience : int, default=10
        Consecutive misses before stopping.
    track_units : bool, default=True
        Count first switch-offs of units as progress (with proximal
        penalties, whose zeros are exact).
    load_best : bool, default=False
        Restore the module's parameters of the best epoch at the end.
    """

    def __init__(
        self,
        monitor="train_loss",
        tol=1e-4,
        patience=10,
        track_units=True,
        load_best=False,
    ):
        self.monitor = monitor
        self.tol = tol
        self.patience = patience
        self.track_units = track_units
        self.load_best = load_best

    def initialize(self):
        self._reset()
        return self

    def _reset(self):
        self.misses_ = 0
        self.best_loss_ = math.inf
        self.best_epoch_ = 0
        self.ever_off_ = None
        self.best_state_ = None
        self.settled_inputs_ = False
        self.converged_ = False

    def on_train_begin(self, net, **kwargs):
        self._reset()

    def _settled(self, net):
        schedule = dict(net.callbacks_).get("penalty_schedule")
        return schedule is None or schedule.settled

    def _switched_off(self, net):
        """Whether a unit is at exactly 0 that was not at an earlier look.

        The first look of a fit records the units that are off and answers
        False.
        """
        with torch.no_grad():
            off = net.module_.unit_magnitudes().cpu().numpy() == 0
        if self.ever_off_ is None or self.ever_off_.shape != off.shape:
            self.ever_off_ = off
            return False
        first = bool((off & ~self.ever_off_).any())
        self.ever_off_ |= off
        return first

    def on_epoch_end(self, net, **kwargs):
        loss = net.history[-1, self.monitor]
        improved = loss < self.best_loss_ - self.tol
        if loss < self.best_loss_:
            self.best_loss_ = loss
            self.best_epoch_ = len(net.history)
            if self.load_best:
                self.best_state_ = copy.deepcopy(net.module_.state_dict())
        if improved or not self._settled(net):
            self.misses_ = 0
            return
        if self.track_units and self._switched_off(net):
            self.misses_ = 0
            return
        settling = dict(net.callbacks_).get("input_settling")
        if settling is not None and settling.settling(net):
            # the data loss has converged; the relevance is still settling
            self.converged_ = True
            self.misses_ = 0
            return
        if settling is not None and settling.at_zero_ and not self.settled_inputs_:
            # the inputs the phase was for are at 0 and the data loss had
            # converged before it began: no second patience window, straight
            # to the last check. (Ended on the relevance, the window stays:
            # without it an input re-admitted at 0 ended below the one it
            # replaces, tests/test_relevance.py)
            self.settled_inputs_ = True
            self.misses_ = max(self.misses_, self.patience - 1)
        self.misses_ += 1
        if self.misses_ >= self.patience:
            settling = dict(net.callbacks_).get("input_settling")
            if settling is not None and settling.check(
                net, kwargs.get("dataset_train")
            ):
                # the objective changed: the fit goes on from here
                self.misses_ = 0
                self.settled_inputs_ = False
                return
            self.converged_ = True
            raise KeyboardInterrupt

    def on_train_end(self, net, **kwargs):
        if self.load_best and self.best_state_ is not None:
            net.module_.load_state_dict(self.best_state_)


class InputSettling(Callback):
    """What the input L1 leaves undone when the data loss has converged.

    Stopping on the data loss ends a fit before its inputs have settled, in
    two ways of opposite sign, and this callback, asked by
    :class:`ConvergenceStopping` when it would stop, undoes both:

    * **zeros are absorbing.** Once ``lam_j = 0`` the column ``phi[:, j]``
      gets no data gradient and the eigenvector term shrinks it, so the
      gradient that could revive ``lam_j`` vanishes too: an input switched
      off early by the trajectory stays off however long the fit runs. The
      KKT check of every input that is off
      (:func:`~sklearn_spectral.nn.objective.input_score_test`: a score test
      of its direct-space gradient, family-wise level ``level``, and the
      Lasso condition of the L1) finds the inputs the data support; they
      are switched back on at 0 along their descent direction
      (:func:`~sklearn_spectral.nn.objective.readmit_inputs_`) and the L1
      decides again, as for any other input. Each input is re-admitted at
      most once per fit, so the check cannot cycle.
    * **the relevance has not converged.** The input eigenvalues start at 1
      and Adam moves a parameter by about one learning rate per step, so on
      small data (few steps an epoch) the eigenvalues of inputs that carry
      nothing are still far from 0 when the loss stops improving. The input
      eigenvalues then train at ``lr_boost`` times their rate (less when an
      epoch has more than ``boost_steps / lr_boost`` steps: the factor is
      ``min(lr_boost, max(1, boost_steps / steps))``, so that they travel
      about as far per epoch on any data size), and the fit goes on until
      the normalised relevance moves by at most ``relevance_tol`` (sum of
      absolute changes) in an epoch, or for ``max_epochs`` epochs.

    Parameters
    ----------
    level : float, default=1e-3
        Family-wise level of the score test over the inputs that are off.
    max_rows : int, default=20000
        Rows the check looks at (a fixed random subset beyond): one forward
        and backward pass over them per check.
    max_rounds : int, default=3
        Checks per fit that may re-admit inputs.
    lr_boost : float, default=1.0
        Largest factor of the input eigenvalues' learning rate once the
        loss has converged; 1 turns the settling phase off.
    boost_steps : float, default=60
        Steps per epoch up to which the full ``lr_boost`` applies, times
        ``lr_boost``.
    relevance_tol : float, default=1e-3
        Change of the normalised relevance in an epoch below which it has
        settled.
    max_epochs : int, default=50
        Most epochs of the settling phase.
    shrink_fraction : float, default=0.1
        The settling phase starts only for inputs the L1 is still shrinking:
        inputs on whose eigenvalue's data gradient (over the check's rows)
        is below ``shrink_fraction`` times the L1 strength, so that the
        penalty outweighs the data and their eigenvalue can only go on
        falling. Without such an input the fit stops when the data loss has
        converged; with them, the phase ends as soon as they are all at 0
        (or the relevance settles, or ``max_epochs``). 0 starts the phase
        on every fit and ends it on the relevance alone.

    Attributes
    ----------
    readmitted_ : list of int
        Inputs switched back on during the fit, in order.
    checks_ : list of dict
        One entry per check: the epoch, the inputs off, those re-admitted.
    settling_from_ : int or None
        Epoch at which the settling phase began.
    shrinking_ : list of int
        Inputs on that the L1 was still shrinking when the phase began.
    ended_ : bool
        Whether the settling phase has ended.
    at_zero_ : bool
        Whether it ended because every input in ``shrinking_`` was at 0.
    """

    def __init__(
        self,
        level=1e-3,
        max_rows=20_000,
        max_rounds=3,
        lr_boost=1.0,
        boost_steps=60.0,
        relevance_tol=1e-3,
        max_epochs=50,
        shrink_fraction=0.1,
    ):
        self.level = level
        self.max_rows = max_rows
        self.max_rounds = max_rounds
        self.lr_boost = lr_boost
        self.boost_steps = boost_steps
        self.relevance_tol = relevance_tol
        self.max_epochs = max_epochs
        self.shrink_fraction = shrink_fraction

    def initialize(self):
        self.base_lr_ = None
        self._reset()
        return self

    def _reset(self):
        self.readmitted_ = []
        self.checks_ = []
        self.settling_from_ = None
        self.last_relevance_ = None
        self.shrinking_ = []
        self.ended_ = False
        self.at_zero_ = False

    def on_train_begin(self, net, **kwargs):
        # a new call of fit on the same net (warm_start): the input
        # eigenvalues start again at their base rate
        if self.base_lr_ is not None:
            for group in self._input_groups(net):
                group["lr"] = self.base_lr_
        self._reset()

    @staticmethod
    def _input_groups(net):
        return [g for g in net.optimizer_.param_groups if g.get("term") == "input"]

    def _boost_factor(self, net, dataset):
        if dataset is None or self.lr_boost <= 1.0:
            return 1.0
        steps = max(1, -(-len(dataset) // max(1, int(net.batch_size))))
        return min(self.lr_boost, max(1.0, self.boost_steps / steps))

    def _start_settling(self, net, dataset, shrinking, readmitted):
        """Speed the input eigenvalues up; whether the phase began."""
        factor = self._boost_factor(net, dataset)
        groups = self._input_groups(net)
        if self.settling_from_ is not None or factor <= 1.0 or not groups:
            return False
        if self.shrink_fraction > 0 and not shrinking and not readmitted:
            # nothing the boosted eigenvalues would change: on breast_cancer
            # and digits the phase only jittered the relevance for
            # max_epochs (bench_stability_relevance.py)
            return False
        # re-admitted inputs grow from 0: the phase then ends on the
        # relevance alone
        self.shrinking_ = [] if readmitted else list(shrinking)
        self.base_lr_ = groups[0]["lr"]
        for group in groups:
            group["lr"] = self.base_lr_ * factor
        self.settling_from_ = len(net.history)
        return True

    def settling(self, net):
        """Whether the settling phase is on and the relevance still moves.

        Parameters
        ----------
        net : SpectralNet
            The net being fitted.

        Returns
        -------
        bool
            True while the fit should go on for the relevance's sake.
        """
        if self.settling_from_ is None or self.ended_:
            return False
        with torch.no_grad():
            magnitudes = net.module_.unit_magnitudes().double()
        r = magnitudes / magnitudes.sum().clamp(min=1e-300)
        last, self.last_relevance_ = self.last_relevance_, r
        on = True
        if len(net.history) - self.settling_from_ >= self.max_epochs:
            on = False
        elif self.shrinking_ and bool((magnitudes[self.shrinking_] == 0).all()):
            # every input the L1 was shrinking has reached its zero
            on = False
            self.at_zero_ = True
        elif last is not None and last.shape == r.shape:
            on = float((r - last).abs().sum()) > self.relevance_tol
        self.ended_ = not on
        return on

    def _data(self, net, dataset):
        X, y, w = dataset_tensors(dataset, net.device)
        n = X.shape[0]
        if n > self.max_rows:
            generator = torch.Generator().manual_seed(int(net.seed) % (2**63))
            rows = torch.randperm(n, generator=generator)[: self.max_rows]
            rows = rows.to(X.device)
            X, y = X.index_select(0, rows), y[rows]
            w = None if w is None else w[rows]
        if X.is_sparse:  # sparse input (issue 21): the rows of the test, dense
            X = X.to_dense()
        return X, y, w

    def _readmit(self, net, dataset):
        """Re-admit the inputs the data support.

        Returns the inputs re-admitted and the inputs on that the L1 is
        still shrinking.
        """
        penalty = None
        for group in self._input_groups(net):
            if type(group.get("penalty")) is L1:
                penalty = group["penalty"]
        rounds = sum(1 for c in self.checks_ if c["readmitted"])
        if penalty is None or (
            rounds >= self.max_rounds and self.settling_from_ is not None
        ):
            return [], []
        X, y, w = self._data(net, dataset)

        def losses(output):
            loss = net.criterion_(output, y)
            if loss.dim() > 1:
                loss = loss.mean(dim=tuple(range(1, loss.dim())))
            return loss if w is None else loss * w

        module = net.module_
        was_training = module.training
        module.eval()
        try:
            score = input_score_test(module, X, losses, level=self.level)
        finally:
            module.train(was_training)
        if score is None:
            return [], []
        shrinking = shrinking_inputs(module, score, penalty.coef * self.shrink_fraction)
        if rounds >= self.max_rounds:
            return [], shrinking
        kkt = score["phi_norm"] * score["gradient_norm"] > penalty.coef
        fails = score["off"] & (score["statistic"] > score["threshold"]) & kkt
        inputs = [
            j
            for j in torch.nonzero(fails).flatten().tolist()
            if j not in self.readmitted_
        ]
        # U_j itself: its norm sets the eigenvalue's new gradient
        grad = score["directions"] * score["gradient_norm"]
        readmit_inputs_(module, net.optimizer_, inputs, grad, score["phi_norm"])
        self.readmitted_.extend(inputs)
        self.checks_.append(
            {
                "epoch": len(net.history),
                "off": torch.nonzero(score["off"]).flatten().tolist(),
                "readmitted": inputs,
            }
        )
        return inputs, shrinking

    def check(self, net, dataset):
        """Re-admit the inputs the data support; start the settling phase.

        Parameters
        ----------
        net : SpectralNet
            The net being fitted.
        dataset : torch.utils.data.Dataset or None
            Its training data.

        Returns
        -------
        bool
            Whether the fit should go on.
        """
        if dataset is None:
            return False
        readmitted, shrinking = self._readmit(net, dataset)
        started = self._start_settling(net, dataset, shrinking, readmitted)
        if (
            not started
            and self.ended_
            and (shrinking or readmitted)
            and self.shrink_fraction > 0
            and len(net.history) - self.settling_from_ < self.max_epochs
        ):
            # the inputs the phase was for are at 0 but others still shrink,
            # or inputs came back: go on within the same budget of epochs
            self.shrinking_ = [] if readmitted else list(shrinking)
            self.ended_ = False
            self.at_zero_ = False
            self.last_relevance_ = None
            started = True
        return bool(readmitted) or started


class EpochLog(Callback):
    """One plain line per epoch (no colours, no progress bar).

    Parameters
    ----------
    sink : callable, default=print
        Receives each line.
    """

    def __init__(self, sink=print):
        self.sink = sink

    def on_train_begin(self, net, **kwargs):
        self.sink("epoch  train_loss  valid_loss  penalty  active_units  dur_s")

    def on_epoch_end(self, net, **kwargs):
        row = net.history[-1]
        valid = row.get("valid_loss", float("nan"))
        with torch.no_grad():
            active = int((net.module_.unit_magnitudes() > 0).sum())
        penalty = row.get("train_penalty", float("nan"))  # recorded by the net
        self.sink(
            f"{row['epoch']:5d}  {row['train_loss']:10.5f}  {valid:10.5f}  "
            f"{penalty:7.4f}  {active:12d}  {row.get('dur', 0.0):5.2f}"
        )

"""Training callbacks: the penalty schedule, the stopping rule, divergence, logs.

Every callback keeps its per-fit state in attributes ending in ``_`` and
resets them in ``initialize()`` (a new fit) or ``on_train_begin`` (a new
call of ``fit``/``partial_fit`` on the same net), so nothing leaks from one
fit into the next.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from skorch.callbacks import Callback

from ..nn.losses import DataLoss
from ..nn.objective import (
    _eigenvalue_of_input,
    _inputs_of,
    input_index,
    input_score_test,
    readmit_inputs_,
    set_strength,
    settle_inputs_,
    shrinking_inputs,
)
from ..nn.penalties import L1
from .data import dataset_tensors
from .net import last_row
from .ramp import loss_progress, ramp_fraction

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
    power : float, default=1.0
        With ``relative``: the loss scale enters as ``initial * (scale /
        initial) ** power`` (``initial`` the constant prediction's loss), 1
        the loss itself. 0.5 follows the root of a squared error, the size
        of its gradient's noise (see ``Settings.squared_error_scale_power``).
    slow_warmup : int, default=0
        The ramp's longest length: while the last epoch's data loss has not
        come down to ``slow_fraction`` of the constant prediction's, the
        ramp is held back, to no less than a linear ramp over this many
        epochs (:func:`ramp_fraction`). 0 (or at most ``warmup``): the plain
        ramp.
    slow_fraction : float, default=0.5
        The share of the constant prediction's loss at which the ramp may
        complete in ``warmup`` epochs (:func:`loss_progress`).
    """

    relative: bool
    warmup: int = 0
    hold_above: float | None = None
    delay: int = 0
    power: float = 1.0
    slow_warmup: int = 0
    slow_fraction: float = 0.5


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
        # the last epoch's data loss, as it was when the epoch began (the
        # ramp and ``settled`` read the same value whatever the callbacks'
        # order at the epoch's end); NaN before the first epoch, where no
        # loss says the ramp should wait (loss_progress reads 1)
        self.last_loss_ = self.loss_at_begin_ = math.nan
        return self

    @property
    def holding(self):
        """Whether some term is still on hold."""
        return any(start is None for start in self.start_epoch_.values())

    @property
    def settled(self):
        """Whether every term is at its full (unramped) strength."""
        for name, start in self.start_epoch_.items():
            if start is None or self._ramp(name, self.epoch_ - start) < 1.0:
                return False
        return True

    def _ramp(self, name, elapsed):
        schedule = self.schedules[name]
        progress = 1.0
        if schedule.slow_warmup > schedule.warmup:
            progress = loss_progress(
                self.initial_scale, self.loss_at_begin_, schedule.slow_fraction
            )
        return ramp_fraction(elapsed, schedule.warmup, schedule.slow_warmup, progress)

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
        ramp = self._ramp(name, elapsed)
        scale = 1.0
        if schedule.relative:
            scale = self.scale_
            if schedule.power != 1.0 and scale > 0 and self.initial_scale > 0:
                initial = self.initial_scale
                scale = initial * (scale / initial) ** schedule.power
            scale = max(scale, self.min_scale)
        return alpha * ramp * scale

    def on_epoch_begin(self, net, **kwargs):
        self.epoch_ = len(net.history)
        self.loss_at_begin_ = self.last_loss_
        for term in net.objective.terms:
            set_strength(
                net.optimizer_.param_groups,
                term.name,
                self.strength(term.name, term.alpha),
            )

    def on_epoch_end(self, net, **kwargs):
        row = last_row(net.history)
        loss = row["train_loss"]
        if math.isfinite(loss):
            self.last_loss_ = float(loss)
            keep = (1.0 - self.momentum) ** row["train_batch_count"]
            self.scale_ = keep * self.scale_ + (1.0 - keep) * float(loss)


class TrainingDiverged(FloatingPointError):
    """Raised from inside the training loop when the loss is not finite."""


class StopOnDivergence(Callback):
    """Abort training at the end of an epoch whose loss is NaN or infinite.

    It also measures where each call of ``fit``/``partial_fit`` starts:
    ``start_loss_`` is the data loss of the network as it enters training
    (at most ``max_rows`` evenly spaced rows of the training data, no
    gradient). A fit *diverged* when its loss rose far above that start; a
    fresh small network can start several times worse than a constant
    prediction (a 4-neuron regressor on iris up to 17 times, seeds 0-299)
    and fall steadily from there, which is slow progress, not divergence.

    Parameters
    ----------
    max_rows : int, default=4096
        Rows the starting loss is measured on (a stride through the data:
        no random numbers drawn).
    measure_start : bool, default=True
        Whether to measure it (False leaves ``start_loss_`` NaN: a call
        nobody judges, such as one ``partial_fit`` epoch).
    """

    def __init__(self, max_rows=4096, measure_start=True):
        self.max_rows = max_rows
        self.measure_start = measure_start

    def initialize(self):
        self.start_loss_ = math.nan
        return self

    def on_train_begin(self, net, X=None, **kwargs):
        self.start_loss_ = math.nan
        if X is None or self.max_rows <= 0 or not self.measure_start:
            return
        try:
            X, y, w = dataset_tensors(X, net.device)
        except TypeError:  # not this library's dataset: nothing to measure
            return
        n = X.shape[0]
        if n == 0 or y is None:
            return
        step = -(-n // self.max_rows)
        if step > 1:
            rows = torch.arange(0, n, step, device=X.device)
            X, y = X.index_select(0, rows), y.index_select(0, rows)
            w = None if w is None else w.index_select(0, rows)
        if X.is_sparse:
            X = X.to_dense()
        module = net.module_
        was_training = module.training
        module.eval()
        try:
            with torch.no_grad():
                loss = net.data_loss(module(X), y, w)
        finally:
            module.train(was_training)
        self.start_loss_ = float(loss)

    def on_epoch_end(self, net, **kwargs):
        loss = last_row(net.history)["train_loss"]
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
    ``patience`` consecutive misses, with ``converged_ = True``, once the
    end-of-fit step of the inputs (:class:`InputSettling`, when the net has
    one) has nothing left to re-admit. Epochs during which a penalty is on
    hold or still ramping up are never misses: the objective is still
    changing. The units are looked at only at epochs whose loss is flat
    (the others are not misses anyway): looking every epoch took about a
    seventh of the default classifier's iris fit (21 default iris fits
    alternating with ``MLPClassifier()``'s, median time ratio: 1.10
    looking every epoch, 0.94-0.96 now). A unit at the boundary that
    flickers off and on (stochastic gradients) does not hold the fit open.

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
    switch_off_window : int or None, default=None
        First switch-offs count as progress only within this many epochs
        of the last improvement of the loss (or of a penalty still
        changing): a penalty that switches a hundred hidden slots off one
        by one, long after the loss stopped improving, then does not hold
        the fit open to ``max_iter``. None: always.
    load_best : bool, default=False
        Restore the module's parameters of the best epoch at the end.
    restore_factor : float or None, default=None
        Restore them also when the last epoch's loss is more than this
        factor times the best one (and worse by more than ``tol``): a fit
        that ends on a spike of its loss (Adam at a large step) returns the
        parameters it reached, not the spike's. ``restored_`` says whether
        it did.
    """

    def __init__(
        self,
        monitor="train_loss",
        tol=1e-4,
        patience=10,
        track_units=True,
        load_best=False,
        restore_factor=None,
        switch_off_window=None,
    ):
        self.monitor = monitor
        self.tol = tol
        self.patience = patience
        self.track_units = track_units
        self.switch_off_window = switch_off_window
        self.load_best = load_best
        self.restore_factor = restore_factor

    def initialize(self):
        self._reset()
        return self

    def _reset(self):
        self.misses_ = 0
        self.flat_epochs_ = 0
        self.best_loss_ = math.inf
        self.best_epoch_ = 0
        self.ever_off_ = None
        self.best_state_ = None
        self._copies = None  # (module, [(live tensor, its copy)])
        self.converged_ = False
        self.restored_ = False

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
        loss = last_row(net.history)[self.monitor]
        improved = loss < self.best_loss_ - self.tol
        if loss < self.best_loss_:
            self.best_loss_ = loss
            self.best_epoch_ = len(net.history)
            if self.load_best or self.restore_factor is not None:
                self._keep_best(net.module_)
        if improved or not self._settled(net):
            self.misses_ = 0
            self.flat_epochs_ = 0
            return
        self.flat_epochs_ += 1
        window = self.switch_off_window
        if (
            self.track_units
            and self._switched_off(net)
            and (window is None or self.flat_epochs_ <= window)
        ):
            self.misses_ = 0
            return
        self.misses_ += 1
        if self.misses_ >= self.patience:
            settling = dict(net.callbacks_).get("input_settling")
            if settling is not None and settling.check(
                net, kwargs.get("dataset_train")
            ):
                # inputs came back: the objective changed, the fit goes on
                self.misses_ = 0
                return
            self.converged_ = True
            raise KeyboardInterrupt

    def _keep_best(self, module):
        """Copy the module's state into ``best_state_``, in place when it can.

        A deep copy per improving epoch took 0.67 ms on iris's default
        network (a sixth of the fit with ``restore_factor`` on every fit).
        The first copy of a fit lays the state's tensors of each dtype end
        to end in one buffer (``best_state_`` holds views of it) and keeps
        flat views of the live tensors (they share the parameters' and
        buffers' storage, which a fit changes in place only); each later
        copy is one ``torch.cat`` into that buffer per dtype instead of a
        ``copy_`` per tensor (25 -> 9 us on iris's network, one thread,
        timeit on the shared machine).
        """
        copies = self._copies
        if copies is not None and copies[0] is module:
            for views, flat in copies[1]:
                torch.cat(views, out=flat)
            return
        state = {k: v.detach() for k, v in module.state_dict().items()}
        by_kind = {}
        for key, value in state.items():
            by_kind.setdefault((value.dtype, value.device), []).append(key)
        if not all(v.is_contiguous() and not v.is_sparse for v in state.values()):
            # no flat views of these: a copy per tensor (never cached)
            self.best_state_ = {k: v.clone() for k, v in state.items()}
            self._copies = None
            return
        kept, plan = {}, []
        for keys in by_kind.values():
            views = [state[k].view(-1) for k in keys]
            flat = torch.cat(views)
            start = 0
            for key in keys:
                size = state[key].numel()
                kept[key] = flat[start : start + size].view(state[key].shape)
                start += size
            plan.append((views, flat))
        self.best_state_ = {k: kept[k] for k in state}
        self._copies = (module, plan)

    def on_train_end(self, net, **kwargs):
        if self.best_state_ is None or not len(net.history):
            return
        last = last_row(net.history)[self.monitor]
        spike = self.restore_factor is not None and (
            not math.isfinite(last)
            or (
                last > self.restore_factor * self.best_loss_
                and last > self.best_loss_ + self.tol
            )
        )
        if self.load_best or spike:
            net.module_.load_state_dict(self.best_state_)
            self.restored_ = bool(spike and not self.load_best)


class InputSettling(Callback):
    """What the input L1 leaves undone when the data loss has converged.

    Stopping on the data loss ends a fit before its inputs have settled, in
    two ways of opposite sign, and this callback, asked by
    :class:`ConvergenceStopping` when it would stop, undoes both:

    * **zeros are absorbing.** Once ``lam_j = 0`` the column ``phi[:, j]``
      gets no data gradient and the eigenvector term shrinks it, so the
      gradient that could revive ``lam_j`` vanishes too: an input switched
      off early by the trajectory stays off however long the fit runs. The
      KKT check of every input eigenvalue that is off
      (:func:`~sklearn_spectral.nn.objective.input_score_test`: a score test
      of its direct-space gradient, family-wise level ``level``, and the
      Lasso condition of the L1; the columns of a group together) finds
      the inputs the data support; they are switched back on at 0 along
      their descent direction
      (:func:`~sklearn_spectral.nn.objective.readmit_inputs_`) and the fit
      goes on, the L1 deciding again as for any other input. Each input is
      re-admitted at most once per fit, so the check cannot cycle.
    * **the objective has not converged.** The input eigenvalues start at 1
      and Adam moves a parameter by about one learning rate per step, so on
      small data (few steps an epoch) the eigenvalues of inputs that carry
      nothing are still far from 0 when the loss stops improving. When the
      check finds eigenvalues the L1 is still shrinking
      (:func:`~sklearn_spectral.nn.objective.shrinking_inputs`: the data
      pull them by less than ``shrink_fraction`` of the L1 strength), or
      inputs came back at an earlier check, the fit's objective is
      minimised on the full batch with every parameter free
      (:func:`~sklearn_spectral.nn.objective.settle_inputs_`: orthant-wise
      L-BFGS in Adam's metric) until each of those eigenvalues is at 0 or
      held by the data (``release_fraction``) and the zeros have stood
      still for 5 steps, or the relevance has settled. No epoch is added:
      it replaces a phase of up to 50 epochs at a boosted rate for the
      eigenvalues, which doubled the epochs of a default fit on small data.

    Parameters
    ----------
    level : float, default=1e-3
        Family-wise level of the score test over the inputs that are off; 0
        turns the re-admission off.
    max_rows : int, default=20000
        Rows the check looks at (a fixed random subset beyond).
    max_rounds : int, default=3
        Checks per fit that may re-admit inputs.
    max_iter : int, default=80
        Most quasi-Newton steps of the solve; 0 turns it off.
    tol : float, default=1e-4
        The solve ends when the normalised relevance moves by at most this
        much (sum of absolute changes) a step over its last 5 steps.
    shrink_fraction : float, default=0.1
        Data pull, as a fraction of the L1 strength, below which an
        eigenvalue counts as shrinking; 0 runs the solve on every check.
    solve_rows : int, default=5000
        Training sets of more rows get no solve (the check and the
        re-admission still run).
    release_fraction : float, default=0.5
        The solve for shrinking eigenvalues ends once each is at 0 or
        pulled by the data by at least this fraction of the L1 strength
        (no longer shrinking); 0 ends it on 0, ``tol`` or ``max_iter``.
    newton_step : float, default=0.0
        A re-admitted eigenvalue starts at this fraction of the minimiser of
        the L1 problem along it (:meth:`_newton_start`), and at the check
        that ends the fit the eigenvalues that still fail it (re-admitted
        once already, or past ``max_rounds``) get that step instead of
        staying at 0; 0 re-admits at 0 and leaves them.
    balance : bool, default=True
        With ``newton_step``: split the step's direct-space weight between
        the eigenvalue and its eigenvector column as the L1 and the
        eigenvector term balance it (else the column keeps the norm the
        re-admission gave it).

    Attributes
    ----------
    readmitted_ : list of int
        Input eigenvalues switched back on during the fit, in order.
    checks_ : list of dict
        One entry per check: the epoch, the eigenvalues off, those
        re-admitted, those shrinking, and the solve's answer (``"solve"``,
        None when it did not run; see
        :func:`~sklearn_spectral.nn.objective.settle_inputs_`).
    """

    def __init__(
        self,
        level=1e-3,
        max_rows=20_000,
        max_rounds=3,
        max_iter=80,
        tol=1e-4,
        shrink_fraction=0.1,
        solve_rows=5000,
        release_fraction=0.5,
        newton_step=0.0,
        balance=True,
    ):
        self.newton_step = newton_step
        self.balance = balance
        self.level = level
        self.max_rows = max_rows
        self.max_rounds = max_rounds
        self.max_iter = max_iter
        self.tol = tol
        self.shrink_fraction = shrink_fraction
        self.solve_rows = solve_rows
        self.release_fraction = release_fraction

    def initialize(self):
        self._reset()
        return self

    def _reset(self):
        self.readmitted_ = []
        self.checks_ = []

    def on_train_begin(self, net, **kwargs):
        self._reset()

    def _newton_start(self, module, optimizer, X, losses, eigenvalues, penalty):
        """Start re-admitted eigenvalues at the minimum of their 1-D model.

        Re-admitted at ``lam_g = 0``, an eigenvalue's eigenvector column
        gets no data gradient (``dD / dphi = lam * ...``), and the eigenvector
        term shrinks it, and with it the pull ``phi . U`` on ``lam_g``: on
        the paper's 20 000-row set (``benchmarks/relevance_zeros_probe.py``)
        5 of the 6 inputs of relevance >= 0.2 left at 0 had been re-admitted
        and were switched off again within three epochs, their column
        shrinking by a third an epoch, while the data still failed the check
        for them at the end. Each re-admitted eigenvalue starts instead at
        ``newton_step`` times the minimiser of the L1 problem along it,
        ``(|g| - alpha) / h`` (``g`` the data gradient at 0, ``h`` its
        curvature by a finite difference on the check's rows), where its
        column gets a data gradient of its own. The optimizer's moments of
        the eigenvalue are those of its gradient there.
        """
        first = module.layers[0]
        eigen = torch.as_tensor(eigenvalues, device=first.lam_in.device)
        alpha = float(penalty.coef)
        g0 = _lam_gradient(module, X, losses)[eigen]
        # a step small against the eigenvalues' scale (they start at 1)
        eps = 1e-3
        with torch.no_grad():
            first.lam_in[eigen] = eps
        g1 = _lam_gradient(module, X, losses)[eigen]
        curvature = (g1 - g0) / eps
        pull = -g0  # the descent direction makes lam > 0 pull the loss down
        target = torch.where(
            (curvature > 0) & (pull > alpha),
            self.newton_step * (pull - alpha) / curvature.clamp_min(1e-30),
            torch.zeros_like(pull),
        )
        # the quadratic model can overshoot through the ReLUs: halve the
        # step until the penalised data loss is below its value at 0
        at_zero = _data_loss(module, X, losses)
        for _ in range(30):
            with torch.no_grad():
                first.lam_in[eigen] = target.to(first.lam_in.dtype)
            moved = _data_loss(module, X, losses) + alpha * float(target.sum())
            if moved < at_zero:
                break
            target = target / 2
        else:
            target = torch.zeros_like(target)
        decay = next(
            (
                grp.get("weight_decay", 0.0)
                for grp in optimizer.param_groups
                if any(p is first.phi for p in grp["params"])
            ),
            0.0,
        )
        with torch.no_grad():
            if decay > 0 and self.balance:
                # the same direct-space weight w = lam p, split as the two
                # penalties balance it: alpha lam = decay ||phi||^2, i.e.
                # lam = (decay w^2 / alpha)^(1/3); at lam ~ 0 the column's
                # data gradient (lam U) is far below its decay and it dies
                p_norm = _column_norms(first, eigen)
                weight = target * p_norm
                lam = (decay * weight**2 / alpha).pow(1.0 / 3.0)
                ratio = torch.where(lam > 0, weight / lam.clamp_min(1e-30), p_norm)
                ratio = ratio / p_norm.clamp_min(1e-30)
                columns = _inputs_of(first, eigenvalues)
                index = _eigenvalue_of_input(first)[columns]
                position = {int(e): k for k, e in enumerate(eigen.tolist())}
                scale = torch.stack([ratio[position[int(e)]] for e in index])
                first.phi[:, columns] *= scale.to(first.phi.dtype)[None, :]
                target = lam
            first.lam_in[eigen] = target.to(first.lam_in.dtype)
        g = _lam_gradient(module, X, losses)[eigen].to(first.lam_in.dtype)
        state = optimizer.state.get(first.lam_in)
        if state and "exp_avg" in state:
            group = next(
                grp
                for grp in optimizer.param_groups
                if any(p is first.lam_in for p in grp["params"])
            )
            beta1, beta2 = group["betas"]
            step = float(state["step"])
            state["exp_avg"][eigen] = g * (1.0 - beta1**step)
            state["exp_avg_sq"][eigen] = g**2 * (1.0 - beta2**step)

    @staticmethod
    def _input_penalty(net):
        penalty = None
        for group in net.optimizer_.param_groups:
            if group.get("term") == "input" and type(group.get("penalty")) is L1:
                penalty = group["penalty"]
        return penalty

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

    def check(self, net, dataset):
        """Re-admit the inputs the data support; solve for the eigenvalues.

        Parameters
        ----------
        net : SpectralNet
            The net being fitted.
        dataset : torch.utils.data.Dataset or None
            Its training data.

        Returns
        -------
        bool
            Whether the fit should go on (inputs were re-admitted).
        """
        penalty = None if dataset is None else self._input_penalty(net)
        if penalty is None:
            return False
        X, y, w = self._data(net, dataset)

        def losses(output):
            target = y.to(output.dtype) if y.is_floating_point() else y
            loss = net.criterion_(output, target)
            if loss.dim() > 1:
                loss = loss.mean(dim=tuple(range(1, loss.dim())))
            return loss if w is None else loss * w.to(loss.dtype)

        module = net.module_
        was_training = module.training
        module.eval()
        try:
            score = input_score_test(module, X, losses, level=self.level)
            if score is None:
                return False
            inputs, polished = [], []
            rounds = sum(1 for c in self.checks_ if c["readmitted"])
            if self.level > 0:
                kkt = score["phi_norm"] * score["gradient_norm"] > penalty.coef
                fails = score["off"] & (score["statistic"] > score["threshold"]) & kkt
                fails = torch.nonzero(fails).flatten().tolist()
                if rounds < self.max_rounds:
                    inputs = [j for j in fails if j not in self.readmitted_]
                # U itself: its norm sets the eigenvalue's new gradient
                grad = score["directions"] * score["gradient_norm"][input_index(module)]
                if not inputs and self.newton_step > 0:
                    # the fit ends here: the eigenvalues the data still
                    # support (re-admitted before and switched off again by
                    # the minibatch steps) get one exact coordinate step
                    polished = fails
                chosen = inputs or polished
                readmit_inputs_(module, net.optimizer_, chosen, grad, score["phi_norm"])
                if chosen and self.newton_step > 0:
                    self._newton_start(
                        module, net.optimizer_, X, losses, chosen, penalty
                    )
                self.readmitted_.extend(inputs)
            solve, shrinking = None, []
            if self.max_iter > 0 and not inputs:
                shrinking = shrinking_inputs(
                    module, score, penalty.coef * self.shrink_fraction
                )
                name = getattr(net.criterion_, "name", None)
                closed_form = None
                if type(net.criterion_) is DataLoss and name is not None:
                    closed_form = (y, name, w)
                # inputs re-admitted earlier grow from 0: the solve then
                # ends on the relevance alone
                grown = bool(self.readmitted_)
                # on large data the minibatch fit has taken many steps an
                # epoch, and a full-batch step costs an epoch's arithmetic
                small = len(dataset) <= self.solve_rows
                if (
                    small
                    and (shrinking or grown or self.shrink_fraction <= 0)
                    and _determined(X, w)
                ):
                    solve = settle_inputs_(
                        module,
                        net.optimizer_,
                        X,
                        losses,
                        until_zero=None if grown else (shrinking or None),
                        max_iter=self.max_iter,
                        tol=self.tol,
                        closed_form=closed_form,
                        pull_below=(
                            penalty.coef * self.release_fraction
                            if self.release_fraction > 0
                            else None
                        ),
                    )
        finally:
            module.train(was_training)
        self.checks_.append(
            {
                "epoch": len(net.history),
                "off": torch.nonzero(score["off"]).flatten().tolist(),
                "readmitted": inputs,
                "polished": polished,
                "shrinking": shrinking,
                "solve": solve,
            }
        )
        return bool(inputs)


def _column_norms(first, eigen):
    """Norm of each given eigenvalue's eigenvector columns (float64)."""
    index = _eigenvalue_of_input(first)
    squares = torch.zeros(
        first.lam_in.numel(), dtype=torch.float64, device=first.phi.device
    )
    squares.index_add_(0, index, (first.phi.detach().double() ** 2).sum(dim=0))
    return squares.sqrt()[eigen]


def _data_loss(module, x, losses):
    """Mean data loss of ``module`` on ``x`` (a float)."""
    with torch.no_grad():
        return float(losses(module(x)).double().mean())


def _lam_gradient(module, x, losses):
    """Data-loss gradient of the first layer's input eigenvalues (float64)."""
    lam = module.layers[0].lam_in
    with torch.enable_grad():
        (grad,) = torch.autograd.grad(losses(module(x)).mean(), lam)
    return grad.detach().double()


def _determined(X, w):
    """Whether the data have more distinct rows (of positive weight) than
    inputs.

    With no more rows than inputs the L1 problem of the end-of-fit solve has
    no unique minimum: where its 80 steps end follows the float32 rounding
    of the fit it starts from (a weight of k and k repeated rows, equal up to
    rounding, ended 0.03 apart in their predictions on 15 rows x 30 inputs,
    scikit-learn's sample-weight check), not the data. Counted on distinct
    rows, so that a weight and its repeated rows decide alike.
    """
    if w is not None:
        X = X[w > 0]
    if X.shape[0] <= X.shape[1]:
        return False
    return torch.unique(X, dim=0).shape[0] > X.shape[1]


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
        row = last_row(net.history)
        valid = row.get("valid_loss", float("nan"))
        with torch.no_grad():
            active = int((net.module_.unit_magnitudes() > 0).sum())
        penalty = row.get("train_penalty", float("nan"))  # recorded by the net
        self.sink(
            f"{row['epoch']:5d}  {row['train_loss']:10.5f}  {valid:10.5f}  "
            f"{penalty:7.4f}  {active:12d}  {row.get('dur', 0.0):5.2f}"
        )

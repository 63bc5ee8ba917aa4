"""The training loop of several spectral networks in one step.

:func:`fit_members` trains the members of a
:class:`~sklearn_spectral.nn.members.MemberMLP` as
:class:`~sklearn_spectral._training.net.SpectralNet` trains one fixed-depth
network, each member by its own rules: its minibatches drawn by its own
generator (the single fit's ``torch.Generator().manual_seed(seed)``), its
input L1 strength set each epoch by the schedule of
:class:`~sklearn_spectral._training.callbacks.PenaltySchedule` (ramp,
relative loss scale with its momentum, power and floor), stopped by the
rule of :class:`~sklearn_spectral._training.callbacks.ConvergenceStopping`
(``patience`` epochs without an improvement of its training data loss by
``tol`` nor a first switch-off of an input, the penalty settled; at most
``max_epochs``), its best epoch restored when the last one is a spike
(``restore_factor``), and its loss checked for divergence. A stopped
member is frozen: its parameters and Adam state no longer move while the
others train. At the end each member's parameters are written back into
its own :class:`~sklearn_spectral.nn.mlp.SpectralMLP`.

The end-of-fit step of the inputs
(:class:`~sklearn_spectral._training.callbacks.InputSettling`) is the
caller's (``on_stop``): the loop asks it when a member's rule fires, as
``ConvergenceStopping`` does, and a member whose inputs came back trains
on.

This module imports torch only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from ..nn.members import MemberAdam, MemberMLP
from .ramp import loss_progress, ramp_fraction

__all__ = ["MemberSpec", "fit_members"]


@dataclass
class MemberSpec:
    """One member's network, data and schedule.

    Parameters
    ----------
    module : SpectralMLP
        The initialised network (its ``input_scaling`` set); the trained
        parameters are written back into it.
    X : torch.Tensor of shape (n_samples, n_inputs)
        The member's inputs, already through ``module.input_scaling``.
    y : torch.Tensor
        Encoded targets (class indices, or standardised regression targets
        of shape (n_samples, n_outputs)).
    sample_weight : torch.Tensor of shape (n_samples,) or None
        Weights of mean 1.
    seed : int
        Seed of the member's shuffling generator.
    alpha : float
        Base strength of the input term.
    warmup : int
        Epochs of the strength's linear ramp.
    relative : bool
        The strength follows the loss scale.
    power : float
        Power of the loss scale (see ``TermSchedule``).
    initial_scale : float
        Loss scale before the first epoch (the constant prediction's loss).
    min_scale : float
        Floor of the loss scale.
    slow_warmup : int, default=0
        The ramp's longest length while the data loss falls slowly (see
        ``TermSchedule``); 0 the plain ramp.
    slow_fraction : float, default=0.5
        The share of ``initial_scale`` the loss must reach for the ramp to
        complete in ``warmup`` epochs.
    """

    module: object
    X: torch.Tensor
    y: torch.Tensor
    sample_weight: torch.Tensor | None
    seed: int
    alpha: float
    warmup: int
    relative: bool
    power: float
    initial_scale: float
    min_scale: float
    slow_warmup: int = 0
    slow_fraction: float = 0.5


def _ramps(specs, epoch, last):
    """Each member's share of its strength at ``epoch`` (1-based), its last
    epoch's data loss ``last`` (NaN before the first), as
    ``PenaltySchedule`` ramps it."""
    return np.array(
        [
            ramp_fraction(
                epoch,
                spec.warmup,
                spec.slow_warmup,
                loss_progress(spec.initial_scale, last[k], spec.slow_fraction),
            )
            for k, spec in enumerate(specs)
        ]
    )


def _strengths(specs, ramps, scales):
    """Each member's input strength, as ``PenaltySchedule.strength`` gives
    it, from its share of the ramp ``ramps``."""
    out = np.empty(len(specs))
    for k, spec in enumerate(specs):
        ramp = ramps[k]
        scale = 1.0
        if spec.relative:
            scale = scales[k]
            initial = spec.initial_scale
            if spec.power != 1.0 and scale > 0 and initial > 0:
                scale = initial * (scale / initial) ** spec.power
            scale = max(scale, spec.min_scale)
        out[k] = spec.alpha * ramp * scale
    return out


def fit_members(
    specs,
    *,
    loss,
    lr,
    betas,
    eps,
    phi_decay,
    input_beta2,
    batch_size,
    shuffle,
    max_epochs,
    tol,
    patience,
    track_units=True,
    restore_factor=None,
    momentum=0.1,
    on_stop=None,
):
    """Train every member of ``specs`` in one step a minibatch.

    Parameters
    ----------
    specs : list of MemberSpec
        The members; they share the number of rows and the network shape
        (:func:`~sklearn_spectral.nn.members.stackable`).
    loss : {"cross_entropy", "squared_error"}
        The data loss.
    lr, betas, eps : float, tuple, float
        Adam's options.
    phi_decay : float
        Coupled weight decay of the eigenvectors.
    input_beta2 : float or None
        Adam's ``beta2`` of the input eigenvalues.
    batch_size : int
        Rows per minibatch.
    shuffle : bool
        Draw a new order of the rows each epoch.
    max_epochs : int
        Most epochs of a member.
    tol, patience : float, int
        The stopping rule (``ConvergenceStopping``).
    track_units : bool, default=True
        A first switch-off of an input is progress.
    restore_factor : float or None, default=None
        Restore a member's best epoch when its last loss is a spike.
    momentum : float, default=0.1
        The loss scale's momentum per batch (``PenaltySchedule``).
    on_stop : callable or None, default=None
        ``on_stop(k, members, optimizer, strength)``, called when member
        ``k``'s stopping rule fires (``strength`` its input strength of the
        epoch), as :class:`~sklearn_spectral._training.callbacks.
        ConvergenceStopping` asks ``InputSettling.check``: it may change
        the member's parameters and Adam state, and when it returns True
        the member trains on (its misses start again).

    Returns
    -------
    list of dict
        Per member: ``epochs``, ``converged`` (stopped by ``patience``),
        ``diverged`` (a non-finite loss: its network is not usable),
        ``restored`` and ``train_loss`` (one value per epoch).
    """
    n_members = len(specs)
    n = int(specs[0].X.shape[0])
    if any(int(s.X.shape[0]) != n for s in specs):
        raise ValueError("Every member must train on the same number of rows.")
    members = MemberMLP([s.module for s in specs])
    width = int(members.n_inputs.max())
    X = specs[0].X.new_zeros(n_members, n, width)
    for k, s in enumerate(specs):
        X[k, :, : s.X.shape[1]] = s.X
    y = torch.stack([s.y for s in specs])
    weighted = any(s.sample_weight is not None for s in specs)
    w = None
    if weighted:
        w = torch.stack(
            [
                s.sample_weight
                if s.sample_weight is not None
                else torch.ones(n, dtype=X.dtype)
                for s in specs
            ]
        ).to(X.dtype)
    optimizer = MemberAdam(members, lr, betas, eps, phi_decay, input_beta2)
    generators = [torch.Generator().manual_seed(int(s.seed)) for s in specs]
    size = min(int(batch_size), n)
    n_batches = -(-n // size)
    real = torch.arange(width)[None, :] < members.n_inputs[:, None]

    active = torch.ones(n_members, dtype=torch.bool)
    scales = np.array([float(s.initial_scale) for s in specs])
    last = np.full(n_members, math.nan)  # no epoch yet: the plain ramp
    best = np.full(n_members, math.inf)
    misses = np.zeros(n_members, dtype=int)
    ever_off = np.zeros((n_members, width), dtype=bool)
    looked = np.zeros(n_members, dtype=bool)
    epochs = np.zeros(n_members, dtype=int)
    converged = np.zeros(n_members, dtype=bool)
    diverged = np.zeros(n_members, dtype=bool)
    history = [[] for _ in range(n_members)]
    # every parameter is a view of the optimizer's (K, P) buffer: the best
    # epoch's copy is one row of a copy of it per member
    flat = optimizer.flat
    kept = flat.clone() if restore_factor is not None else None
    keep = (1.0 - momentum) ** n_batches

    with torch.no_grad():
        for epoch in range(1, int(max_epochs) + 1):
            moving = active.numpy().copy()
            ramps = _ramps(specs, epoch, last)
            strengths = torch.as_tensor(_strengths(specs, ramps, scales))
            if size >= n:
                orders = None
            elif shuffle:
                orders = torch.stack(
                    [torch.randperm(n, generator=g) for g in generators]
                )
            else:
                orders = torch.arange(n).expand(n_members, n)
            summed = torch.zeros(n_members, dtype=torch.float64)
            # the members still training: the stopped ones get no arithmetic
            every = bool(moving.all())
            index = None if every else torch.as_tensor(np.flatnonzero(moving))
            Xa, ya, wa = X, y, w
            if index is not None:
                Xa, ya = X.index_select(0, index), y.index_select(0, index)
                wa = None if w is None else w.index_select(0, index)
                orders_a = None if orders is None else orders.index_select(0, index)
            else:
                orders_a = orders
            for start in range(0, n, size):
                if orders_a is None:
                    xb, yb, wb = Xa, ya, wa
                else:
                    rows = orders_a[:, start : start + size]
                    xb = Xa.gather(1, rows.unsqueeze(2).expand(-1, -1, width))
                    yb = (
                        ya.gather(1, rows)
                        if ya.dim() == 2
                        else ya.gather(1, rows.unsqueeze(2).expand(-1, -1, ya.shape[2]))
                    )
                    wb = None if wa is None else wa.gather(1, rows)
                value = members.closed_form(xb, yb, loss, wb, members=index)
                optimizer.step(strengths, None if every else active)
                if index is None:
                    summed += value.double() * xb.shape[1]
                else:
                    summed.index_add_(0, index, value.double() * xb.shape[1])
            losses = (summed / n).numpy()
            # the epoch's end, per member (PenaltySchedule, StopOnDivergence,
            # ConvergenceStopping), for the members that moved
            finite = np.isfinite(losses)
            scales = np.where(
                moving & finite, keep * scales + (1.0 - keep) * losses, scales
            )
            last = np.where(moving & finite, losses, last)
            for k in np.flatnonzero(moving):
                history[k].append(float(losses[k]))
            epochs[moving] += 1
            bad = moving & ~finite
            if bad.any():
                diverged |= bad
                active &= ~torch.as_tensor(bad)
            better = moving & finite & (losses < best)
            improved = moving & finite & (losses < best - tol)
            best = np.where(better, losses, best)
            if kept is not None and better.any():
                rows = torch.as_tensor(np.flatnonzero(better))
                kept.index_copy_(0, rows, flat.index_select(0, rows))
            settled = ramps >= 1.0
            reset = moving & (improved | ~settled)
            looking = moving & ~reset & ~bad
            if track_units and looking.any():
                # each member's first look records the inputs already off
                off = ((members.unit_magnitudes() == 0) & real).numpy()
                first = looking & looked & (off & ~ever_off).any(axis=1)
                ever_off[looking] |= off[looking]
                looked |= looking
                reset |= looking & first
                looking &= ~first
            misses[reset] = 0
            misses[looking] += 1
            stop = looking & (misses >= patience)
            if on_stop is not None:
                for k in np.flatnonzero(stop):
                    if on_stop(int(k), members, optimizer, float(strengths[k])):
                        stop[k] = False  # inputs came back: it goes on
                        misses[k] = 0
            if stop.any():
                converged |= stop
                active &= ~torch.as_tensor(stop)
            if not bool(active.any()):
                break

    restored = np.zeros(n_members, dtype=bool)
    if kept is not None:
        for k in range(n_members):
            if not history[k] or not math.isfinite(best[k]):
                continue
            last = history[k][-1]
            if not math.isfinite(last) or (
                last > restore_factor * best[k] and last > best[k] + tol
            ):
                restored[k] = True
        if restored.any():
            mask = torch.as_tensor(restored)[:, None]
            with torch.no_grad():
                flat.copy_(torch.where(mask, kept, flat))
    for k, s in enumerate(specs):
        members.write_to(k, s.module)
    reports = []
    for k in range(n_members):
        report = {
            "epochs": int(epochs[k]),
            "converged": bool(converged[k]),
            "diverged": bool(diverged[k]),
            "restored": bool(restored[k]),
            "train_loss": history[k],
        }
        reports.append(report)
    return reports

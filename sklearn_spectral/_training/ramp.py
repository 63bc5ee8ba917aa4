"""The input penalty's ramp: how its share of the strength grows over the epochs.

Shared by :class:`~sklearn_spectral._training.callbacks.PenaltySchedule`
(one fit) and :func:`~sklearn_spectral._training.members.fit_members`
(several fits in one step), so that both follow one rule. Plain Python.
"""

from __future__ import annotations

import math

__all__ = ["loss_progress", "ramp_fraction"]


def loss_progress(initial, loss, fraction):
    """How far the data loss has come towards ``fraction`` of its start.

    ``(initial - loss) / (initial (1 - fraction))``: 0 at the constant
    prediction's loss ``initial``, 1 (or more) once ``loss`` is at most
    ``fraction * initial``. 1 where it cannot be read (``initial`` not
    positive, ``loss`` not finite, e.g. NaN before the first epoch,
    ``fraction`` 1 or more): without a loss to read the ramp does not wait.
    """
    if not initial > 0 or not math.isfinite(loss) or fraction >= 1:
        return 1.0
    return (initial - loss) / (initial * (1.0 - fraction))


def ramp_fraction(elapsed, warmup, slow_warmup=0, progress=1.0):
    """The share of its strength a ramped term has after ``elapsed`` epochs.

    The plain ramp is linear over ``warmup`` epochs. With ``slow_warmup``
    longer than ``warmup`` the share is also at most the data loss's
    ``progress`` (:func:`loss_progress`), but never less than the linear
    ramp over ``slow_warmup`` epochs: ``min(t / warmup, max(progress, t /
    slow_warmup))``. A fit whose loss falls fast ramps over ``warmup``
    epochs as before; one that has learnt little after ``warmup`` epochs
    (inputs that matter only together or non-linearly) gets up to
    ``slow_warmup`` epochs before the penalty is at full strength.
    """
    if warmup <= 0:
        return 1.0
    share = min(1.0, elapsed / warmup)
    if slow_warmup > warmup:
        share = min(share, max(progress, elapsed / slow_warmup))
    return max(share, 0.0)

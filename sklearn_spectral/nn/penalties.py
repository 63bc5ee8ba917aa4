"""Penalties on eigenvalue tensors: each owns its value and its proximal step.

A penalty acts on one tensor (one parameter group of the optimizer) with a
strength that the training schedule may change between epochs. It exposes

* ``value(t)``: the differentiable term ``strength * weight * P(t)``;
* ``prox(t, step)``: the proximal operator of that term for a gradient step
  of size ``step`` (a float or one step per coordinate, as Adam's
  preconditioned step), applied in place;
* ``smooth``: whether the term enters the loss (its gradient drives the
  parameter) or is applied by the optimizer as a proximal step after each
  gradient step, which yields exact zeros.

This follows skglm's ``Penalty`` objects (``value``, ``prox_1d``,
``BlockSoftThreshold``). The module imports torch only.

Three penalties are provided:

=============  ===================  ==========  ===============================
class          ``P(t)``              ``smooth``   proximal step
=============  ===================  ==========  ===============================
``L1``         ``sum |t_i|``         False      soft threshold per coordinate
``SquaredL2``  ``sum t_i ** 2``      True       ``t / (1 + 2 s step)``
``GroupL2``    ``||t||_2``           False      block soft threshold
=============  ===================  ==========  ===============================

``GroupL2`` groups the whole tensor (one layer's eigenvalues), or each row
when ``groups="rows"``: its proximal step switches a whole group to exactly
zero when its norm is below the threshold.
"""

from __future__ import annotations

import torch

__all__ = [
    "GroupL2",
    "L1",
    "PENALTIES",
    "Penalty",
    "SquaredL2",
    "eigenvalue_penalty",
    "make_penalty",
    "soft_threshold_",
]


@torch.no_grad()
def soft_threshold_(tensor, threshold):
    """Soft-threshold a tensor in place: ``sign(t) * max(|t| - threshold, 0)``.

    This is the proximal operator of ``threshold * |t|``.

    Parameters
    ----------
    tensor : torch.Tensor
        Values to shrink; modified in place.
    threshold : float or torch.Tensor
        Amount subtracted from every magnitude; a tensor must broadcast to
        ``tensor`` (one threshold per coordinate).

    Returns
    -------
    torch.Tensor
        ``tensor`` itself, after the update.

    See Also
    --------
    L1 : The penalty whose proximal step this is.

    Examples
    --------
    >>> import torch
    >>> from sklearn_spectral.nn.penalties import soft_threshold_
    >>> t = torch.tensor([-2.0, 0.5, 3.0])
    >>> soft_threshold_(t, 1.0)
    tensor([-1., 0., 2.])
    """
    return _soft_threshold(tensor, threshold)


def _soft_threshold(tensor, threshold):
    """:func:`soft_threshold_` for callers already under ``torch.no_grad``.

    The decorator's context switch costs more than the two kernels on the
    few eigenvalues of a layer, once per optimizer step.
    """
    # t - clamp(t, -h, h) is sign(t) * max(|t| - h, 0) in two kernels: exact
    # zeros where |t| <= h (t - t), and t -/+ h elsewhere
    if torch.is_tensor(threshold):
        return tensor.sub_(torch.clamp(tensor, min=-threshold, max=threshold))
    return tensor.sub_(tensor.clamp(-threshold, threshold))


class Penalty:
    """Base class: ``strength * weight * P(t)`` on one tensor.

    Parameters
    ----------
    strength : float, default=0.0
        Current strength; the training schedule sets it between epochs.
    weight : float, default=1.0
        Fixed factor of this tensor's term (e.g. the depth grading of the
        auto-depth hidden-layer penalty).

    Attributes
    ----------
    smooth : bool
        True when the term enters the loss; False when the optimizer applies
        it through :meth:`prox`.

    See Also
    --------
    L1 : ``sum |t|``, applied as a soft threshold.
    SquaredL2 : ``sum t**2``, smooth.
    GroupL2 : ``sum_g ||t_g||_2``, applied as a block soft threshold.
    make_penalty : Build a penalty from its name.

    Examples
    --------
    >>> from sklearn_spectral.nn.penalties import L1, Penalty
    >>> pen = L1(strength=0.5, weight=2.0)
    >>> isinstance(pen, Penalty), pen.coef, pen.smooth
    (True, 1.0, False)
    """

    name = "penalty"
    smooth = True

    def __init__(self, strength=0.0, weight=1.0):
        if strength < 0 or weight < 0:
            raise ValueError("strength and weight must be non-negative.")
        self.strength = float(strength)
        self.weight = float(weight)

    @property
    def coef(self):
        """``strength * weight``, the factor of ``P``."""
        return self.strength * self.weight

    def raw(self, tensor):
        """``P(tensor)`` without the factor (differentiable).

        Parameters
        ----------
        tensor : torch.Tensor
            The penalised tensor.

        Returns
        -------
        torch.Tensor
            A scalar.
        """
        raise NotImplementedError

    def value(self, tensor):
        """``strength * weight * P(tensor)`` as a differentiable scalar.

        Parameters
        ----------
        tensor : torch.Tensor
            The penalised tensor.

        Returns
        -------
        torch.Tensor
            A scalar.
        """
        return self.coef * self.raw(tensor)

    def prox(self, tensor, step):
        """Apply the proximal operator of ``step * value`` in place.

        Parameters
        ----------
        tensor : torch.Tensor
            Parameter to update in place (under ``torch.no_grad``).
        step : float or torch.Tensor
            Gradient step size, a scalar or one per coordinate.

        Returns
        -------
        torch.Tensor
            ``tensor``.
        """
        raise NotImplementedError

    def __repr__(self):
        return (
            f"{type(self).__name__}(strength={self.strength:g}, weight={self.weight:g})"
        )


class L1(Penalty):
    """``strength * weight * sum |t|``, applied as a soft threshold.

    Parameters
    ----------
    strength, weight : float
        As for :class:`Penalty`.

    See Also
    --------
    soft_threshold_ : Its proximal operator.
    GroupL2 : The same shrinkage on the norm of a whole group.

    Examples
    --------
    >>> import torch
    >>> from sklearn_spectral.nn.penalties import L1
    >>> pen = L1(strength=0.5)
    >>> t = torch.tensor([0.4, -2.0])
    >>> pen.value(t)
    tensor(1.2000)
    >>> pen.prox(t, step=1.0)
    tensor([ 0.0000, -1.5000])
    """

    name = "l1"
    smooth = False

    def raw(self, tensor):
        """``sum |tensor|`` without the factor (differentiable).

        Parameters
        ----------
        tensor : torch.Tensor
            The penalised tensor.

        Returns
        -------
        torch.Tensor
            A scalar.
        """
        return tensor.abs().sum()

    @torch.no_grad()
    def prox(self, tensor, step):
        """Soft-threshold ``tensor`` in place by ``coef * step``.

        Parameters
        ----------
        tensor : torch.Tensor
            Parameter to update in place.
        step : float or torch.Tensor
            Gradient step size, a scalar or one per coordinate.

        Returns
        -------
        torch.Tensor
            ``tensor``.
        """
        if torch.is_grad_enabled():
            return soft_threshold_(tensor, self.coef * step)
        return _soft_threshold(tensor, self.coef * step)


class SquaredL2(Penalty):
    """``strength * weight * sum t**2``; smooth, so it enters the loss.

    Its proximal operator (a shrink by ``1 + 2 * coef * step``) is provided
    for completeness and for solvers that want it.

    Parameters
    ----------
    strength, weight : float
        As for :class:`Penalty`.

    See Also
    --------
    L1 : The non-smooth penalty that yields exact zeros.

    Examples
    --------
    >>> import torch
    >>> from sklearn_spectral.nn.penalties import SquaredL2
    >>> SquaredL2(strength=0.5).value(torch.tensor([1.0, 2.0]))
    tensor(2.5000)
    """

    name = "l2"
    smooth = True

    def raw(self, tensor):
        """``sum tensor**2`` without the factor (differentiable).

        Parameters
        ----------
        tensor : torch.Tensor
            The penalised tensor.

        Returns
        -------
        torch.Tensor
            A scalar.
        """
        return tensor.pow(2).sum()

    @torch.no_grad()
    def prox(self, tensor, step):
        """Divide ``tensor`` in place by ``1 + 2 * coef * step``.

        Parameters
        ----------
        tensor : torch.Tensor
            Parameter to update in place.
        step : float or torch.Tensor
            Gradient step size, a scalar or one per coordinate.

        Returns
        -------
        torch.Tensor
            ``tensor``.
        """
        return tensor.div_(1.0 + 2.0 * self.coef * step)


class GroupL2(Penalty):
    """``strength * weight * sum_g ||t_g||_2``, applied as a block soft threshold.

    Parameters
    ----------
    strength, weight : float
        As for :class:`Penalty`.
    groups : {"tensor", "rows"}, default="tensor"
        One group for the whole tensor (a layer's eigenvalues: the SPARCS
        code's unsquared layer norm, which switches a whole layer off), or
        one group per row of a 2-D tensor.

    See Also
    --------
    L1 : The same shrinkage coordinate by coordinate.

    Notes
    -----
    The proximal operator of ``c * ||t||_2`` for a scalar step ``s`` is
    ``t * max(0, 1 - c s / ||t||)``. With Adam's per-coordinate steps the
    exact operator in that metric has no closed form; the group's step is
    taken as the mean of its coordinates' steps, which is exact when they are
    equal.

    Examples
    --------
    >>> import torch
    >>> from sklearn_spectral.nn.penalties import GroupL2
    >>> pen = GroupL2(strength=1.0)
    >>> pen.value(torch.tensor([3.0, 4.0]))
    tensor(5.)
    >>> pen.prox(torch.tensor([3.0, 4.0]), step=2.5)
    tensor([1.5000, 2.0000])
    >>> pen.prox(torch.tensor([3.0, 4.0]), step=5.0)
    tensor([0., 0.])
    """

    name = "group"
    smooth = False

    def __init__(self, strength=0.0, weight=1.0, groups="tensor"):
        super().__init__(strength, weight)
        if groups not in ("tensor", "rows"):
            raise ValueError(f"groups must be 'tensor' or 'rows', got {groups!r}.")
        self.groups = groups

    def _norms(self, tensor):
        if self.groups == "rows":
            return torch.linalg.vector_norm(tensor, dim=tuple(range(1, tensor.dim())))
        return torch.linalg.vector_norm(tensor)

    def raw(self, tensor):
        """Sum of the groups' norms ``||t_g||_2``, without the factor.

        Parameters
        ----------
        tensor : torch.Tensor
            The penalised tensor.

        Returns
        -------
        torch.Tensor
            A scalar.
        """
        return self._norms(tensor).sum()

    @torch.no_grad()
    def prox(self, tensor, step):
        """Block soft threshold of each group in place.

        Each group is multiplied by ``max(0, 1 - coef * step / ||t_g||)``,
        which sets it to exactly zero when its norm is at most
        ``coef * step``.

        Parameters
        ----------
        tensor : torch.Tensor
            Parameter to update in place.
        step : float or torch.Tensor
            Gradient step size, a scalar or one per coordinate; per-coordinate
            steps are averaged over each group.

        Returns
        -------
        torch.Tensor
            ``tensor``.
        """
        if torch.is_tensor(step) and step.dim() > 0:
            if self.groups == "rows":
                step = step.reshape(step.shape[0], -1).mean(dim=1)
            else:
                step = step.mean()
        norms = self._norms(tensor)
        scale = (1.0 - self.coef * step / norms.clamp(min=1e-30)).clamp_(min=0.0)
        if self.groups == "rows":
            scale = scale.reshape(-1, *([1] * (tensor.dim() - 1)))
        return tensor.mul_(scale)


#: The penalties by the names the estimators use.
PENALTIES = {"l1": L1, "l2": SquaredL2, "group": GroupL2}


def make_penalty(kind, strength=0.0, weight=1.0):
    """Build the penalty called ``kind``.

    Parameters
    ----------
    kind : {"l1", "l2", "group"}
        Name of the penalty (see :data:`PENALTIES`).
    strength, weight : float
        As for :class:`Penalty`.

    Returns
    -------
    Penalty
        The penalty object.

    See Also
    --------
    eigenvalue_penalty : Sum of a penalty over several tensors.

    Examples
    --------
    >>> from sklearn_spectral.nn.penalties import make_penalty
    >>> make_penalty("l1", 0.1)
    L1(strength=0.1, weight=1)
    """
    try:
        cls = PENALTIES[kind]
    except KeyError:
        raise ValueError(
            f"Unknown penalty {kind!r}; expected one of {sorted(PENALTIES)}."
        ) from None
    return cls(strength, weight)


def eigenvalue_penalty(tensors, kind, weights=None):
    """Sum of ``weight * P(t)`` over a list of eigenvalue tensors.

    Parameters
    ----------
    tensors : list of torch.Tensor
        Eigenvalue vectors.
    kind : {"l1", "l2", "group"}
        ``"l1"``: ``sum |lam|``; ``"l2"``: ``sum lam**2``; ``"group"``: the
        sum over tensors of the unsquared norm ``||lam||_2``.
    weights : sequence of float, optional
        One weight per tensor; all ones by default.

    Returns
    -------
    torch.Tensor
        A scalar, differentiable with respect to ``tensors``.

    See Also
    --------
    make_penalty : Build the penalty called ``kind``.

    Examples
    --------
    >>> import torch
    >>> from sklearn_spectral.nn.penalties import eigenvalue_penalty
    >>> lam = [torch.tensor([3.0, -4.0]), torch.tensor([1.0])]
    >>> eigenvalue_penalty(lam, "l1")
    tensor(8.)
    >>> eigenvalue_penalty(lam, "l2")
    tensor(26.)
    >>> eigenvalue_penalty(lam, "group")
    tensor(6.)
    """
    if not tensors:
        raise ValueError("No eigenvalues to penalise.")
    if weights is None:
        weights = [1.0] * len(tensors)
    pen = make_penalty(kind, 1.0)
    return sum(w * pen.raw(t) for w, t in zip(weights, tensors))

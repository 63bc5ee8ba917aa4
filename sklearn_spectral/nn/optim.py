"""Adam followed by the proximal step of each parameter group's penalty.

Plain Adam on a loss with an ``alpha * |theta|`` term oscillates around zero
and never reaches it. Proximal gradient methods (ISTA, LassoNet, skglm) take
the gradient step on the smooth loss only and then apply the proximal
operator of the non-smooth term, which yields exact zeros.

Here the gradient step is Adam's, i.e. a step preconditioned by the diagonal
metric ``D = (sqrt(v_hat) + eps) / lr``: the proximal step of a group is
taken with the per-coordinate step ``lr / (sqrt(v_hat) + eps)``. For the L1
penalty this is a soft threshold of ``lr * alpha / (sqrt(v_hat) + eps)``: a
coordinate is set to exactly zero when its smooth gradient is, in Adam's
normalised units, smaller than the penalty (the Lasso optimality condition
``|g| <= alpha``).

A parameter group carries its penalty object under the key ``"penalty"``
(see :mod:`sklearn_spectral.nn.penalties`) and its name under ``"name"``;
groups are never found by position. This module imports torch only.
"""

from __future__ import annotations

import torch

from .penalties import soft_threshold_

__all__ = ["ProximalAdam", "soft_threshold_"]


class ProximalAdam(torch.optim.Adam):
    """Adam followed by the proximal step of every penalised group.

    Parameters
    ----------
    params : iterable
        Parameters or parameter groups, as for :class:`torch.optim.Adam`. A
        group may carry a ``"penalty"``: a
        :class:`~sklearn_spectral.nn.penalties.Penalty` whose ``prox`` is
        applied to each of the group's parameters after each Adam step when
        the penalty is not smooth and its strength is positive (smooth
        penalties enter the loss instead).
    **kwargs
        Passed to :class:`torch.optim.Adam` (``lr``, ``betas``, ``eps``,
        ``weight_decay``...). ``amsgrad`` is not supported.

    See Also
    --------
    sklearn_spectral.nn.penalties.L1 : The soft threshold penalty.
    sklearn_spectral.nn.penalties.GroupL2 : The block soft threshold penalty.
    torch.optim.Adam : The optimiser whose step comes first.

    Examples
    --------
    >>> import torch
    >>> from sklearn_spectral.nn.penalties import L1
    >>> w = torch.nn.Parameter(torch.tensor([1e-4, 2.0]))
    >>> opt = ProximalAdam([{"params": [w], "penalty": L1(1.0)}], lr=0.1)
    >>> opt.zero_grad(); (w * 0).sum().backward(); _ = opt.step()
    >>> w.detach().tolist()[0]
    0.0
    """

    def __init__(self, params, **kwargs):
        if kwargs.get("amsgrad", False):
            raise ValueError("ProximalAdam does not support amsgrad=True.")
        super().__init__(params, **kwargs)
        for group in self.param_groups:
            group.setdefault("penalty", None)

    @torch.no_grad()
    def step(self, closure=None):
        """Take one Adam step, then the proximal step of every penalised group.

        Parameters
        ----------
        closure : callable, optional
            Closure that re-evaluates the model and returns the loss, as for
            :meth:`torch.optim.Adam.step`.

        Returns
        -------
        torch.Tensor or None
            The loss returned by ``closure``, or None without a closure.
        """
        loss = super().step(closure)
        for group in self.param_groups:
            penalty = group["penalty"]
            if penalty is None or penalty.smooth or penalty.coef <= 0:
                continue
            beta2 = group["betas"][1]
            for p in group["params"]:
                state = self.state.get(p)
                if not state or "exp_avg_sq" not in state:
                    continue
                bias = 1.0 - beta2 ** float(state["step"])
                step = group["lr"] / (
                    (state["exp_avg_sq"] / bias).sqrt() + group["eps"]
                )
                penalty.prox(p, step)
        return loss

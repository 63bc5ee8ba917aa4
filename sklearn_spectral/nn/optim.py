"""Adam with a proximal (soft-threshold) step for L1-penalised parameters.

Plain Adam on a loss with an ``alpha * |theta|`` term oscillates around zero
and never reaches it. Proximal gradient methods (ISTA, LassoNet, skglm) take
the gradient step on the smooth loss only and then apply the proximal
operator of the L1 term, a soft threshold, which yields exact zeros.

Here the gradient step is Adam's, i.e. a step preconditioned by the diagonal
metric ``D = (sqrt(v_hat) + eps) / lr``; the proximal operator of
``alpha * |theta|`` in that metric is a soft threshold of
``lr * alpha / (sqrt(v_hat) + eps)`` per coordinate. A coordinate is set to
exactly zero when its smooth gradient is, in Adam's normalised units, smaller
than the penalty, which is the Lasso optimality condition ``|g| <= alpha``.

This module imports nothing from scikit-learn.
"""

from __future__ import annotations

import torch

__all__ = ["ProximalAdam", "soft_threshold_"]


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
    ProximalAdam : Adam followed by this soft threshold.

    Examples
    --------
    >>> import torch
    >>> from sklearn_spectral.nn.optim import soft_threshold_
    >>> t = torch.tensor([-2.0, 0.5, 3.0])
    >>> soft_threshold_(t, 1.0)
    tensor([-1., 0., 2.])
    >>> t
    tensor([-1., 0., 2.])
    """
    shrunk = (tensor.abs() - threshold).clamp_(min=0)
    return tensor.copy_(tensor.sign() * shrunk)


class ProximalAdam(torch.optim.Adam):
    """Adam followed by a soft threshold on the parameters of ``l1`` groups.

    Parameters
    ----------
    params : iterable
        Parameters or parameter groups, as for :class:`torch.optim.Adam`. A
        group may carry the key ``"l1"``: the strength ``alpha`` of an
        ``alpha * sum |theta|`` penalty that is applied as a proximal step
        after each Adam step instead of entering the loss.
    l1 : float, default=0.0
        Default L1 strength of groups that do not set ``"l1"``.
    **kwargs
        Passed to :class:`torch.optim.Adam` (``lr``, ``betas``, ``eps``,
        ``weight_decay``...). ``amsgrad`` is not supported.

    See Also
    --------
    soft_threshold_ : The proximal step applied after each Adam step.
    torch.optim.Adam : The optimiser whose step comes first.

    Examples
    --------
    >>> import torch
    >>> w = torch.nn.Parameter(torch.tensor([1e-4, 2.0]))
    >>> opt = ProximalAdam([{"params": [w], "l1": 1.0}], lr=0.1)
    >>> opt.zero_grad(); (w * 0).sum().backward(); _ = opt.step()
    >>> w.detach().tolist()[0]
    0.0
    """

    def __init__(self, params, l1=0.0, **kwargs):
        if kwargs.get("amsgrad", False):
            raise ValueError("ProximalAdam does not support amsgrad=True.")
        if l1 < 0:
            raise ValueError(f"l1 must be non-negative, got {l1}.")
        super().__init__(params, **kwargs)
        for group in self.param_groups:
            group.setdefault("l1", float(l1))

    @torch.no_grad()
    def step(self, closure=None):
        """Take one Adam step, then the proximal step of every ``l1`` group.

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
            alpha = group["l1"]
            if alpha <= 0:
                continue
            beta2 = group["betas"][1]
            for p in group["params"]:
                state = self.state.get(p)
                if not state or "exp_avg_sq" not in state:
                    continue
                step = float(state["step"])
                v_hat = state["exp_avg_sq"] / (1.0 - beta2**step)
                threshold = group["lr"] * alpha / (v_hat.sqrt() + group["eps"])
                soft_threshold_(p, threshold)
        return loss

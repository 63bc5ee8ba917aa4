"""Half Poisson deviance with a log link, the Poisson regressor's data loss."""

import torch
from torch import nn

__all__ = ["PoissonDeviance"]


class PoissonDeviance(nn.Module):
    """Half Poisson deviance of ``exp(raw)`` against non-negative targets.

    ``t log(t / mu) - t + mu`` with ``mu = exp(raw)`` (0 for a perfect
    prediction, ``t log t`` read as 0 at ``t = 0``), as the ``"poisson"`` loss
    of ``sklearn.neural_network.MLPRegressor`` and ``HalfPoissonLoss``.

    Parameters
    ----------
    reduction : {"none", "mean", "sum"}, default="mean"
        As in ``torch.nn.MSELoss``.

    Examples
    --------
    >>> import torch
    >>> from sklearn_spectral.nn.poisson import PoissonDeviance
    >>> loss = PoissonDeviance()
    >>> float(loss(torch.log(torch.tensor([2.0])), torch.tensor([2.0])))
    0.0
    """

    def __init__(self, reduction="mean"):
        super().__init__()
        if reduction not in ("none", "mean", "sum"):
            raise ValueError(f"Unknown reduction {reduction!r}.")
        self.reduction = reduction

    def forward(self, raw, target):
        """Deviance of each element, reduced as ``reduction`` says.

        Parameters
        ----------
        raw : torch.Tensor
            Logarithm of the predicted means.
        target : torch.Tensor
            Non-negative targets, of ``raw``'s shape.

        Returns
        -------
        torch.Tensor
            The (reduced) deviance.
        """
        loss = torch.exp(raw) - target * raw + torch.xlogy(target, target) - target
        if self.reduction == "mean":
            return loss.mean()
        if self.reduction == "sum":
            return loss.sum()
        return loss

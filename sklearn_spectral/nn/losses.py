"""The data losses every part of a fit agrees on (torch only).

One definition of each loss serves the training step (autograd and the
closed-form gradients of :meth:`~sklearn_spectral.nn.mlp.SpectralMLP.
data_loss_and_grads`), the skorch criterion (:class:`DataLoss`), the
evidence step of auto-depth and the strength search. A loss is named by a
string:

* ``"cross_entropy"``: the multinomial cross-entropy of the logits
  ``z`` for class indices ``y``, ``logsumexp(z) - z[y]`` (torch's
  ``CrossEntropyLoss``, scikit-learn's ``"log_loss"``);
* ``"squared_error"``: the squared error averaged over the outputs,
  ``mean_o (z_o - y_o)^2`` (torch's ``MSELoss`` per row);
* ``"poisson"``: the half Poisson deviance of a log-mean ``z``,
  ``mean_o exp(z_o) - y_o z_o + y_o log y_o - y_o`` (scikit-learn's
  ``HalfPoissonLoss``; torch's ``PoissonNLLLoss`` with ``log_input=True,
  full=False`` plus a constant in ``z``), 0 for a perfect prediction and
  never negative, so that it compares to a constant prediction's loss as
  the other losses do (the relative penalty and the divergence test
  divide by it);
* ``"binary_cross_entropy"``: one sigmoid per output for 0/1 targets
  (multilabel classification), the binary cross-entropy of the logits
  summed over the outputs, as ``MLPClassifier``'s loss (averaged, the
  stopping rule's ``tol`` was ``n_labels`` times looser, issue 23).

A batch's data loss is the sample-weighted mean ``mean_i w_i l_i`` of the
per-sample losses ``l_i``, with weights normalised by the caller (mean 1
over the training set; all 1 without weights), so that it is an unbiased
estimate of the weighted mean loss of the training set.

Sample weights and targets are torch tensors here; :func:`constant_loss`
also accepts numpy arrays and returns a Python float.
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = [
    "LOSSES",
    "DataLoss",
    "constant_loss",
    "data_loss",
    "loss_and_output_grad",
    "per_sample_loss",
]

#: The losses by name (see the module's docstring).
LOSSES = ("cross_entropy", "squared_error", "poisson", "binary_cross_entropy")


def _check_loss(loss):
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {list(LOSSES)}, got {loss!r}.")


def _as_outputs(target, output):
    """``target`` shaped as ``output`` (a 1-D target of one output)."""
    return target.reshape(output.shape)


def per_sample_loss(output, target, loss):
    """The loss of each row.

    Parameters
    ----------
    output : torch.Tensor of shape (n_samples, n_outputs)
        The network's outputs: logits (``"cross_entropy"``), predictions
        (``"squared_error"``) or log-means (``"poisson"``).
    target : torch.Tensor
        Class indices of shape (n_samples,) for ``"cross_entropy"``, else
        targets of ``output``'s shape (or (n_samples,) for one output).
    loss : {"cross_entropy", "squared_error", "poisson"}
        The loss.

    Returns
    -------
    torch.Tensor of shape (n_samples,)
        The loss of each row, averaged over the outputs for a regression
        loss.

    Examples
    --------
    >>> import torch
    >>> from sklearn_spectral.nn.losses import per_sample_loss
    >>> per_sample_loss(torch.zeros(2, 2), torch.tensor([0, 1]), "cross_entropy")
    tensor([0.6931, 0.6931])
    >>> per_sample_loss(torch.zeros(2, 1), torch.tensor([1.0, 3.0]), "squared_error")
    tensor([1., 9.])
    """
    if loss == "cross_entropy":
        return torch.nn.functional.cross_entropy(output, target, reduction="none")
    if loss == "squared_error":
        return (output - _as_outputs(target, output)).square().mean(1)
    if loss == "poisson":
        y = _as_outputs(target, output)
        return (output.exp() - y * output + torch.xlogy(y, y) - y).mean(1)
    if loss == "binary_cross_entropy":
        return torch.nn.functional.binary_cross_entropy_with_logits(
            output, _as_outputs(target, output), reduction="none"
        ).sum(1)
    _check_loss(loss)


def data_loss(output, target, loss, sample_weight=None):
    """The sample-weighted mean loss of a batch, ``mean_i w_i l_i``.

    Parameters
    ----------
    output, target, loss
        As for :func:`per_sample_loss`.
    sample_weight : torch.Tensor of shape (n_samples,) or None, default=None
        Weights of the rows, normalised by the caller (mean 1 over the
        training set); None weighs every row 1.

    Returns
    -------
    torch.Tensor
        A scalar, differentiable in ``output``.

    Examples
    --------
    >>> import torch
    >>> from sklearn_spectral.nn.losses import data_loss
    >>> out, y = torch.zeros(2, 1), torch.tensor([1.0, 3.0])
    >>> float(data_loss(out, y, "squared_error"))
    5.0
    >>> float(data_loss(out, y, "squared_error", torch.tensor([2.0, 0.0])))
    1.0
    """
    rows = per_sample_loss(output, target, loss)
    if sample_weight is None:
        return rows.mean()
    return (rows * sample_weight).mean()


#: The (n, 1) columns of -1/n that the cross-entropy's output gradient
#: adds at the targets, by (n, dtype, device): a batch size recurs every
#: step, and a new tensor a step cost a kernel (never written to).
_MINUS_MEAN = {}


def _minus_mean(n, like):
    key = (n, like.dtype, like.device)
    column = _MINUS_MEAN.get(key)
    if column is None:
        if len(_MINUS_MEAN) > 64:
            _MINUS_MEAN.clear()
        column = _MINUS_MEAN[key] = like.new_full((n, 1), -1.0 / n)
    return column


def loss_and_output_grad(output, target, loss, sample_weight=None):
    """:func:`data_loss` and its gradient in ``output``, in closed form.

    The gradient autograd would compute, written with public torch
    functions (as scikit-learn's MLP writes its output deltas): for the
    cross-entropy ``(softmax(z) - onehot(y)) w_i / n``, for the squared
    error ``2 (z - y) w_i / (n k)`` and for the Poisson loss
    ``(exp(z) - y) w_i / (n k)``, with ``n`` rows and ``k`` outputs.

    Parameters
    ----------
    output, target, loss, sample_weight
        As for :func:`data_loss`; no gradient is recorded.

    Returns
    -------
    value : torch.Tensor
        The batch's data loss, a scalar.
    grad : torch.Tensor of output's shape
        Its gradient in ``output``.

    Examples
    --------
    >>> import torch
    >>> from sklearn_spectral.nn.losses import loss_and_output_grad
    >>> value, grad = loss_and_output_grad(
    ...     torch.zeros(1, 2), torch.tensor([0]), "cross_entropy")
    >>> grad
    tensor([[-0.5000,  0.5000]])
    """
    n, k = output.shape
    # d mean_i(w_i l_i) / d l_i: a Python number without weights (no
    # kernel), a column of them with
    if sample_weight is None:
        row_grad = 1.0 / n
    else:
        row_grad = sample_weight.reshape(n, 1) / n
    if loss == "cross_entropy":
        logp = torch.log_softmax(output, 1)
        index = target.reshape(n, 1)
        rows = logp.gather(1, index).neg_().reshape(n)
        grad = logp.exp_().mul_(row_grad)  # softmax(z) w_i / n
        if sample_weight is None:
            grad.scatter_add_(1, index, _minus_mean(n, logp))
        else:
            grad.scatter_add_(1, index, row_grad.neg())
    elif loss == "squared_error":
        diff = output - _as_outputs(target, output)
        rows = diff.square().mean(1)
        grad = diff.mul_(row_grad * (2.0 / k))
    elif loss == "poisson":
        mean = output.exp()
        y = _as_outputs(target, output)
        rows = (mean - y * output + torch.xlogy(y, y) - y).mean(1)
        grad = mean.sub_(y).mul_(row_grad / k)
    elif loss == "binary_cross_entropy":
        y = _as_outputs(target, output)
        rows = torch.nn.functional.binary_cross_entropy_with_logits(
            output, y, reduction="none"
        ).sum(1)
        grad = torch.sigmoid(output).sub_(y).mul_(row_grad)
    else:
        _check_loss(loss)
    value = (rows if sample_weight is None else rows * sample_weight).mean()
    return value, grad


def constant_loss(target, loss, sample_weight=None):
    """The data loss of the best constant prediction, a Python float.

    The class prior's entropy (``"cross_entropy"``), the weighted variance
    averaged over the outputs (``"squared_error"``) or the Poisson loss of
    the weighted mean (``"poisson"``): a fit that ends no better learned
    nothing.

    Parameters
    ----------
    target : array-like or torch.Tensor
        Class indices (``"cross_entropy"``, integers from 0) or targets of
        shape (n_samples,) or (n_samples, n_outputs).
    loss : {"cross_entropy", "squared_error", "poisson"}
        The loss.
    sample_weight : array-like or torch.Tensor of shape (n_samples,), default=None
        Row weights (any positive scale); None weighs every row 1.

    Returns
    -------
    float
        The loss, in float64.

    Examples
    --------
    >>> from sklearn_spectral.nn.losses import constant_loss
    >>> round(constant_loss([0, 0, 1, 1], "cross_entropy"), 4)  # log 2
    0.6931
    >>> constant_loss([1.0, 3.0], "squared_error")
    1.0
    """
    _check_loss(loss)
    target = torch.as_tensor(target)
    n = target.shape[0]
    w = (
        torch.ones(n, dtype=torch.float64)
        if sample_weight is None
        else torch.as_tensor(sample_weight, dtype=torch.float64).reshape(n)
    )
    w = w.to(target.device) / w.sum()
    if loss == "cross_entropy":
        prior = torch.bincount(target.reshape(n).long(), weights=w)
        prior = prior[prior > 0]
        return float(-(prior * prior.log()).sum())
    y = target.to(torch.float64).reshape(n, -1)
    mean = (w[:, None] * y).sum(0)
    if loss == "binary_cross_entropy":  # each output's weighted frequency
        p = mean.clamp(1e-12, 1 - 1e-12)
        return float((-(p * p.log() + (1 - p) * (1 - p).log())).sum())
    if loss == "squared_error":
        return float((w[:, None] * (y - mean).square()).sum(0).mean())
    log_mean = mean.clamp_min(1e-300).log()
    deviance = mean - y * log_mean + torch.xlogy(y, y) - y
    return float((w[:, None] * deviance).sum(0).mean())


class DataLoss(nn.Module):
    """The per-sample (or mean) loss as a torch criterion, for skorch.

    Parameters
    ----------
    name : {"cross_entropy", "squared_error", "poisson"}, default="cross_entropy"
        The loss.
    reduction : {"none", "mean"}, default="none"
        ``"none"`` returns :func:`per_sample_loss`, ``"mean"`` the
        unweighted mean (the net weighs the rows itself).

    See Also
    --------
    data_loss : The weighted mean of a batch.

    Examples
    --------
    >>> import torch
    >>> from sklearn_spectral.nn.losses import DataLoss
    >>> DataLoss("squared_error")(torch.zeros(2, 1), torch.tensor([[1.0], [3.0]]))
    tensor([1., 9.])
    """

    def __init__(self, name="cross_entropy", reduction="none"):
        super().__init__()
        _check_loss(name)
        if reduction not in ("none", "mean"):
            raise ValueError(f"reduction must be 'none' or 'mean', got {reduction!r}.")
        self.name = name
        self.reduction = reduction

    def forward(self, output, target):
        """The loss of ``output`` for ``target``, per row or averaged.

        Parameters
        ----------
        output, target : torch.Tensor
            As for :func:`per_sample_loss`.

        Returns
        -------
        torch.Tensor
            Shape (n_samples,) with ``reduction="none"``, else a scalar.
        """
        rows = per_sample_loss(output, target, self.name)
        return rows if self.reduction == "none" else rows.mean()

    def extra_repr(self):
        return f"name={self.name!r}, reduction={self.reduction!r}"

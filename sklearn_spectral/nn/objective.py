"""The objective every fit minimises, in one place (torch only).

For a minibatch ``B`` of the training data, epoch ``t`` and the network's
parameters ``theta = (phi, lam, b)``, a fit takes one Adam step on the
smooth part of

.. code-block:: text

    J_t(theta) = D_B(theta)                                   data loss
               + sum_k s_k(t) * sum_l c_{k,l} * P_k(lam_{k,l})  eigenvalue terms
               + phi_alpha * sum_i ||phi_i||_F^2               eigenvector term

and then the proximal step of each non-smooth eigenvalue term, where

* ``D_B = mean_{i in B} w_i * loss(f(x_i), y_i)``: cross-entropy of the
  logits (classifier) or the squared error averaged over the outputs, on
  standardised targets (regressor); ``w_i`` are the sample weights
  divided by their mean over the training set (all 1 without weights);
* term ``k`` (``EigenvalueTerm``) penalises the eigenvalue tensors
  ``lam_{k,l}`` that ``module.penalized_eigenvalues(which)`` returns (the
  input eigenvalues; or every trained eigenvalue; or, in auto-depth mode,
  one tensor per hidden layer) with the penalty ``P_k`` named by ``kind``:
  ``"l1"`` (``sum |lam|``, soft threshold), ``"l2"`` (``sum lam**2``,
  smooth) or ``"group"`` (``||lam||_2`` per tensor, block soft threshold);
* ``c_{k,l} = growth ** (L - 1 - l)`` grades the tensors of one term (the
  layer next to the output pays 1, each layer further from it ``growth``
  times more; 1 when ``growth=1``);
* ``s_k(t) = alpha_k * ramp_k(t) * scale_k(t)`` is the strength the
  training schedule (``sklearn_spectral._training.PenaltySchedule``) sets
  at the start of each epoch: ``ramp`` rises linearly from ``1/warmup`` to 1
  over the first ``warmup`` epochs (after a hold while the data loss is on
  the constant-prediction plateau, auto-depth only); ``scale`` is 1 for the
  Keras-style terms of the papers' code and, for a relative term, the mean
  data loss of the previous epoch, so that to first order the fit minimises
  ``log D + alpha * P(lam)`` and ``alpha`` is the relative loss improvement
  an eigenvalue must buy;
* the eigenvector term is applied as Adam's (coupled) weight decay
  ``2 * phi_alpha`` on the ``phi`` parameters.

The optimizer parameter groups built by :meth:`SpectralObjective.
param_groups` carry their penalty objects and their names; strengths are
set by name (:func:`set_strength`), never by the groups' positions.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass

import numpy as np
import torch

from .penalties import L1, make_penalty

__all__ = [
    "EigenvalueTerm",
    "SpectralObjective",
    "input_index",
    "input_score_test",
    "drop_inputs_",
    "readmit_inputs_",
    "settle_inputs_",
    "penalty_value",
    "set_strength",
    "shrinking_inputs",
    "smooth_penalty",
    "smooth_terms",
]


@dataclass(frozen=True)
class EigenvalueTerm:
    """One eigenvalue term ``alpha * sum_l c_l P(lam_l)`` of the objective.

    Parameters
    ----------
    name : str
        Name of the term; its optimizer groups are called ``"<name>.<l>"``.
    which : str
        Passed to the module's ``penalized_eigenvalues``.
    kind : {"l1", "l2", "group"}
        The penalty ``P``.
    alpha : float
        Base strength.
    growth : float, default=1.0
        Grading of the tensors, ``c_l = growth ** (L - 1 - l)``.
    lr_factor : float, default=1.0
        The term's tensors train at this multiple of the optimizer's
        learning rate (and their proximal step scales with it).
    beta2 : float or None, default=None
        Adam's second-moment decay for the term's tensors; None keeps the
        optimizer's. A shorter memory lets the proximal threshold, which
        divides by the root of the second moment, follow the current
        gradient scale instead of the large gradients of the first epochs.

    See Also
    --------
    SpectralObjective : The objective made of such terms.
    sklearn_spectral.nn.penalties.make_penalty : The penalty named by ``kind``.

    Examples
    --------
    >>> from sklearn_spectral.nn.objective import EigenvalueTerm
    >>> term = EigenvalueTerm("hidden", "hidden", "group", alpha=0.1, growth=2.0)
    >>> term.weights(3)
    [4.0, 2.0, 1.0]
    """

    name: str
    which: str
    kind: str
    alpha: float
    growth: float = 1.0
    lr_factor: float = 1.0
    beta2: float | None = None

    def weights(self, n_tensors):
        """Weight ``c_l`` of each of ``n_tensors`` tensors (input side first).

        Parameters
        ----------
        n_tensors : int
            Number of tensors ``L`` the term penalises.

        Returns
        -------
        list of float
            ``growth ** (L - 1 - l)`` for ``l = 0, ..., L - 1``.
        """
        return [self.growth ** (n_tensors - 1 - k) for k in range(n_tensors)]


class SpectralObjective:
    """The eigenvalue terms and the eigenvector term of a fit.

    Parameters
    ----------
    terms : list of EigenvalueTerm
        The eigenvalue terms.
    phi_alpha : float
        Strength of ``sum ||phi||^2`` (Adam weight decay ``2 * phi_alpha``).

    See Also
    --------
    EigenvalueTerm : One eigenvalue term.
    set_strength : Set the strength of a term in the parameter groups.
    sklearn_spectral.nn.optim.ProximalAdam : The optimizer of these groups.

    Examples
    --------
    >>> import torch
    >>> from sklearn_spectral.nn.mlp import SpectralMLP
    >>> from sklearn_spectral.nn.objective import (
    ...     EigenvalueTerm, SpectralObjective, set_strength)
    >>> net = SpectralMLP(3, [4], 2, generator=torch.Generator().manual_seed(0))
    >>> objective = SpectralObjective(
    ...     [EigenvalueTerm("input", "input", "l1", alpha=0.1)], phi_alpha=1e-3)
    >>> groups = objective.param_groups(net)
    >>> [g["name"] for g in groups]
    ['other', 'phi', 'input.0']
    >>> set_strength(groups, "input", 0.5)
    >>> groups[2]["penalty"]
    L1(strength=0.5, weight=1)
    """

    def __init__(self, terms, phi_alpha):
        self.terms = list(terms)
        self.phi_alpha = float(phi_alpha)
        names = [t.name for t in self.terms]
        if len(set(names)) != len(names):
            raise ValueError(f"Term names must be unique, got {names}.")

    def param_groups(self, module, lr=None, beta1=0.9):
        """Optimizer parameter groups of ``module``, named and with penalties.

        Parameters
        ----------
        module : torch.nn.Module
            A network with ``penalized_eigenvalues(which)`` and
            ``phi_parameters()``.
        lr : float or None, default=None
            The optimizer's learning rate; a term whose ``lr_factor`` is not
            1 gets its own ``"lr"`` from it.
        beta1 : float, default=0.9
            The optimizer's first-moment decay, kept in the ``"betas"`` of a
            term that sets its own ``beta2``.

        Returns
        -------
        list of dict
            ``{"name": "other"}`` (every parameter not listed below),
            ``{"name": "phi", "weight_decay": 2 * phi_alpha}`` and one group
            ``{"name": "<term>.<l>", "term": <term>, "penalty": Penalty}``
            per penalised tensor, each penalty at strength 0 until the
            schedule sets it.
        """
        groups, taken = [], set()
        for term in self.terms:
            if term.alpha <= 0:
                continue
            tensors = [
                p
                for p in module.penalized_eigenvalues(term.which)
                if id(p) not in taken
            ]
            extra = {}
            if term.beta2 is not None:
                extra["betas"] = (beta1, term.beta2)
            if term.lr_factor != 1.0:
                if lr is None:
                    raise ValueError(f"Term {term.name!r} needs the learning rate.")
                extra["lr"] = lr * term.lr_factor
            for k, (weight, param) in enumerate(
                zip(term.weights(len(tensors)), tensors)
            ):
                taken.add(id(param))
                groups.append(
                    {
                        "params": [param],
                        "name": f"{term.name}.{k}",
                        "term": term.name,
                        "penalty": make_penalty(term.kind, 0.0, weight),
                        **extra,
                    }
                )
        phi = [p for p in module.phi_parameters() if id(p) not in taken]
        taken.update(id(p) for p in phi)
        other = [
            p for p in module.parameters() if p.requires_grad and id(p) not in taken
        ]
        return [
            {"params": other, "name": "other"},
            {"params": phi, "name": "phi", "weight_decay": 2.0 * self.phi_alpha},
            *groups,
        ]

    def alpha(self, name):
        """Base strength of the term called ``name``.

        Parameters
        ----------
        name : str
            Name of the term.

        Returns
        -------
        float
            The term's ``alpha``.

        Raises
        ------
        KeyError
            When no term is called ``name``.
        """
        for term in self.terms:
            if term.name == name:
                return term.alpha
        raise KeyError(name)


def set_strength(param_groups, term, strength):
    """Set the strength of every group of ``term`` to ``strength``.

    Parameters
    ----------
    param_groups : list of dict
        The optimizer's parameter groups.
    term : str
        Name of the term.
    strength : float
        New strength ``s_k(t)``.

    See Also
    --------
    SpectralObjective.param_groups : Groups that carry the terms' names.

    Examples
    --------
    >>> import torch
    >>> from sklearn_spectral.nn.penalties import L1
    >>> from sklearn_spectral.nn.objective import set_strength
    >>> lam = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
    >>> groups = [{"params": [lam], "term": "input", "penalty": L1()}]
    >>> set_strength(groups, "input", 0.5)
    >>> groups[0]["penalty"]
    L1(strength=0.5, weight=1)
    """
    for group in param_groups:
        if group.get("term") == term:
            group["penalty"].strength = float(strength)


def _penalised(param_groups, smooth=None):
    for group in param_groups:
        penalty = group.get("penalty")
        if penalty is None or penalty.coef <= 0:
            continue
        if smooth is not None and penalty.smooth != smooth:
            continue
        for param in group["params"]:
            yield penalty, param


def smooth_terms(param_groups):
    """``(penalty, parameter)`` of every smooth term that is on.

    Parameters
    ----------
    param_groups : list of dict
        The optimizer's parameter groups.

    Returns
    -------
    list of tuple
        The terms whose ``penalty.value(parameter)`` enters the loss.

    See Also
    --------
    smooth_penalty : Their sum.

    Examples
    --------
    >>> import torch
    >>> from sklearn_spectral.nn.penalties import L1, SquaredL2
    >>> lam = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
    >>> mu = torch.nn.Parameter(torch.tensor([2.0]))
    >>> groups = [
    ...     {"params": [lam], "term": "input", "penalty": L1(0.5)},
    ...     {"params": [mu], "term": "hidden", "penalty": SquaredL2(0.25)},
    ... ]
    >>> from sklearn_spectral.nn.objective import smooth_terms
    >>> [type(penalty).__name__ for penalty, _ in smooth_terms(groups)]
    ['SquaredL2']
    """
    return list(_penalised(param_groups, smooth=True))


def smooth_penalty(param_groups):
    """Sum of the smooth penalty terms (they enter the loss), or None.

    Parameters
    ----------
    param_groups : list of dict
        The optimizer's parameter groups.

    Returns
    -------
    torch.Tensor or None
        Differentiable scalar, None when no smooth term is on.

    See Also
    --------
    smooth_terms : The terms summed.
    penalty_value : Value of every term, smooth or not.

    Examples
    --------
    >>> import torch
    >>> from sklearn_spectral.nn.penalties import L1, SquaredL2
    >>> lam = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
    >>> mu = torch.nn.Parameter(torch.tensor([2.0]))
    >>> groups = [
    ...     {"params": [lam], "term": "input", "penalty": L1(0.5)},
    ...     {"params": [mu], "term": "hidden", "penalty": SquaredL2(0.25)},
    ... ]
    >>> from sklearn_spectral.nn.objective import smooth_penalty
    >>> smooth_penalty(groups).detach()
    tensor(1.)
    >>> smooth_penalty(groups[:1]) is None
    True
    """
    total = None
    for penalty, param in smooth_terms(param_groups):
        value = penalty.value(param)
        total = value if total is None else total + value
    return total


def penalty_value(param_groups):
    """Value of every eigenvalue term at its current strength (a float).

    Parameters
    ----------
    param_groups : list of dict
        The optimizer's parameter groups.

    Returns
    -------
    float
        ``sum_k s_k sum_l c_{k,l} P_k(lam_{k,l})``; the eigenvector term is
        left out (it is applied as weight decay).

    See Also
    --------
    smooth_penalty : The smooth terms only, differentiable.

    Examples
    --------
    >>> import torch
    >>> from sklearn_spectral.nn.penalties import L1, SquaredL2
    >>> lam = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
    >>> mu = torch.nn.Parameter(torch.tensor([2.0]))
    >>> groups = [
    ...     {"params": [lam], "term": "input", "penalty": L1(0.5)},
    ...     {"params": [mu], "term": "hidden", "penalty": SquaredL2(0.25)},
    ... ]
    >>> from sklearn_spectral.nn.objective import penalty_value
    >>> penalty_value(groups)
    2.5
    """
    # a number for the history, once an epoch: no graph to build, and one
    # no_grad context (a decorator on top of it cost as much as the sum)
    total = 0.0
    with torch.no_grad():
        for pen, p in _penalised(param_groups):
            if type(pen) is L1:  # sum |p| in one kernel, the factor as a float
                total += pen.coef * float(torch.linalg.vector_norm(p, 1))
            else:
                total += float(pen.value(p))
    return total


# --------------------------------------------------------------------------- #
# optimality of the zeros: the KKT check of the input L1, re-admission, and
# the exact solve of the input eigenvalues when the data loss has converged
# --------------------------------------------------------------------------- #
def _first_layer(module):
    """The first :class:`~.layers.SpectralLinear` of a fixed-depth network.

    None for a network whose inputs enter several layers (auto-depth's
    skip paths) or whose input eigenvalues are not trained: the check below
    needs one direct-space weight column per input (a block of columns per
    eigenvalue when inputs share one, issue 21).
    """
    layers = getattr(module, "layers", None)
    if layers is None or getattr(module, "input_scaling", None) is None:
        return None
    first = layers[0]
    if not isinstance(getattr(first, "lam_in", None), torch.nn.Parameter):
        return None
    lam_out = getattr(first, "lam_out", None)
    if isinstance(lam_out, torch.nn.Parameter) or bool(lam_out.any()):
        return None  # W = phi (lam_in - lam_out): lam_in = 0 is no zero column
    return first


def _eigenvalue_of_input(first):
    """Index of the input eigenvalue of every input (``arange`` without groups)."""
    if first.input_groups is None:
        return torch.arange(first.in_features, device=first.lam_in.device)
    return first.input_groups


def input_index(module):
    """Index of the input eigenvalue of every input of ``module``.

    Parameters
    ----------
    module : torch.nn.Module
        A fixed-depth spectral network.

    Returns
    -------
    torch.Tensor of int or None
        ``arange(n_features)`` without groups, the group of every input
        with them; None for a network without a single first layer.

    See Also
    --------
    input_score_test : Its answers have one entry per input eigenvalue.

    Examples
    --------
    >>> import torch
    >>> from sklearn_spectral.nn.mlp import SpectralMLP
    >>> from sklearn_spectral.nn.objective import input_index
    >>> g = torch.Generator().manual_seed(0)
    >>> input_index(SpectralMLP(3, [4], 1, generator=g)).tolist()
    [0, 1, 2]
    >>> net = SpectralMLP(3, [4], 1, generator=g, input_groups=[0, 0, 1])
    >>> input_index(net).tolist()
    [0, 0, 1]
    """
    first = _first_layer(module)
    return None if first is None else _eigenvalue_of_input(first)


def _per_eigenvalue(values, index, n_eigenvalues):
    """Sum of per-input ``values`` (last axis) over each eigenvalue's inputs."""
    out = torch.zeros(
        (*values.shape[:-1], n_eigenvalues), dtype=values.dtype, device=values.device
    )
    return out.index_add_(values.dim() - 1, index.to(values.device), values)


def _chi2_quantile(p, df):
    """Quantile ``p`` of the chi-square law with ``df`` degrees of freedom.

    Wilson and Hilferty's cube-root approximation: for ``p`` from 0.99 to
    0.999, within 2% of the exact quantile for ``df >= 3`` and within 5%
    for ``df`` from 1 to 3 (``tests/test_relevance.py``); further in the
    tail it is larger (at ``p = 1 - 1e-5``: +5% at 3, +11% at 1), i.e.
    conservative.
    """
    z = float(torch.special.ndtri(torch.tensor(float(p), dtype=torch.float64)))
    c = 2.0 / (9.0 * df)
    return df * max(0.0, 1.0 - c + z * math.sqrt(c)) ** 3


def input_score_test(module, x, loss_fn, *, level=1e-3):
    """Score test and KKT gradient of every input eigenvalue switched off.

    For an input ``j`` whose direct-space weight column ``W[:, j]`` of the
    first layer is exactly 0, the data loss ``D`` (the mean of
    ``loss_fn``) has the gradient ``U_j = dD / dW[:, j] = mean_i delta_i
    x_ij``, where ``delta_i`` is the gradient of sample ``i``'s loss with
    respect to the first layer's pre-activations and ``x_ij`` the
    standardised input. Inputs that share one eigenvalue (the columns of a
    table's categorical column, issue 21) are tested together: their
    eigenvalue ``g`` is off when all its columns are 0, and ``U_g`` is the
    block of their columns (norms are Frobenius norms over the block). Two
    questions are asked of it:

    * **does the data support the input?** Conditionally on the network
      (the ``delta_i``), an input independent of the target gives
      ``U_j ~ N(0, s_j^2 S)`` with ``S = sum_i delta_i delta_i^T / n^2`` and
      ``s_j^2`` the input's variance (Rao's score test of adding the
      column). ``||U_j||^2 / s_j^2`` is then a weighted sum of chi-square
      variables, taken as ``c chi2_nu`` with the same two first moments
      (Satterthwaite: ``nu = tr(S)^2 / tr(S^2)``, the effective number of
      directions the network passes gradient along, ``c = tr(S^2) /
      tr(S)``), and ``T_j = ||U_j||^2 / (c s_j^2)``; the full quadratic
      form ``U_j^T S^+ U_j`` weights the directions the network hardly
      uses as much as the others and, with ``rank(S)`` degrees of freedom,
      loses the power of the few that carry the fit. A group of ``p``
      inputs sums its columns' ``T_j`` and is referred to ``chi2`` with
      ``p nu`` degrees of freedom. The eigenvalue passes when its
      statistic exceeds the ``1 - level / m`` quantile, ``m`` the number of
      eigenvalues tested (Bonferroni: the chance that any independent
      input passes is at most ``level``).
    * **would the penalty keep it?** With ``lam_j = 0`` and the column's
      eigenvector entries along the steepest direction, ``phi[:, j] = -p
      U_j / ||U_j||``, the data-loss gradient of the eigenvalue is ``-p
      ||U_j||``; the L1 proximal step keeps the eigenvalue at 0 while that
      is at most the penalty's strength (the Lasso condition ``|g| <=
      alpha``). ``p`` is the median eigenvector-column norm of the
      eigenvalues still on (the scale the network gives its inputs; the
      Xavier norm of the initialisation when none is on).

    Parameters
    ----------
    module : torch.nn.Module
        A fixed-depth spectral network (``layers``, ``input_scaling``).
    x : torch.Tensor of shape (n_samples, n_features)
        Raw inputs (the module standardises them).
    loss_fn : callable
        ``loss_fn(output)`` returns the per-sample data losses (already
        weighted), a tensor of shape (n_samples,).
    level : float, default=1e-3
        Family-wise level of the score test.

    Returns
    -------
    dict or None
        None when ``module`` has no single first layer (auto-depth). Else
        tensors with one entry per input eigenvalue (per input without
        groups): ``"off"`` (its columns are exactly 0), ``"statistic"``
        (``T``, 0 where on), ``"gradient_norm"`` (``||U||``) and
        ``"threshold"`` (the quantile: a float without groups, one per
        eigenvalue with them); ``"directions"`` (``U_j`` divided by its
        eigenvalue's ``||U||``, shape (n_hidden, n_features)), and the
        floats ``"df"`` (``nu``) and ``"phi_norm"`` (``p``).

    See Also
    --------
    readmit_inputs_ : Switch the inputs that fail the check back on.
    settle_inputs_ : The exact full-batch steps that end a fit.

    Examples
    --------
    >>> import torch
    >>> from sklearn_spectral.nn.mlp import SpectralMLP
    >>> from sklearn_spectral.nn.objective import input_score_test
    >>> g = torch.Generator().manual_seed(0)
    >>> net = SpectralMLP(3, [8], 1, generator=g)
    >>> x = torch.randn(500, 3, generator=g)
    >>> y = x[:, 0] + 0.1 * torch.randn(500, generator=g)
    >>> with torch.no_grad():
    ...     net.layers[0].lam_in[0] = 0.0
    >>> out = input_score_test(net, x, lambda o: (o[:, 0] - y) ** 2)
    >>> bool(out["off"][0]), bool(out["statistic"][0] > out["threshold"])
    (True, True)
    """
    first = _first_layer(module)
    if first is None:
        return None
    index = _eigenvalue_of_input(first)
    n_eig = first.lam_in.numel()
    grouped = first.input_groups is not None
    with torch.no_grad():
        weight = first.weight.detach().double()
        column_sq = (weight * weight).sum(dim=0)
        off = _per_eigenvalue(column_sq, index, n_eig) == 0
    n, n_features = x.shape
    result = {"off": off, "statistic": torch.zeros(n_eig, dtype=torch.float64)}
    store = {}

    def capture(layer, inputs, output):
        # the pre-activations as a leaf: their gradient is every delta_i
        leaf = output.detach().requires_grad_(True)
        store["xs"], store["z"] = inputs[0].detach(), leaf
        return leaf

    handle = first.register_forward_hook(capture)
    try:
        with torch.enable_grad():
            losses = loss_fn(module(x))
            losses.sum().backward(inputs=[store["z"]])
    finally:
        handle.remove()
    delta = store["z"].grad.double()
    xs = store["xs"].double()
    xs = xs - xs.mean(dim=0)
    grad = delta.T @ xs / n  # dD/dW (n_hidden, n_features)
    column_norm_sq = (grad * grad).sum(dim=0)
    norms = _per_eigenvalue(column_norm_sq, index, n_eig).sqrt()
    result["gradient_norm"] = norms
    result["directions"] = grad / norms.clamp(min=1e-300)[index]
    with torch.no_grad():
        phi = first.phi.detach().double()
        phi_norms = _per_eigenvalue((phi * phi).sum(dim=0), index, n_eig).sqrt()
    if bool((~off).any()):
        result["phi_norm"] = float(phi_norms[~off].median())
    else:
        result["phi_norm"] = math.sqrt(
            2.0 * first.out_features / (first.in_features + first.out_features)
        )
    # the law of ||U_j||^2 / s_j^2 given the network: sum_k e_k chi2_1 over
    # the eigenvalues e of S, taken as c chi2_nu with its first two moments
    # (Satterthwaite): nu = tr(S)^2 / tr(S^2), the effective number of
    # directions the network passes gradient along; c = tr(S^2) / tr(S)
    scatter = delta.T @ delta / n**2
    trace = float(torch.diagonal(scatter).sum())
    trace2 = float((scatter * scatter).sum())
    if trace <= 0 or trace2 <= 0:  # no gradient reaches the first layer
        result.update(threshold=math.inf, df=0.0)
        return result
    df = trace**2 / trace2
    n_off = int(off.sum())
    result["df"] = df
    if n_off == 0:
        result["threshold"] = math.inf
        return result
    variance = (xs**2).mean(dim=0).clamp(min=1e-300)
    per_input = column_norm_sq / (variance * trace2 / trace)
    statistic = _per_eigenvalue(per_input, index, n_eig)
    result["statistic"][off] = statistic[off]
    quantile = 1.0 - level / n_off
    if not grouped:
        result["threshold"] = _chi2_quantile(quantile, max(df, 1.0))
        return result
    sizes = torch.bincount(index, minlength=n_eig).tolist()
    result["threshold"] = torch.tensor(
        [_chi2_quantile(quantile, max(df * size, 1.0)) for size in sizes],
        dtype=torch.float64,
    )
    return result


def shrinking_inputs(module, score, threshold):
    """The input eigenvalues on which the L1 outweighs the data's pull.

    For an eigenvalue on (``lam_g != 0``) the data loss pulls ``|lam_g|``
    up at the rate ``-sign(lam_g) dD/dlam_g = -sign(lam_g) sum_{j in g}
    sum_i G_ij phi_ij`` (``G`` the direct-space gradient of
    :func:`input_score_test`, ``g`` one input without groups); at the
    optimum of the L1 objective that pull equals the L1 strength. An
    eigenvalue pulled by less than ``threshold`` is still falling toward
    0: the proximal step will switch it off if the fit goes on long enough.

    Parameters
    ----------
    module : torch.nn.Module
        The fixed-depth network the score was computed on.
    score : dict
        The answer of :func:`input_score_test` for it.
    threshold : float
        Pull below which an eigenvalue counts as shrinking (a fraction of
        the L1 strength).

    Returns
    -------
    list of int
        The shrinking eigenvalues, in order.

    See Also
    --------
    settle_inputs_ : The solve that runs while some eigenvalue shrinks.

    Examples
    --------
    >>> import torch
    >>> from sklearn_spectral.nn.mlp import SpectralMLP
    >>> from sklearn_spectral.nn.objective import input_score_test, shrinking_inputs
    >>> g = torch.Generator().manual_seed(0)
    >>> net = SpectralMLP(2, [8], 1, generator=g)
    >>> x = torch.randn(500, 2, generator=g)
    >>> y = 0.1 * torch.randn(500, generator=g)  # neither input matters
    >>> score = input_score_test(net, x, lambda o: (o[:, 0] - y) ** 2)
    >>> shrinking_inputs(net, score, threshold=10.0)
    [0, 1]
    """
    first = _first_layer(module)
    if first is None or threshold <= 0:
        return []
    index = _eigenvalue_of_input(first)
    with torch.no_grad():
        phi = first.phi.detach().double()
        lam = first.lam_in.detach().double()
        grad = score["directions"] * score["gradient_norm"][index]
        along = _per_eigenvalue((grad * phi).sum(dim=0), index, lam.numel())
        pull = -torch.sign(lam) * along
        on = (lam != 0) & ~score["off"]
    return torch.nonzero(on & (pull < threshold)).flatten().tolist()


def _inputs_of(first, eigenvalues):
    """The inputs (columns) of the given input eigenvalues, as a long tensor."""
    index = _eigenvalue_of_input(first)
    chosen = torch.zeros(first.lam_in.numel(), dtype=torch.bool, device=index.device)
    chosen[torch.as_tensor(eigenvalues, dtype=torch.long, device=index.device)] = True
    return torch.nonzero(chosen[index]).flatten()


@torch.no_grad()
def readmit_inputs_(module, optimizer, inputs, directions, phi_norm):
    """Switch inputs back on at 0, their eigenvector column along the descent.

    Each input eigenvalue ``g`` keeps ``lam_g = 0`` and its eigenvector
    columns (one per input, several when inputs share the eigenvalue) get
    ``phi[:, g] = -phi_norm * U_g / ||U_g||``: the data loss then pulls
    ``lam_g`` up and the L1 proximal step decides, as for any other input,
    whether it stays. The optimizer's memory is reset too: Adam's
    bias-corrected moments of ``lam_g`` become those of its new gradient
    ``-phi_norm * ||U_g||``, and the second moments of the columns the mean
    of the columns still on, so that the proximal threshold, which divides
    by the root of the second moment, is not that of a column that carried
    no gradient.

    Parameters
    ----------
    module : torch.nn.Module
        A fixed-depth spectral network.
    optimizer : torch.optim.Optimizer
        Its Adam-type optimizer (the state is edited in place).
    inputs : sequence of int
        Input eigenvalues to switch on (inputs, without groups).
    directions : torch.Tensor of shape (n_hidden, n_features)
        ``U`` of :func:`input_score_test`, one column per input (not
        normalised: the norm sets the eigenvalue's gradient).
    phi_norm : float
        Norm of each eigenvalue's new eigenvector columns.

    Returns
    -------
    list of int
        The eigenvalues switched on.

    See Also
    --------
    input_score_test : Which inputs the check finds.
    drop_inputs_ : The opposite step.

    Examples
    --------
    >>> import torch
    >>> from sklearn_spectral.nn.mlp import SpectralMLP
    >>> from sklearn_spectral.nn.objective import drop_inputs_, readmit_inputs_
    >>> net = SpectralMLP(3, [4], 1, generator=torch.Generator().manual_seed(0))
    >>> opt = torch.optim.Adam(net.parameters())
    >>> drop_inputs_(net, opt, [2])
    [2]
    >>> directions = torch.ones(4, 3)
    >>> readmit_inputs_(net, opt, [2], directions, phi_norm=1.0)
    [2]
    >>> layer = net.layers[0]
    >>> float(layer.lam_in[2].detach()), float(layer.phi[:, 2].detach().norm())
    (0.0, 1.0)
    """
    first = _first_layer(module)
    inputs = [int(j) for j in inputs]
    if first is None or not inputs:
        return []
    index = _eigenvalue_of_input(first)
    n_eig = first.lam_in.numel()
    eigen = torch.tensor(inputs, device=first.lam_in.device)
    columns = _inputs_of(first, inputs)
    grad = directions[:, columns].to(first.phi.dtype)
    block_sq = _per_eigenvalue((grad * grad).sum(dim=0), index[columns], n_eig)
    norms = block_sq.sqrt().clamp(min=1e-30)
    first.phi[:, columns] = -phi_norm * grad / norms[index[columns]]
    first.lam_in[eigen] = 0.0
    on = torch.linalg.vector_norm(first.weight, dim=0) > 0
    on[columns] = False
    for param, g_new in (
        (first.lam_in, -phi_norm * norms[eigen]),
        (first.phi, None),
    ):
        state = optimizer.state.get(param)
        if not state or "exp_avg" not in state:
            continue
        group = next(
            g for g in optimizer.param_groups if any(p is param for p in g["params"])
        )
        beta1, beta2 = group["betas"]
        step = float(state["step"])
        if g_new is not None:
            # the bias-corrected moments equal the new gradient
            state["exp_avg"][eigen] = g_new * (1.0 - beta1**step)
            state["exp_avg_sq"][eigen] = g_new**2 * (1.0 - beta2**step)
        else:
            state["exp_avg"][:, columns] = 0.0
            if bool(on.any()):
                typical = state["exp_avg_sq"][:, on].mean(dim=1, keepdim=True)
                state["exp_avg_sq"][:, columns] = typical
    return inputs


@torch.no_grad()
def drop_inputs_(module, optimizer, inputs):
    """Switch inputs off for good: ``lam_j = 0`` and ``phi[:, j] = 0``.

    With its eigenvector column at 0 as well, neither the data loss nor the
    proximal step can bring the input back (both gradients vanish), so the
    input stays off until :func:`readmit_inputs_` is called for it.

    Parameters
    ----------
    module : torch.nn.Module
        A fixed-depth spectral network.
    optimizer : torch.optim.Optimizer
        Its Adam-type optimizer (the moments of the columns are reset).
    inputs : sequence of int
        Input eigenvalues to switch off (inputs, without groups).

    Returns
    -------
    list of int
        The eigenvalues switched off.

    See Also
    --------
    readmit_inputs_ : Switch inputs back on.

    Examples
    --------
    >>> import torch
    >>> from sklearn_spectral.nn.mlp import SpectralMLP
    >>> from sklearn_spectral.nn.objective import drop_inputs_
    >>> net = SpectralMLP(3, [4], 1, generator=torch.Generator().manual_seed(0))
    >>> drop_inputs_(net, torch.optim.Adam(net.parameters()), [0, 2])
    [0, 2]
    >>> net.input_relevance()[[0, 2]].tolist()
    [0.0, 0.0]
    """
    first = _first_layer(module)
    inputs = [int(j) for j in inputs]
    if first is None or not inputs:
        return []
    eigen = torch.tensor(inputs, device=first.lam_in.device)
    columns = _inputs_of(first, inputs)
    first.lam_in[eigen] = 0.0
    first.phi[:, columns] = 0.0
    for param, cols in ((first.lam_in, eigen), (first.phi, columns)):
        state = optimizer.state.get(param)
        if state and "exp_avg" in state:
            state["exp_avg"][..., cols] = 0.0
            state["exp_avg_sq"][..., cols] = 0.0
    return inputs


def settle_inputs_(
    module,
    optimizer,
    x,
    loss_fn,
    *,
    until_zero=None,
    max_iter=80,
    tol=1e-4,
    memory=5,
    closed_form=None,
    pull_below=None,
):
    """Finish a fit with exact full-batch steps until the relevance settles.

    Minimises the fit's own objective on the full batch ``x``,

    .. code-block:: text

        F(theta) = D(theta) + sum_groups (weight_decay / 2) ||p||^2
                            + sum_groups coef ||p||_1   (the L1 groups)

    with every parameter free, by orthant-wise limited-memory quasi-Newton
    steps (OWL-QN, Andrew and Gao 2007): L-BFGS directions of the
    pseudo-gradient (the minimum-norm subgradient of ``F``), scaled by the
    diagonal ``sqrt(v_hat) + eps`` of the optimizer's own second moments,
    kept in the orthant of the current point (an L1 coordinate that would
    cross zero stops at exactly 0) and a backtracking line search. The
    computation is in float64 and the result is written back into the
    module.

    Why quasi-Newton: ``F`` is badly conditioned along the directions that
    trade an input eigenvalue against its eigenvector column (``lam_j ->
    s lam_j``, ``phi[:, j] -> phi[:, j] / s`` leaves the data loss
    unchanged; only the small L1 and weight decay fix ``s``), and the
    proximal gradient with Barzilai-Borwein steps that came before crawled
    along them: on ``load_breast_cancer`` (426 rows) its 80 steps lowered
    ``F`` from 0.187 to 0.079 and 232 to 0.070, where OWL-QN reaches 0.074
    in 20 steps; on the linear target of ``tests/test_relevance.py`` the
    three noise inputs reached exactly 0 after 25-57 steps (10 seeds)
    against 10-14.

    Why: stopping on the data loss ends a minibatch fit while the input
    eigenvalues still move by about one learning rate per Adam step, with
    the inputs that carry nothing far from 0 (``issues show 20``). Steps on
    the full batch are exact (no minibatch noise) and their length adapts,
    so an input whose data gradient cannot hold it against the L1 reaches
    exactly 0 in tens of steps instead of hundreds of epochs. Solving for
    the input eigenvalues alone, the rest frozen, was cheaper per step but
    not enough: the first layer's eigenvector columns of the noise inputs
    had co-adapted with the rest (on ``y = x0 - 2 x1 + 0.1 e`` a noise
    input kept 0.11-0.20 of the importance on 4 of 10 seeds and x1's share
    stayed near x0's; with every parameter free: noise 0 on 10 of 10, x1's
    share 0.61-0.70, the true 2/3).

    Parameters
    ----------
    module : torch.nn.Module
        A fixed-depth spectral network (see :func:`input_score_test`).
    optimizer : torch.optim.Optimizer
        Its Adam-type optimizer: its parameter groups give the penalties
        (``"penalty"``: proximal when an :class:`~.penalties.L1`), the
        weight decay and the metric (its state is not changed).
    x : torch.Tensor of shape (n_samples, n_features)
        Raw inputs (the module standardises them).
    loss_fn : callable
        ``loss_fn(output)`` returns the per-sample data losses (already
        weighted); it receives float64 outputs.
    until_zero : sequence of int or None, default=None
        Input eigenvalues the solve is for: it ends once they are all
        exactly 0 (or, with ``pull_below``, each 0 or held by the data) and
        the set of input eigenvalues at 0 has not changed for ``memory``
        steps (the rest of the network has re-fitted to it), or on ``tol``
        or ``max_iter``. None: on ``tol`` or ``max_iter`` only.
    max_iter : int, default=80
        Most proximal-gradient steps.
    tol : float, default=1e-4
        The solve ends when the normalised input relevance (summing to 1)
        moves by at most this much (sum of absolute changes) a step over
        the last ``memory`` steps.
    memory : int, default=5
        Steps of the ``tol`` criterion, and steps the set of zeros must
        stand still before ``until_zero`` ends the solve.
    closed_form : tuple or None, default=None
        ``(y, loss, sample_weight)`` of the module's
        :meth:`~sklearn_spectral.nn.mlp.SpectralMLP.data_loss_and_grads`:
        when the module has closed-form gradients for ``loss``, each step
        uses them on a float64 copy of the module instead of autograd
        (``loss_fn`` must then be the same loss).
    pull_below : float or None, default=None
        With ``until_zero``: an eigenvalue of it that is not 0 counts as
        settled once the data loss pulls its magnitude up by at least this
        much (``-sign(lam) dD/dlam``, the data's side of the L1 balance:
        the L1 no longer shrinks it fast).

    Returns
    -------
    dict or None
        None when ``module`` has no single first layer. Else ``"steps"``
        (proximal steps taken), ``"evaluations"`` (forward and backward
        passes) and ``"objective"`` (``F`` before and after, floats).

    See Also
    --------
    input_score_test : The KKT check of the eigenvalues that are off.
    sklearn_spectral.nn.optim.ProximalAdam : The minibatch optimizer.

    Examples
    --------
    >>> import torch
    >>> from sklearn_spectral.nn.mlp import SpectralMLP
    >>> from sklearn_spectral.nn.objective import (
    ...     EigenvalueTerm, SpectralObjective, set_strength, settle_inputs_)
    >>> g = torch.Generator().manual_seed(0)
    >>> net = SpectralMLP(3, [8], 1, generator=g)
    >>> objective = SpectralObjective(
    ...     [EigenvalueTerm("input", "input", "l1", alpha=0.05)], phi_alpha=1e-3)
    >>> opt = torch.optim.Adam(objective.param_groups(net))
    >>> set_strength(opt.param_groups, "input", 0.05)
    >>> x = torch.randn(500, 3, generator=g)
    >>> y = (2.0 * x[:, 0] + 0.1 * torch.randn(500, generator=g)).double()
    >>> out = settle_inputs_(net, opt, x, lambda o: (o[:, 0] - y) ** 2)
    >>> out["objective"][1] < out["objective"][0]
    True
    """
    first = _first_layer(module)
    if first is None:
        return None
    dtype = torch.float64
    index = _eigenvalue_of_input(first)
    with torch.no_grad():
        scaling = module.input_scaling
        xs = x.to(torch.float64)
        if scaling.active:
            xs = (xs - scaling.shift.to(xs.device)) / scaling.scale.to(xs.device)
        xs = xs.to(dtype)
    params, decay, coef, metric = [], [], [], []
    for group in optimizer.param_groups:
        penalty = group.get("penalty")
        beta2 = group.get("betas", (0.9, 0.999))[1]
        for p in group["params"]:
            if not p.requires_grad:
                continue
            params.append(p)
            decay.append(float(group.get("weight_decay", 0.0)))
            # the smooth penalties (squared L2, group) stay at their value:
            # the default fit's only eigenvalue term is the input L1
            proximal = type(penalty) is L1 and penalty.coef > 0
            coef.append(float(penalty.coef) if proximal else 0.0)
            state = optimizer.state.get(p) or {}
            step = float(state.get("step", 0))
            if "exp_avg_sq" in state and step > 0:
                v_hat = state["exp_avg_sq"].to(dtype) / (1.0 - beta2**step)
                metric.append(v_hat.sqrt() + float(group.get("eps", 1e-8)))
            else:
                metric.append(torch.ones_like(p, dtype=dtype))
    ids = {id(p): k for k, p in enumerate(params)}
    if id(first.lam_in) not in ids:
        return None
    # each layer's phi, lam_in and bias: a free value (its index) or a constant
    plan = []
    for layer in module.layers:
        entry = {}
        for name in ("phi", "lam_in", "bias"):
            p = getattr(layer, name, None)
            if p is not None and id(p) in ids:
                entry[name] = (ids[id(p)], None)
            else:
                entry[name] = (None, None if p is None else p.detach().to(dtype))
        plan.append(entry)
    groups = first.input_groups
    activation = module.activation
    lam_k, phi_k = ids[id(first.lam_in)], ids.get(id(first.phi))

    def pick(item, vals):
        k, constant = item
        return constant if k is None else vals[k]

    work = direct = None
    if closed_form is not None and hasattr(module, "manual_gradients"):
        y_cf, loss_cf, w_cf = closed_form
        if module.manual_gradients(loss_cf):
            work = copy.deepcopy(module).to(dtype)
            work.input_scaling.out_dtype = dtype
            by_name = dict(work.named_parameters())
            names = {id(p): n for n, p in module.named_parameters()}
            work_params = [by_name[names[id(p)]] for p in params]
            if y_cf.is_floating_point():
                y_cf = y_cf.to(dtype)
            if w_cf is not None:
                w_cf = w_cf.to(dtype)
            # the checked closed form on inputs standardised once (xs, the
            # same float64 numbers input_scaling gives), not every evaluation
            direct = getattr(work, "_closed_form", None)

    def smooth_closed_form(vals):
        """:func:`smooth` with the module's closed-form gradients."""
        with torch.no_grad():
            for p, v in zip(work_params, vals):
                p.data = v
            if direct is not None:  # xs: x through the module's map, once
                loss = float(direct(xs, y_cf, loss_cf, w_cf, scaled=True))
            else:
                loss = float(work.data_loss_and_grads(x, y_cf, loss_cf, w_cf))
            grads = []
            for p, v, wd in zip(work_params, vals, decay):
                g = p.grad if p.grad is not None else torch.zeros_like(v)
                if wd:
                    loss += 0.5 * wd * float((v * v).sum())
                    g = g + wd * v
                grads.append(g)
                p.grad = None
        return loss, grads

    def smooth(vals):
        """The smooth part of ``F`` and its gradient."""
        if work is not None:
            return smooth_closed_form(vals)
        with torch.enable_grad():
            vals = [v.detach().requires_grad_(True) for v in vals]
            z = xs
            for k, entry in enumerate(plan):
                if k:
                    z = activation(z)
                lam = pick(entry["lam_in"], vals)
                if k == 0 and groups is not None:
                    lam = lam[groups]
                z = torch.nn.functional.linear(
                    z * lam, pick(entry["phi"], vals), pick(entry["bias"], vals)
                )
            loss = loss_fn(z).mean()
            for v, wd in zip(vals, decay):
                if wd:
                    loss = loss + 0.5 * wd * (v * v).sum()
            grads = torch.autograd.grad(loss, vals)
        return float(loss.detach()), [g.detach() for g in grads]

    def l1(vals):
        return sum(c * float(v.abs().sum()) for v, c in zip(vals, coef) if c)

    # the solve's bookkeeping reads the flat float64 vectors of
    # _settle_owlqn (numpy): each parameter a slice of them
    ends = np.cumsum([0] + [p.numel() for p in params]).tolist()
    lam_slice = slice(ends[lam_k], ends[lam_k + 1])
    n_eig = first.lam_in.numel()
    group_of = None if first.input_groups is None else index.cpu().numpy()
    if phi_k is not None:
        phi_slice, phi_shape = slice(ends[phi_k], ends[phi_k + 1]), first.phi.shape
    else:
        phi_fixed = first.phi.detach().to(dtype).cpu().numpy()

    def relevance(flat):
        """The normalised input relevance at the flat vector ``flat``."""
        phi = flat[phi_slice].reshape(phi_shape) if phi_k is not None else phi_fixed
        col = (phi * phi).sum(axis=0)
        if group_of is not None:
            col = np.bincount(group_of, weights=col, minlength=n_eig)
        r = np.abs(flat[lam_slice]) * np.sqrt(col)
        return r / max(float(r.sum()), 1e-300)

    targets = None
    if until_zero is not None and len(until_zero):
        targets = np.asarray(list(until_zero), dtype=np.int64)

    def done(flat, flat_grad):
        """Every eigenvalue the solve is for at 0 or no longer shrinking."""
        if targets is None:
            return False
        lam = flat[lam_slice][targets]
        if pull_below is None:
            return not bool(lam.any())
        pull = -np.sign(lam) * flat_grad[lam_slice][targets]
        return bool(((lam == 0) | (pull >= pull_below)).all())

    was_training = module.training
    module.eval()
    try:
        values = [p.detach().to(dtype).clone() for p in params]
        loss, grads = smooth(values)
        objective = start = loss + l1(values)
        if not math.isfinite(start):
            return {"steps": 0, "evaluations": 1, "objective": (start, start)}
        values, objective, steps, evaluations = _settle_owlqn(
            values,
            loss,
            grads,
            objective,
            smooth,
            l1,
            coef,
            metric,
            relevance,
            done,
            lam_slice,
            int(max_iter),
            tol,
            int(memory),
        )
        if objective <= start:
            with torch.no_grad():
                for p, v in zip(params, values):
                    p.copy_(v.to(p.dtype))
    finally:
        module.train(was_training)
    return {
        "steps": steps,
        "evaluations": evaluations + 1,
        "objective": (start, min(start, objective)),
    }


def _settle_owlqn(
    values,
    loss,
    grads,
    objective,
    smooth,
    l1,
    coef,
    metric,
    relevance,
    done,
    lam_slice,
    max_iter,
    tol,
    memory,
    history_size=10,
):
    """Orthant-wise limited-memory quasi-Newton (OWL-QN) in Adam's metric.

    Andrew and Gao's method for ``smooth + sum c |x|``: the L-BFGS
    direction (two-loop recursion over the last ``history_size`` pairs,
    initial inverse Hessian ``gamma / metric``) of the pseudo-gradient,
    the minimum-norm subgradient; on the L1 coordinates the direction is
    kept only where it descends along the pseudo-gradient, and a step
    that would cross zero stops at zero (the orthant projection), so an
    eigenvalue reaches exactly 0 in one step. Backtracking line search
    (sufficient decrease along the pseudo-gradient) from the unit step.

    Returns
    -------
    values : list of torch.Tensor
    objective : float
    steps, evaluations : int
    """
    shapes = [v.shape for v in values]
    sizes = [v.numel() for v in values]
    device = values[0].device

    def flat(tensors):
        # float64 numpy vectors: the solve's own arithmetic is a few dozen
        # operations a step on vectors of a few thousand entries, where
        # numpy's dispatch costs about half of torch's
        return np.concatenate(
            [t.detach().reshape(-1).cpu().numpy() for t in tensors]
        ).astype(np.float64, copy=False)

    def unflat(vector):
        # torch views of the vector (never changed in place afterwards)
        whole = torch.from_numpy(vector).to(device)
        return [t.view(shape) for t, shape in zip(whole.split(sizes), shapes)]

    x, g = flat(values), flat(grads)
    c = np.concatenate([np.full(n, float(k)) for n, k in zip(sizes, coef)])
    l1_on = c > 0
    inverse = 1.0 / flat(metric)
    # the last pairs s_k, y_k (rows of S and Y, oldest first in `order`),
    # rho_k = 1 / s_k.y_k and the products the recursion needs (sy[k][j] =
    # s_k.y_j, y_k.(y_k / metric))
    S = np.zeros((history_size, x.size))
    Y = np.zeros((history_size, x.size))
    order, rhos, sy, y_metric = [], [], [], []
    moves = []
    evaluations = steps = 0
    r_old = relevance(x)
    last_zeros, settled = None, 0
    for _ in range(max_iter):
        # the minimum-norm subgradient of smooth + sum c |x| (OWL-QN's):
        # g + c sign(x) off zero, g soft-thresholded by c at zero (c is 0
        # off the L1 coordinates, where it is g)
        pg = np.where(x != 0, g + c * np.sign(x), g - np.minimum(np.maximum(g, -c), c))
        d = -_two_loop(pg, inverse, S, Y, order, rhos, sy, y_metric)
        # on the L1 coordinates move only where -pg points
        d = np.where(l1_on & (d * pg >= 0), 0.0, d)
        slope = float(pg @ d)
        if slope >= 0:  # not a descent direction: restart from the metric
            order, rhos, sy, y_metric = [], [], [], []
            d = -0.01 * pg * inverse
            slope = float(pg @ d)
            if slope >= 0:
                break  # stationary
        orthant = np.where(x != 0, np.sign(x), -np.sign(pg))
        t = 1.0
        while True:
            new = x + t * d
            new = np.where(l1_on & (np.sign(new) != orthant), 0.0, new)
            new_values = unflat(new)
            new_loss, new_grads = smooth(new_values)
            evaluations += 1
            new_objective = new_loss + l1(new_values)
            if new_objective <= objective + 1e-4 * float(pg @ (new - x)) or t < 1e-10:
                break
            t *= 0.5
        if t < 1e-10:
            break
        steps += 1
        r_new = relevance(new)
        moves.append(float(np.abs(r_new - r_old).sum()))
        r_old = r_new
        new_g = flat(new_grads)
        s_k, y_k = new - x, new_g - g
        curvature = float(s_k @ y_k)
        if curvature > 1e-10 * float(y_k @ y_k) ** 0.5 * float(s_k @ s_k) ** 0.5:
            if len(order) == history_size:
                for seq in (order, rhos, sy, y_metric):
                    seq.pop(0)
                for row in sy:
                    row.pop(0)
            slot = min(set(range(history_size)) - set(order))
            if order:
                # s_new.y_j and s_j.y_new for the pairs kept
                with_new = (Y @ s_k)[order].tolist()
                new_with = (S @ y_k)[order].tolist()
                for row, value in zip(sy, new_with):
                    row.append(value)
                sy.append([*with_new, curvature])
            else:
                sy.append([curvature])
            S[slot], Y[slot] = s_k, y_k
            order.append(slot)
            rhos.append(1.0 / curvature)
            y_metric.append(float(y_k @ (y_k * inverse)))
        x, g, objective = new, new_g, new_objective
        values, grads = new_values, new_grads
        recent = moves[-memory:]
        if len(recent) == memory and sum(recent) <= tol * len(recent):
            break
        # the inputs the solve is for settled, and the set of zeros has not
        # moved for `memory` steps: the rest of the network re-fitted to it
        zeros = x[lam_slice] == 0
        same = last_zeros is not None and bool(np.array_equal(zeros, last_zeros))
        settled = settled + 1 if (same and done(x, g)) else 0
        last_zeros = zeros
        if settled >= memory:
            break
    return values, objective, steps, evaluations


def _two_loop(q, inverse, S, Y, order, rhos, sy, y_metric):
    """L-BFGS's two-loop recursion, its dot products from stored pairs.

    The product of the inverse-Hessian approximation (initial
    ``gamma * diag(inverse)``, ``gamma = s.y / y.(inverse * y)`` of the last
    pair; 0.01 with no pair, a few of the fit's learning rates in Adam's
    metric) with ``q`` (float64 numpy vectors; the pairs are the rows
    ``order`` of ``S`` and ``Y``, oldest first). Nocedal and Wright's
    Algorithm 7.4, with each ``s_k.q_k`` and ``y_k.r_k`` of its two loops
    written as a product with the first ``q`` or ``r`` minus the earlier
    corrections, through the pairs' products ``sy[k][j] = s_k.y_j`` kept as
    the pairs are added: four matrix-vector products and a few scalars per
    call instead of four operations per pair.
    """
    m = len(order)
    if not m:
        return 0.01 * q * inverse
    sq = (S @ q)[order].tolist()
    alphas = [0.0] * m
    for k in range(m - 1, -1, -1):
        dot = sq[k] - sum(alphas[j] * sy[k][j] for j in range(k + 1, m))
        alphas[k] = rhos[k] * dot
    weights = np.zeros(len(S))
    weights[order] = alphas
    q = q - weights @ Y
    gamma = (1.0 / rhos[-1]) / max(y_metric[-1], 1e-300)
    r = gamma * q * inverse
    yr = (Y @ r)[order].tolist()
    coeffs = [0.0] * m
    for k in range(m):
        dot = yr[k] + sum(coeffs[j] * sy[j][k] for j in range(k))
        coeffs[k] = alphas[k] - rhos[k] * dot
    weights = np.zeros(len(S))
    weights[order] = coeffs
    return r + weights @ S

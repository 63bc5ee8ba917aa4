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

from dataclasses import dataclass

import torch

from .penalties import make_penalty

__all__ = [
    "EigenvalueTerm",
    "SpectralObjective",
    "penalty_value",
    "set_strength",
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


@torch.no_grad()
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
    with torch.no_grad():  # a number for the history: no graph to build
        return float(sum(float(pen.value(p)) for pen, p in _penalised(param_groups)))

"""Auto-depth's evidence step: which hidden neurons the data support (torch only).

After an auto-depth fit the SPARCS network has grown some hidden neurons;
the penalty on the hidden eigenvalues does not say whether the output
needs them. This step compares the candidate networks that keep the ``m``
hidden neurons of largest contribution (:func:`contributions`; the others
switched off, no refit) and, for ``m = 0``, the best affine map of the
inputs in use, and leaves the network as the one chosen:

* **in-sample** (always): a neuron must lower the training deviance by
  more than ``cost_per_parameter`` per parameter (Akaike's 2; the deviance
  is relative to the residual of the fit, so the bar follows the noise
  level). On small real data this bar alone removed neurons that
  generalise (5-fold CV: -0.29 R^2 against fixed depth on a 263-row
  regression, issue 20), so
* **held out** (when the fit held rows out): the candidate must also not
  be worse than the whole network on rows the fit did not train on, by
  more than ``tolerance`` (a smaller network) or ``linear_tolerance`` (the
  affine map) standard errors of the paired per-row loss differences.
  The network keeps the larger of the two choices: a neuron goes only when
  both the training data and the held-out rows agree that the output does
  not need it.

When the fit held rows out and the network keeps hidden neurons, the
network chosen then trains for a few epochs on every row
(:func:`refit_kept`; ``refit_epochs``): the decision needed rows the fit
did not train on, the final network need not do without them.

With two hidden layers or more and held-out rows, a layer step runs
first: a whole hidden layer goes when the network without it is not worse
on the held-out rows (``layer_tolerance``; the highest layer is dropped
and the readout of the layers below refitted by least squares, a lower one
switched off), so that ``architecture_`` counts no layer the held-out rows
do without.

Everything is weighted by sample weights and counted in weight sums, not
rows, so that integer weights and repeated rows give the same decision.

The scikit-learn side calls this step through :class:`DepthSettling` (what
:class:`~sklearn_spectral.nn.gated.GatedSparcsNetwork` offers) and gets a
:class:`DepthDecision` back; it writes its own fitted attributes from it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol, runtime_checkable

import torch

from .losses import per_sample_loss

__all__ = [
    "DepthDecision",
    "DepthSettling",
    "Rows",
    "candidate_counts",
    "contributions",
    "converge_kept",
    "refit_kept",
    "settle_depth",
]

#: Losses the step knows: the training criteria of the two estimators.
LOSSES = ("squared_error", "cross_entropy", "binary_cross_entropy")


class Rows(NamedTuple):
    """A batch of rows the evidence step reads.

    Parameters
    ----------
    x : torch.Tensor of shape (n_samples, n_in)
        Raw inputs (the network's input scaling and gate are applied).
    target : torch.Tensor
        Class indices (``cross_entropy``) or standardised targets of shape
        ``(n_samples, n_out)`` (``squared_error``).
    weight : torch.Tensor of shape (n_samples,) or None
        Sample weights in their own units (a weight of 2 counts as two
        rows); None for all ones.

    See Also
    --------
    settle_depth : The step that reads them.

    Examples
    --------
    >>> import torch
    >>> from sklearn_spectral.nn.evidence import Rows
    >>> rows = Rows(torch.zeros(4, 3), torch.zeros(4, 1))
    >>> rows.weight is None
    True
    """

    x: torch.Tensor
    target: torch.Tensor
    weight: torch.Tensor | None = None


@dataclass
class DepthDecision:
    """What the evidence step decided.

    Parameters
    ----------
    n_hidden : int
        Hidden neurons left on; 0 means the network is the affine map.
    linear : bool
        Whether the network was replaced by the best affine map.
    n_in_sample : int
        The in-sample rule's choice (0 for the affine map).
    n_held_out : int or None
        The held-out rule's choice, None without held-out rows.
    n_live : int
        Hidden neurons with a non-zero contribution before the step.
    held_out : dict
        ``{m: (mean loss difference, standard error)}`` of each candidate
        against the whole network on the held-out rows (``m = 0``: the
        affine map); empty without held-out rows.
    n_layers : int or None
        Hidden layers left in use by the layer step (before the neuron
        step), None when it did not run (one hidden layer, or no held-out
        rows).
    layers_held_out : dict
        ``{j: (mean loss difference, standard error)}`` of the network
        without hidden layer ``j`` (1-based; the highest layer in use is
        dropped with its readout refitted) against the whole network on the
        held-out rows, first round of the layer step; ``0``: the affine map.
    refit_epochs : int, default=0
        Epochs the network chosen was trained for afterwards on every row
        (:func:`refit_kept`); 0 when it was not.
    converge_epochs : int, default=0
        Epochs the network chosen trained on the training rows before,
        stopped on the held-out rows (:func:`converge_kept`); 0 when it
        did not.
    challenger : tuple or None, default=None
        ``(mean, standard error)`` of the held-out per-row loss of the
        network chosen minus the challenger's (positive: the challenger
        is better), None without a challenger.
    challenged : bool, default=False
        Whether the challenger won: the network is then left for the
        caller to replace (neither refitted nor set to the affine map).

    See Also
    --------
    settle_depth : The step that returns it.

    Examples
    --------
    >>> from sklearn_spectral.nn.evidence import DepthDecision
    >>> DepthDecision(0, True, 0, None, 3).linear
    True
    """

    n_hidden: int
    linear: bool
    n_in_sample: int
    n_held_out: int | None
    n_live: int
    held_out: dict = field(default_factory=dict)
    n_layers: int | None = None
    layers_held_out: dict = field(default_factory=dict)
    refit_epochs: int = 0
    converge_epochs: int = 0
    challenger: tuple | None = None
    challenged: bool = False


@runtime_checkable
class DepthSettling(Protocol):
    """What the scikit-learn side may call on an auto-depth network.

    :class:`~sklearn_spectral.nn.gated.GatedSparcsNetwork` implements it;
    the estimators call nothing else of the SPARCS internals at the end of
    a fit.

    Parameters
    ----------
    *args, **kwargs
        A protocol is not instantiated.

    See Also
    --------
    sklearn_spectral.nn.gated.GatedSparcsNetwork : The implementation.

    Examples
    --------
    >>> import torch
    >>> from sklearn_spectral.nn.evidence import DepthSettling
    >>> from sklearn_spectral.nn.gated import GatedSparcsNetwork
    >>> net = GatedSparcsNetwork((3, 4, 1), generator=torch.Generator().manual_seed(0))
    >>> isinstance(net, DepthSettling)
    True
    """

    #: Whether the neurons left on are the ones the data gave evidence for.
    settled: bool

    def settle_depth(self, train, held_out=None, **options):
        """Run the evidence step, leave the network as chosen, return it.

        Parameters
        ----------
        train : Rows
            Rows the network was trained on.
        held_out : Rows or None, default=None
            Rows it was not trained on.
        **options
            Passed to :func:`settle_depth`.

        Returns
        -------
        DepthDecision
            The neurons kept and what each rule chose.
        """

    def node_eigenvalues(self):
        """Return the eigenvalues of every layer, input to output (detached).

        Returns
        -------
        list of torch.Tensor
            One tensor per layer.
        """

    def architecture(self, rtol):
        """Return the widths of the hidden layers in use.

        Parameters
        ----------
        rtol : float
            Relative activity threshold (0 after the evidence step).

        Returns
        -------
        tuple of int
            Active widths, empty layers dropped.
        """

    def hidden_path_strength(self):
        """Return the strength of the paths through hidden neurons.

        Returns
        -------
        float
            0 for a perceptron.
        """


def _weights(rows, dtype):
    if rows.weight is None:
        return torch.ones(len(rows.x), dtype=dtype, device=rows.x.device)
    return rows.weight.to(dtype)


def deviance(out, rows, loss, total):
    """Deviance of ``out`` scaled to a weight sum of ``total`` (up to a constant).

    Gaussian for ``squared_error`` (``total * sum_o log mse_o``, each output
    with its own noise variance), multinomial for ``cross_entropy``
    (``2 * total`` times the mean cross-entropy), independent Bernoulli
    labels for ``binary_cross_entropy`` (multilabel: the labels' binary
    cross-entropies summed). Means are weighted, so the
    rows may be a subset of the data the total counts.

    Parameters
    ----------
    out : torch.Tensor of shape (n_samples, n_out)
    rows : Rows
    loss : {"squared_error", "cross_entropy"}
    total : float
        Weight sum of the data the deviance stands for.

    Returns
    -------
    float
    """
    w = _weights(rows, torch.float64)
    w = w / w.sum()
    if loss == "squared_error":
        sq = (out.double() - rows.target.reshape(out.shape).double()) ** 2
        mse = (sq * w[:, None]).sum(dim=0).clamp_min(1e-12)
        return total * float(torch.log(mse).sum())
    # multilabel: independent Bernoulli labels, whose deviance sums over
    # the labels, as per_sample_loss does
    per_row = per_sample_loss(out.double(), rows.target, loss)
    return 2.0 * total * float((per_row * w).sum())


def linear_fit(z, rows, loss, n_out, total, lbfgs_iter=100):
    """Best affine map of ``z`` for the criterion: ``(W, b)``.

    Weighted least squares for ``squared_error``. For ``cross_entropy``
    the logistic regression of scikit-learn's ``LogisticRegression()`` (L2
    with ``C=1``: ``|W|^2 / (2 total)`` on the weighted mean loss): without
    it, on separable classes the weights grow without bound, the training
    deviance reaches 0 and the affine map wins the comparison while
    predicting worse than the network (5-fold CV,
    ``benchmarks/bench_real_data.py``: breast_cancer 0.025 and digits 0.021
    below the fixed-depth network).

    Parameters
    ----------
    z : torch.Tensor of shape (n_samples, n_in)
        Gated, scaled inputs of the inputs in use.
    rows : Rows
        Their targets and weights (``rows.x`` is not read).
    loss : {"squared_error", "cross_entropy"}
        The criterion.
    n_out : int
        Number of outputs (classes for ``cross_entropy``).
    total : float
        Weight sum of the data (the ridge's scale).
    lbfgs_iter : int, default=100
        L-BFGS iterations of the logistic regression.

    Returns
    -------
    W : torch.Tensor of shape (n_out, n_in)
    b : torch.Tensor of shape (n_out,)
    """
    if loss == "squared_error":
        w = _weights(rows, torch.float64)
        design = torch.cat([z, torch.ones_like(z[:, :1])], dim=1).double()
        root = w.sqrt()[:, None]
        target = rows.target.reshape(len(z), -1).double()
        coef = torch.linalg.lstsq(design * root, target * root).solution.to(z.dtype)
        return coef[:-1].T.contiguous(), coef[-1].contiguous()
    w_rows = _weights(rows, torch.float64)
    coef, bias = _ridge_logistic(
        z.double(),
        rows.target,
        w_rows / w_rows.sum(),
        n_out,
        1.0 / total,
        lbfgs_iter,
        multilabel=loss == "binary_cross_entropy",
    )
    return coef.to(z.dtype), bias.to(z.dtype)


def _ridge_logistic(
    z, target, weight, n_out, ridge, max_iter, memory=10, multilabel=False
):
    """Minimise ``sum_i w_i CE(z_i W^T + b, y_i) + ridge |W|^2 / 2`` (L-BFGS).

    ``multilabel``: ``target`` is a 0/1 matrix and ``CE`` the labels' binary
    cross-entropies, summed (one logistic regression per label).

    The objective is smooth and strictly convex in ``W``, so a plain
    L-BFGS (two-loop recursion, Armijo backtracking) with the closed-form
    gradient reaches the minimiser. ``torch.optim.LBFGS`` would do the same
    through autograd, but constructing a ``torch.optim`` optimizer imports
    ``torch._dynamo``: 4 s of the first auto-depth classifier fit of a
    process (measured on the shared 2-core machine), for a problem of a
    few hundred parameters.

    Returns
    -------
    W : torch.Tensor of shape (n_out, n_in)
    b : torch.Tensor of shape (n_out,)
    """
    n_in = z.shape[1]
    if multilabel:
        onehot = target.reshape(len(z), n_out).to(z.dtype)
    else:
        onehot = torch.zeros(len(z), n_out, dtype=z.dtype, device=z.device)
        onehot[torch.arange(len(z), device=z.device), target.long()] = 1.0

    def value_and_grad(theta):
        w, b = theta[: n_out * n_in].reshape(n_out, n_in), theta[n_out * n_in :]
        logits = z @ w.T + b
        if multilabel:
            rows = torch.nn.functional.binary_cross_entropy_with_logits(
                logits, onehot, reduction="none"
            ).sum(1)
            g = (torch.sigmoid(logits) - onehot) * weight[:, None]
        else:
            logp = torch.log_softmax(logits, dim=1)
            rows = -(onehot * logp).sum(1)
            g = (logp.exp() - onehot) * weight[:, None]
        value = (weight * rows).sum() + 0.5 * ridge * (w * w).sum()
        grad_w = g.T @ z + ridge * w
        return float(value), torch.cat([grad_w.reshape(-1), g.sum(0)])

    theta = torch.zeros(n_out * (n_in + 1), dtype=z.dtype, device=z.device)
    value, grad = value_and_grad(theta)
    steps, changes = [], []
    for _ in range(int(max_iter)):
        if float(grad.abs().max()) <= 1e-7:  # torch.optim.LBFGS's tolerances
            break
        # two-loop recursion: direction = -H grad
        q = grad.clone()
        alphas = []
        for s_k, y_k in reversed(list(zip(steps, changes))):
            a_k = float(s_k @ q) / float(y_k @ s_k)
            alphas.append(a_k)
            q -= a_k * y_k
        if steps:
            q *= float(steps[-1] @ changes[-1]) / float(changes[-1] @ changes[-1])
        else:
            q /= max(float(grad.norm()), 1e-12)
        for (s_k, y_k), a_k in zip(zip(steps, changes), reversed(alphas)):
            b_k = float(y_k @ q) / float(y_k @ s_k)
            q += (a_k - b_k) * s_k
        direction = -q
        slope = float(grad @ direction)
        if slope >= 0:  # not a descent direction: restart from the gradient
            steps, changes = [], []
            direction, slope = -grad, -float(grad @ grad)
        t = 1.0
        for _ in range(40):
            new_value, new_grad = value_and_grad(theta + t * direction)
            if new_value <= value + 1e-4 * t * slope:
                break
            t *= 0.5
        else:
            break  # no decrease left at float64 precision
        step, change = t * direction, new_grad - grad
        theta, grad = theta + step, new_grad
        converged = value - new_value <= 1e-9
        value = new_value
        if float(step @ change) > 1e-12:
            steps.append(step)
            changes.append(change)
            if len(steps) > memory:
                steps.pop(0)
                changes.pop(0)
        if converged:
            break
    return theta[: n_out * n_in].reshape(n_out, n_in), theta[n_out * n_in :]


def contributions(sparcs, z):
    """Each hidden neuron's contribution to the output on a batch.

    The standard deviation of its output times the norm of its weights into
    the output layer (0 for a neuron switched off or constant).

    Parameters
    ----------
    sparcs : SparcsNetwork
        The network behind the gate.
    z : torch.Tensor of shape (n_samples, n_in)
        Inputs of the SPARCS network (after the gate).

    Returns
    -------
    list of torch.Tensor
        One tensor per hidden layer.

    See Also
    --------
    settle_depth : Keeps the neurons of largest contribution.

    Examples
    --------
    >>> import torch
    >>> from sklearn_spectral.nn.evidence import contributions
    >>> from sklearn_spectral.nn.sparcs import SparcsNetwork
    >>> net = SparcsNetwork((3, 4, 1), generator=torch.Generator().manual_seed(0))
    >>> [c.shape for c in contributions(net, torch.randn(8, 3))]
    [torch.Size([4])]
    """
    acts = sparcs.hidden_activations(z)
    blocks = sparcs.blocks()
    last = len(sparcs.layer_sizes) - 1
    out = []
    for i, (a, mask) in enumerate(zip(acts, sparcs.hidden_masks()), start=1):
        weight = torch.linalg.vector_norm(blocks[(last, i)], dim=0)
        out.append(a.std(dim=0) * weight * mask)
    return out


def candidate_counts(n_live):
    """Neuron counts to try: all up to 32, then about 32 on a log scale.

    Parameters
    ----------
    n_live : int
        Hidden neurons with a non-zero contribution.

    Returns
    -------
    list of int
        Increasing counts from 1, ending at ``n_live``.

    See Also
    --------
    settle_depth : Tries a network with each count.

    Examples
    --------
    >>> from sklearn_spectral.nn.evidence import candidate_counts
    >>> candidate_counts(4)
    [1, 2, 3, 4]
    >>> len(candidate_counts(200)) <= 32
    True
    """
    if n_live <= 32:
        return list(range(1, n_live + 1))
    grid = torch.logspace(0, math.log10(n_live), 32, dtype=torch.float64)
    return sorted({int(m) for m in grid.round()} | {n_live})


def _paired(a, b, weight):
    """Weighted mean of ``a - b`` and its standard error (Kish's n)."""
    d = (a - b).double()
    w = weight.double()
    total = w.sum()
    mean = (w * d).sum() / total
    var = (w * (d - mean) ** 2).sum() / total
    n_eff = total**2 / (w * w).sum()
    return float(mean), math.sqrt(float(var) / max(float(n_eff) - 1.0, 1.0))


def _readout_fit(v, rows, loss, n_out, total, lbfgs_iter):
    """Best affine readout of ``v`` (``(W, b)``), ``v`` possibly rank-deficient.

    The readout source of a network whose last layers were dropped spans
    the kept layers' activations and the inputs in up to ``N_B`` columns,
    so its columns are linearly dependent: least squares through the
    pseudo-inverse (minimum norm; an SVD, on any device), the logistic
    regression of :func:`linear_fit` (its ridge makes it well posed).
    """
    if loss != "squared_error":
        return linear_fit(v, rows, loss, n_out, total, lbfgs_iter)
    w = _weights(rows, torch.float64)
    design = torch.cat([v, torch.ones_like(v[:, :1])], dim=1).double()
    root = w.sqrt()[:, None]
    target = rows.target.reshape(len(v), -1).double()
    # numpy's matrix_rank cut: singular values below max(shape) * eps of
    # the largest are rounding (``v`` comes from float32 layers: a cut at
    # 1e-10 kept them, and the readout of a (3, 167) student's first layer
    # was then worse held out than the affine map, 1000 teacher-student rows)
    cut = max(design.shape) * torch.finfo(v.dtype).eps
    coef = torch.linalg.pinv(design * root, rtol=cut) @ (target * root)
    coef = coef.to(v.dtype)
    return coef[:-1].T.contiguous(), coef[-1].contiguous()


def _settle_layers(
    network, train, held_out, loss, total, tolerance, gain_fraction, lbfgs_iter
):
    """The layer step: remove whole hidden layers the held-out rows do not need.

    A candidate removes one hidden layer in use from the current network:
    the highest such layer is dropped together with the empty ones above it
    (:meth:`SparcsNetwork.drop_layers
    <sklearn_spectral.nn.sparcs.SparcsNetwork.drop_layers>`) and the readout
    of what is left is refitted on ``train``
    (:meth:`~sklearn_spectral.nn.sparcs.SparcsNetwork.set_readout`; a
    short refit, one least-squares solve or logistic regression); a lower
    layer is switched off whole (its neurons output constants; the layers
    above keep their weights). A candidate qualifies when its held-out
    loss is not worse than the whole network's by more than the larger of
    ``tolerance`` standard errors of the paired per-row differences and
    ``gain_fraction`` of what the hidden layers gain over the affine map of
    the inputs (held out). The best qualifying candidate is taken and the
    step repeats until none qualifies or one layer is left (whether that
    one goes is the neuron step's question).

    Why not the depth penalty alone: against the training loss, whose
    evidence grows with the rows, a layer that improves every row by a
    little is worth its cost once there are enough rows, and so is a
    standard error, which shrinks as ``1 / sqrt(n)``; the fraction of the
    hidden layers' gain does not move with the rows.

    Returns
    -------
    n_layers : int
        Hidden layers left in use.
    stats : dict
        ``{j: (mean difference, standard error)}`` of removing hidden layer
        ``j`` (1-based) in the first round; ``stats[0]`` is the affine map's.
    """
    sparcs = network.sparcs
    n_out = sparcs.layer_sizes[-1]
    lam_out = sparcs.lam[-1].detach().abs()
    can_refit = float(lam_out.min()) > 1e-6 * float(lam_out.max())
    hw = _weights(held_out, torch.float64)
    whole = per_sample_loss(network(held_out.x), held_out.target, loss)

    def gated(x):
        return network.input_scaling(x) * network.node_gate()

    on = network.node_gate() != 0
    w_on, b = linear_fit(gated(train.x)[:, on], train, loss, n_out, total, lbfgs_iter)
    affine = per_sample_loss(
        gated(held_out.x)[:, on] @ w_on.T + b, held_out.target, loss
    )
    stats = {0: _paired(affine, whole, hw)}
    bar_gain = gain_fraction * max(stats[0][0], 0.0)

    def in_use():
        return [k for k, m in enumerate(sparcs.hidden_masks()) if bool(m.any())]

    def remove(k, layers):
        if k == layers[-1]:  # the highest layer in use: drop, refit the readout
            sparcs.drop_layers(k)
            v = sparcs.readout_source(gated(train.x))
            sparcs.set_readout(*_readout_fit(v, train, loss, n_out, total, lbfgs_iter))
        else:
            keep = [
                torch.full((n,), j != k) for j, n in enumerate(sparcs.layer_sizes[1:-1])
            ]
            sparcs.switch_off(keep)

    first = True
    while True:
        layers = in_use()
        if len(layers) <= 1:
            break
        saved = {key: t.clone() for key, t in sparcs.state_dict().items()}
        best = None
        for k in layers:
            if k == layers[-1] and not can_refit:
                continue  # an output eigenvalue at 0: no readout to set
            remove(k, layers)
            held = per_sample_loss(network(held_out.x), held_out.target, loss)
            sparcs.load_state_dict(saved)
            mean, se = _paired(held, whole, hw)
            if first:
                stats[k + 1] = (mean, se)
            if math.isfinite(mean) and mean <= max(tolerance * se, bar_gain):
                if best is None or mean < best[1]:
                    best = (k, mean)
        first = False
        if best is None:
            break
        remove(best[0], layers)
    return len(in_use()), stats


@torch.no_grad()
def settle_depth(
    network,
    train,
    held_out=None,
    *,
    loss,
    cost_per_parameter=2.0,
    tolerance=0.0,
    linear_tolerance=0.0,
    layer_tolerance=None,
    layer_gain_fraction=0.0,
    lbfgs_iter=100,
    refit_epochs=0,
    refit_lr=1e-3,
    refit_batch_size=None,
    converge_epochs=0,
    converge_patience=10,
    converge_tol=0.0,
    converge_lr=None,
    challenger=None,
    challenger_tolerance=0.0,
    challenger_linear_tolerance=1.0,
    generator=None,
):
    """Switch off the hidden neurons the data give no evidence for.

    Parameters
    ----------
    network : GatedSparcsNetwork
        Trained network (``sparcs``, ``gate`` and ``input_scaling``); left
        as chosen and marked ``settled``.
    train : Rows
        Rows the network was trained on (all of them, or a sample: the
        deviances are weighted means scaled to the weight sum of these
        rows, so pass the sample's weights scaled to the data's total).
        The affine map is fitted on them.
    held_out : Rows or None, default=None
        Rows the fit did not train on; None for the in-sample rule alone.
        When the affine map wins, it is refitted on ``train`` and
        ``held_out`` together.
    loss : {"squared_error", "cross_entropy"}
        The training criterion.
    cost_per_parameter : float, default=2.0
        In-sample bar per parameter of a neuron (its weights from the inputs
        in use, its bias, one weight per output).
    tolerance : float, default=0.0
        Standard errors of the paired held-out loss difference by which a
        network with fewer neurons may be worse than the whole network (0:
        not worse on average; neurons are switched off without a refit).
    linear_tolerance : float, default=0.0
        The same for the affine map (0: it replaces the network only when
        it is not worse on the held-out rows on average).
    layer_tolerance : float or None, default=None
        Standard errors by which the network without one of its hidden
        layers (the highest one dropped with its readout refitted, a lower
        one switched off) may be worse than the whole one on the held-out
        rows: the layer step, run before the neurons are chosen, when there
        are held-out rows and two hidden layers or more. None skips it.
    layer_gain_fraction : float, default=0.0
        The layer step also drops the last layers when the held-out loss
        rises by at most this fraction of what the hidden layers gain over
        the affine map on the held-out rows (a practical, scale-free bar
        that does not shrink with the rows, as a standard error does).
    lbfgs_iter : int, default=100
        L-BFGS iterations of the logistic regression (``cross_entropy``).
    refit_epochs : int, default=0
        When the step had held-out rows and keeps hidden neurons, the
        network chosen is then trained for this many epochs on ``train``
        and ``held_out`` together (:func:`refit_kept`): the decision needed
        rows the fit did not train on, the final network need not do
        without them. 0 leaves the network as the fit trained it.
    refit_lr : float, default=1e-3
        Adam's learning rate for the refit.
    refit_batch_size : int or None, default=None
        Rows per step of the refit; None for all rows in one step.
    converge_epochs : int, default=0
        When the step had held-out rows and keeps hidden neurons, the
        network chosen first trains on ``train`` for at most this many
        epochs, stopped on ``held_out`` (:func:`converge_kept`), before the
        refit on every row. 0 skips it.
    converge_patience : int, default=10
        Its epochs without a held-out improvement before it stops.
    converge_tol : float, default=0.0
        Its relative held-out improvement that counts.
    converge_lr : float or None, default=None
        Its Adam learning rate; None for ``refit_lr``.
    challenger : callable or None, default=None
        With held-out rows: the outputs of a rival network trained on the
        same training rows, ``challenger(held_out.x)`` (the fixed-depth
        network, see ``_plans``). When the network chosen (after
        ``converge_epochs``, before the refit) is worse on the held-out
        rows by more than ``challenger_tolerance`` standard errors of the
        paired per-row differences (``challenger_linear_tolerance`` for
        the affine map), the decision says ``challenged`` and the network
        is left for the caller to replace. None: no rival.
    challenger_tolerance : float, default=0.0
        Standard errors by which the challenger must beat a network with
        hidden neurons (0: better on average; the smaller network wins
        ties).
    challenger_linear_tolerance : float, default=1.0
        The same against the affine map.
    generator : torch.Generator or None, default=None
        Draws the row order of both.

    Returns
    -------
    DepthDecision
        The neurons kept and what each rule chose.

    See Also
    --------
    refit_kept : The refit after the decision.
    sklearn_spectral.nn.gated.GatedSparcsNetwork.settle_depth : The method
        the estimators call.

    Examples
    --------
    >>> import torch
    >>> from sklearn_spectral.nn.evidence import Rows, settle_depth
    >>> from sklearn_spectral.nn.gated import GatedSparcsNetwork
    >>> gen = torch.Generator().manual_seed(0)
    >>> net = GatedSparcsNetwork((2, 8, 1), generator=gen, hidden_eig_init=0.5)
    >>> x = torch.randn(200, 2, generator=gen)
    >>> rows = Rows(x, x[:, :1] - x[:, 1:])  # a linear target
    >>> settle_depth(net, rows, loss="squared_error").linear
    True
    >>> net.sparcs.architecture(0.0)
    ()
    """
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {LOSSES}, got {loss!r}.")
    sparcs = network.sparcs
    n_out = sparcs.layer_sizes[-1]
    if sparcs.n_hidden_layers == 0:
        network.settled = True
        return DepthDecision(0, False, 0, None, 0)
    network.eval()
    total = float(_weights(train, torch.float64).sum())
    on = network.node_gate() != 0
    n_layers, layer_stats = None, {}
    if (
        layer_tolerance is not None
        and held_out is not None
        and sparcs.n_hidden_layers > 1
    ):
        n_layers, layer_stats = _settle_layers(
            network,
            train,
            held_out,
            loss,
            total,
            layer_tolerance,
            layer_gain_fraction,
            lbfgs_iter,
        )

    def gated(x):
        return network.input_scaling(x) * network.node_gate()

    z = gated(train.x)
    contrib = torch.cat(contributions(sparcs, z))
    order = torch.argsort(contrib, descending=True)
    n_live = int((contrib > 0).sum())
    bar = (int(on.sum()) + n_out + 1) * float(cost_per_parameter)

    def masks_keeping(m):
        keep = torch.zeros_like(contrib, dtype=torch.bool)
        keep[order[:m]] = True
        return list(torch.split(keep, list(sparcs.layer_sizes[1:-1])))

    saved = [buf.clone() for buf in sparcs.hidden_masks()]

    def restore():
        for buf, old in zip(sparcs.hidden_masks(), saved):
            buf.copy_(old)

    counts = candidate_counts(n_live)
    dev, held_rows = {}, {}
    for m in counts:
        sparcs.switch_off(masks_keeping(m))
        dev[m] = deviance(network(train.x), train, loss, total)
        if held_out is not None:
            held_rows[m] = per_sample_loss(network(held_out.x), held_out.target, loss)
        restore()

    # the perceptron set_linear makes expresses the weights in the row span
    # of linear_basis() only: a hidden layer narrower than the inputs in use
    # (4 neurons, diabetes' 10 inputs) cannot carry every affine map, and
    # the map chosen here must be the one the network then computes
    span = _expressible_span(sparcs.linear_basis()[:, on])

    def affine(rows, weight_total):
        z_on = gated(rows.x)[:, on]
        if span is None:
            return linear_fit(z_on, rows, loss, n_out, weight_total, lbfgs_iter)
        basis = span.to(z_on.dtype)
        coef, bias = linear_fit(
            z_on @ basis.T, rows, loss, n_out, weight_total, lbfgs_iter
        )
        return coef @ basis, bias

    w_on, b = affine(train, total)
    linear_dev = deviance(gated(train.x)[:, on] @ w_on.T + b, train, loss, total)
    nonlinear = min((dev[m] + m * bar for m in dev), default=math.inf)
    if not counts or linear_dev <= nonlinear:
        n_in_sample = 0
    else:
        # the neurons left out together cost at most one neuron's bar
        full = dev[max(dev)]
        n_in_sample = min(m for m in dev if dev[m] <= full + bar)

    n_held_out, stats = None, {}
    if held_out is not None and counts:
        hw = _weights(held_out, torch.float64)
        whole = held_rows[max(held_rows)]
        lin = per_sample_loss(
            gated(held_out.x)[:, on] @ w_on.T + b, held_out.target, loss
        )
        stats[0] = _paired(lin, whole, hw)
        for m in counts:
            stats[m] = _paired(held_rows[m], whole, hw)
        bars = dict.fromkeys(counts, tolerance)
        bars[0] = linear_tolerance
        n_held_out = min(m for m, (mean, se) in stats.items() if mean <= bars[m] * se)
    best = n_in_sample if n_held_out is None else max(n_in_sample, n_held_out)
    linear = best == 0
    both = None
    if held_out is not None:
        both = Rows(
            torch.cat([train.x, held_out.x]),
            torch.cat([train.target, held_out.target]),
            None
            if train.weight is None and held_out.weight is None
            else torch.cat(
                [_weights(train, train.x.dtype), _weights(held_out, train.x.dtype)]
            ),
        )
    refitted, converged = 0, 0
    rival, challenged = None, False
    if held_out is not None and challenger is not None and linear:
        ours = per_sample_loss(
            gated(held_out.x)[:, on] @ w_on.T + b, held_out.target, loss
        )
        rival, challenged = _challenge(
            ours, challenger, held_out, loss, challenger_linear_tolerance
        )
    # a challenger that won is the caller's to put in: nothing more here
    if linear and not challenged:
        if both is not None:
            w_on, b = affine(both, float(_weights(both, torch.float64).sum()))
        w_full = torch.zeros(n_out, len(on), dtype=w_on.dtype, device=w_on.device)
        w_full[:, on] = w_on
        sparcs.set_linear(w_full, b)
    elif not linear:
        sparcs.switch_off(masks_keeping(best))
        if held_out is not None and converge_epochs > 0:
            converged = converge_kept(
                network,
                train,
                held_out,
                loss=loss,
                max_epochs=converge_epochs,
                patience=converge_patience,
                tol=converge_tol,
                lr=refit_lr if converge_lr is None else converge_lr,
                batch_size=refit_batch_size,
                generator=generator,
            )
        if held_out is not None and challenger is not None:
            ours = per_sample_loss(network(held_out.x), held_out.target, loss)
            rival, challenged = _challenge(
                ours, challenger, held_out, loss, challenger_tolerance
            )
        if both is not None and refit_epochs > 0 and not challenged:
            refit_kept(
                network,
                both,
                loss=loss,
                epochs=refit_epochs,
                lr=refit_lr,
                batch_size=refit_batch_size,
                generator=generator,
            )
            refitted = int(refit_epochs)
    network.eval()
    network.settled = True
    return DepthDecision(
        n_hidden=0 if linear else best,
        linear=linear,
        n_in_sample=n_in_sample,
        n_held_out=n_held_out,
        n_live=n_live,
        held_out=stats,
        n_layers=n_layers,
        layers_held_out=layer_stats,
        refit_epochs=refitted,
        converge_epochs=converged,
        challenger=rival,
        challenged=challenged,
    )


def _challenge(ours, challenger, held_out, loss, tolerance):
    """``((mean, se), won)``: our held-out loss minus the challenger's.

    The challenger wins when our per-row loss is larger by more than
    ``tolerance`` standard errors of the paired differences.
    """
    out = torch.as_tensor(challenger(held_out.x), device=ours.device)
    theirs = per_sample_loss(
        out.to(ours.dtype).reshape(len(held_out.x), -1), held_out.target, loss
    )
    mean, se = _paired(ours, theirs, _weights(held_out, torch.float64))
    return (mean, se), bool(math.isfinite(mean) and mean > tolerance * se)


def _expressible_span(basis):
    """Orthonormal rows spanning ``basis``'s rows, or None when they span all.

    Parameters
    ----------
    basis : torch.Tensor of shape (k, n)
        :meth:`~sklearn_spectral.nn.sparcs.SparcsNetwork.linear_basis`,
        restricted to the inputs in use.

    Returns
    -------
    torch.Tensor of shape (rank, n) (float64) or None
        None when every weight of ``n`` inputs is expressible (rank ``n``).
    """
    n = basis.shape[1]
    if n == 0:
        return None
    _, s, vh = torch.linalg.svd(basis.double(), full_matrices=False)
    tol = float(s.max()) * max(basis.shape) * torch.finfo(basis.dtype).eps
    rank = int((s > tol).sum())
    return None if rank >= n else vh[:rank]


def refit_kept(
    network, rows, *, loss, epochs, lr=1e-3, batch_size=None, generator=None
):
    """Train a settled network's non-zero parameters on ``rows``, data loss only.

    Auto-depth decides its neurons on rows the fit held out; this step
    then lets the network chosen learn from every row. Every parameter
    that is exactly 0 stays at 0 (an input's gate, an entry the L1 cleared)
    and the neurons switched off stay off (their masks), so the inputs and
    the architecture are the fit's and the evidence step's: only the
    weights they leave move. Plain Adam (a fresh state) on the weighted
    mean loss of the rows, no penalty, for a few epochs: the fit's own
    penalties chose the pattern; a long refit without them would overfit.

    Parameters
    ----------
    network : GatedSparcsNetwork
        Settled network; trained in place, left in eval mode.
    rows : Rows
        Every row (raw inputs, encoded targets, weights in their own units).
    loss : {"squared_error", "cross_entropy", "binary_cross_entropy"}
        The training criterion.
    epochs : int
        Passes over ``rows``.
    lr : float, default=1e-3
        Adam's learning rate.
    batch_size : int or None, default=None
        Rows per step; None for all rows in one step.
    generator : torch.Generator or None, default=None
        Draws the row order of each epoch.

    Returns
    -------
    GatedSparcsNetwork
        ``network``.

    See Also
    --------
    settle_depth : Calls it once the neurons are decided.

    Examples
    --------
    >>> import torch
    >>> from sklearn_spectral.nn.evidence import Rows, refit_kept
    >>> from sklearn_spectral.nn.gated import GatedSparcsNetwork
    >>> gen = torch.Generator().manual_seed(0)
    >>> net = GatedSparcsNetwork((2, 8, 1), generator=gen, hidden_eig_init=0.5)
    >>> x = torch.randn(64, 2, generator=gen)
    >>> rows = Rows(x, torch.tanh(x[:, :1]) * x[:, 1:])
    >>> with torch.no_grad():
    ...     net.gate[1] = 0.0  # an input switched off
    >>> _ = refit_kept(net, rows, loss="squared_error", epochs=3, lr=1e-2)
    >>> float(net.gate[1].detach())
    0.0
    """
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {LOSSES}, got {loss!r}.")
    trainer = _KeptTrainer(network, rows, loss, lr, batch_size, generator)
    for _ in range(int(epochs)):
        trainer.epoch()
    network.eval()
    return network


class _KeptTrainer:
    """Adam on a settled network's non-zero parameters, data loss only.

    Every parameter exactly 0 at the start stays 0 (no gradient, no
    moment); the masks of the neurons switched off are buffers, untouched.
    """

    def __init__(self, network, rows, loss, lr, batch_size, generator):
        self.network = network
        self.rows = rows
        self.loss = loss
        self.generator = generator
        self.params = [p for p in network.parameters() if p.requires_grad]
        self.keep = [(p != 0).to(p.dtype) for p in self.params]
        self.optimizer = torch.optim.Adam(self.params, lr=lr)
        manual = getattr(network, "manual_gradients", None)
        self.manual = manual is not None and manual(loss)
        n = len(rows.x)
        self.step = n if batch_size is None else max(1, min(int(batch_size), n))
        self.weight = (
            None if rows.weight is None else rows.weight.to(self.params[0].dtype)
        )

    def epoch(self):
        """One pass over the rows in a fresh random order."""
        network, rows, loss = self.network, self.rows, self.loss
        network.train()
        n = len(rows.x)
        order = torch.randperm(n, generator=self.generator).to(rows.x.device)
        for start in range(0, n, self.step):
            idx = order[start : start + self.step]
            w = self.weight
            w = None if w is None else w[idx] * (len(idx) / w[idx].sum())
            if self.manual:  # the fit's closed-form gradients
                network.data_loss_and_grads(rows.x[idx], rows.target[idx], loss, w)
            else:
                for p in self.params:
                    p.grad = None
                # the evidence step runs under no_grad; autograd needs a graph
                with torch.enable_grad():
                    out = network(rows.x[idx])
                    per_row = per_sample_loss(out, rows.target[idx], loss)
                    per_row = per_row if w is None else per_row * w
                    per_row.mean().backward()
            with torch.no_grad():
                for p, k in zip(self.params, self.keep):
                    if p.grad is not None:
                        p.grad.mul_(k)  # zeros get no gradient, no moment
                self.optimizer.step()
                for p, k in zip(self.params, self.keep):
                    p.mul_(k)
        network.eval()


def _held_loss(network, rows, loss):
    """Weighted mean loss of ``network`` on ``rows`` (float)."""
    with torch.no_grad():
        per_row = per_sample_loss(network(rows.x), rows.target, loss).double()
    if rows.weight is None:
        return float(per_row.mean())
    w = rows.weight.double()
    return float((per_row * w).sum() / w.sum())


def converge_kept(
    network,
    train,
    held_out,
    *,
    loss,
    max_epochs,
    patience=10,
    tol=0.0,
    lr=1e-3,
    batch_size=None,
    generator=None,
):
    """Train a settled network on ``train`` until ``held_out`` stops improving.

    A network of a few live neurons moves its function far more slowly per
    Adam step than a wide one, and the fit's stopping rule (an absolute
    improvement of the training loss) can end it while the loss still
    falls (``make_friedman1``, 400 rows: 7-17 neurons kept, R^2 0.94
    against the fixed network's 0.99). This step trains the chosen
    network on, with the data loss only (as :func:`refit_kept`: exact
    zeros and switched-off neurons stay), and stops on the rows the fit
    held out: after ``patience`` epochs without an improvement of their
    loss by more than ``tol`` times the best, or after ``max_epochs``; the
    parameters of the best held-out epoch are restored. Without a penalty
    a long run would overfit small data; the held-out rows guard it.

    Parameters
    ----------
    network : GatedSparcsNetwork
        Settled network; trained in place, left in eval mode.
    train : Rows
        Rows to train on (the fit's training rows).
    held_out : Rows
        Rows that judge each epoch.
    loss : {"squared_error", "cross_entropy", "binary_cross_entropy"}
        The training criterion.
    max_epochs : int
        Most passes over ``train``.
    patience : int, default=10
        Epochs without improvement before stopping.
    tol : float, default=0.0
        Relative improvement of the held-out loss that counts.
    lr : float, default=1e-3
        Adam's learning rate.
    batch_size : int or None, default=None
        Rows per step; None for all rows in one step.
    generator : torch.Generator or None, default=None
        Draws the row order of each epoch.

    Returns
    -------
    int
        Epochs run (the best state restored may be an earlier one's).

    See Also
    --------
    refit_kept : The fixed number of epochs on every row, run after it.

    Examples
    --------
    >>> import torch
    >>> from sklearn_spectral.nn.evidence import Rows, converge_kept
    >>> from sklearn_spectral.nn.gated import GatedSparcsNetwork
    >>> gen = torch.Generator().manual_seed(0)
    >>> net = GatedSparcsNetwork((2, 8, 1), generator=gen, hidden_eig_init=0.5)
    >>> x = torch.randn(96, 2, generator=gen)
    >>> y = torch.tanh(x[:, :1]) * x[:, 1:]
    >>> train, held = Rows(x[:64], y[:64]), Rows(x[64:], y[64:])
    >>> 0 < converge_kept(net, train, held, loss="squared_error", max_epochs=5)
    True
    """
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {LOSSES}, got {loss!r}.")
    trainer = _KeptTrainer(network, train, loss, lr, batch_size, generator)
    best = _held_loss(network, held_out, loss)
    best_state = [p.detach().clone() for p in trainer.params]
    misses, epochs = 0, 0
    while epochs < int(max_epochs) and misses < int(patience):
        trainer.epoch()
        epochs += 1
        now = _held_loss(network, held_out, loss)
        if not math.isfinite(now):
            break
        if now < best:
            if now < best - tol * abs(best):
                misses = 0
            else:
                misses += 1
            best = now
            best_state = [p.detach().clone() for p in trainer.params]
        else:
            misses += 1
    with torch.no_grad():
        for p, kept in zip(trainer.params, best_state):
            p.copy_(kept)
    network.eval()
    return epochs

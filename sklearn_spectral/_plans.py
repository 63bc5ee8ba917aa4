"""What a fit builds for each kind of network: the one switch on auto_depth.

A plan turns the estimator's parameters into the torch module, the penalty
terms and schedules that come with it, and the fitted attributes that only
it has. ``BaseSpectralMLP._plan`` picks one; nothing else in the estimators
branches on ``auto_depth``.
"""

from __future__ import annotations

import numpy as np
import torch

from ._training import TermSchedule
from .nn.gated import GatedSparcsNetwork
from .nn.mlp import SpectralMLP
from .nn.objective import EigenvalueTerm

__all__ = ["AUTO_DEPTH", "FIXED_DEPTH"]


class _FixedDepth:
    """A ``SpectralMLP`` of the given hidden sizes; the input term only."""

    @staticmethod
    def module(est, n_features, n_outputs, generator):
        return SpectralMLP(
            n_features,
            est._hidden_sizes(),
            n_outputs,
            activation=est.activation,
            eigenvalues=est.eigenvalues,
            generator=generator,
        )

    @staticmethod
    def extra_terms(est, steps_per_epoch):
        return []

    @staticmethod
    def input_schedule(est, n_samples, n_features, baseline_loss):
        # the ramp is shortened with few samples per input (see Settings)
        settings = est._settings()
        ramp = settings.penalty_warmup * min(
            1.0, n_samples / (settings.ramp_samples_per_input * n_features)
        )
        return TermSchedule(relative=est.relative_penalty, warmup=round(ramp))

    @staticmethod
    def extra_schedules(est):
        return {}

    @staticmethod
    def tracks_hidden_units(est):
        return False

    @staticmethod
    def settle(est, module, X, y, sample_weight):
        """Nothing to decide after a fixed-depth fit."""

    @staticmethod
    def set_fitted(est, module):
        est.eigenvalues_ = [
            (lam_in.cpu().double().numpy(), lam_out.cpu().double().numpy())
            for lam_in, lam_out in module.eigenvalues_by_layer()
        ]

    @staticmethod
    def node_relevance(est, module):
        return [r.cpu().double().numpy() for r in module.node_relevance()]


class _AutoDepth:
    """A gated SPARCS network that grows from a perceptron; the depth term."""

    @staticmethod
    def module(est, n_features, n_outputs, generator):
        return GatedSparcsNetwork(
            (n_features, *est._hidden_sizes(), n_outputs),
            activation=est.activation,
            hidden_eig_init=est._settings().hidden_eig_init,
            generator=generator,
        )

    @staticmethod
    def extra_terms(est, steps_per_epoch):
        return [
            EigenvalueTerm(
                "depth",
                "hidden",
                est.depth_penalty,
                float(est.depth_alpha),
                growth=float(est.depth_growth),
                lr_factor=est._settings().depth_lr_multiple(steps_per_epoch),
            )
        ]

    @staticmethod
    def input_schedule(est, n_samples, n_features, baseline_loss):
        # starts as a perceptron: hold the input penalty on the plateau
        settings = est._settings()
        return TermSchedule(
            relative=est.relative_penalty,
            warmup=settings.gate_warmup,
            hold_above=settings.hold_fraction * baseline_loss,
        )

    @staticmethod
    def extra_schedules(est):
        warmup = est._settings().gate_warmup
        return {"depth": TermSchedule(relative=False, warmup=warmup)}

    @staticmethod
    def tracks_hidden_units(est):
        # exact zeros (proximal penalties) make the neurons a fact to track
        return est.depth_penalty != "l2"

    @staticmethod
    def settle(est, module, X, y, sample_weight):
        """Keep the hidden neurons the training data give evidence for.

        See :func:`_settle_depth`; called once at the end of ``fit``.
        """
        _settle_depth(est, module, X, y, sample_weight)

    @staticmethod
    def set_fitted(est, module):
        sparcs = module.sparcs
        nodes = [e.cpu().double().numpy() for e in sparcs.eigenvalues()]
        # one (lam_in, lam_out) pair per block, as at fixed depth: the
        # source layer's node eigenvalues and the destination's
        est.eigenvalues_ = list(zip(nodes[:-1], nodes[1:]))
        est.hidden_eigenvalues_ = nodes[1:-1]
        # after the evidence step every neuron left on carries the output;
        # before it (partial_fit) the relative activity rule
        settled = getattr(module, "settled", False)
        rtol = 0.0 if settled else est._settings().active_rtol
        est.architecture_ = tuple(sparcs.architecture(rtol))
        est.hidden_path_strength_ = float(sparcs.hidden_path_strength())

    @staticmethod
    def node_relevance(est, module):
        # the norm of each hidden neuron's incoming block row, C[i][k, :] =
        # phi[i-1][k, :] * (lam[i-1] - lam[i][k]); in the first hidden layer
        # (input eigenvalues 0) it is the poster's |lam_k| * ||phi[k, :]||
        sparcs = module.sparcs
        with torch.no_grad():
            return [
                torch.linalg.vector_norm(sparcs.coupling(i), dim=1)
                .cpu()
                .double()
                .numpy()
                for i in range(1, sparcs.n_hidden_layers + 1)
            ]


def _deviance(est, out, target, weight, n_total):
    """Deviance of ``out`` scaled to ``n_total`` samples (up to a constant).

    Gaussian for a regressor (``n sum_o log mse_o``, each output with its own
    noise variance), multinomial for a classifier (``2 n`` cross-entropy).
    """
    if est._criterion is torch.nn.MSELoss:
        sq = (out - target.reshape(out.shape)) ** 2
        mse = (sq * weight[:, None]).mean(dim=0).clamp_min(1e-12)
        return n_total * float(torch.log(mse).sum())
    return 2.0 * n_total * float(est.net_.data_loss(out, target, weight))


def _linear_fit(est, z, target, weight, n_out, n_total):
    """Best affine map of ``z`` for the training criterion: (W, b, output).

    Least squares for a regressor. For a classifier, the logistic regression
    of scikit-learn's ``LogisticRegression()`` (L2 with ``C=1``: a penalty
    ``|W|^2 / (2 n)`` on the mean loss): without it, on separable classes the
    weights grow without bound, the training deviance reaches 0 and the
    affine map wins the comparison while predicting worse than the network
    (5-fold CV, ``benchmarks/bench_real_data.py``: breast_cancer 0.025 and
    digits 0.021 below the fixed-depth network, 0.028 and 0.017 below
    ``LogisticRegression()``).
    """
    if est._criterion is torch.nn.MSELoss:
        design = torch.cat([z, torch.ones_like(z[:, :1])], dim=1).double()
        root = weight.double().sqrt()[:, None]
        coef = torch.linalg.lstsq(
            design * root, target.reshape(len(z), -1).double() * root
        ).solution.to(z.dtype)
        w, b = coef[:-1].T, coef[-1]
        return w, b, z @ w.T + b
    w = torch.zeros(n_out, z.shape[1], dtype=z.dtype, requires_grad=True)
    b = torch.zeros(n_out, dtype=z.dtype, requires_grad=True)
    opt = torch.optim.LBFGS(
        [w, b],
        max_iter=est._settings().settle_lbfgs_iter,
        line_search_fn="strong_wolfe",
    )

    def closure():
        opt.zero_grad()
        loss = est.net_.data_loss(z @ w.T + b, target, weight)
        loss = loss + 0.5 * (w * w).sum() / n_total
        loss.backward()
        return loss

    with torch.enable_grad():
        opt.step(closure)
    w, b = w.detach(), b.detach()
    return w, b, z @ w.T + b


def _contributions(sparcs, z):
    """Each hidden neuron's contribution: std of its output times its weights
    into the output layer (0 for a neuron switched off or constant)."""
    acts = sparcs.hidden_activations(z)
    blocks = sparcs.blocks()
    last = len(sparcs.layer_sizes) - 1
    out = []
    for i, (a, mask) in enumerate(zip(acts, sparcs.hidden_masks()), start=1):
        weight = torch.linalg.vector_norm(blocks[(last, i)], dim=0)
        out.append(a.std(dim=0) * weight * mask)
    return out


@torch.no_grad()
def _settle_depth(est, module, X, y, sample_weight):
    """Switch off the hidden neurons the training data give no evidence for.

    The candidates are the networks that keep the ``m`` hidden neurons of
    largest contribution (:func:`_contributions`; the others switched off,
    no refit) and, for ``m = 0``, the best affine map of the inputs in use
    (least squares, or a logistic regression). A neuron must lower the
    training deviance by more than ``c k`` (``c =
    Settings.settle_cost_per_parameter``, Akaike's 2, the in-sample gain of fitting
    noise per parameter; ``k`` the parameters of one neuron: its weights
    from the inputs in use, its bias, one weight per output). The deviance
    is relative to the residual of the fit, so the bar follows the noise
    level of the data, not a fixed strength.

    1. If the affine map's deviance is at most ``deviance(m) + c k m`` for
       every ``m``, the network becomes that map exactly
       (``architecture_ == ()``).
    2. Otherwise it keeps the fewest neurons whose deviance is within
       ``c k`` of the whole network's (the neurons switched off together
       are worth less than one neuron), so that every neuron counted in
       ``architecture_`` is one the output depends on.
    """
    sparcs = module.sparcs
    if sparcs.n_hidden_layers == 0:
        return
    n_total = len(X)
    rows = np.arange(n_total)
    settings = est._settings()
    if n_total > settings.settle_max_rows:
        rng = np.random.RandomState(0)
        rows = np.sort(rng.choice(n_total, settings.settle_max_rows, replace=False))
    device = next(module.parameters()).device
    x = torch.as_tensor(np.asarray(X[rows], dtype=np.float32), device=device)
    target = torch.as_tensor(np.asarray(y[rows]), device=device)
    weight = torch.ones(len(rows), dtype=x.dtype, device=device)
    if sample_weight is not None:
        w = np.asarray(sample_weight, dtype=np.float32)[rows]
        weight = torch.as_tensor(w / w.mean(), device=device)
    module.eval()
    z = module.input_scaling(x) * module.gate
    n_out = sparcs.layer_sizes[-1]
    contrib = torch.cat(_contributions(sparcs, z))
    order = torch.argsort(contrib, descending=True)
    n_live = int((contrib > 0).sum())
    on = module.gate != 0
    k = int(on.sum()) + n_out + 1
    penalty = k * settings.settle_cost_per_parameter

    def masks_keeping(m):
        keep = torch.zeros_like(contrib, dtype=torch.bool)
        keep[order[:m]] = True
        return list(torch.split(keep, list(sparcs.layer_sizes[1:-1])))

    saved = [buf.clone() for buf in sparcs.hidden_masks()]
    deviance = {}
    for m in _candidate_counts(n_live):
        sparcs.switch_off(masks_keeping(m))
        deviance[m] = _deviance(est, module(x), target, weight, n_total)
        for buf, old in zip(sparcs.hidden_masks(), saved):
            buf.copy_(old)
    w_on, b, out = _linear_fit(est, z[:, on], target, weight, n_out, n_total)
    linear = _deviance(est, out, target, weight, n_total)
    nonlinear = min((deviance[m] + m * penalty for m in deviance), default=np.inf)
    if linear <= nonlinear:
        best = 0
    else:
        # the neurons left out together cost at most one neuron's bar
        full = deviance[max(deviance)]
        best = min(m for m in deviance if deviance[m] <= full + penalty)
    if best == 0:
        w_full = torch.zeros(n_out, len(on), dtype=z.dtype, device=device)
        w_full[:, on] = w_on
        sparcs.set_linear(w_full, b)
    else:
        sparcs.switch_off(masks_keeping(best))
    module.settled = True


def _candidate_counts(n_live):
    """Neuron counts to try: all up to 32, then about 32 on a log scale."""
    if n_live <= 32:
        return list(range(1, n_live + 1))
    grid = np.unique(np.round(np.geomspace(1, n_live, 32)).astype(int))
    return [int(m) for m in grid]


FIXED_DEPTH = _FixedDepth()
AUTO_DEPTH = _AutoDepth()

"""What a fit builds for each kind of network: the one switch on auto_depth.

A plan turns the estimator's parameters into the torch module, the penalty
terms and schedules that come with it, and the fitted attributes that only
it has. ``BaseSpectralMLP._plan`` picks one; nothing else in the estimators
branches on ``auto_depth``.
"""

from __future__ import annotations

import torch

from . import _defaults
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
    def extra_terms(est):
        return []

    @staticmethod
    def input_schedule(est, n_samples, n_features, baseline_loss):
        # the ramp is shortened with few samples per input (see _defaults)
        ramp = _defaults.PENALTY_WARMUP * min(
            1.0, n_samples / (_defaults.RAMP_SAMPLES_PER_INPUT * n_features)
        )
        return TermSchedule(relative=est.relative_penalty, warmup=round(ramp))

    @staticmethod
    def extra_schedules(est):
        return {}

    @staticmethod
    def tracks_hidden_units(est):
        return False

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
            hidden_eig_init=_defaults.HIDDEN_EIG_INIT,
            generator=generator,
        )

    @staticmethod
    def extra_terms(est):
        return [
            EigenvalueTerm(
                "depth",
                "hidden",
                est.depth_penalty,
                float(est.depth_alpha),
                growth=float(est.depth_growth),
                lr_factor=_defaults.DEPTH_LR_FACTOR,
            )
        ]

    @staticmethod
    def input_schedule(est, n_samples, n_features, baseline_loss):
        # starts as a perceptron: hold the input penalty on the plateau
        return TermSchedule(
            relative=est.relative_penalty,
            warmup=_defaults.GATE_WARMUP,
            hold_above=_defaults.HOLD_FRACTION * baseline_loss,
        )

    @staticmethod
    def extra_schedules(est):
        return {"depth": TermSchedule(relative=False, warmup=_defaults.GATE_WARMUP)}

    @staticmethod
    def tracks_hidden_units(est):
        # exact zeros (proximal penalties) make the neurons a fact to track
        return est.depth_penalty != "l2"

    @staticmethod
    def set_fitted(est, module):
        sparcs = module.sparcs
        nodes = [e.cpu().double().numpy() for e in sparcs.eigenvalues()]
        # one (lam_in, lam_out) pair per block, as at fixed depth: the
        # source layer's node eigenvalues and the destination's
        est.eigenvalues_ = list(zip(nodes[:-1], nodes[1:]))
        est.hidden_eigenvalues_ = nodes[1:-1]
        est.architecture_ = tuple(sparcs.architecture(_defaults.ACTIVE_RTOL))
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


FIXED_DEPTH = _FixedDepth()
AUTO_DEPTH = _AutoDepth()

"""What a fit builds for each kind of network: the one switch on auto_depth.

A plan turns the estimator's parameters into the torch module, the penalty
terms and schedules that come with it, the rows it holds out of training,
and the values of the fitted attributes that only it has. It reads the
estimator's parameters and writes nothing on it: the estimator sets its own
attributes from what the plan returns. ``BaseSpectralMLP._plan`` picks one;
nothing else in the estimators branches on ``auto_depth``. The model
selection at the end of an auto-depth fit is torch's business
(:mod:`sklearn_spectral.nn.evidence`); the plan only hands it the rows.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import torch
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from ._training import TermSchedule
from .nn.evidence import Rows, refit_kept
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
            input_groups=est._input_groups(),
        )

    @staticmethod
    def extra_terms(est, steps_per_epoch, n_effective=None):
        return []

    @staticmethod
    def input_schedule(est, n_samples, n_features, baseline_loss):
        # the ramp is shortened with few samples per input (see Settings)
        settings = est._settings()
        shorten = min(1.0, n_samples / (settings.ramp_samples_per_input * n_features))
        # a squared error's relative L1 follows its root (Settings)
        power = 1.0
        if est._loss == "squared_error":
            power = settings.squared_error_scale_power
        # held back while the loss falls slowly (Settings.penalty_slow_warmup)
        return TermSchedule(
            relative=est.relative_penalty,
            warmup=round(settings.penalty_warmup * shorten),
            power=power,
            slow_warmup=round(settings.penalty_slow_warmup * shorten),
            slow_fraction=settings.penalty_slow_fraction,
        )

    @staticmethod
    def extra_schedules(est):
        return {}

    @staticmethod
    def tracks_hidden_units(est):
        return False

    @staticmethod
    def switch_off_window(est):
        """Every first switch-off of an input is progress for the stopping rule."""
        return None

    @staticmethod
    def held_out_rows(est, y, seed):
        """No rows held out: every row trains the network."""
        return None

    @staticmethod
    def settle(est, module, X, y, sample_weight, held_out=None):
        """Nothing to decide after a fixed-depth fit."""
        return None

    @staticmethod
    def fitted_attributes(est, module):
        """``{"eigenvalues_": [(lam_in, lam_out), ...]}`` as float64 arrays."""
        return {
            "eigenvalues_": [
                (lam_in.cpu().double().numpy(), lam_out.cpu().double().numpy())
                for lam_in, lam_out in module.eigenvalues_by_layer()
            ]
        }

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
            input_groups=est._input_groups(),
        )

    @staticmethod
    def extra_terms(est, steps_per_epoch, n_effective=None):
        return [
            EigenvalueTerm(
                "depth",
                "hidden",
                est.depth_penalty,
                _depth_strength(est, n_effective) / _outputs_averaged(est),
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
        # off for the first epochs (growth from the perceptron), then ramped
        settings = est._settings()
        return {
            "depth": TermSchedule(
                relative=False,
                warmup=settings.gate_warmup,
                delay=settings.depth_hold_epochs(est.max_iter),
            )
        }

    @staticmethod
    def tracks_hidden_units(est):
        # exact zeros (proximal penalties) make the neurons a fact to track
        return est.depth_penalty != "l2"

    @staticmethod
    def switch_off_window(est):
        """Epochs after the loss last improved in which a switch-off is progress.

        ``Settings.depth_stop_switch_off_window`` (None when 0): the depth
        penalty switches a hundred slots off one by one, and each first
        switch-off kept a fit whose loss had stopped improving open to
        ``max_iter`` (iris, wine).
        """
        return est._settings().depth_stop_switch_off_window or None

    @staticmethod
    def held_out_rows(est, y, seed):
        """Rows the evidence step judges the neurons on, or None.

        ``ceil(validation_fraction * n)`` rows (stratified for a
        classifier), drawn with the fit's seed, when that is at least
        ``Settings.settle_holdout_min_rows``; the network does not train on them.
        Fewer rows than that cannot tell neurons apart, and the in-sample
        rule decides alone (also in scikit-learn's sample-weight check, 15
        rows: a weight and a repeated row then give the same decision,
        whereas a random split of repeated rows cannot).

        Returns
        -------
        (train, held) : pair of index arrays, or None
        """
        n = len(y)
        n_held = int(np.ceil(est.validation_fraction * n))
        if n_held < est._settings().settle_holdout_min_rows or n - n_held < 2:
            return None
        stratify = None
        if est._stratify:
            counts = np.bincount(np.asarray(y, dtype=np.int64))
            counts = counts[counts > 0]
            if counts.min() >= 2 and n_held >= counts.size:
                stratify = y
        train, held = train_test_split(
            np.arange(n),
            test_size=n_held,
            stratify=stratify,
            random_state=seed % (2**32 - 1),
        )
        return np.sort(train), np.sort(held)

    @staticmethod
    def settle(est, module, X, y, sample_weight, held_out=None):
        """Keep the hidden neurons the data give evidence for.

        Called once at the end of ``fit``; see
        :func:`sklearn_spectral.nn.evidence.settle_depth`.

        Parameters
        ----------
        est : estimator
            Read for its criterion only.
        module : GatedSparcsNetwork
            The trained network; left as the evidence step chooses.
        X, y : ndarray
            Every row of the fit, encoded targets.
        sample_weight : ndarray or None
            Weights in their own units (a weight of 2 is two rows).
        held_out : (train, held) index arrays or None
            The rows :meth:`held_out_rows` kept out of training.

        Returns
        -------
        DepthDecision
        """
        own = getattr(est, "_loss", None)
        if own in ("squared_error", "binary_cross_entropy"):
            loss = own  # multilabel: the labels' binary cross-entropies
        else:
            loss = "cross_entropy"
        device = next(module.parameters()).device
        rows = np.arange(X.shape[0]) if held_out is None else held_out[0]
        settings = est._settings()
        max_rows = settings.settle_max_rows
        train = _rows(X, y, sample_weight, rows, device, max_rows)
        held = None
        if held_out is not None:
            held = _rows(X, y, sample_weight, held_out[1], device, max_rows)
        challenger = None
        if held is not None and _challenger_applies(est, module, loss, settings):
            challenger = _FixedChallenger(est, X, y, sample_weight, held_out)
            if challenger.model.n_outputs_ != est.n_outputs_:
                challenger = None  # a class missing from the training rows
        decision = module.settle_depth(
            train,
            held,
            loss=loss,
            cost_per_parameter=settings.settle_cost_per_parameter,
            tolerance=settings.settle_holdout_tolerance,
            linear_tolerance=settings.settle_holdout_linear_tolerance,
            layer_tolerance=settings.settle_layer_tolerance,
            layer_gain_fraction=settings.settle_layer_gain_fraction,
            lbfgs_iter=settings.settle_lbfgs_iter,
            refit_epochs=settings.settle_refit_epochs,
            refit_lr=float(est.learning_rate_init),
            refit_batch_size=est._batch_size(X.shape[0]),
            # a held-out cross-entropy keeps falling while a separable
            # network sharpens: the stop then waits for nothing (see Settings)
            converge_epochs=(
                _converge_epochs(est, settings) if loss == "squared_error" else 0
            ),
            converge_patience=settings.settle_converge_patience,
            converge_tol=settings.settle_converge_tol,
            converge_lr=float(est.learning_rate_init)
            * settings.settle_converge_lr_factor,
            challenger=challenger,
            challenger_tolerance=settings.settle_challenger_tolerance,
            challenger_linear_tolerance=settings.settle_challenger_linear_tolerance,
            generator=torch.Generator().manual_seed(int(est._split_seed)),
        )
        if decision.challenged:
            # the fixed network judged on the held-out rows is the answer;
            # it then learns every row, as a network auto-depth keeps does
            module.load_relu_mlp(challenger.layers())
            fixed = challenger.model
            if not fixed.converged_:
                # its fit's warning was held back while it was only a
                # challenger; as the answer, it is the user's to know
                warnings.warn(
                    "auto_depth kept the fixed network "
                    f"{tuple(est._hidden_sizes())} (it predicted the held-out "
                    "rows better than the network grown), and that fit "
                    f"reached max_iter ({fixed.max_iter}) without "
                    "converging; raise max_iter.",
                    ConvergenceWarning,
                )
            if settings.settle_refit_epochs > 0:
                every = np.arange(X.shape[0])
                refit_kept(
                    module,
                    _rows(X, y, sample_weight, every, device, len(every)),
                    loss=loss,
                    epochs=settings.settle_refit_epochs,
                    lr=float(est.learning_rate_init),
                    batch_size=est._batch_size(X.shape[0]),
                    generator=torch.Generator().manual_seed(int(est._split_seed)),
                )
                decision.refit_epochs = settings.settle_refit_epochs
            decision.linear = False
            decision.n_hidden = sum(module.architecture(0.0))
        return decision

    @staticmethod
    def fitted_attributes(est, module):
        """The eigenvalues and the architecture the network is left with.

        Returns
        -------
        dict
            ``eigenvalues_`` (one ``(lam_in, lam_out)`` pair per block, as
            at fixed depth: the source layer's node eigenvalues and the
            destination's), ``hidden_eigenvalues_``, ``architecture_`` and
            ``hidden_path_strength_``.
        """
        nodes = [e.cpu().double().numpy() for e in module.node_eigenvalues()]
        # after the evidence step every neuron left on carries the output;
        # before it (partial_fit) the relative activity rule
        rtol = 0.0 if module.settled else est._settings().active_rtol
        return {
            "eigenvalues_": list(zip(nodes[:-1], nodes[1:])),
            "hidden_eigenvalues_": nodes[1:-1],
            "architecture_": tuple(module.architecture(rtol)),
            "hidden_path_strength_": float(module.hidden_path_strength()),
        }

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


def _challenger_applies(est, module, loss, settings):
    """Whether the fixed-depth network challenges the one auto-depth grew.

    Regressors (squared error; softmax classifiers without ``class_weight``
    with ``Settings.settle_challenger_classifiers``) of one hidden ReLU
    layer without input groups (the fixed network is then exactly a
    ``GatedSparcsNetwork``, :meth:`~sklearn_spectral.nn.gated.
    GatedSparcsNetwork.load_relu_mlp`), unless both tolerances are
    infinite (``Settings.settle_challenger_tolerance``).
    """
    off = math.isinf(settings.settle_challenger_tolerance) and math.isinf(
        settings.settle_challenger_linear_tolerance
    )
    classifier = (
        loss == "cross_entropy"
        and settings.settle_challenger_classifiers
        and getattr(est, "class_weight", None) is None
    )
    return (
        not off
        and (loss == "squared_error" or classifier)
        and est.activation == "relu"
        and len(est._hidden_sizes()) == 1
        and est._input_groups() is None
        and module.input_groups is None
    )


class _FixedChallenger:
    """The fixed-depth network as auto-depth's challenger (regressors;
    classifiers with ``Settings.settle_challenger_classifiers``).

    ``make_friedman1`` (400 rows) showed that a network grown to a few
    neurons can fit the training rows as well as the fixed network's 100
    and generalise worse, however long it trains (see
    ``Settings.settle_challenger_tolerance``). The estimator with
    ``auto_depth=False`` (its other parameters as they are, the seed drawn
    from the fit's) is fitted on the rows auto-depth trained on, and the
    evidence step compares its held-out loss with the network it chose;
    when it wins, that network (:meth:`layers`) becomes the answer, with
    ``architecture_`` its hidden layer, and trains the refit epochs on
    every row as a network auto-depth keeps does.

    Called with a batch of held-out rows (raw inputs of the module, a
    tensor), it returns the fixed network's outputs in the module's
    (encoded) target units, or its logits.
    """

    def __init__(self, est, X, y, sample_weight, held_out):
        self.est = est
        self.X, self.y, self.sample_weight = X, y, sample_weight
        with warnings.catch_warnings():
            # its own fit's stopping rule is not the answer's: a warning
            # would name a network the step may not keep
            warnings.simplefilter("ignore", ConvergenceWarning)
            self.model = self._fit(held_out[0])

    def _fit(self, rows):
        est = self.est
        params = est.get_params(deep=False)
        params.update(
            auto_depth=False,
            warm_start=False,
            verbose=0,
            callbacks=None,
            categorical_features=None,
            feature_groups=None,
            random_state=int(est._split_seed),
        )
        model = type(est)(**params)
        y = np.asarray(self.y)
        y = y.reshape(len(y), -1)
        target = y[rows, 0] if y.shape[1] == 1 else y[rows]
        weight = None if self.sample_weight is None else self.sample_weight[rows]
        return model.fit(self.X[rows], target, sample_weight=weight)

    def __call__(self, x):
        if not hasattr(self.model, "_y_scale"):  # a classifier: its logits
            module = self.model.net_.module_
            device = next(module.parameters()).device
            with torch.no_grad():
                return module.eval()(x.to(device)).double()
        out = self.model.predict(x.cpu().numpy())
        return torch.as_tensor(np.asarray(out, dtype=np.float64).reshape(len(x), -1))

    def layers(self):
        """The fixed network's two layers in the auto-depth module's target
        units: ``[(W1, b1), (W2, b2)]`` (float64), ``W1`` on the raw inputs.
        """
        model = self.model
        (w1, b1), (w2, b2) = [
            (w.double(), b.double()) for w, b in model.net_.module_.dense_weights()
        ]
        if not hasattr(model, "_y_scale"):  # a classifier: logits as they are
            return [(w1, b1), (w2, b2)]
        scale = torch.as_tensor(model._y_scale, dtype=torch.float64)
        mean = torch.as_tensor(model._y_mean, dtype=torch.float64)
        return [(w1, b1), (w2 * scale[:, None], b2 * scale + mean)]


def _converge_epochs(est, settings):
    """Most epochs of the held-out stopped training after the evidence step.

    ``Settings.settle_converge_epochs``, and at most
    ``Settings.settle_converge_fit_fraction`` times the epochs the fit
    itself ran (at least 1): the step finishes what the fit's stopping
    rule cut short, and should not cost many fits on data (many rows, no
    noise) where the held-out loss keeps falling by a little.
    """
    fit_epochs = len(getattr(getattr(est, "net_", None), "history", ()) or ())
    cap = math.ceil(settings.settle_converge_fit_fraction * max(1, fit_epochs))
    return int(min(settings.settle_converge_epochs, cap))


def _depth_strength(est, n_effective):
    """``depth_alpha``, at least ``Settings.depth_alpha_per_parameter`` times
    a neuron's parameters per training row (``n_effective``; None: unknown).

    A neuron's apparent gain on the training loss from fitting noise is
    about its parameter count over the rows (Akaike), so a strength that
    does not fall with the rows lets small data grow neurons that do not
    generalise; on large data the fixed ``depth_alpha`` rules.
    """
    alpha = float(est.depth_alpha)
    per_parameter = est._settings().depth_alpha_per_parameter
    if per_parameter > 0 and n_effective:
        n_out = int(getattr(est, "n_outputs_", 1))
        n_in = int(getattr(est, "n_features_in_", 1))
        alpha = max(alpha, per_parameter * (n_in + n_out + 1) / float(n_effective))
    return alpha


def _outputs_averaged(est):
    """The divisor of ``depth_alpha``: the outputs a row's loss averages.

    The depth penalty is a cost against the loss of a row summed over its
    outputs, as in the likelihood and in the evidence step's deviance
    (``n log mse`` summed over the outputs): a neuron that explains a
    fraction ``f`` of each of ``k`` outputs' variance brings ``k`` times
    the evidence of one output, but lowers the training loss, a mean over
    the outputs, by ``f`` only. So the strength on that mean is
    ``depth_alpha / k`` for a k-output regression and ``depth_alpha`` for a
    multilabel classifier (its binary cross-entropy is already the sum over
    the labels, as ``MLPClassifier``'s). A softmax classifier has one loss
    per row but ``K - 1`` free logits: its divisor is ``(K - 1) **
    Settings.depth_alpha_class_power`` (1 for a binary one); at ``K = 10``
    (digits) the plain ``depth_alpha`` grew 7-12 neurons and lost to the
    fixed network, at ``depth_alpha / 9`` 13-55 and won (see the field).

    Against the mean, the L1 switched the hidden neurons off while they
    grew out of the linear fit's plateau (their gradient is small there),
    and the stopping rule then ended the fit on the plateau. Without a
    depth penalty (1e-9) the fit stopped on the plateau too (R^2 0.73 after
    33 epochs, 1000 rows: no progress, no neuron switched off); at a
    twentieth of it the L1 switches off the neurons that do not grow, which
    counts as progress, while the others grow. SPARCS teacher-student (20
    outputs, 5-fold CV, R^2 of auto-depth against fixed depth, ``(100,)``):
    mean 1000 rows -0.248 ±
    0.002, 2000 rows -0.137 ± 0.005, 5000 rows -0.120 ± 0.008, 10 000
    rows -0.095 ± 0.005 (8-14 neurons); summed +0.014 ± 0.001, +0.0056 ±
    0.0001, +0.0019 ± 0.0001, +0.0011 ± 0.0001 (20-24 neurons). At 20 000
    rows (one split) 0.970 with (18,) against 0.9994 with (32,).
    """
    loss = getattr(est, "_loss", None)
    if loss is None:  # a softmax classifier: its free logits
        free = max(1, int(getattr(est, "n_outputs_", 2)) - 1)
        return float(free) ** est._settings().depth_alpha_class_power
    if loss in ("cross_entropy", "binary_cross_entropy"):
        return 1
    return max(1, int(est.n_outputs_))


def _rows(X, y, sample_weight, rows, device, max_rows):
    """The evidence step's :class:`~sklearn_spectral.nn.evidence.Rows`.

    At most ``max_rows`` of ``rows`` (``Settings.settle_max_rows``; a fixed
    random subset beyond, ``RandomState(0)``: a function of the data, not of
    the fit's seed),
    their weights scaled so that their sum stays the sum over ``rows``: the
    deviances count weight, not the rows that measure it.
    """
    weight = None if sample_weight is None else np.asarray(sample_weight)[rows]
    total = len(rows) if weight is None else float(weight.sum())
    if len(rows) > max_rows:
        pick = np.random.RandomState(0).choice(len(rows), max_rows, replace=False)
        pick.sort()
        rows = rows[pick]
        weight = np.ones(len(rows)) if weight is None else weight[pick]
        weight = weight * (total / weight.sum())
    block = X[rows]
    if hasattr(block, "toarray"):  # sparse X: only these rows, dense
        block = block.toarray()
    # float64 rows stay float64: the module standardises them in float64
    # before its float32 layers (a column 1e6 + 0.01 z keeps its digits)
    wide = block.dtype == np.float64 and device.type != "mps"
    dtype = np.float64 if wide else np.float32
    x = torch.as_tensor(np.asarray(block, dtype=dtype), device=device)
    target = torch.as_tensor(np.asarray(y[rows]), device=device)
    if weight is not None:
        weight = torch.as_tensor(np.asarray(weight, dtype=np.float64), device=device)
    return Rows(x, target, weight)


FIXED_DEPTH = _FixedDepth()
AUTO_DEPTH = _AutoDepth()

"""Fits of one model on many seeds or resamples: in parallel through joblib,
or trained as members of one step (:func:`member_importances`)."""

from __future__ import annotations

import warnings

import numpy as np
import torch
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import _safe_indexing, resample
from sklearn.utils.validation import _check_method_params, _num_samples

from ._face import importances as _importances
from ._face import without_gradient_reading

__all__ = [
    "half_sample",
    "member_importances",
    "members_apply",
    "refit_importances",
]


def half_sample(n_samples, y, classification, seed):
    """Indices of a half-sample without replacement (stratified for classes)."""
    stratify = np.asarray(y) if classification else None
    if stratify is not None and stratify.ndim == 2 and stratify.shape[1] == 1:
        stratify = stratify.ravel()
    if stratify is not None and stratify.ndim != 1:
        stratify = None
    return resample(
        np.arange(n_samples),
        replace=False,
        n_samples=max(n_samples // 2, 1),
        stratify=stratify,
        random_state=seed,
    )


def fit_on(estimator, X, y, indices, fit_params, seed, getter, norm_order, alpha=None):
    """Fit ``estimator`` on the rows ``indices`` (all rows for None).

    Returns its importances; ``seed`` (when not None) replaces the model's
    ``random_state``, ``alpha`` (when not None) its ``alpha``.
    """
    if seed is not None and "random_state" in estimator.get_params(deep=False):
        estimator.set_params(random_state=seed)
    if alpha is not None:
        estimator.set_params(alpha=alpha)
    if indices is not None:
        fit_params = _check_method_params(X, params=fit_params, indices=indices)
        X, y = _safe_indexing(X, indices), _safe_indexing(y, indices)
    with warnings.catch_warnings():
        # one refit of many: its convergence note says nothing about the
        # answer; the fit the user gets as estimator_ keeps its warnings
        warnings.simplefilter("ignore", ConvergenceWarning)
        estimator.fit(X, y, **fit_params)
    return _importances(estimator, getter, norm_order)


def refit_importances(
    template,
    X,
    y,
    params,
    seeds,
    *,
    classification,
    getter,
    norm_order,
    n_jobs,
    alphas=None,
):
    """Importances of one refit per ``(split seed, model seed)`` pair.

    A split seed of None fits all rows (only the model seed changes);
    otherwise the refit sees a half-sample of the rows. ``alphas`` (one per
    pair, or None for the template's own) sets each refit's ``alpha``.
    Returns an array of shape ``(len(seeds), n_features)``.
    """
    seeds = list(seeds)
    alphas = [None] * len(seeds) if alphas is None else list(alphas)
    if len(alphas) != len(seeds):
        raise ValueError(
            f"alphas must have one strength per seed pair: got {len(alphas)} "
            f"for {len(seeds)} pairs."
        )
    # array-likes without a shape (lists, objects with __array__) become
    # arrays; DataFrames stay as they are for the model
    if not hasattr(X, "shape"):
        X = np.asarray(X)
    elif hasattr(X, "tocsr"):
        X = X.tocsr()  # row indexing (coo, dia and bsr have none)
    if y is not None and not hasattr(y, "shape"):
        y = np.asarray(y)
    n_samples = _num_samples(X)
    rows = [
        None
        if split_seed is None
        else half_sample(n_samples, y, classification, int(split_seed))
        for split_seed, _ in seeds
    ]
    results = [None] * len(seeds)
    if (
        classification
        and getter == "auto"
        and members_apply(template, X, params, n_jobs, len(seeds))
    ):
        # the refits train as members of one step (Settings.member_fits_max);
        # a classifier's only, as the strength search's folds (_strength.py)
        results = _member_refits(template, X, y, params, seeds, alphas, rows)
    missing = [i for i, result in enumerate(results) if result is None]
    jobs = (
        delayed(fit_on)(
            without_gradient_reading(clone(template)),
            X,
            y,
            rows[i],
            params,
            int(seeds[i][1]),
            getter,
            norm_order,
            None if alphas[i] is None else float(alphas[i]),
        )
        for i in missing
    )
    for i, result in zip(missing, Parallel(n_jobs=n_jobs)(jobs)):
        results[i] = result
    return np.vstack([np.asarray(r, dtype=np.float64) for r in results])


def _member_refits(template, X, y, params, seeds, alphas, rows):
    """:func:`fit_on` of every refit, trained as members of one step; None
    for a refit that must run alone."""
    estimators, datas, targets, weights = [], [], [], []
    for (_, model_seed), alpha, indices in zip(seeds, alphas, rows):
        estimator = without_gradient_reading(clone(template))
        estimator.set_params(random_state=int(model_seed))
        if alpha is not None:
            estimator.set_params(alpha=float(alpha))
        fit_params = params
        data, target = X, y
        if indices is not None:
            fit_params = _check_method_params(X, params=params, indices=indices)
            data, target = _safe_indexing(X, indices), _safe_indexing(y, indices)
        estimators.append(estimator)
        datas.append(data)
        targets.append(target)
        weights.append(fit_params.get("sample_weight"))
    return member_importances(estimators, datas, targets, weights)


def members_apply(template, X, fit_params, n_jobs, n_fits):
    """Whether the fits of ``template`` on ``X`` train as members of one step.

    The rule (``Settings.member_fits_max`` > 0 turns it on): the library's
    own fixed-depth spectral classifier or regressor with its input L1
    (``penalty="l1"``, ``eigenvalues="in"``, no ``feature_groups``, no
    ``early_stopping``, ``callbacks``, ``warm_start`` or ``verbose``, on the
    CPU, a relu/tanh/logistic/identity activation), a cross-entropy or
    squared-error loss, a dense numeric array ``X`` (not a table, not
    sparse, no missing cells) of at most ``Settings.member_fits_max_rows``
    rows, ``n_jobs`` None or 1 (several processes already run separate
    fits side by side), at least two fits, and the importance reading the
    selector's own (``importance_getter="auto"``, checked by the caller).
    Anything else takes the single fit (:func:`fit_on`,
    ``_all_relevant._fit_with_shadows``), which is also the fallback of a
    member whose step diverged.
    """
    from .._mlp import SpectralMLPClassifier, SpectralMLPRegressor

    if type(template) not in (SpectralMLPClassifier, SpectralMLPRegressor):
        return False
    settings = template._settings()
    if settings.member_fits_max < 2 or n_fits < 2:
        return False
    if n_jobs not in (None, 1):
        return False
    if not isinstance(X, np.ndarray) or X.ndim != 2 or X.dtype.kind != "f":
        return False
    if X.shape[0] > settings.member_fits_max_rows or not np.all(np.isfinite(X)):
        return False
    params = template.get_params(deep=False)
    if (
        params["auto_depth"]
        or params["penalty"] != "l1"
        or params["eigenvalues"] != "in"
        or params["penalized"] not in ("auto", "input")
        or params["feature_groups"] is not None
        or params["early_stopping"]
        or params["callbacks"]
        or params["warm_start"]
        or params["verbose"]
        or params["solver"] != "adam"
        or str(params["device"]) != "cpu"
        or params.get("loss", "squared_error") != "squared_error"
        or params["activation"] not in ("relu", "tanh", "logistic", "identity")
    ):
        return False
    return set(fit_params) <= {"sample_weight"}


def _member_spec(estimator, X, y, sample_weight, shared=None):
    """Prepare ``estimator`` for a fit on ``X`` as ``fit`` would, without
    training: ``(spec, loss, options, baseline, raw inputs)`` for
    :func:`~sklearn_spectral._training.members.fit_members`, or None when
    this fit is not one a member covers (then it takes the single fit).

    ``shared`` (a dict, or None) holds the validated targets of the fits on
    the same ``y`` and ``sample_weight`` by estimators of the same class and
    target parameters (a classifier's ``_prepare(shared=...)``): the first
    fills it, the others take them (``y`` validated once, not per fit).
    """
    from sklearn.utils import check_random_state

    from .._base import _column_location_scale
    from .._training.members import MemberSpec
    from ..nn.members import stackable

    est = estimator
    est._reset_fitted_state()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if shared is None:
            prepared = est._prepare(X, y, sample_weight, first=True)
        else:
            prepared = est._prepare(X, y, sample_weight, first=True, shared=shared)
        Xp, y_enc, weights, baseline = prepared
    if getattr(est, "_multilabel", False) or not isinstance(Xp, np.ndarray):
        return None
    rng = check_random_state(est.random_state)
    seed = int(rng.randint(np.iinfo(np.int32).max))
    est._split_seed = seed
    n_samples, n_features = Xp.shape
    if est.standardize:
        mean, scale = _column_location_scale(Xp, weights, center_flat=n_samples > 1)
        scale = scale * est._group_size_factor()
    else:
        mean, scale = np.zeros(n_features), np.ones(n_features)
    est.input_mean_, est.input_scale_ = mean, scale
    n_effective = n_samples if weights is None else weights.sum()
    module = est._build_module(
        n_features, est.n_outputs_, torch.Generator().manual_seed(seed)
    )
    module.input_scaling.set(mean, scale)
    if not stackable([module]):
        return None
    batch_size = est._batch_size(n_samples)
    objective = est._objective(-(-n_samples // batch_size), n_effective)
    schedule = est._schedule(n_effective, n_features, baseline)
    terms = objective.terms
    plan = schedule.schedules.get("input")
    if (
        len(terms) != 1
        or terms[0].name != "input"
        or terms[0].kind != "l1"
        or terms[0].lr_factor != 1.0
        or set(schedule.schedules) != {"input"}
        or plan.hold_above is not None
        or plan.delay
    ):
        return None
    loss = getattr(est, "_loss", None) or {
        torch.nn.CrossEntropyLoss: "cross_entropy",
        torch.nn.MSELoss: "squared_error",
    }.get(getattr(est, "_criterion", None))
    if loss not in ("cross_entropy", "squared_error"):
        return None
    dtype = np.float64 if Xp.dtype == np.float64 else np.float32
    raw = torch.as_tensor(np.ascontiguousarray(Xp, dtype))
    with torch.no_grad():
        x = module.input_scaling(raw)
    w = None
    if weights is not None:
        w = torch.as_tensor(weights * (n_samples / weights.sum()), dtype=torch.float32)
    spec = MemberSpec(
        module=module,
        X=x,
        y=torch.as_tensor(np.ascontiguousarray(y_enc)),
        sample_weight=w,
        seed=seed + 1,
        alpha=float(terms[0].alpha),
        warmup=int(plan.warmup),
        relative=bool(plan.relative),
        power=float(plan.power),
        initial_scale=float(schedule.initial_scale),
        min_scale=float(schedule.min_scale),
        slow_warmup=int(plan.slow_warmup),
        slow_fraction=float(plan.slow_fraction),
    )
    options = {
        "loss": loss,
        "lr": float(est.learning_rate_init),
        "betas": (float(est.beta_1), float(est.beta_2)),
        "eps": float(est.epsilon),
        "phi_decay": 2.0 * float(objective.phi_alpha),
        "input_beta2": terms[0].beta2,
        "batch_size": batch_size,
        "shuffle": bool(est.shuffle),
        "max_epochs": int(est.max_iter),
        "tol": float(est.tol),
        "patience": int(est.n_iter_no_change),
        "track_units": True,
        "restore_factor": est._settings().loss_spike_factor,
    }
    return spec, loss, options, baseline, raw


def _member_reading(estimator, module, baseline):
    """The first-layer importances of a member's trained ``module``, as
    :meth:`BaseSpectralMLP._set_spectral_attributes` reads them."""
    from ..relevance import normalize_relevance

    relevance = module.input_relevance().cpu().double().numpy()
    eigenvalues = module.input_eigenvalues().cpu().double().numpy()
    if not (np.all(np.isfinite(relevance))):
        return None
    # per original column, on unit-variance inputs (as the fit reads it)
    relevance, _ = estimator._per_column(relevance, eigenvalues)
    if baseline == 0:
        relevance = np.zeros_like(relevance)
    return normalize_relevance(relevance)


def member_importances(estimators, datas, targets, weights=None, return_modules=False):
    """Importances of each ``estimators[i]`` fitted on ``datas[i]`` and
    ``targets[i]``, the fits trained as members of one step where they can be.

    ``estimators`` are configured clones (seed, strength, epochs set);
    ``datas`` dense arrays (members train together when they have as many
    rows); ``weights`` the sample weights of each fit (None: none). Fits
    are stepped together in chunks of at most ``Settings.member_fits_max``
    members of one shape
    (:func:`~sklearn_spectral._training.members.fit_members`); the entry
    of a fit no member covers, or whose member diverged, is None (the
    caller fits it alone). With ``return_modules`` each entry is the pair
    ``(importances, trained SpectralMLP)``.
    """
    from .._training.members import fit_members
    from .._training.threads import torch_threads

    if weights is None:
        weights = [None] * len(estimators)
    from .._mlp import SpectralMLPClassifier

    results = [None] * len(estimators)
    prepared = {}
    # a classifier's targets validated once per (y, sample_weight) and the
    # parameters that encode and weigh them (targets and weights are held
    # by the caller's lists: their ids are distinct while this runs)
    validated = {}
    for i, (est, data) in enumerate(zip(estimators, datas)):
        shared = None
        if type(est) is SpectralMLPClassifier:
            key = (
                id(targets[i]),
                id(weights[i]),
                repr(est.class_weight),
                bool(est.shuffle),
            )
            shared = validated.setdefault(key, {})
        try:
            made = _member_spec(est, data, targets[i], weights[i], shared)
        except (ValueError, TypeError):
            made = None  # the single fit raises its own error
        if made is None:
            continue
        spec, loss, options, baseline, raw = made
        module = spec.module
        key = (
            loss,
            tuple(sorted((k, str(v)) for k, v in options.items())),
            spec.X.shape[0],
            spec.X.dtype,
            tuple(layer.out_features for layer in module.layers),
            type(module.activation),
        )
        prepared.setdefault(key, []).append((i, spec, baseline, options, raw))
    for items in prepared.values():
        est0, options = estimators[items[0][0]], items[0][3]
        chunk = max(2, est0._settings().member_fits_max)
        for start in range(0, len(items), chunk):
            part = items[start : start + chunk]
            if len(part) < 2:
                continue  # one fit: the single path
            specs = [item[1] for item in part]
            width = max(int(s.X.shape[1]) for s in specs)
            on_stop = _InputStep(
                [estimators[item[0]] for item in part],
                specs,
                [item[4] for item in part],
                options,
            )
            with torch_threads(est0._n_threads(width, options["batch_size"])):
                reports = fit_members(specs, on_stop=on_stop, **options)
            for (i, spec, baseline, _, _), report in zip(part, reports):
                if report["diverged"]:
                    continue
                reading = _member_reading(estimators[i], spec.module, baseline)
                if reading is not None and return_modules:
                    reading = (reading, spec.module)
                results[i] = reading
    return results


class _SettleNet:
    """What :meth:`~sklearn_spectral._training.callbacks.InputSettling.check`
    reads of a net, for a member's network."""

    def __init__(self, module, optimizer, criterion, seed, n_epochs):
        self.module_ = module
        self.optimizer_ = optimizer
        self.criterion_ = criterion
        self.seed = seed
        self.device = "cpu"
        self.history = [None] * n_epochs


class _InputStep:
    """The end-of-fit step of the inputs of each member, when its stopping
    rule fires (``fit_members``' ``on_stop``), as the single fit takes it
    (:class:`~sklearn_spectral._training.callbacks.InputSettling`, asked by
    ``ConvergenceStopping``): the KKT check of the inputs that are off, the
    re-admission of those the data support (then the member trains on) or
    the solve for the eigenvalues the L1 is still shrinking. The check runs
    on the member's own network with a ``ProximalAdam`` holding the
    member's Adam state and the epoch's strength; what it changes goes back
    into the member. One ``InputSettling`` per member, kept over its checks
    (each input is re-admitted at most once, at most ``max_rounds``
    checks re-admit)."""

    def __init__(self, estimators, specs, raws, options):
        self.estimators = estimators
        self.specs = specs
        self.raws = raws
        self.options = options
        self.settlings = {}
        self.epochs = {}

    def __call__(self, k, members, optimizer, strength):
        from .._base import _input_settling
        from .._training.data import TensorData
        from ..nn.losses import DataLoss
        from ..nn.objective import set_strength
        from ..nn.optim import ProximalAdam

        estimator, spec, options = self.estimators[k], self.specs[k], self.options
        if k not in self.settlings:
            self.settlings[k] = _input_settling(estimator._settings()).initialize()
        module = spec.module
        members.write_to(k, module)
        moments, steps = optimizer.member_state(k, members, module)
        objective = estimator._objective(1, None)
        proximal = ProximalAdam(
            objective.param_groups(module, lr=options["lr"], beta1=options["betas"][0]),
            lr=options["lr"],
            betas=options["betas"],
            eps=options["eps"],
        )
        set_strength(proximal.param_groups, "input", strength)
        for param, (m, v) in moments.items():
            proximal.state[param] = {
                "step": torch.tensor(steps, dtype=torch.float32),
                "exp_avg": m,
                "exp_avg_sq": v,
            }
        net = _SettleNet(
            module,
            proximal,
            DataLoss(options["loss"]),
            spec.seed,
            int(optimizer.steps[k]) // max(1, self._steps_per_epoch(spec)),
        )
        data = TensorData(self.raws[k], spec.y, spec.sample_weight)
        again = bool(self.settlings[k].check(net, data))
        # the check may have moved the network (re-admitted inputs, solved
        # for the eigenvalues) and its moments: back into the member
        members.read_from(k, module)
        optimizer.set_member_state(k, members, module, proximal.state)
        return again

    def _steps_per_epoch(self, spec):
        n, size = spec.X.shape[0], self.options["batch_size"]
        return -(-n // min(size, n))

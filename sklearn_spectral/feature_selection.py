"""Feature selection with the input eigenvalues of a spectral network.

:class:`SpectralFeatureSelector` is scikit-learn's
:class:`~sklearn.feature_selection.SelectFromModel` with a spectral network as
its default model, the ``"auto"`` threshold at the gap the eigenvalue penalty
opens, and refits on resamples that give the relevance its uncertainty.
Everything the two classes share (``prefit``, ``importance_getter``,
``norm_order``, ``max_features``, fit parameters and metadata routing,
``partial_fit``, the threshold read at transform time) is scikit-learn's
behaviour.
"""

from __future__ import annotations

from copy import deepcopy
from inspect import signature
from numbers import Integral, Real

import numpy as np
from sklearn.base import _fit_context, clone, is_classifier, is_regressor
from sklearn.exceptions import NotFittedError
from sklearn.feature_selection import SelectFromModel
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils._tags import get_tags
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    _routing_enabled,
    process_routing,
)
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    _check_feature_names,
    _check_sample_weight,
    _estimator_has,
    _num_samples,
    check_is_fitted,
)

from ._base import BaseSpectralMLP
from ._defaults import Settings, resolve_settings
from ._mlp import SpectralMLPClassifier, SpectralMLPRegressor, _unique_labels
from ._selection._all_relevant import (
    binomial_cdf,
    column_groups_of,
    fixed_seed_of,
    fixed_shadow_mask,
    hit_test,
    linear_readmission,
    round_bars,
    sequential_shadow_test,
    shadow_refits,
)
from ._selection._face import (
    documented_without_importances,
    importances,
    resolve_threshold,
)
from ._selection._groups import correlated_groups, expand_to_groups
from ._selection._refits import refit_importances
from ._selection._strength import cv_one_se_alpha
from ._target import infer_task

__all__ = ["SpectralFeatureSelector"]


class SpectralFeatureSelector(SelectFromModel):
    """Keep the features that the input eigenvalues of a spectral network use.

    A spectral MLP whose L1 penalty on the input eigenvalues switches
    irrelevant inputs off is fitted along a range of strengths on the
    folds of a cross-validation and several times on all rows; the features
    that ``threshold`` keeps in enough of the fits at the weakest strength
    that predicts as well as the best are kept (``band_frequencies_``). This is
    scikit-learn's :class:`~sklearn.feature_selection.SelectFromModel` (it
    subclasses it) with a spectral default model, the ``"auto"`` threshold
    and optional refits on half-samples that measure how stable the
    relevance and the selection are (``n_repeats``,
    ``stability_threshold``).

    Parameters
    ----------
    estimator : estimator or None, default=None
        The model to fit (it is cloned), or a fitted one with
        ``prefit=True``. Any estimator with ``feature_importances_`` or
        ``coef_`` after ``fit`` works (e.g. ``LogisticRegression``), or any
        estimator with ``importance_getter``. ``None`` picks
        :class:`SpectralMLPClassifier` for class labels and
        :class:`SpectralMLPRegressor` for a quantity, by this rule: strings,
        booleans and categories are labels; non-integer numbers are a
        quantity; integer values are labels when there are at most 20
        distinct values and at least 5 samples per value on average, a
        quantity otherwise (``load_diabetes``, counts). The decision is
        stored in ``task_``; an integer target near those limits (11-40
        distinct values, or few samples per value) also gives a
        ``UserWarning``: pass the estimator to choose.

    threshold : str, float or None, default="auto"
        Features with importance ``>= threshold`` are kept. ``"auto"``: the
        gap the eigenvalue penalty opens between relevant and irrelevant
        inputs (:func:`~sklearn_spectral.relevance.auto_threshold`);
        ``"mean"``, ``"median"``, a scaled rule such as ``"0.5*mean"``, a
        number on the scale of the importances (the spectral ones sum to
        1), or ``-np.inf`` to select by ``max_features`` alone. ``None`` is
        ``SelectFromModel``'s default: ``1e-5`` when the model's ``penalty``
        is ``"l1"`` (the spectral models' default: every input the penalty
        did not switch off) or an L1 linear model, ``"mean"`` otherwise. The
        threshold is read when the selection is made, so changing it after
        ``fit`` takes effect without refitting.

    prefit : bool, default=False
        ``estimator`` is already fitted: ``fit`` does not train it (and
        ``transform`` works without ``fit``), as in ``SelectFromModel``.

    norm_order : non-zero int, inf or -inf, default=1
        Norm over the rows of a 2-D ``coef_`` (multi-class linear models)
        that gives one importance per feature.

    max_features : int, callable or None, default=None
        Keep at most this many features, the most important ones. A callable
        gets ``X`` and returns the number (``max_features_``).

    importance_getter : str or callable, default="auto"
        ``"auto"``: ``coef_`` if the fitted model has one, else
        ``feature_importances_``; an attribute path such as
        ``"named_steps.clf.coef_"``; or a callable of the fitted model.

    alpha : float, "auto" or None, default="auto"
        Eigenvalue penalty strength of the model. A number replaces the
        estimator's ``alpha``; it is the parameter to tune in a grid search,
        e.g. ``{"select__alpha": [0.03, 0.1, 0.3]}`` for a pipeline step
        named ``"select"``. ``None`` keeps the estimator's own. ``"auto"``
        (a spectral model, ``prefit=False``): chosen by 5-fold
        cross-validation (``Settings.strength_cv_folds``). The model is
        fitted on each training part at 1, 2, 4, 8 and 16 times its
        ``alpha`` (``Settings.alpha_grid_factors``; the path stops after
        two strengths that lose by more than two standard errors), each
        row is scored once, held out, by its loss (cross-entropy or squared
        error), and among the strengths whose mean loss is within two
        standard errors of the best (``Settings.strength_stability_se``;
        the paired standard error of the per-row difference) the one whose
        5 fold fits agree the most on the kept columns is used (mean
        pairwise Jaccard, ``alpha_path_["agreement"]``; ties go to the
        stronger; ``alpha_path_`` keeps the path) for the fits on all rows.
        The kept set is then a vote, not the choice of one strength: a
        column is kept when ``threshold`` keeps it (or a member of its
        correlated group) in at least ``Settings.strength_band_vote`` (0.3)
        of the fold fits of the weakest strength within the tolerance
        (``Settings.strength_vote_strengths``) and of the fits on all rows
        at it (``band_frequencies_``; stability selection at the weakest
        strength that predicts as well as the best), or when the vote is
        too close to that level to tell (``band_undecided_``,
        ``Settings.strength_vote_z``). One choice of strength followed the
        seed and the fold where the loss is flat over the grid (weak or
        correlated columns); the vote does not depend on it. The fits on
        all rows (``consensus_alphas_``) come in batches of 5 while a
        column is undecided, up to 10. It costs up to 25 fits on 80 % of
        the rows and 10 on all rows, through joblib (``n_jobs``). In
        ``"all-relevant"`` mode there is no search: the shadow rounds climb
        a ladder of strengths instead (see ``mode``). With ``prefit=True``, or for a
        model that is not one of this library's (whose ``alpha``, if it has
        one, means something else), ``"auto"`` is ``None``.

    random_state : int, RandomState instance or None, default=None
        When not None, replaces the estimator's ``random_state``; it also
        seeds the half-samples and the models of the refits. ``None`` draws
        fresh seeds (the global numpy RNG is not used).

    mode : {"minimal", "all-relevant"}, default="minimal"
        Which question the selection answers. ``"minimal"``: which columns
        does the model need? The L1 penalty keeps a smallest set: of
        redundant columns (copies, linear combinations) about one per
        direction. ``"all-relevant"``: which columns carry information about
        the target, redundant copies included, and no noise? A test in the
        spirit of Boruta on the eigenvalue relevance. Each of ``n_repeats``
        rounds splits the columns at random into two halves and fits the
        model on each half beside a shadow copy of every column (its rows
        permuted, so it keeps the column's distribution and loses its link
        to ``y``); without half of the others, a column that copies or
        combines them must carry their information itself. With
        ``alpha="auto"`` and a spectral model the rounds cycle through a
        ladder of strengths, 1, 2, 4, 8 and 16 times the model's ``alpha``
        (0.03-0.48 for the default model; ``round_alphas_``): a strong L1
        switches weak columns off before they can be tested, a weak one
        leaves the relevance undecided, and which strength separates
        depends on the data. A feature scores a hit in a round when its
        relevance exceeds the 99th percentile of the shadow relevances of
        the fits at the round's strength (``shadow_threshold_``); the
        chance that a column unrelated to ``y`` does so is read off the same
        shadows (``null_rates_``: about 0.01, less where the L1 switched
        nearly every shadow off). As in Boruta, the rounds run in batches
        (one per rung of the ladder) and every column is decided as soon
        as its evidence is clear: **confirmed** when its hits so far are
        significant at family-wise level 0.05 (Bonferroni over the
        features, ``pvalues_``; the shadows keep one permutation over all
        rounds, ``Settings.all_relevant_fixed_shadows``, so that the spread
        of their hit counts measures how much a fixed column's hits at one
        strength come in runs rather than as independent draws,
        ``hit_dispersion_``), **rejected** when a
        column that beats its
        shadows in 30 % of the rounds (``Settings.all_relevant_reject_rate``)
        would score more hits at the same level. Rejected columns leave the
        later fits; the rounds stop when every column is decided or at
        ``Settings.all_relevant_repeats`` (40) rounds. The confirmed
        features are kept; the ones still undecided then are tentative
        (``tentative_``, BorutaPy's ``support_weak_``) and not kept.
        Correlated columns (``group_correlated``) are tested as one group.
        For a regression on numeric data a least-squares check follows: a
        column (or group) the test did not confirm is kept when adding it
        to a linear fit on the confirmed columns is significant (partial
        F-test, family-wise level 0.05; ``linear_readmitted_``): a
        conditional linear effect (diabetes' sex) rarely beats its shadows
        in a network fitted on a few hundred rows. The
        default model's shadow fits stop after
        ``Settings.all_relevant_max_iter`` (40) epochs.
        ``estimator_`` (with
        ``threshold`` and ``feature_importances_``) is the fit on all data
        at the rung where the kept columns beat their shadows most often
        (``alpha_``).

    n_repeats : int or "auto", default="auto"
        Number of refits. ``"minimal"`` mode: refits on random half-samples
        of the rows (without replacement, stratified by class for
        classifiers), each with its own model seed, after the fit on all
        data; they give ``importances_std_`` and ``selection_frequencies_``;
        ``"auto"`` or 0 fits once. ``"all-relevant"`` mode: the rounds of
        two fits with shadow columns; ``"auto"``: sequential, until every
        column is decided or ``Settings.all_relevant_repeats`` rounds
        (see ``mode``); an integer: that many rounds on every column (at
        least 5 let every rung of the strength ladder run), the columns
        decided at the end by the same two tests.

    stability_threshold : float in (0, 1] or None, default=None
        ``"all-relevant"`` mode: keep the features whose hits make at
        least this fraction of the rounds (``selection_frequencies_``)
        instead of those the binomial test keeps (``None``). ``"minimal"``
        mode, with
        ``n_repeats >= 1``: keep the features selected (by
        ``threshold``) in at least this fraction of the refits, instead of
        the features selected by the fit on all data. This is stability
        selection (Meinshausen and Buhlmann, 2010), who recommend values in
        0.6-0.9 and bound the expected number of falsely selected features
        by ``q**2 / ((2 * stability_threshold - 1) * n_features)`` for
        ``stability_threshold > 0.5``, where ``q`` is the mean number of
        features selected per refit. ``None`` uses the fit on all data.

    group_correlated : float in (0, 1] or None, default=0.7
        A spectral model, either mode: columns whose pairwise
        rank (Spearman) correlation is at least this, in absolute value, on
        the training rows are decided together: when the selection keeps
        one of them it keeps the whole group (``correlated_groups_`` lists
        the groups). Among such near-duplicates (breast cancer's radius,
        perimeter and area) a minimal set is not unique, and which member
        one fit's L1 keeps follows the seed and the fold rather than the
        data; keeping the group makes the answer a function of the data,
        and drop all but one member yourself if you need the smallest set.
        ``None`` decides every column alone. Only numeric dense data are
        grouped (a column with missing cells is its own group), and at
        most 1000 columns. Measured with ``benchmarks/
        bench_stability_selection.py --quick --fold-states 3`` (3 random
        states on each of 5 CV folds; each fold's mean Jaccard to the other
        folds, paired), 0.9 -> 0.7: diabetes 0.78 -> 0.94 (+0.162 +- 0.015;
        its s1/s2 and s3/s4 are decided together, 8-10 of 10 columns kept),
        digits 0.91 -> 0.94 (+0.033 +- 0.006), breast_cancer 0.84 -> 0.84
        (+0.006 +- 0.009), wine 0.99 -> 0.99 (the same sets); the headline
        problem has no such groups. Replayed on stored fits
        (``benchmarks/bench_consensus_rules.py --s11``): 0.8 loses on
        breast_cancer (-0.016 +- 0.008), 0.6 groups wine's columns 0 and 9
        for no gain. ``"all-relevant"`` mode (with a model that has no
        ``feature_groups`` of its own): a group's columns are permuted
        together in the shadows, share one input eigenvalue in the rounds'
        fits and are confirmed or rejected together, each group held to the
        shadows of groups of its size; measured in
        ``benchmarks/results/all_relevant_stability.md`` (3 random states x
        5 folds): breast_cancer keeps 29-30 of its 30 columns in 8 groups
        and 9 single columns, fold Jaccard 0.89 -> 0.98 (BorutaPy 0.94).

    n_jobs : int or None, default=None
        The fits of the strength search, the consensus fits and the refits
        run in parallel through joblib; ``None`` means 1 unless in a
        :obj:`joblib.parallel_backend` context, -1 uses all processors.
        With ``None`` or 1 and the library's own spectral model on a dense
        numeric array, the all-relevant rounds' fits (and, for a
        classifier, the strength search's fold fits of a strength and the
        consensus fits) train as members of one step instead (several networks with a
        leading member dimension, each by its own rules:
        ``Settings.member_fits_max``), 1.2-2.2x less CPU per network on
        178-1797 rows (``benchmarks/results/members.md``).

    settings : Settings or None, default=None
        The library's tuned constants (:class:`~sklearn_spectral.Settings`;
        None means :data:`~sklearn_spectral.DEFAULT_SETTINGS`): the
        strength grid, the all-relevant test and the automatic threshold
        read it, and the default model (``estimator=None``) gets it.

    Attributes
    ----------
    estimator_ : estimator
        The model fitted on all data (a deep copy of ``estimator`` with
        ``prefit=True``).

    task_ : {"classification", "regression"} or None
        What the model does: decided from ``y`` when ``estimator=None``,
        else read from the estimator (None when it is neither a classifier
        nor a regressor).

    feature_importances_ : ndarray of shape (n_features_in_,)
        The importances the selection reads: in ``"minimal"`` mode with a
        spectral model, the mean relevance of the fits that vote
        (``band_frequencies_``: the band's fold fits and the consensus
        fits), so that a column the vote keeps reads above 0 (unless only
        a member of its correlated group, or an undecided column no fit
        kept, was kept), or the mean of
        ``consensus_importances_`` where there is no vote;
        otherwise those of ``estimator_`` (read by ``importance_getter``;
        the norm over rows of a 2-D ``coef_``). With a spectral model and
        ``importance_getter="auto"`` the relevance read is the first-layer
        one, ``|lam_j| ||phi[:, j]||`` normalised (its measurements were
        made with it), not the input-gradient reading of the model's own
        ``feature_importances_`` (``Settings.importance_gradient_rows``):
        the two agree on which features are 0 and differ in the sizes of
        the others.

    consensus_importances_ : ndarray of shape (n_fits, n_features_in_)
        ``"minimal"`` mode with a spectral model: the importances of fits
        on all rows, each with its own seed. Which inputs one fit's L1
        switches off depends on its seed; their vote or mean does not: the
        selected set becomes a function of the data
        (``benchmarks/bench_stability_selection.py``). When the strength
        band votes (``band_frequencies_``): fits at the band's strengths
        (its weakest one, ``Settings.strength_vote_strengths``), as many at
        each, ``estimator_`` (first row) among them when
        ``alpha_`` is one of them, added in batches of
        ``Settings.consensus_fits`` while the Wilson interval of some
        column's band frequency (``Settings.consensus_decide_z``) contains
        ``Settings.strength_band_vote``, up to
        ``Settings.consensus_max_fits``. Otherwise ``estimator_`` and
        ``Settings.consensus_fits - 1`` more fits at ``alpha_``. Dropped by
        ``partial_fit``.

    consensus_alphas_ : ndarray of shape (n_fits,)
        The strength of each row of ``consensus_importances_``. Dropped by
        ``partial_fit``.

    band_frequencies_ : ndarray of shape (n_features_in_,)
        ``"minimal"`` mode with ``alpha="auto"`` and a spectral model: the
        fraction of the fits of the strength band (the fold fits of the
        weakest candidate strength, ``alpha_path_["in_band"]``, or with
        ``Settings.strength_vote_strengths=0`` of every candidate no
        stronger than the best one, and the consensus fits) that keep each
        feature or a member of its correlated group;
        the features with at least ``Settings.strength_band_vote`` are
        selected, and those of ``band_undecided_`` (0:
        ``feature_importances_ >= threshold_`` instead, and no such
        attribute). Follows ``threshold`` if it is changed after ``fit``.
        Dropped by ``partial_fit``.

    band_undecided_ : ndarray of shape (n_features_in_,) of bool
        Same conditions as ``band_frequencies_``: the features whose band
        frequency's Wilson score interval at ``Settings.strength_vote_z``
        contains ``Settings.strength_band_vote``. Kept: another seed or CV
        fold could put them on either side of the level (weakly relevant
        or redundant columns, like BorutaPy's tentative ones).

    correlated_groups_ : list of ndarray
        A spectral model (in ``"all-relevant"`` mode one without
        ``feature_groups`` of its own): the groups of two or more columns
        decided together (``group_correlated``), as column indices; empty
        when there are none (absent in ``"all-relevant"`` mode with
        ``group_correlated=None``). Dropped by ``partial_fit``.

    threshold_ : float
        The numeric threshold that ``threshold`` gives on
        ``feature_importances_``.

    alpha_ : float or None
        The penalty strength of ``estimator_`` (None when the model has no
        ``alpha``); chosen by validation with ``alpha="auto"`` (in
        ``"all-relevant"`` mode: the rung of the strength ladder where the
        kept columns beat their shadows most often). Not set with
        ``prefit=True``.

    alpha_path_ : dict of ndarray or None
        With ``alpha="auto"``: ``"alpha"``, ``"validation_loss"`` (mean
        per-row loss, each row held out once), ``"standard_error"`` (of its
        paired difference to the best), ``"n_kept"`` (mean over the
        folds), ``"agreement"`` (mean pairwise Jaccard of the fold fits'
        kept sets), ``"importances"`` (``feature_importances_``, mean over
        the folds; shape ``(n_alphas, n_features_in_)``),
        ``"fold_importances"`` (each fold fit's; shape ``(n_alphas,
        n_folds, n_features_in_)``) and ``"in_band"`` (a candidate strength:
        within the tolerance of the best) of each strength tried; None
        otherwise (and in ``"all-relevant"`` mode, which does not search).

    max_features_ : int
        The maximum number of features (``max_features`` or its callable's
        value); only when ``max_features`` is not None.

    importances_ : ndarray of shape (n_repeats, n_features_in_)
        Importances of each refit; only with ``n_repeats >= 1``. In
        ``"all-relevant"`` mode, each column's relevance in the fit of its
        half, per round (as many rows as rounds ran; NaN for a column no
        longer fitted once rejected).

    importances_std_ : ndarray of shape (n_features_in_,)
        Standard deviation of the importances over the refits: the
        uncertainty of ``feature_importances_``; only with
        ``n_repeats >= 1``.

    selection_frequencies_ : ndarray of shape (n_features_in_,)
        Fraction of the refits in which each feature clears ``threshold``
        (in [0, 1]; follows ``threshold`` if it is changed after ``fit``), or
        in ``"all-relevant"`` mode scores a hit (exceeds
        ``shadow_threshold_``); only with refits.

    shadow_importances_ : ndarray of shape (n_fits, n_features_in_)
        ``"all-relevant"`` mode: the relevance of every shadow column in
        each fit (two fits per round, in the fits' scale: the relevances of
        a fit's real and shadow columns sum to 1).

    shadow_threshold_ : ndarray of shape (n_repeats,) or (n_repeats, n_features_in_)
        ``"all-relevant"`` mode: the bar of a hit in each round, the 99th
        percentile of ``shadow_importances_`` of the fits at the round's
        strength. With grouped columns (``correlated_groups_`` or the
        model's ``feature_groups``) one bar per round and feature: the
        percentile of the shadows of groups of the feature's group size.

    null_rates_ : ndarray of the shape of ``shadow_threshold_``
        ``"all-relevant"`` mode: the chance of a hit in each round for a
        column unrelated to ``y``: the fraction of the shadows at the
        round's strength (and group size) above its bar, counting one more.

    round_alphas_ : ndarray of shape (n_repeats,) or None
        ``"all-relevant"`` mode: the penalty strength of each round's fits
        (None for a model without ``alpha``).

    tentative_ : ndarray of shape (n_features_in_,) of bool
        ``"all-relevant"`` mode: the features neither confirmed nor rejected
        when the rounds ended (BorutaPy's ``support_weak_``): their hits are
        more than a column unrelated to ``y`` scores by chance, at a level
        the test does not reach, and fewer than a clearly relevant column's.
        Not kept by ``get_support`` (unless ``linear_readmitted_``); a
        weakly relevant column or a redundant copy, to look at rather than
        to trust.

    linear_readmitted_ : ndarray of shape (n_features_in_,) of bool
        ``"all-relevant"`` mode, regression on numeric data without missing
        cells: the features the shadow test did not confirm that a
        least-squares fit on the confirmed ones misses (a partial F-test per
        feature or correlated group at family-wise level
        ``Settings.all_relevant_linear_level``, 0.05, Bonferroni over the
        features); kept by ``get_support``. All False otherwise.

    pvalues_ : ndarray of shape (n_features_in_,)
        ``"all-relevant"`` mode: the chance that a column unrelated to
        ``y`` scores at least as many hits at the rounds' ``null_rates_``,
        its chance of a hit at each strength scaled by a factor of its own
        whose variance is ``hit_dispersion_`` (0: rounds independent)
        (uncorrected; a feature is kept when it is at most ``0.05 /
        n_features_in_``).

    hit_dispersion_ : ndarray of shape (n_levels,)
        ``"all-relevant"`` mode: the dispersion of each strength's null (the
        variance of a null column's own chance of a hit, relative to the
        shadows' rate; indexed by the strength's rung): measured from the
        shadows held over the rounds (``Settings.all_relevant_fixed_shadows``)
        and at least ``Settings.all_relevant_hit_dispersion``.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit; only when ``X`` has string
        column names.

    See Also
    --------
    SpectralMLPClassifier : The model fitted by default for class labels.
    SpectralMLPRegressor : The model fitted by default for a quantity.
    sklearn.feature_selection.SelectFromModel : The parent class: selection
        from any model's importances.

    Notes
    -----
    Relevance is comparable across features only on a common scale:
    standardise the columns (or let the model do it) before reading it.

    References
    ----------
    N. Meinshausen and P. Buhlmann, "Stability selection", Journal of the
    Royal Statistical Society B 72(4), 417-473 (2010).

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn_spectral import SpectralFeatureSelector
    >>> X, y = make_classification(n_samples=1000, n_features=12, n_informative=3,
    ...                            n_redundant=0, shuffle=False, random_state=0)
    >>> selector = SpectralFeatureSelector(random_state=0).fit(X, y)
    >>> selector.task_
    'classification'
    >>> selector.get_support(indices=True)
    array([0, 1, 2])
    >>> selector.transform(X).shape
    (1000, 3)

    Any model with ``coef_`` or ``feature_importances_`` works, and the
    ``threshold`` can be changed after ``fit``:

    >>> from sklearn.linear_model import LogisticRegression
    >>> linear = SpectralFeatureSelector(LogisticRegression(), threshold=-float("inf"),
    ...                                  max_features=2).fit(X, y)
    >>> linear.get_support(indices=True)
    array([0, 1])
    """

    _parameter_constraints: dict = {
        **SelectFromModel._parameter_constraints,
        "estimator": [HasMethods(["fit"]), None],
        "alpha": [Interval(Real, 0, None, closed="left"), StrOptions({"auto"}), None],
        "random_state": ["random_state"],
        "mode": [StrOptions({"minimal", "all-relevant"})],
        "n_repeats": [Interval(Integral, 0, None, closed="left"), StrOptions({"auto"})],
        "stability_threshold": [Interval(Real, 0, 1, closed="right"), None],
        "group_correlated": [Interval(Real, 0, 1, closed="right"), None],
        "n_jobs": [Integral, None],
        "settings": [Settings, None],
    }

    def __init__(
        self,
        estimator=None,
        *,
        threshold="auto",
        prefit=False,
        norm_order=1,
        max_features=None,
        importance_getter="auto",
        alpha="auto",
        random_state=None,
        mode="minimal",
        n_repeats="auto",
        stability_threshold=None,
        group_correlated=0.7,
        n_jobs=None,
        settings=None,
    ):
        super().__init__(
            estimator,
            threshold=threshold,
            prefit=prefit,
            norm_order=norm_order,
            max_features=max_features,
            importance_getter=importance_getter,
        )
        self.alpha = alpha
        self.random_state = random_state
        self.mode = mode
        self.n_repeats = n_repeats
        self.stability_threshold = stability_threshold
        self.group_correlated = group_correlated
        self.n_jobs = n_jobs
        self.settings = settings

    def _settings(self):
        """The :class:`~sklearn_spectral._defaults.Settings` in force."""
        return resolve_settings(self.settings)

    # ------------------------------------------------------------------ #
    # the model
    # ------------------------------------------------------------------ #
    def _decide_task(self, y):
        """``task_`` and the unfitted default model for ``y``."""
        if y is None:
            raise ValueError(
                f"{type(self).__name__} with estimator=None requires y to be "
                "passed, but the target y is None."
            )
        decision = infer_task(y, settings=self.settings)
        if decision.task == "classification":
            return decision.task, SpectralMLPClassifier(settings=self.settings)
        return decision.task, SpectralMLPRegressor(settings=self.settings)

    def _make_estimator(self, y):
        """Unfitted model: a clone of ``estimator`` or the default for ``y``."""
        if self.estimator is not None:
            estimator = clone(self.estimator)
        else:
            _, estimator = self._decide_task(y)
        overrides = {}
        if self.alpha not in (None, "auto"):
            overrides["alpha"] = self.alpha
        elif self.estimator is None and self.mode == "all-relevant":
            overrides["alpha"] = self._settings().all_relevant_alpha
        if self.random_state is not None:
            overrides["random_state"] = self.random_state
        if overrides:
            params = estimator.get_params(deep=False)
            unknown = sorted(set(overrides) - set(params))
            if unknown:
                raise ValueError(
                    f"{type(self).__name__}: {' and '.join(unknown)} set, but "
                    f"{type(estimator).__name__} has no such parameter; leave "
                    "it None or set it on the estimator."
                )
            estimator.set_params(**overrides)
        return estimator

    @staticmethod
    def _task_of(estimator):
        if is_classifier(estimator):
            return "classification"
        if is_regressor(estimator):
            return "regression"
        return None

    def _importances_of(self, estimator):
        """One non-negative importance per feature of a fitted model."""
        if self.importance_getter == "auto" and not (
            hasattr(estimator, "coef_") or hasattr(estimator, "feature_importances_")
        ):
            raise ValueError(
                f"The fitted {type(estimator).__name__} has neither coef_ nor "
                f"feature_importances_, so {type(self).__name__} cannot rank "
                "the features: use a model that has one, or pass "
                "importance_getter (an attribute path such as "
                "'named_steps.clf.coef_', or a callable)."
            )
        try:
            return importances(estimator, self.importance_getter, self.norm_order)
        except AttributeError as exc:
            raise ValueError(
                f"importance_getter={self.importance_getter!r} cannot read the "
                f"fitted {type(estimator).__name__}: {exc}"
            ) from None

    def _n_repeats(self):
        if self.n_repeats != "auto":
            return int(self.n_repeats)
        if self.mode == "all-relevant":
            return self._settings().all_relevant_repeats
        return 0

    def _check_fit_data(self, X, y, template, fit_params):
        """Clear errors for data the selector cannot fit, before any fit."""
        n_samples = _num_samples(X)
        if n_samples < 2:
            raise ValueError(
                f"{type(self).__name__}.fit needs at least 2 samples to rank "
                f"features, got X with {n_samples} sample(s)."
            )
        if y is not None and _num_samples(y) != n_samples:
            raise ValueError(
                f"X and y have different numbers of samples: {n_samples} and "
                f"{_num_samples(y)}."
            )
        if is_classifier(template):
            # "Unknown label type" (scikit-learn's message) before the
            # folds of the strength search split y
            if np.asarray(y).ndim == 1:  # mixed label types: a clear error
                _unique_labels(y, "y")
            with np.errstate(invalid="ignore", over="ignore"):  # huge floats
                check_classification_targets(y)
        weight = fit_params.get("sample_weight")
        if weight is not None and not _routing_enabled():
            # the errors of the model, raised before the strength search
            # subsamples them
            weight = _check_sample_weight(
                weight, X, dtype=np.float64, ensure_non_negative=True
            )
            with np.errstate(over="ignore"):  # 1e308 weights: inf, still > 0
                total = weight.sum()
            if not total > 0:
                raise ValueError(
                    "sample_weight must have a positive sum: the selector "
                    "cannot fit on rows that all have weight 0."
                )
        if isinstance(template, BaseSpectralMLP):
            # an invalid hyperparameter of the model (e.g. alpha=None) is
            # reported by the model, before the strength search reads it
            template._validate_params()

    def _check_before_fit(self):
        """Errors that are known before anything is fitted."""
        if isinstance(self.threshold, str):
            resolve_threshold(self.threshold, np.ones(1), self.estimator, self.settings)
        if (
            not self.prefit
            and self.importance_getter == "auto"
            and documented_without_importances(self.estimator)
        ):
            name = type(self.estimator).__name__
            raise ValueError(
                f"{name} has neither coef_ nor feature_importances_ after fit "
                f"(its documented attributes), so {type(self).__name__} could "
                "not rank the features: use a model that has one, or pass "
                "importance_getter (an attribute path or a callable)."
            )
        if self._n_repeats() < 1 and (
            self.stability_threshold is not None or self.mode == "all-relevant"
        ):
            raise ValueError(
                "stability_threshold and mode='all-relevant' need refits: set "
                f"n_repeats >= 1 (got n_repeats={self.n_repeats!r})."
            )
        if self.prefit and self.estimator is None:
            raise ValueError("prefit=True needs a fitted estimator; estimator is None.")
        if self.prefit and self._n_repeats():
            raise ValueError(
                "prefit=True does not fit, but n_repeats asks for refits: set "
                "prefit=False or n_repeats=0."
            )

    def _check_prefit(self):
        try:
            check_is_fitted(self.estimator)
        except NotFittedError as exc:
            raise NotFittedError(
                "When `prefit=True`, `estimator` is expected to be a fitted estimator."
            ) from exc

    def _routed_params(self, method, params):
        if _routing_enabled():
            routed = process_routing(self, method, **params)
            return dict(getattr(routed.estimator, method))
        return params

    def _set_feature_names(self, X, *, reset):
        if hasattr(self.estimator_, "feature_names_in_"):
            self.feature_names_in_ = self.estimator_.feature_names_in_
        else:
            _check_feature_names(self, X, reset=reset)

    # ------------------------------------------------------------------ #
    # fitting
    # ------------------------------------------------------------------ #
    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None, **fit_params):
        """Fit the model and, with ``n_repeats``, the refits on half-samples.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data; standardise it first so that relevance is
            comparable across features.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Target values (class labels or a quantity).
        **fit_params : dict
            Passed to the model's ``fit`` (e.g. ``sample_weight``), or routed
            to it when metadata routing is enabled. Sample-aligned ones are
            subsampled with the rows in the refits. Ignored with
            ``prefit=True``.

        Returns
        -------
        self : SpectralFeatureSelector
            The fitted selector.
        """
        self._check_before_fit()
        for name in (
            "importances_",
            "importances_std_",
            "shadow_importances_",
            "shadow_threshold_",
            "pvalues_",
            "null_rates_",
            "hit_dispersion_",
            "round_alphas_",
            "_round_levels",
            "_fit_rounds",
            "_held_shadows",
            "_decision",
            "tentative_",
            "linear_readmitted_",
            "max_features_",
            "consensus_importances_",
            "consensus_alphas_",
            "correlated_groups_",
        ):
            self.__dict__.pop(name, None)
        self._check_max_features(X)
        if self.prefit:
            self._check_prefit()
            self.estimator_ = deepcopy(self.estimator)
            self.task_ = self._task_of(self.estimator_)
            self._set_feature_names(X, reset=True)
            self._importances_of(self.estimator_)
            return self

        if self.estimator is None:
            self.task_, _ = self._decide_task(y)
        template = self._make_estimator(y)
        if self.estimator is not None:
            self.task_ = self._task_of(template)
        self._check_fit_data(X, y, template, fit_params)
        if self.task_ == "classification" and y is not None:
            y_array = np.asarray(y)
            if y_array.ndim == 2 and y_array.shape[1] == 1:
                y = y_array.ravel()
        params = self._routed_params("fit", fit_params)
        settings = self._settings()
        self.alpha_path_ = None
        seeds = self._seed_stream(template)
        ladder = self._all_relevant_ladder(template, y)
        if ladder is not None:
            # the shadow rounds at a ladder of strengths replace the
            # strength search; the fit on all data then takes the strength
            # at which the kept columns beat their shadows most often
            self._shadow_test(template, X, y, params, ladder)
            template.set_params(alpha=self._ladder_strength(ladder))
        elif self._searches_alpha(template, y):
            alpha, self.alpha_path_ = cv_one_se_alpha(
                template,
                X,
                y,
                kept=self._kept_mask,
                factors=settings.alpha_grid_factors,
                n_folds=settings.strength_cv_folds,
                stability_se=settings.strength_stability_se,
                stop_after=settings.strength_stop_after,
                sample_weight=params.get("sample_weight"),
                random_state=int(seeds.randint(np.iinfo(np.int32).max)),
                n_jobs=self.n_jobs,
            )
            template.set_params(alpha=alpha)
        self.alpha_ = template.get_params().get("alpha")
        # as SelectFromModel: the fitted clone, whatever its fit returns
        self.estimator_ = clone(template)
        self.estimator_.fit(X, y, **params)
        self._set_feature_names(X, reset=True)
        # an unusable importance fails here, before any refit
        first = self._importances_of(self.estimator_)
        if self.mode == "minimal" and isinstance(template, BaseSpectralMLP):
            self.correlated_groups_ = (
                []
                if self.group_correlated is None
                else correlated_groups(X, self.group_correlated)
            )
        if self._uses_consensus(template):
            self._consensus(template, X, y, params, first, seeds)
        if self.mode == "all-relevant":
            if ladder is None:
                self._shadow_test(template, X, y, params, None)
        elif self._n_repeats():
            n_repeats = self._n_repeats()
            self.importances_ = refit_importances(
                template,
                X,
                y,
                params,
                self._seeds(2 * n_repeats).reshape(n_repeats, 2),
                classification=self.task_ == "classification",
                getter=self.importance_getter,
                norm_order=self.norm_order,
                n_jobs=self.n_jobs,
            )
            self.importances_std_ = self.importances_.std(axis=0)
        return self

    def _consensus(self, template, X, y, params, first, seeds):
        """The fits on all rows (``consensus_importances_``,
        ``consensus_alphas_``).

        Without a strength band (``alpha`` given, or ``strength_band_vote``
        0): ``estimator_`` and ``Settings.consensus_fits - 1`` more fits at
        ``alpha_``. With one: fits at the band's strengths, each new fit at
        the strength with the fewest so far (the weakest first), so that
        every strength of the band weighs the same in the vote;
        ``estimator_`` is one of them when ``alpha_`` is in the band. They
        come in batches of ``Settings.consensus_fits`` (through joblib)
        while some column's vote is undecided: the Wilson interval of its
        band frequency at ``Settings.consensus_decide_z`` contains
        ``Settings.strength_band_vote``; at most
        ``Settings.consensus_max_fits`` fits.
        """
        settings = self._settings()

        def fit_batch(alphas):
            pairs = [
                (None, seed)
                for seed in seeds.randint(np.iinfo(np.int32).max, size=len(alphas))
            ]
            return refit_importances(
                template,
                X,
                y,
                params,
                pairs,
                classification=self.task_ == "classification",
                getter=self.importance_getter,
                norm_order=self.norm_order,
                n_jobs=self.n_jobs,
                alphas=alphas,
            )

        strengths = self._band_alphas()
        if strengths is None:
            more = [self.alpha_] * (settings.consensus_fits - 1)
            self.consensus_importances_ = np.vstack([first, fit_batch(more)])
            self.consensus_alphas_ = np.full(settings.consensus_fits, self.alpha_)
            return
        in_band = np.isclose(strengths, self.alpha_, rtol=1e-12, atol=0.0)
        rows = [first] if in_band.any() else []
        row_alphas = [float(self.alpha_)] if in_band.any() else []
        cap = max(settings.consensus_fits, settings.consensus_max_fits)
        target = settings.consensus_fits
        while True:
            counts = [int(np.isclose(row_alphas, a).sum()) for a in strengths]
            batch = []
            for _ in range(target - len(rows)):
                k = int(np.argmin(counts))  # ties: the weakest strength
                batch.append(float(strengths[k]))
                counts[k] += 1
            if batch:
                rows.extend(fit_batch(batch))
                row_alphas.extend(batch)
            self.consensus_importances_ = np.vstack(rows)
            self.consensus_alphas_ = np.asarray(row_alphas, dtype=float)
            if len(rows) >= cap or self._vote_decided():
                return
            target = min(len(rows) + settings.consensus_fits, cap)

    def _band_alphas(self):
        """The strengths whose fold fits vote (:meth:`_band_strengths`), or
        None when the selection is not a vote of the strength band."""
        path = getattr(self, "alpha_path_", None)
        if (
            self._settings().strength_band_vote > 0
            and isinstance(path, dict)
            and "fold_importances" in path
            and bool(np.any(path["in_band"]))
        ):
            return np.asarray(path["alpha"], dtype=float)[self._band_strengths()]
        return None

    def _wilson(self, z):
        """Lower and upper ends of the Wilson score interval at ``z`` of
        each column's band frequency (over ``len(_band_fits())`` fits)."""
        frequency = self.band_frequencies_  # its AttributeError first
        n = len(self._band_fits())
        centre = (frequency + z**2 / (2 * n)) / (1 + z**2 / n)
        half = (
            z
            * np.sqrt(frequency * (1 - frequency) / n + z**2 / (4 * n**2))
            / (1 + z**2 / n)
        )
        return centre - half, centre + half

    def _vote_decided(self):
        """Whether every column's band frequency is clearly on one side of
        ``Settings.strength_band_vote``: its Wilson score interval at
        ``Settings.consensus_decide_z`` does not contain the vote level."""
        settings = self._settings()
        low, high = self._wilson(settings.consensus_decide_z)
        vote = settings.strength_band_vote
        return not np.any((low < vote) & (high >= vote))

    @property
    def band_undecided_(self):
        """Features the strength band's vote could not decide.

        The Wilson score interval at ``Settings.strength_vote_z`` of their
        ``band_frequencies_`` contains ``Settings.strength_band_vote``: the
        fits keep them about as often as the vote level, and another seed
        or fold can put them on either side. The selection keeps them
        (like BorutaPy's tentative features, a weakly relevant column or a
        near-copy to look at rather than to trust). Same conditions as
        ``band_frequencies_``; all False at ``strength_vote_z=0``.
        """
        settings = self._settings()
        low, high = self._wilson(settings.strength_vote_z)
        vote = settings.strength_band_vote
        return (low < vote - 1e-12) & (high >= vote - 1e-12)

    def _all_relevant_ladder(self, template, y):
        """The strengths of the all-relevant rounds, or None for one strength.

        ``alpha="auto"`` with a spectral model: ``Settings.
        all_relevant_alpha_factors`` times the model's ``alpha`` (0.03-0.48
        for the default model); otherwise the model's own strength.
        """
        if self.mode != "all-relevant" or not self._searches_alpha(template, y):
            return None
        base = template.get_params()["alpha"]
        return [base * factor for factor in self._settings().all_relevant_alpha_factors]

    def _shadow_test(self, template, X, y, params, ladder):
        """The all-relevant rounds and their test (``importances_``,
        ``shadow_importances_``, ``round_alphas_``, ``shadow_threshold_``,
        ``null_rates_``, ``pvalues_``, ``tentative_``).

        ``n_repeats="auto"``: sequential decisions (see
        :func:`~sklearn_spectral._selection._all_relevant.sequential_shadow_test`),
        up to ``Settings.all_relevant_repeats`` rounds; an integer: that
        many rounds on every column, decided at the end by the same tests.
        """
        settings = self._settings()
        labels = self._all_relevant_groups(template, X)
        common = {
            "groups": labels,
            "getter": self.importance_getter,
            "norm_order": self.norm_order,
            "n_jobs": self.n_jobs,
            "alphas": ladder,
            "min_shadows": settings.all_relevant_min_shadows,
            "parts": settings.all_relevant_parts,
            # the default model's rounds: fewer epochs than its fit on all
            # data (``Settings.all_relevant_max_iter``)
            "max_iter": settings.all_relevant_max_iter
            if self.estimator is None
            else None,
        }
        fit_rounds = None
        try:
            if self.n_repeats == "auto":
                run = sequential_shadow_test(
                    template,
                    X,
                    y,
                    params,
                    self._seeds(settings.all_relevant_repeats),
                    quantile=settings.all_relevant_quantile,
                    level=settings.all_relevant_level,
                    reject_rate=settings.all_relevant_reject_rate,
                    batch=len(settings.all_relevant_alpha_factors),
                    dispersion=settings.all_relevant_hit_dispersion,
                    fixed_fraction=settings.all_relevant_fixed_shadows,
                    **common,
                )
                self.importances_ = run["importances"]
                self.shadow_importances_ = run["shadows"]
                levels, pools = run["levels"], run["pools"]
                fit_rounds = run["fit_rounds"]
                decision = run["decision"]
                held = run["fixed"]
            else:
                seeds = self._seeds(self._n_repeats())
                fixed = None
                if settings.all_relevant_fixed_shadows > 0:
                    fixed = (fixed_seed_of(seeds), settings.all_relevant_fixed_shadows)
                self.importances_, self.shadow_importances_, levels = shadow_refits(
                    template, X, y, params, seeds, fixed=fixed, **common
                )
                pools, decision = levels, None
                held = None
                if fixed is not None:
                    held = fixed_shadow_mask(
                        *fixed,
                        self.shadow_importances_.shape[1],
                        self.importances_.shape[1],
                        labels if labels is not None else column_groups_of(template, X),
                    )
        except AttributeError as exc:  # as _importances_of, before any fit
            raise ValueError(
                f"importance_getter={self.importance_getter!r} cannot read the "
                f"fitted {type(template).__name__}: {exc}"
            ) from None
        self._round_levels = levels
        # the round of each shadow fit and the held shadows (None: none),
        # for probes of the null (benchmarks/all_relevant_fixed_noise_probe.py)
        self._fit_rounds = fit_rounds
        self._held_shadows = held
        if ladder is None:
            alpha = template.get_params().get("alpha")
            self.round_alphas_ = None if alpha is None else np.full(levels.size, alpha)
        else:
            self.round_alphas_ = np.asarray(ladder, dtype=float)[levels]
        self.importances_std_ = np.nanstd(self.importances_, axis=0)
        groups = labels if labels is not None else column_groups_of(template, X)
        (
            self.shadow_threshold_,
            self.null_rates_,
            self.pvalues_,
            self.hit_dispersion_,
        ) = hit_test(
            self.importances_,
            self.shadow_importances_,
            settings.all_relevant_quantile,
            pools,
            fit_rounds,
            None if groups is None else np.bincount(groups)[groups],
            settings.all_relevant_hit_dispersion,
            fixed=held,
            return_dispersion=True,
        )
        if decision is None:  # a fixed number of rounds: decided at the end
            limit = settings.all_relevant_level / self.importances_.shape[1]
            tested = np.isfinite(self.importances_)
            hits = np.sum(
                self.importances_ > round_bars(self.shadow_threshold_), axis=0
            )
            decision = np.where(self.pvalues_ <= limit, 1, 0)
            rejected = binomial_cdf(
                hits, tested.sum(axis=0), settings.all_relevant_reject_rate
            )
            decision[(decision == 0) & (rejected <= limit)] = -1
        self._decision = decision
        self.tentative_ = decision == 0
        # a regression only: on classes, a linear probability model per
        # class found nothing more (breast_cancer, wine, the headline
        # problem; Settings.all_relevant_linear_level)
        self.linear_readmitted_ = np.zeros_like(self.tentative_)
        if self.task_ == "regression":
            self.linear_readmitted_ = linear_readmission(
                X,
                y,
                decision == 1,
                settings.all_relevant_linear_level,
                groups=labels,
                sample_weight=params.get("sample_weight"),
            )

    def _all_relevant_groups(self, template, X):
        """The group of every column in the all-relevant rounds, or None.

        A spectral model without ``feature_groups`` of its own and
        ``group_correlated`` set: the columns whose pairwise |Spearman|
        correlation is at least ``group_correlated`` (``correlated_groups_``)
        are permuted together in the shadows, share one input eigenvalue in
        the rounds' fits and are decided together (one test per group, on
        the group's relevance). Alone, each of two near-copies is redundant
        given the other and rarely beats its shadows; together they carry
        the signal they share. None otherwise: each column alone, or the
        model's own groups.
        """
        if (
            self.group_correlated is None
            or not isinstance(template, BaseSpectralMLP)
            or template.get_params(deep=False).get("feature_groups") is not None
        ):
            return None
        self.correlated_groups_ = correlated_groups(X, self.group_correlated)
        if not self.correlated_groups_:
            return None
        labels = np.arange(np.asarray(X).shape[1])
        for group in self.correlated_groups_:
            labels[group] = group[0]
        return np.unique(labels, return_inverse=True)[1]

    def _all_relevant_keep(self):
        """The columns the all-relevant test keeps: the confirmed ones (not
        the tentative ones, as BorutaPy's ``support_``)."""
        return (self._decision == 1) | self.linear_readmitted_

    def _ladder_strength(self, ladder):
        """The rung at which the kept columns (all columns when none is
        kept) score the highest mean hit rate; ties go to the stronger."""
        hits = self.importances_ > round_bars(self.shadow_threshold_)
        keep = self._all_relevant_keep()
        columns = keep if keep.any() else np.ones_like(keep)
        tested = np.isfinite(self.importances_)
        rates = [
            hits[at][:, columns].sum() / max(1, tested[at][:, columns].sum())
            if np.any(at := self._round_levels == level)
            else -1.0
            for level in range(len(ladder))
        ]
        best = max(range(len(ladder)), key=lambda level: (rates[level], level))
        return float(ladder[best])

    def _uses_consensus(self, template):
        """Whether the selection reads the mean of several fits on all rows."""
        return (
            self.mode == "minimal"
            and isinstance(template, BaseSpectralMLP)
            and self._settings().consensus_fits > 1
        )

    def _seed_stream(self, template):
        """RandomState of the strength search and consensus seeds: ours,
        else the model's own integer seed, else fresh entropy."""
        seed = self.random_state
        if seed is None:
            own = template.get_params(deep=False).get("random_state")
            if isinstance(own, Integral):
                seed = int(own)
        if seed is None:
            # fresh entropy without touching numpy's global RNG
            seed = int(np.random.default_rng().integers(np.iinfo(np.int32).max))
        return check_random_state(seed)

    def _searches_alpha(self, template, y):
        """Whether ``alpha="auto"`` chooses the strength by validation."""
        return (
            self.alpha == "auto"
            and y is not None
            and isinstance(template, BaseSpectralMLP)
        )

    def _kept_mask(self, model):
        """Mask of the features ``threshold`` keeps on a fitted model."""
        scores = self._importances_of(model)
        threshold = resolve_threshold(self.threshold, scores, model, self.settings)
        return scores >= threshold

    def _seeds(self, n):
        if self.random_state is None:
            # fresh entropy without touching numpy's global RNG
            return np.random.default_rng().integers(np.iinfo(np.int32).max, size=n)
        return check_random_state(self.random_state).randint(
            np.iinfo(np.int32).max, size=n
        )

    def _partial_fit_works(self):
        """``partial_fit`` is there exactly when it can work: one model
        (no refits of ``n_repeats``, not the all-relevant test) that has a
        ``partial_fit`` (the default spectral models do)."""
        if self.mode == "all-relevant" or (
            isinstance(self.n_repeats, Integral) and self.n_repeats > 0
        ):
            return False
        if hasattr(self, "estimator_") or self.estimator is not None:
            return _estimator_has("partial_fit")(self)
        return True

    @available_if(_partial_fit_works)
    @_fit_context(prefer_skip_nested_validation=False)
    def partial_fit(self, X, y=None, **partial_fit_params):
        """Update the model with one more batch of data.

        Only a model with ``partial_fit`` has this method, and only in
        ``"minimal"`` mode without refits (``n_repeats`` 0 or ``"auto"``):
        the refits and the all-relevant test need ``fit``. The selection then
        reads the updated model alone (the consensus of ``fit`` is dropped).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Target values.
        **partial_fit_params : dict
            Passed (or routed) to the model's ``partial_fit``. A classifier's
            first call needs ``classes`` (every class of the problem); when
            it is not given, the classes present in this first ``y`` are
            passed.

        Returns
        -------
        self : SpectralFeatureSelector
            The updated selector.
        """
        self._check_before_fit()
        if self._n_repeats():
            raise ValueError(
                "partial_fit updates one model; the refits of n_repeats and "
                "mode='all-relevant' need fit."
            )
        first_call = not hasattr(self, "estimator_")
        if first_call:
            self._check_max_features(X)
        # the other consensus fits saw none of this batch; the selection
        # reads the updated model alone
        self.__dict__.pop("consensus_importances_", None)
        self.__dict__.pop("consensus_alphas_", None)
        self.__dict__.pop("correlated_groups_", None)
        if self.prefit:
            if first_call:
                self._check_prefit()
                self.estimator_ = deepcopy(self.estimator)
                self.task_ = self._task_of(self.estimator_)
            return self
        if first_call:
            self.estimator_ = self._make_estimator(y)
            self.task_ = self._task_of(self.estimator_)
        params = self._routed_params("partial_fit", partial_fit_params)
        if (
            first_call
            and y is not None
            and is_classifier(self.estimator_)
            and "classes" not in params
            and "classes" in signature(self.estimator_.partial_fit).parameters
        ):
            # a classifier's first partial_fit needs every class; without
            # them the classes of this first batch are the classes
            labels = np.asarray(y)
            try:
                params["classes"] = np.unique(labels)
            except TypeError:
                kinds = sorted({type(v).__name__ for v in labels.ravel().tolist()})
                raise ValueError(
                    f"y mixes labels of types {kinds}, which cannot be sorted; "
                    "use labels of one type (e.g. all str or all int)."
                ) from None
        self.estimator_.partial_fit(X, y, **params)
        self._set_feature_names(X, reset=first_call)
        return self

    def transform(self, X):
        """Reduce ``X`` to the selected features.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The input samples.

        Returns
        -------
        ndarray of shape (n_samples, n_selected_features)
            ``X`` with only the selected features.
        """
        # scikit-learn's finiteness check sums X first; +inf and -inf in one
        # X make numpy warn "invalid value encountered in reduce" before the
        # check raises its own clear error (as the estimators' _validate_X)
        with np.errstate(invalid="ignore", over="ignore"):
            return super().transform(X)

    # ------------------------------------------------------------------ #
    # the selection (read at transform time)
    # ------------------------------------------------------------------ #
    def _model(self):
        """The fitted model, or the prefit estimator before ``fit``."""
        if hasattr(self, "estimator_"):
            return self.estimator_
        if self.prefit and self.estimator is not None:
            self._check_prefit()
            return self.estimator
        check_is_fitted(self, "estimator_")

    def _scores(self, model):
        """The importances the selection reads: the mean over the fits that
        vote when the strength band votes (:meth:`_band_fits`), else the
        mean over the consensus fits when there are some, else the
        model's."""
        if model is getattr(self, "estimator_", None):
            if self._votes_in_band():
                return np.mean(self._band_fits(), axis=0)
            if hasattr(self, "consensus_importances_"):
                return self.consensus_importances_.mean(axis=0)
        return self._importances_of(model)

    @property
    def feature_importances_(self):
        """Importances the selection reads, one per feature.

        The mean relevance of the fits that vote when the strength band
        votes (the fits of ``band_frequencies_``: a column kept by its own
        votes never reads 0), else the mean over ``consensus_importances_`` when
        the selector fitted several models on all rows, else those of
        ``estimator_``.
        """
        if not hasattr(self, "estimator_"):
            raise AttributeError(
                f"{type(self).__name__} is not fitted: no feature_importances_."
            )
        return self._scores(self.estimator_)

    @property
    def threshold_(self):
        """The numeric threshold applied to ``feature_importances_``."""
        model = self._model()
        scores = self._scores(model)
        return resolve_threshold(self.threshold, scores, model, self.settings)

    @property
    def selection_frequencies_(self):
        """Fraction of the refits in which each feature clears ``threshold``."""
        if not hasattr(self, "importances_"):
            raise AttributeError(
                "selection_frequencies_ needs refits: fit with n_repeats >= 1."
            )
        if hasattr(self, "shadow_threshold_"):
            # hits over the rounds each column was fitted in
            bars = round_bars(self.shadow_threshold_)
            tested = np.isfinite(self.importances_)
            return np.sum(self.importances_ > bars, axis=0) / np.maximum(
                tested.sum(axis=0), 1
            )
        return self._kept_fraction(self.importances_)

    def _kept_fraction(self, fits, groups=()):
        """Fraction of ``fits`` (importance vectors) in which ``threshold``
        keeps each feature, or a member of its group in ``groups``."""
        kept = [
            expand_to_groups(
                scores
                >= resolve_threshold(
                    self.threshold, scores, self.estimator_, self.settings
                ),
                groups,
            )
            for scores in fits
        ]
        return np.mean(kept, axis=0)

    def _votes_in_band(self):
        """Whether the kept set is the vote of the strength band's fits."""
        return (
            hasattr(self, "consensus_importances_") and self._band_alphas() is not None
        )

    def _band_strengths(self):
        """Mask of the strengths whose fold fits vote: the candidates
        (``alpha_path_["in_band"]``) no stronger than the best one."""
        path = self.alpha_path_
        band = np.asarray(path["in_band"], dtype=bool)
        dense = np.arange(band.size) <= int(np.argmin(path["validation_loss"]))
        band = band & dense if np.any(band & dense) else band
        keep = self._settings().strength_vote_strengths
        if keep > 0:
            # the weakest candidates alone: the votes of stronger strengths
            # are sparser, and how many of them enter the band follows the
            # search's folds (Settings.strength_vote_strengths)
            band &= np.cumsum(band) <= keep
        return band

    @property
    def band_frequencies_(self):
        """Fraction of the strength band's fits that keep each feature.

        ``"minimal"`` mode with ``alpha="auto"`` and a spectral model: the
        fits are the fold fits of every candidate strength of the search
        (``alpha_path_["in_band"]``) no stronger than the best one and the
        fits on all rows at those strengths (``consensus_importances_``); a
        fit keeps a feature when ``threshold`` keeps it or a member of its
        correlated group (``correlated_groups_``). Follows ``threshold`` if
        it is changed after ``fit``. The selection keeps the features with
        a frequency of at least ``Settings.strength_band_vote``.
        """
        if not self._votes_in_band():
            raise AttributeError(
                "band_frequencies_ needs the strength search of alpha='auto' "
                "in 'minimal' mode with a spectral model and "
                "Settings.strength_band_vote > 0."
            )
        return self._kept_fraction(
            self._band_fits(), getattr(self, "correlated_groups_", [])
        )

    def _band_fits(self):
        """Importances of the fits that vote (:attr:`band_frequencies_`):
        the fold fits of the band's strengths, then the consensus fits."""
        path = self.alpha_path_
        return np.vstack(
            [
                path["fold_importances"][self._band_strengths()].reshape(
                    -1, path["fold_importances"].shape[-1]
                ),
                self.consensus_importances_,
            ]
        )

    def _max_features(self):
        max_features = getattr(self, "max_features_", self.max_features)
        if callable(max_features):
            raise NotFittedError(
                "When `prefit=True` and `max_features` is a callable, call `fit` "
                "before calling `transform`."
            )
        if max_features is not None and not isinstance(max_features, Integral):
            raise ValueError(
                f"`max_features` must be an integer. Got `max_features="
                f"{max_features}` instead."
            )
        return max_features

    def _get_support_mask(self):
        model = self._model()
        max_features = self._max_features()
        scores = self._scores(model)
        if hasattr(self, "pvalues_"):
            frequencies = self.selection_frequencies_
            if self.stability_threshold is None:
                keep = self._all_relevant_keep()
            else:
                keep = frequencies >= self.stability_threshold
            # rank by frequency, ties by the importance on all data
            order = np.lexsort((-scores, -frequencies))
        elif self.stability_threshold is not None and hasattr(self, "importances_"):
            frequencies = self.selection_frequencies_
            keep = frequencies >= self.stability_threshold
            order = np.lexsort((-scores, -frequencies))
        elif model is getattr(self, "estimator_", None) and self._votes_in_band():
            frequencies = self.band_frequencies_
            settings = self._settings()
            # kept unless the vote is clearly below the level: the upper
            # end of the frequency's Wilson interval (the plain frequency
            # at strength_vote_z=0) reaches it
            _, high = self._wilson(settings.strength_vote_z)
            keep = np.maximum(frequencies, high) >= settings.strength_band_vote - 1e-12
            order = np.lexsort((-scores, -frequencies))
        else:
            keep = scores >= resolve_threshold(
                self.threshold, scores, model, self.settings
            )
            order = np.argsort(-scores, kind="mergesort")
        if hasattr(self, "correlated_groups_"):
            keep = expand_to_groups(keep, self.correlated_groups_)
        if max_features is not None:
            top = np.zeros_like(keep)
            top[order[:max_features]] = True
            keep &= top
        return keep

    def get_metadata_routing(self):
        """Get the metadata routing of this object.

        The model's ``fit`` and ``partial_fit`` receive the routed
        parameters. With ``estimator=None`` the default model cannot be
        given requests: pass an estimator with ``set_fit_request`` to route
        e.g. ``sample_weight``.

        Returns
        -------
        routing : MetadataRouter
            The routing of the model's ``fit`` and ``partial_fit``.
        """
        estimator = self.estimator
        if estimator is None:
            estimator = SpectralMLPClassifier()
        return MetadataRouter(owner=self).add(
            estimator=estimator,
            method_mapping=MethodMapping()
            .add(caller="partial_fit", callee="partial_fit")
            .add(caller="fit", callee="fit"),
        )

    def __sklearn_tags__(self):
        tags = super(SelectFromModel, self).__sklearn_tags__()
        tags.target_tags.required = True
        if self.estimator is None:
            # the default models take sparse input and missing cells
            model_tags = get_tags(SpectralMLPClassifier())
            tags.input_tags.sparse = model_tags.input_tags.sparse
            tags.input_tags.allow_nan = model_tags.input_tags.allow_nan
        elif not hasattr(self.estimator, "__sklearn_tags__"):
            # an invalid model, which fit will reject
            tags.input_tags.sparse = False
            tags.input_tags.allow_nan = False
        else:
            model_tags = get_tags(self.estimator)
            tags.input_tags.sparse = model_tags.input_tags.sparse
            tags.input_tags.allow_nan = model_tags.input_tags.allow_nan
        return tags

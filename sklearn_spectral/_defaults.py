"""Every tuned constant of the library, stated once.

Two kinds of numbers live here:

* the defaults of public hyperparameters (``LEARNING_RATE_INIT``, ``TOL``,
  ``DEPTH_ALPHA``): module constants, since they appear in the estimators'
  signatures and a user changes them as parameters;
* every other tuned number: a field of the frozen dataclass
  :class:`Settings`. The estimators and the selector take a ``settings``
  parameter (``None`` means :data:`DEFAULT_SETTINGS`) and pass the object
  down to the plans, schedules and callbacks they build, so a benchmark or a
  test that explores a constant writes
  ``SpectralMLPClassifier(settings=replace(DEFAULT_SETTINGS, penalty_warmup=0))``
  instead of patching a module global (which leaked into every other fit of
  the process, and into other threads).

Each field's comment says where its value was measured. Docstrings and the
user guide format their numbers from :func:`documented_values`, so a change
of a default is one edit. This module imports only the torch side's own
constants (``nn/_constants.py``, which imports nothing).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from numbers import Integral, Real

from .nn import _constants as _nn_constants

__all__ = [
    "DEFAULT_SETTINGS",
    "DEPTH_ALPHA",
    "LEARNING_RATE_INIT",
    "TOL",
    "Settings",
    "documented_values",
]

# --------------------------------------------------------------------------- #
# defaults of public hyperparameters
# --------------------------------------------------------------------------- #
#: Adam's default learning rate (``MLPClassifier``'s is 1e-3). Over 8
#: splits (``benchmarks/bench_batch_size.py``), 2e-3 with one full batch
#: up to 200 rows took fewer optimizer steps than 1e-3 with two batches per
#: epoch (the defaults until 0.2.0), every fit stopping by its own rule, at
#: equal or better test scores: iris 312 -> 145 steps (accuracy 0.934
#: both), wine 180 -> 83 (0.983 both), breast_cancer 156 -> 128 (0.969 ->
#: 0.974), diabetes 122 -> 106 (R^2 0.458 -> 0.451, std 0.06), digits 521
#: -> 416 (0.968 -> 0.969). With 1e-3 and one full batch 6 of 8 iris fits
#: ran out of 200 epochs; 3e-3 took fewer steps still at similar scores,
#: but lost on diabetes and digits over 5 splits of ``bench_engine.py``'s
#: data (R^2 0.420, accuracy 0.968; measured by hand). The same stopping
#: rule at a larger step stops later in the optimisation, so the L1 has
#: gone further: the minimal selector keeps fewer columns (load_diabetes:
#: 2 instead of 6, the README's example).
LEARNING_RATE_INIT = 2e-3

#: Default ``tol`` of the stopping rule: an epoch whose data loss
#: (cross-entropy, or squared error on standardised targets) does not beat
#: the best so far by this much is a miss, and ``n_iter_no_change``
#: consecutive misses stop the fit (``MLPClassifier``'s rule). A loss that
#: falls by less than ``tol`` an epoch therefore stops, however long it
#: would go on falling: a fixed ``(8,)`` network on iris at ``alpha=0``
#: stops at 194 epochs, training accuracy 0.857 (0.973 trained on). Counting
#: the improvement over the whole window instead ran the default fits to
#: 200 epochs on iris, diabetes and friedman1 at about twice the CPU, with
#: no better scores (session 12, 3 splits). With 1e-4, fits on iris, digits and
#: the 2000 x 50 headline data ran out of 200 epochs while their test score
#: had stopped moving (measured by hand over 3 seeds during the rewrite);
#: with 1e-3 every default fit of ``benchmarks/bench_engine.py`` stops by
#: its own rule, in 40-119 epochs.
TOL = 1e-3

#: Auto-depth: strength of the L1 penalty on the hidden eigenvalues,
#: Keras-style (not relative): a neuron must lower the data loss
#: (cross-entropy, or squared error on standardised targets, i.e. a
#: fraction of the variance, summed over the outputs: see
#: ``_plans._outputs_averaged``) by about this much per unit eigenvalue. A
#: relative strength vanishes on a target a perceptron fits exactly, and
#: the neurons then stay. Measured over 2 seeds (linear make_regression at
#: 5, 20 and 40 columns, friedman1, a circle, the SPARCS toy): 1e-3 keeps
#: ``()`` on every linear target and scores within 0.005 R^2 of the
#: fixed-depth network on friedman1; 3e-3 lost 0.01 there and 0.2 accuracy
#: on one circle seed.
DEPTH_ALPHA = 1e-3


# --------------------------------------------------------------------------- #
# every other tuned number
# --------------------------------------------------------------------------- #
@dataclass(frozen=True)
class Settings:
    """The tuned constants of training, auto-depth and selection.

    Frozen (hashable, safe to share between fits and threads); make a
    variant with :func:`dataclasses.replace`. Pass it as the ``settings``
    parameter of :class:`~sklearn_spectral.SpectralMLPClassifier`,
    :class:`~sklearn_spectral.SpectralMLPRegressor` or
    :class:`~sklearn_spectral.SpectralFeatureSelector` (which passes it on to
    its default model). These are expert knobs, measured on the benchmarks
    named beside each field; the hyperparameters a user tunes per data set
    are the estimators' own parameters.

    Parameters
    ----------
    penalty_warmup : int, default=10
        Epochs over which the input penalty ramps up at fixed depth: inputs that
        help only jointly or non-linearly are learned before the L1 can switch
        them off (``benchmarks/bench_penalty_warmup.py``: mean recall over 10
        seeds 0.81 without the ramp, 0.95 with it; after the batch-size change
        and alpha="auto", 0.87 and 0.96; at learning rate 2e-3 with one full
        batch up to 200 rows, 0.83 and 0.93).

    penalty_slow_warmup : int, default=0
        **Off by default** (0): the plain ramp. With it on (30 was measured),
        at fixed depth the ramp is held back while the data loss falls slowly:
        its share of the strength after ``t`` epochs is ``min(t /
        penalty_warmup, max(p, t / penalty_slow_warmup))``, with ``p`` how far
        the last epoch's loss has come from the constant prediction's towards
        ``penalty_slow_fraction`` of it (``_training/ramp.py``). A fit whose
        loss falls fast ramps over ``penalty_warmup`` epochs as before; one
        that has learnt little by then (inputs that matter only non-linearly,
        each weakly) gets up to this many. Shortened with few samples per
        input as the ramp is. On ``make_hastie_10_2`` with 5 noise columns
        (``python benchmarks/bench_other_data.py``, 5 data seeds, against
        ``--settings penalty_slow_warmup=0``) the default classifier kept
        5.2 of the 10 relevant inputs on at test accuracy 0.725 +- 0.024
        (``MLPClassifier()`` 0.822); now 9.0 (at least 7) at 0.866 +- 0.022.
        Before the first epoch (no loss yet) the ramp does not wait, so fits
        whose loss falls fast are those of the plain ramp. Against
        ``penalty_slow_warmup=0`` in the same runs: the paper's
        independent-Gaussian, correlated-Gaussian and linear-target sets give
        the same summaries over 10 seeds, the headline model's own non-zero
        set recall 0.913 against 0.907 at precision 0.967 (``python
        benchmarks/bench_stability_relevance.py --configs default
        plain:penalty_slow_warmup=0 --only paper correlated linear headline
        accuracy --fold-states 3 --name rel_slow``); CV accuracy, the plain
        ramp minus the slow one, breast_cancer -0.0006 +- 0.0020, digits
        -0.0000 +- 0.0003 (5 folds x 3 states, paired); the selector over 5
        folds x 3 states (``python benchmarks/bench_stability_selection.py
        --quick --threads 1 --only spectral all-relevant --sets headline
        breast_cancer diabetes wine --fold-states 3``, and with
        ``--spectral-params '{"settings": {"penalty_slow_warmup": 0}}'``),
        fold Jaccard slow / plain: minimal breast_cancer 0.84 / 0.87 (within a
        fold 0.87 / 0.90), diabetes 0.94 / 0.96, wine 0.95 / 0.96;
        all-relevant 1.00 / 0.99, 0.95 / 1.00, 1.00 / 1.00; the headline's
        minimal selection exact on data seeds 0 and 1 (5 states) either way.
        The minimal mode's fold stability on breast_cancer is what it may
        cost (3 states a fold cannot tell 0.03 from the fits' noise with
        confidence). It is off because, together with the minimal vote of
        ``strength_vote_z`` (session 14), the selector on users' mixed
        tables (``make_mixed_table(600, task="classification")``) kept every
        irrelevant column on seed 1 and 3 of 4 on seed 5 (the vote alone: 1
        and 2; ``python benchmarks/slow_ramp_vote_probe.py``): the selector's
        fits at 3-27 times
        the model's ``alpha`` keep a high data loss because of the penalty
        itself, which the progress reads as a network that has not learnt,
        and the 30 epochs at part strength let them learn the noise columns
        (kept in 50-60 % of the band's fits instead of 7-27 %). 0 (or at
        most ``penalty_warmup``): the plain ramp. A
        plain 30-epoch ramp (``penalty_warmup=30``) did as well on
        hastie_10_2 but left noise columns on at the headline problem
        (precision 0.967 -> 0.618).

    penalty_slow_fraction : float, default=0.7
        The share of the constant prediction's loss the data loss must reach
        for the ramp to complete in ``penalty_warmup`` epochs (see
        ``penalty_slow_warmup``). At 0.5 hastie_10_2 kept 9.6 inputs at
        0.900 +- 0.006, but the headline's minimal selection kept a noise
        column at 2-3 of 5 states of data seeds 0 and 1 (precision 0.95 and
        0.98, Jaccard across states 0.95 and 0.96, against 1.00), while
        wine's fold Jaccard rose 0.96 -> 1.00 (same commands, measured with
        the first epoch held back too).

    ramp_samples_per_input : float, default=10.0
        With fewer than this many samples per input the ramp is shortened in
        proportion: there the network memorises the training set through noise
        inputs during a full ramp (Madelon-like 600 x 500, selector at
        alpha=0.1: 45-62 inputs kept instead of 13-14, same script). With the
        selector's alpha="auto" the same script now keeps 23 and 15 inputs (13
        and 9 of the 20 useful) with the shortened ramp and 7 and 8 (7 and 7
        useful) with the full one: the choice of strength now does much of what
        the shortening did; kept for the estimators used alone. At learning rate
        2e-3: 12 and 14 inputs (7 and 9 useful) shortened, 7 and 9 (7 and 7
        useful) full.

    auto_batches_per_epoch : int, default=1
        ``batch_size="auto"`` takes the fewest batches of at most
        ``auto_batch_max`` rows (``MLPClassifier``'s ``min(200, n_samples)``),
        equal in size (rounded up: 201 rows make 101 + 100, not 200 + 1), and at
        least ``auto_batches_per_epoch`` of them, of at least ``auto_batch_min``
        rows. The stopping rule and the ramps count epochs, so on small data the
        batches per epoch set the optimizer steps and most of the fit time. One
        full batch on a data set of at most 200 rows needs the larger step of
        ``LEARNING_RATE_INIT`` (the module constant) to stop by its rule: see
        there.

    auto_batch_min : int, default=32
        Smallest minibatch of ``batch_size="auto"`` (see
        ``auto_batches_per_epoch``).

    auto_batch_max : int, default=200
        Largest minibatch of ``batch_size="auto"`` (see
        ``auto_batches_per_epoch``).

    loss_scale_floor : float, default=0.05
        The loss scale of the relative input penalty never falls below this
        fraction of the loss of a constant prediction. Without a floor the
        strength vanishes with the loss on separable data: on the first paper's
        independent-Gaussian set (standardised inside the network) 9 of 9
        irrelevant inputs stayed on; with 0.05, none (seeds 0 and 1; the
        headline 2000 x 50 data unchanged over 6 seeds).

        Re-measured with the KKT check and the end-of-fit solve (issue 22
        item 3: this and ``input_beta2`` both guard the relative L1's
        failure on a vanishing loss; ``python benchmarks/
        bench_stability_relevance.py --configs default baseline
        nofloor:loss_scale_floor=0 beta999:input_beta2=0.999``, 10 seeds, 5
        folds, ``results/full/stability_relevance.md``). The floor is still
        needed: without it the linear target ``y = x0 - 2 x1 + 0.1 e``
        keeps its largest noise input at 0.062 ± 0.038 (worst 0.130; at
        most 0.05 on 3 of 10 seeds, against 0 on 10 of 10 with it), because
        the solve only finishes what the L1 strength decides. Where it
        costs: on the first paper's set (nearly separable, the data loss
        falls to about 0.006 while the floor holds the loss scale at 0.035)
        it sets the strength, and inputs of true relevance >= 0.2 end at
        exactly 0 (6 over the 10 seeds with the floor, 1 without; ranked
        above every noise input on 6 and 9 seeds; Pearson 0.976 ± 0.010
        against 0.981 ± 0.007). The headline problem and the breast_cancer
        accuracy do not move either way. So both constants stay, for two
        different reasons now (see ``input_beta2``). The fixed-depth
        classifier's floor is ``cross_entropy_loss_scale_floor`` (the same
        0.05, measured on its own in session 10); this one holds for the
        regressors (the linear target), auto-depth and multilabel fits.

    cross_entropy_loss_scale_floor : float, default=0.05
        ``loss_scale_floor`` of a fixed-depth cross-entropy fit
        (``SpectralMLPClassifier``, and the selector's classifier); the
        regressors, auto-depth and multilabel fits take ``loss_scale_floor``.
        Kept at 0.05 after measuring 0 (issue 20 item 2, session 10):
        ``python benchmarks/bench_stability_relevance.py --configs default
        nofloorce:cross_entropy_loss_scale_floor=0`` (10 seeds, 5 folds;
        ``results/full/stability_relevance_classifier_floor.md``).
        What 0 would buy, on the first paper's set at 20 000 rows (nearly
        separable: the data loss falls to about 0.006 while the floor holds
        the loss scale at 0.035): every input of true relevance >= 0.2
        above every noise input on 9 of 10 seeds (6 with the floor),
        Pearson 0.981 ± 0.007, worst 0.966 (0.976 ± 0.010, worst 0.958),
        >= 0.98 on 6 of 10 seeds (4), inputs of relevance >= 0.2 at exactly
        0: 1 over the 10 seeds (6), shorter fits (21 epochs, 1.11 CPU s
        against 27 and 1.32). Unchanged either way: the linear target (a
        regressor), the headline problem (recall 0.907, precision 0.967),
        ``load_breast_cancer``'s 5-fold accuracy 0.965 and the selector's
        kept sets there (5 folds x 3 random states: fold Jaccard 0.793,
        21.1 columns); ``load_wine``'s selection goes from fold Jaccard
        0.969 (10-13 of 13 kept) to 1.000 (13). **Why it stays:** the noise
        inputs are no longer switched off. At 20 000 rows one noise input
        stays on over the 10 seeds (none with the floor); on the same
        generator at 4000 rows (seeds 0-7, by hand) 18 noise inputs over 8
        seeds stay on, on 6 of the 8 (largest importance 0.029), against
        none with the floor, while the floor there switches off 25 relevant
        inputs against 12 (Pearson 0.971 against 0.980, every input >= 0.2
        above the noise on 2 against 5 of 8 seeds): the two failures of
        opposite sign that issue 20 names, traded one for the other, and
        ``tests/test_relevance.py`` holds the exact zeros of the noise.
        And ``load_digits`` (5 folds) trains 76 epochs (64-101) instead of
        62 (52-69), 0.53 against 0.44 CPU s a fit (+20 %): not the
        end-of-fit solve (34-41 evaluations either way, per fold) but
        training, because the floor held the penalty's loss scale at 0.115
        while the data loss was at 0.05; without it the data loss goes on
        to 0.02-0.03, 40 instead of 33 of the 64 inputs stay on and the
        stopping rule sees real progress (accuracy 0.974 ± 0.008 against
        0.971 ± 0.006). A floor of 0.01 behaves as 0 (paper's set: 9 of 10
        seeds above the noise, Pearson 0.980 ± 0.008; digits 78 epochs), so
        no floor in between avoids either cost. The field stays so that the
        classifier's floor can be measured and changed apart from the
        regressors' (the linear target needs theirs).

    squared_error_scale_power : float, default=0.75
        The relative input L1 of a squared-error fit (``SpectralMLPRegressor``,
        fixed depth) scales with ``L0 * (L / L0) ** power`` of the running
        training loss ``L`` (``L0`` a constant prediction's; still floored by
        ``loss_scale_floor``), not with ``L`` itself (1.0). The noise in a
        data gradient that keeps an irrelevant input on is about ``2 sqrt(L /
        n)`` for a squared error, so a strength proportional to ``L`` weakens
        faster than that noise as the fit improves (cross-entropy's gradient
        noise tracks its loss more closely): at the default ``alpha`` the
        regressor kept its irrelevant columns at 0.06-0.13 of the importance
        each (600-row tables of ``benchmarks/bench_tables.py``, training
        R^2 0.85-0.98 where the data give about 0.8). 0.5 is the
        square-root lasso's scale (Belloni et al., 2011), which follows the
        noise level. Seeds 0-9 (``SpectralMLPRegressor()``, CPU, by hand):
        every relevant column above every irrelevant one on ``make_mixed_table
        (task="regression")`` 5/10 -> 10/10, ``regression-600`` 9/10 ->
        10/10; unchanged: Friedman #1 (600 rows, 5 seeds, held-out R^2 0.941
        -> 0.942), the linear target ``y = x0 - 2 x1 + 0.1 e`` (held-out R^2
        0.9969 -> 0.9966, x1 first 10/10; its largest noise importance
        0 -> 0.099 on one seed of 10); ``load_diabetes`` 5 folds held-out
        R^2 0.484 -> 0.469. 0.75 ranked mixed-regression 9/10.
        **0.75, not 0.5** (lead, after the merge): at 0.5 the fixed-depth
        regressor collapsed on the SPARCS teacher-student (1000 x 20, a
        noiseless target: 5-fold CV R^2 0.982 at 1.0 and 0.75, **0.756** at
        0.5; the penalty no longer falls with the loss where the data have no
        noise), while 0.75 keeps it and keeps most of the gain: small
        non-linear regressions of ``bench_stability_depth.py`` (300 x 19,
        data seeds 0-2) 0.816 / 0.776 / 0.798 at 1.0, 0.833 / 0.816 / 0.848
        at 0.75, 0.862 / 0.865 / 0.876 at 0.5; the linear-to-non-linear sets
        equal at all three (``python benchmarks/squared_error_power_probe.py``,
        one model seed per fold);
        the linear target at 0.75: largest noise 0 on 10/10 seeds, x1 first
        10/10 (``bench_stability_relevance.py --only linear``); tables,
        models alone (``bench_tables.py``, 10 seeds): regression-600 10/10
        (worst margin 0.014), mixed-regression 9/10 (worst -0.011).
        **Re-judged with 3 model seeds per fold** (session 10, ``python
        benchmarks/squared_error_power_probe.py 0.75 1.0 0.5 --states 3`` and
        ``... 0.75 0.7 0.65 0.6 --states 3``; 5 folds x 3 seeds, mean R^2,
        paired difference to 0.75 +- its SE, worst fold-and-seed): the
        linear-to-non-linear sets equal at every power (0.944 and 0.818,
        differences <= 0.001); the teacher-student 0.982 at 0.75 and 0.7,
        0.981 at 1.0, **0.908 at 0.65 (-0.074 +- 0.028, worst -0.223), 0.821
        at 0.6 and 0.750 at 0.5** (worst -0.243): a cliff between 0.7 and
        0.65; the small non-linear sets (seeds 0 / 1 / 2) 0.830 / 0.816 /
        0.845 at 0.75, at 1.0 -0.021 / -0.044 / -0.034 (+- 0.003-0.006), at
        0.7 +0.008 / +0.015 / +0.008 (+- 0.002-0.003, worst fold-and-seed
        -0.017), at 0.5 +0.032 / +0.048 / +0.038. **Kept at 0.75**: 0.7 gains
        0.01 R^2 on the small sets but sits next to the teacher-student's
        cliff (at 0.65 about one fold-and-seed fit in three collapses);
        0.75 keeps a margin, 1.0 loses on every small set.

    input_beta2 : float, default=0.99
        Adam's second-moment decay for the penalised input eigenvalues (0.999
        for the other parameters). The L1 threshold of the proximal step is
        divided by the root of the second moment; with 0.999 it remembered the
        large gradients of the first epochs for about 1000 steps, and a fit that
        had converged still carried noise inputs (the main job's independent-
        Gaussian set: 19 of 20 inputs kept, 9 of them irrelevant). With 0.99: 8
        kept, none irrelevant, every default fit of bench_engine still stops by
        its own rule, and the headline recall over 6 seeds is unchanged.

        Re-measured with the KKT check and the end-of-fit solve (same run as
        ``loss_scale_floor``): the failure it was set for is now handled at
        the end of the fit, so at 0.999 the relevance is the same (paper's
        set: no noise input on, Pearson 0.977 ± 0.010, every input of
        relevance >= 0.2 above the noise on 6 of 10 seeds, as at 0.99;
        linear target: noise 0 on 10 of 10; headline recall 0.900 against
        0.907). It stays for the fit's length: the input eigenvalues settle
        sooner and the stopping rule, which waits for them, ends earlier
        (``load_digits`` folds 62 epochs (52-69) against 75 (55-106), 0.40
        against 0.48 CPU s a fit; breast_cancer 43 either way).

    input_test_level : float, default=1e-2
        Family-wise level of the KKT check of the inputs the input L1
        switched off, run when a fixed-depth fit would stop
        (``_training.callbacks.InputSettling``): a score test of each zeroed
        input's direct-space gradient, with the Lasso condition of the L1;
        the inputs that pass are switched back on. 0 turns the check off. A
        zero is absorbing (10x longer training revived no relevant input of
        the first paper's set, ``issues show 20``); the gradient norm of the
        switched-off relevant inputs there was 0.0052-0.0099 against at most
        0.0014 for the noise. Over 10 seeds of that set the check
        re-admitted 14 inputs (1-3 on 7 seeds); the inputs of relevance >=
        0.2 left at exactly 0 fell from 12 to 6 and the mean Pearson
        correlation rose from 0.971 to 0.976 (worst 0.936 -> 0.958), no
        noise input on either way (``benchmarks/bench_stability_relevance.py``;
        the same with the solve below, which does not run on 20 000 rows).
        1e-3 -> 1e-2 (session 13): on seed 1 of that set an input of
        relevance 0.24 stayed at 0 with its statistic just below the level
        (16.1 against 16.6; the zeroed noise inputs' largest statistic on
        seeds 1 and 9: 3.7 and 5.5; the level at 1e-2: about 12), the one
        seed of 10 where an
        input of relevance >= 0.2 did not rank above the noise. At 1e-2
        (``python benchmarks/bench_stability_relevance.py --configs default
        previous:input_test_level=0.001 baseline --fold-states 3``): every
        such input above the noise on 10 of 10 seeds (9 of 10 at 1e-3),
        17 inputs re-admitted (14), no noise input on, Pearson 0.980 ±
        0.008 (0.978 ± 0.009; in the paper's units 0.992 ± 0.005, worst
        0.980); the correlated-Gaussian pair order on 10 of 10 seeds either
        way; the linear target, the headline problem and breast_cancer the
        same fits; digits (5 folds x 3 states) -0.0009 ± 0.0007 paired
        accuracy, 76 epochs against 79; 3e-3 changed no fit of that set.
        The users' tables rank as before (``benchmarks/tables_reading_probe.py
        --set input_test_level=0.01``: 360 of 360 fits clean, every margin
        as at 1e-3); ``SpectralFeatureSelector()`` kept the same columns on
        19 of 19 paired fits (headline data seeds 0-2 x states 100-102,
        breast_cancer and diabetes 5 standardised folds).

    input_settle_max_iter : int, default=30
        When a fixed-depth fit would stop (data loss converged, after the
        KKT check above) and the L1 is still shrinking some input (see
        ``settle_shrink_fraction``), the fit's objective is minimised on the
        full batch with every parameter free: orthant-wise L-BFGS (OWL-QN)
        in Adam's metric, at most this many steps
        (``nn.objective.settle_inputs_``); 0 turns it off. Stopping on the
        data loss leaves the input eigenvalues where Adam's steps of about
        one learning rate had brought them: on ``y = x0 - 2 x1 + 0.1 e``
        (300 rows) the three noise inputs kept 0.184 ± 0.009 of the
        importance (10 seeds). With the solve they are exactly 0 and x1's
        share is 0.658 ± 0.026 (worst 0.618; the coefficients say 0.667), at
        the same 40 epochs. OWL-QN zeroed the noise in 10-14 steps on the
        10 seeds (the proximal gradient with Barzilai-Borwein steps it
        replaced: 25-57, with an 80-step cap); with 20 steps x1's share was
        0.638 ± 0.022. Solving for the input eigenvalues alone, the rest
        frozen, left a noise input at 0.11-0.20 on 4 of 10 seeds. It
        replaces a settling phase of up to 50 further epochs with the
        eigenvalues' learning rate boosted 30x, which doubled a default
        fit's epochs on small data. Its cost and what it changes
        (``bench_stability_relevance.py --configs default baseline``, 5
        stratified folds, CPU s a fit, against no check and no solve):
        breast_cancer 0.10 against 0.07 (the solve runs 20-30 steps: the L1
        keeps zeroing weak, correlated columns of a nearly separable
        problem, 12-13 of 30 kept), accuracy 0.965 ± 0.010 against 0.974 ±
        0.014 (worst 0.947 both); digits 0.40 against 0.23 (re-admitted
        inputs train on: 62 against 52 epochs), accuracy 0.971 ± 0.006
        against 0.972 ± 0.005 (``results/full/stability_relevance.md``).

    input_settle_tol : float, default=1e-4
        The solve ends when the normalised relevance (summing to 1) moves by
        at most this much (sum of absolute changes) a step over its last 5
        steps (one short step alone ended it while a re-admitted input was
        still growing).

    input_readmit_step : float, default=1.0
        An input eigenvalue the KKT check re-admits starts at this fraction
        of the minimiser of the L1 problem along it (a 1-D Newton step,
        curvature by a finite difference on the check's rows), split
        between ``lam`` and ``phi`` as the two penalties balance it; and at
        the check that ends a fit, the eigenvalues the data still support
        that may not be re-admitted again (each is re-admitted once per
        fit) get that exact coordinate step instead of staying at 0. 0:
        re-admitted at 0, nothing at the end (the fits before). On the
        paper's 20 000-row set (``benchmarks/relevance_zeros_probe.py``) 5 of
        the 6 inputs of relevance >= 0.2 left at 0 over 10 seeds had been
        re-admitted and switched off again within 3 epochs (the eigenvector
        term shrinks their column while ``lam`` is near 0) and still failed
        the check at the end. ``python benchmarks/bench_stability_relevance.py
        --configs default newton:input_readmit_step=1 --name
        stability_relevance_readmit_step`` (10 seeds; 0 -> 1): every input
        of relevance >= 0.2 above the noise on 9 instead of 6 seeds (the
        tenth: an input of relevance 0.24 whose score test stays below its
        level), 1 such zero instead of 6, Pearson 0.978 +- 0.009 instead
        of 0.976 +- 0.010 (>= 0.98 on 5 instead of 4 seeds), no noise input
        on; linear target, headline and breast_cancer unchanged; digits
        3 model seeds x 5 folds paired accuracy -0.0006 +- 0.0009 (epochs
        and CPU unchanged), wine unchanged.

    standardise_once_max_bytes : int, default=8388608
        Training inputs of at most this many bytes (8 MiB) go through the
        network's standardisation once per fit instead of once per
        minibatch: four small kernels less a step, which cut a default fit
        on iris/wine by about 8 % (session 10, ``bench_engine.py``) and
        changes no number (``tests/test_engine.py``). Larger inputs keep the
        per-batch map: the copy's temporaries held 5x a 40 MB float32 ``X``
        at once (``tests/test_reliability.py::
        test_fit_does_not_copy_float32_input``), and at that size the
        kernels saved are a negligible part of a step.

    input_settle_max_rows : int, default=5000
        Training sets of more rows get no solve (the KKT check and the
        re-admission still run). Each of its steps is a forward and
        backward pass over every row, an epoch's arithmetic, while a
        minibatch fit on large data has taken many steps an epoch (the
        settling phase it replaces had no boost there either). On the first
        paper's set (20 000 rows, 100 steps an epoch) the solve on every
        row took about 6x the fit's time (5 seeds, Pearson 0.982 against
        0.976 without it); on a random subset of 5000 rows it lowered the
        Pearson correlation over 10 seeds from 0.971 ± 0.015 (worst 0.936)
        to 0.969 ± 0.021 (worst 0.911) at 2x the time
        (``bench_stability_relevance.py``).

        Re-measured with the OWL-QN solve on all 20 000 rows (10 seeds;
        the inputs the KKT check still flags re-admitted into the solve):
        Pearson 0.978 ± 0.011 with 25 steps (0.979 ± 0.011 with 80) against
        0.976 ± 0.010 without, >= 0.98 on 5 of 10 seeds against 4, at 2.6
        (5.2) against 1.3 CPU s a fit; relevant inputs of relevance >= 0.2
        still end at exactly 0 (5-6 over the 10 seeds). The solve cannot
        bring them back: with ``w = phi * lam``, an L1 on ``lam`` and a
        squared penalty on ``phi``, each input's penalty is in effect
        ``||W[:, j]||^(2/3)``, so an input at 0 is a local minimum
        whatever its gradient; on seed 3 the input of relevance 0.43 gained
        the objective 4e-5 at best when put back along its gradient (the
        fit's objective 0.0156), and the solve switched it off again. The
        cap stays.

    settle_shrink_fraction : float, default=0.1
        The solve runs only when the KKT check finds input eigenvalues on
        which the data pull by less than this fraction of the input L1
        strength (the L1 is still shrinking them), or inputs were
        re-admitted at an earlier check, and ends as soon as the shrinking
        ones are all at 0 (or on ``input_settle_tol``). 0 runs it on every
        fit and ends it on the tolerance alone. Measured for the settling
        phase it replaces (``bench_stability_relevance.py --quick``, 10
        seeds of the linear target, 3 folds of breast_cancer and digits):
        0.05 left a noise input of the linear target at 0.11 on 2 of 10
        seeds, 0.1 and above none; with 0.1 the solve does not start on
        iris, wine or the headline problem.

    settle_release_fraction : float, default=0.5
        The solve of ``input_settle_max_iter`` is for the inputs the L1 is
        still shrinking; it ends once each of them is at 0 or held by the
        data (pulled by at least this fraction of the L1 strength) and the
        set of zeros has not changed for 5 steps (or on
        ``input_settle_tol``, or after ``input_settle_max_iter`` steps).
        Ending without the 5 steps stopped a breast_cancer fold after 2
        steps, mid-way (15 inputs zeroed, the rest not re-fitted: test
        accuracy 0.904 against 0.947 without the solve); 0.1 and 0.3 ended
        the linear target's solve after 2-4 steps with every noise input
        still on (5 seeds), 0.5 after 10-15 with all of them at 0. 0 ends
        the solve on the zeros, ``input_settle_tol`` or the cap only.

    diverged_factor : float, default=10.0
        A fit diverged when its epoch loss rose above this many times the
        larger of a constant prediction's loss and the loss the network
        started at (measured on the training rows before the first step), and
        it ended no better than that constant. A fit that learned nothing
        (random labels) stays near 1; a learning rate of 10 reached 4e4. A
        fresh regressor of the default size starts at up to 2.1 times a
        constant (3.3 with ``auto_depth=True``; iris and diabetes, seeds
        0-29), but a 4-neuron auto-depth regressor on iris started 10.5-19.1
        times worse on 8 of seeds 0-299 and fell steadily: judged against a
        constant alone, its 3-epoch fits raised "diverged". Such a fit warns
        instead (``ConvergenceWarning`` saying where it started). Measured
        with ``python benchmarks/small_network_probe.py``.

    loss_spike_factor : float, default=2.0
        A fit whose last epoch's training loss is more than this factor times
        its best epoch's (and worse by more than ``tol``) returns the best
        epoch's parameters: Adam at a large step can end on a spike of the
        loss. Measured on scikit-learn's multilabel test data
        (``make_multilabel_classification(50)``, ``learning_rate_init=0.2``,
        3 data x 5 model seeds): 3 of the 15 fits ended on a spike 18-116
        times their best loss (0.0165 -> 1.91: subset accuracy 0.5 instead of
        1.0), and all 15 reach 1.0 with the restore. Of 30 default fits (iris,
        wine, breast_cancer, digits, diabetes, friedman1(500); seeds 0-4)
        none is restored: the last epoch's loss was at most 1.38 times the
        best (breast_cancer 1.19-1.38, diabetes 1.09-1.11, the others below
        1.02) (``tests/test_sklearn_mlp_port.py``).

    flops_per_thread : float, default=2e7
        Multiply-adds of one training step per torch thread below which an extra
        intra-op thread costs more in synchronisation than it saves
        (``n_threads=None``).

    gate_warmup : int, default=20
        Epochs over which the input penalty ramps up in auto-depth mode, counted
        from the first epoch whose data loss is below ``hold_fraction`` times
        that of a constant prediction.

    hold_fraction : float, default=0.9
        Auto-depth holds the input penalty while the data loss is above this
        fraction of the loss of a constant prediction.

    hidden_eig_init : float, default=0.1
        Auto-depth: half-width of the uniform start of the hidden eigenvalues (0
        is a saddle with ReLU: hidden pre-activations vanish and pass no
        gradient).

    depth_lr_factor : float, default=10.0
        Auto-depth: the hidden eigenvalues train at up to this multiple of
        ``learning_rate_init``. Grown from 0.1 at the base rate, the neurons a
        non-linear target needs took longer than 200 epochs (friedman1: R^2 0.91
        against 0.98 at fixed depth); 10 times faster they grow within the fit
        (R^2 0.98) while a linear target still keeps none (``architecture_ ==
        ()``).

    depth_lr_steps : float, default=120.0
        Auto-depth: the hidden eigenvalues' factor is ``depth_lr_factor`` up to
        this many optimizer steps per epoch and shrinks as ``DEPTH_LR_STEPS /
        steps`` beyond (never below 1), so that they travel about as far per
        epoch on any data size: the stopping rule and the ramps count epochs.
        friedman1 (12 steps an epoch) needs the full factor (at 1x, over 3
        seeds: R^2 0.88-0.90 against 0.98;
        ``benchmarks/bench_sparcs_evidence.py`` with the factor patched). On the
        SPARCS teacher-student (100 000 rows, batch 1024, 98 steps an epoch) the
        full factor recruited every neuron of the second layer within 5 epochs
        and the L1 then pruned them slowly to (1, 32) in the paper's 180 epochs;
        at 1x the fit kept the teacher's one layer, (21,), at test R^2 0.9994,
        stable from epoch 35 (``benchmarks/bench_sparcs_teacher_student.py``).

    depth_hold : int, default=0
        Auto-depth: epochs during which the depth penalty is off, before its
        ``gate_warmup`` ramp. Ramped from the first epoch, the penalty stops
        the hidden neurons' growth at the linear fit's plateau where an
        epoch has few steps (SPARCS teacher-student, 20 outputs, 800 rows:
        R^2 0.73 with 6 neurons against 0.98 at fixed depth; 400 epochs
        gave 0.86, so the penalty, not the stopping rule, held them). A hold
        helps there (one split, 800 rows: 10 / 30 / 40 / 60 epochs gave
        R^2 0.80 / 0.94 / 0.97 / 0.98; 1600 rows: 10 / 20 / 40 gave 0.89 /
        0.95 / 0.97; digits' first CV fold at 40: accuracy 0.975 against
        0.961 without a hold). Over the 5 folds of
        ``benchmarks/bench_stability_depth.py`` a hold of 40 brings the
        teacher-student at 2000 rows from -0.142 to -0.008 ± 0.003 against
        fixed depth (19-21 neurons) and digits from -0.006 to +0.001, but
        is no default: at 1000 rows (``--quick``) the teacher-student
        still loses (-0.076 ± 0.010), two small non-linear regressions (300
        rows) and iris go from ties to losses (-0.056, -0.091, -0.020: more
        neurons grown, the held-out rule then took the affine map), and at
        20 000 rows a (200, 200) student grew its second layer ((1, 29)
        at 40, (4, 177) at 4, against the teacher's (20,) at 0). Pass
        ``settings=dataclasses.replace(DEFAULT_SETTINGS, depth_hold=40)``
        to use it. These were measured while the depth penalty stood
        against the mean loss over the outputs; against their sum, the
        default now, the teacher-student scores 0.995 at 1000 rows and 0.998
        at 2000 without a hold (see ``_plans._outputs_averaged``).

    depth_hold_max_fraction : float, default=0.25
        At most this fraction of ``max_iter`` is spent in ``depth_hold``.

    active_rtol : float, default=0.01
        A hidden neuron is active when its score exceeds this fraction of the
        largest score of the network (auto-depth's ``architecture_``, the
        architecture plot). Owned by the torch side, ``nn/_constants.py``.

    settle_max_rows : int, default=20_000
        Auto-depth's evidence step (end of ``fit``) measures the deviance of the
        candidate networks on at most this many training rows (a fixed random
        subset beyond), so that it costs a few forward passes.

    settle_cost_per_parameter : float, default=2.0
        Auto-depth's evidence step keeps a hidden neuron when it lowers the
        training deviance (``n log mse`` per output, or twice the summed cross-
        entropy) by more than this much per parameter of the neuron: Akaike's 2,
        the expected in-sample gain of one parameter fitted to noise. With 2,
        ``benchmarks/bench_sparcs_evidence.py`` gives ``()`` on all 36 linear
        fits (5-40 columns, noise 0.1-10, 3 seeds) and on load_diabetes (3
        seeds), and keeps friedman1 and a circle within 0.01 of their scores
        before the step (measured with the in-sample rule alone; with the
        held-out rule at tolerance 0 the same script gives load_diabetes 9
        neurons on one seed of 3, R^2 0.404 against 0.438 for RidgeCV).
        With ``log n`` (Bayes, measured by hand on the circle, seed 0) it
        kept 9 of 23 neurons and lost 0.03 accuracy (neurons are switched
        off without a refit).

    settle_lbfgs_iter : int, default=100
        Iterations of L-BFGS for the logistic regression that auto-depth's
        evidence step compares a classifier with.

    settle_holdout_min_rows : int, default=10
        Auto-depth holds ``ceil(validation_fraction * n)`` rows out of
        training (drawn with the fit's seed; stratified for a classifier)
        when that is at least this many, and its evidence step then switches
        a neuron off only when, besides the in-sample bar above, the smaller
        network is not worse on those rows (see the two tolerances below).
        Fewer rows cannot tell neurons apart; the in-sample rule then decides
        alone (also in scikit-learn's sample-weight check, 15 rows, where a
        weight and repeated rows then give the same decision). The in-sample
        rule alone lost to the fixed-depth network on small data: -0.29 R^2
        on a 263-row regression (issue 20); on
        ``benchmarks/bench_stability_depth.py --quick``'s small non-linear
        sets (5-fold CV) -0.048 ± 0.048 and -0.055 ± 0.011 R^2 alone, -0.020
        ± 0.033 and -0.037 ± 0.034 with the held-out rows.

    settle_holdout_tolerance : float, default=0.0
        Standard errors (of the paired per-row held-out loss differences) by
        which a network with fewer neurons may be worse than the whole one
        on the held-out rows and still be preferred. 0: it must not be worse
        on average (neurons are switched off without a refit). Measured with
        ``benchmarks/bench_stability_depth.py --quick --methods ...`` (5-fold
        CV; the three small non-linear sets, diabetes, wine: alcohol, iris:
        petal width): with 0 instead of 1 (Breiman's one-standard-error
        rule) the small non-linear sets score 0.789 / 0.758 / 0.803 instead
        of 0.786 / 0.728 / 0.803 (fixed depth 0.809 / 0.795 / 0.791), the
        other three sets unchanged.

    settle_holdout_linear_tolerance : float, default=0.0
        The same for the affine map (``architecture_ == ()``): 0, the affine
        map replaces the network only when it is not worse on the held-out
        rows on average. Issue 20 asks for ``()`` only where a linear model
        ties the fixed network; with few rows held out (30 of 300) the
        paired difference is mostly noise, and a tolerance of one standard
        error then chose the affine map in one fold in five of the three
        small non-linear regressions, where the linear model loses 0.06-0.14
        R^2 over the 5 folds. ``benchmarks/bench_stability_depth.py
        --quick`` (5-fold CV; auto-depth minus fixed depth, R^2), 1 -> 0:
        small non-linear sets -0.034 -> -0.009, -0.042 -> -0.042, -0.012 ->
        +0.006 (folds at ``()`` where the linear model loses: 3 -> 1; the
        one left is a fold whose held-out rows favour the affine map);
        diabetes +0.027 -> +0.008 ± 0.026 (neurons kept in 4 folds of 5
        instead of 0, worst fold -0.065 against -0.012), iris: petal width
        +0.011 -> +0.012, every other set unchanged; 0.5 kept diabetes at
        +0.027 but fixed only the third small set. The linear targets of
        ``tests/`` (``make_regression``, ``make_linear_to_nonlinear(alpha=0)``,
        load_diabetes at one split) still give ``()``.

    settle_layer_tolerance : float, default=0.0
        The layer step of auto-depth's evidence step (two hidden layers or
        more, with held-out rows): the network without one hidden layer (the
        highest in use dropped and the readout of the layers below refitted
        by least squares or a logistic regression, a lower one switched off)
        replaces the whole one when it is not worse on the held-out rows by
        more than this many standard errors of the paired per-row
        differences; the best such network is taken, and the step repeats.
        0, as the neurons' ``settle_holdout_tolerance``: a layer goes only
        when the held-out rows do as well without it. Only networks with
        two hidden layers or more are affected (none of
        ``benchmarks/bench_stability_depth.py``'s, whose students have one).
        On the teacher-student task (``benchmarks/bench_sparcs_layers.py``,
        ``(200, 200)`` students, 1000 and 5000 rows, 5 data seeds) no layer
        qualifies: each carries held-out gain a readout of the other does not
        recover (see the result file), so the students keep both.

    settle_layer_gain_fraction : float, default=0.0
        The layer step also removes a hidden layer when the held-out loss
        rises by at most this fraction of what the hidden layers gain
        over the affine map of the inputs on the held-out rows: a bar that
        does not shrink with the rows as a standard error does. 0 (off): on
        ``benchmarks/bench_sparcs_layers.py`` the smallest rise without a
        layer was several percent of the gain, and no share was measured
        that removes a layer the paper's answer does without while keeping
        the ones a task needs.

    settle_refit_epochs : int, default=10
        Auto-depth: once the evidence step has chosen the neurons on the
        held-out rows, the network chosen trains this many more epochs on
        every row, the held-out ones included (``nn.evidence.refit_kept``:
        Adam at ``learning_rate_init``, the fit's batch size, the data loss
        only, every exact zero and switched-off neuron kept); 0 leaves the
        network as trained on the other rows. Not run for the affine map
        (refitted on every row already) or without held-out rows. Why
        (``python benchmarks/sparcs_small_depth_probe.py --states 3``, the
        three 300 x 19 small non-linear regressions, 5 folds x 3 seeds):
        holding 10 % of the rows out cost the fixed network -0.009, -0.003
        and -0.019 R^2 by itself, the evidence step's choice of neurons
        -0.012, -0.008 and +0.009 against the network before it. Measured
        with ``python benchmarks/bench_stability_depth.py --quick --states 3
        --methods ... "auto, settle_refit_epochs=N"`` (16 sets x 5 folds x 3
        seeds; auto-depth minus fixed depth, mean ± paired SE over folds),
        0 -> 10: small non-linear -0.005 ± 0.007 -> +0.005 ± 0.005, -0.004 ±
        0.009 -> +0.001 ± 0.010, -0.030 ± 0.018 -> -0.028 ± 0.015; diabetes
        -0.013 ± 0.009 -> -0.004 ± 0.005; iris -0.004 ± 0.003 -> +0.004 ±
        0.006; wine: alcohol +0.068 -> +0.090; teacher-student (1000 rows)
        +0.009 -> +0.014; wine +0.009 -> +0.008 and iris: petal width
        +0.003 -> +0.000 (the two that moved down); every other set within
        0.001. 5 epochs gave about the same on the small sets (+0.005,
        -0.000, -0.027); 20 did no better there (+0.002, -0.003, -0.032 ±
        0.016, below 2 SE) though better on iris (+0.013) and the
        teacher-student (+0.016); in the probe 30 scored below 10 on all
        three small sets (no penalty: a long refit overfits). It costs
        about 3 % of an auto-depth fit's CPU time (0.214 -> 0.221 s, mean
        over the quick bench). Not tried yet: a refit through the fit's own
        loop (its penalties and stopping rule).

    settle_converge_epochs : int, default=500
        Auto-depth regressors (squared error), with held-out rows: once the
        evidence step has chosen the neurons, the network chosen trains on
        its training rows for at most this many more epochs, the data loss
        only, stopped on the held-out rows (``nn.evidence.converge_kept``:
        ``settle_converge_patience`` epochs without a held-out improvement
        by ``settle_converge_tol`` of the best, the best epoch's parameters
        restored; at most ``settle_converge_fit_fraction`` times the fit's
        own epochs), before the ``settle_refit_epochs`` on every row; 0
        turns it off. Why: a network of a few live neurons moves its function far
        more slowly per Adam step than the fixed network's 100, and the
        fit's stopping rule (an absolute ``tol`` on the training loss) ends
        it while the loss still falls. ``make_friedman1`` (400 rows, 10
        inputs, noise 0; ``python benchmarks/sparcs_small_depth_probe.py
        --states 2 --set "friedman1, 400 rows, noise 0"``, 5 folds x 2
        seeds): the network before the evidence step already lost -0.049 ±
        0.011 R^2 to fixed depth (7-17 neurons kept, 96-177 epochs), the
        step itself nothing, 30 refit epochs on every row recovered only
        0.016. Not for classifiers: the held-out cross-entropy of a
        separable network keeps falling as it sharpens, so the stop waited
        158-168 epochs on wine and cost -0.008 accuracy (0.983 -> 0.975, 5
        folds x 2 seeds). Tried instead and not taken: the fit's own
        ``tol`` at 1e-5 or 3e-5 for auto-depth (friedman1 400 / noise 0
        -0.017 ± 0.003, noise 1 -0.013 ± 0.003, but every fit of wine then
        ran to ``max_iter``, a ConvergenceWarning, against 1 of 3 at
        ``tol=1e-4``; it also lost 0.010 on the first small non-linear
        set); ``learning_rate_init``
        0.003 or 0.01 for the whole fit (friedman1 noise 1 0.920 / 0.922
        against 0.904, but 0.01 cost wine: alcohol -0.074 and the small
        non-linear sets up to -0.038); more neurons (``depth_alpha`` 1e-4
        or 1e-5 without the per-parameter floor, with ``tol=1e-5``: 34-45
        neurons, friedman1 noise 1 -0.019 and -0.024, worse than 9 neurons
        trained on). Measured with ``python
        benchmarks/bench_stability_depth.py --quick`` (19 sets x 5 folds x
        3 seeds; see the result file and the field below).

    settle_converge_patience : int, default=20
        Epochs without a held-out improvement before
        ``settle_converge_epochs``' training stops. On make_friedman1 (400
        rows, 5 folds x 2 seeds, lr factor 3): patience 10 / 20 (with tol
        0.005) / 30: noise 0 -0.015 / -0.009 / -0.009 R^2 against fixed
        depth, noise 1 -0.028 / -0.019 / -0.018; the first small non-linear
        set +0.016 / +0.015 / +0.010 (auto-depth without it +0.020):
        longer waits chase the noise of a few dozen held-out rows.

    settle_converge_tol : float, default=0.005
        Relative held-out improvement that resets the patience of
        ``settle_converge_epochs``' training (a smaller one still updates
        the best parameters). 0.005 ran 97-119 epochs instead of 155 on
        friedman1 (400 rows, noise 0) at the same score as patience 30
        without it (0.982), CPU per fit 0.342 s instead of 0.395 s.

    settle_converge_lr_factor : float, default=3.0
        That training's Adam rate as a multiple of ``learning_rate_init``.
        On friedman1 (400 rows, noise 0, patience 10, 5 folds x 2 seeds)
        1 / 3 / 10: -0.013 / -0.015 / -0.017 R^2 against fixed depth in
        128 / 72 / 61 epochs (0.397 / 0.308 / 0.290 CPU s per fit); with
        patience 30, 1 and 3 both -0.009 (236 and 155 epochs, 0.656 and
        0.473 s); at patience 20 and tol 0.005, 10 instead of 3: noise 0
        -0.010, noise 1 -0.021, small non-linear +0.017, wine (where it
        does not run) and diabetes unchanged.

    settle_converge_fit_fraction : float, default=1.0
        ``settle_converge_epochs``' training runs at most this fraction of
        the epochs the fit itself ran (at least 1; ``_plans._converge_epochs``):
        it finishes what the fit's stopping rule cut short, and should not
        cost several fits where the held-out loss keeps falling by a little.
        Uncapped, 4000 noise-free rows (``make_linear_to_nonlinear(alpha=1)``,
        seeds 0 and 1, the test of ``tests/test_auto_depth.py``) ran 164 and
        126 epochs after fits of 51 and 84 (1.90 and 1.74 CPU s against
        0.47 and 0.70 without the step); capped, 51 and 84 (0.92 and 1.41
        s; test R^2 0.9994 and 0.9996 against 0.9985 without the step,
        0.9997 uncapped). ``python benchmarks/bench_stability_depth.py --quick
        --methods fixed auto "auto, in-sample" linear "auto,
        settle_converge_epochs=0" "auto, settle_converge_fit_fraction=0.5"``
        (19 sets x 5 folds x 3 seeds): 1 scores as the uncapped step on
        every set (CPU per auto fit 0.216 s; 0.167 without the step); 0.5
        friedman1 -0.013 ± 0.002 / -0.019 ± 0.003 / -0.008 ± 0.003 instead
        of -0.011 / -0.018 / -0.008, at 0.206 s.

    settle_challenger_tolerance : float, default=0.0
        Auto-depth regressors (squared error, one hidden ReLU layer, no
        input groups), with held-out rows: the fixed-depth network (the
        estimator with ``auto_depth=False``, fitted on the rows auto-depth
        trained on; ``_plans._FixedChallenger``) challenges the network the
        evidence step chose (after its held-out stopped training), and
        replaces it when the chosen one's held-out loss is worse by more
        than this many standard errors of the paired per-row differences
        (0: worse on average; the grown network wins exact ties); it then
        trains the ``settle_refit_epochs`` on every row and
        ``architecture_`` is its hidden layer, ``(100,)`` at the defaults.
        ``inf`` here and in ``settle_challenger_linear_tolerance`` turns it
        off (no fixed network is fitted). Why: a network grown to 5-15
        neurons fits ``make_friedman1`` (400 rows) as well as the fixed
        network's 100 on the training rows and generalises worse, also
        trained longer (noise 1, 5 folds x 2 seeds, ``python
        benchmarks/sparcs_friedman_gap_probe.py --folds 5 --states 2``:
        R^2 0.924 at the defaults without the challenger, 0.933 at 600
        epochs, ``tol=1e-5``, against the fixed network's 0.943), and the
        rows held out are not the gap (the fixed network on a random 90 %
        of the rows: 0.941); with the challenger 0.940 (0.43 CPU s a fit
        against 0.27 without it and 0.09 for the fixed network). ``python
        benchmarks/bench_stability_depth.py --quick --methods fixed auto
        "auto, settle_challenger_tolerance=inf;
        settle_challenger_linear_tolerance=inf" ...`` (5 folds x 3 seeds;
        auto-depth minus fixed depth, mean ± paired SE over folds), without
        -> with the challenger: friedman1 400 rows noise 0 -0.011 ± 0.001 ->
        -0.000 ± 0.002, noise 1 -0.018 ± 0.003 -> -0.003 ± 0.004, 1000 rows
        noise 1 -0.008 ± 0.003 -> +0.001 ± 0.001 (the fixed network taken
        in most fits); the small non-linear regressions +0.021 / +0.012 /
        -0.003 ± 0.016 -> +0.017 / +0.006 / -0.009 ± 0.007; wine: alcohol
        +0.122 -> +0.120; every other regression set within 0.001;
        classifiers unchanged (no challenger). At 1 standard error instead
        of 0 (with the fixed network refitted on every row, below)
        friedman1 kept losing (-0.004 ± 0.001, -0.011 ± 0.002, -0.002 ±
        0.001). Over 10 seeds x 5 folds (``--states 10``), without /
        at 1 / at 0: friedman1 -0.016 ± 0.005 / +0.002 ± 0.002 / +0.003 ±
        0.002, -0.030 ± 0.006 / -0.012 ± 0.003 / -0.005 ± 0.003, -0.007 ±
        0.002 / -0.000 ± 0.001 / +0.002 ± 0.001; the small non-linear
        regressions +0.007 / +0.005 / -0.002 ± 0.004, +0.007 / +0.005 /
        -0.005 ± 0.010, -0.004 / +0.004 / -0.004 ± 0.003 (at 0 ``(100,)``
        is the most common answer on two of them, 14-16 of 50 fits, on
        30 held-out rows: the price of 0); at 0.5 friedman1 +0.003 ±
        0.002, -0.010 ± 0.002 (**lost**), +0.001 ± 0.001, the small sets
        +0.002 / +0.001 / +0.000. Only 0 keeps every set within 2 paired
        standard errors of the fixed network.
        The fixed network refitted on every row instead of the
        one judged scored about the same on friedman1 (-0.002 ± 0.001,
        -0.007 ± 0.003, -0.001 ± 0.001) at a second fixed fit: a fresh fit
        of the fixed network moves by more (make_friedman1, 750 rows,
        noise 0.1: held-out R^2 0.967 against the judged one's 0.997 on a
        seed whose grown network scored 0.988). A SPARCS network of all
        100 neurons trained afresh (the data loss, stopped on the held-out
        rows) instead of the fixed network scored 0.918 on friedman1 (400
        rows, noise 1), below the grown network (0.924). Cost: one fixed
        fit on 90 % of the rows per auto-depth regression fit.

    settle_challenger_linear_tolerance : float, default=1.0
        The same when the evidence step chose the affine map
        (``architecture_ == ()``): the fixed network must be better by 1
        standard error, so that a linear target keeps its ``()`` (at 0, in
        a probe with the fixed network at the model seed, it replaced the
        affine map in 3 of 15 fits of the SPARCS linear-to-non-linear
        target at ``alpha=0`` and 2 of 15 of iris: petal width, where a
        linear model ties the fixed network); on the small
        non-linear regressions, where a linear model loses, it removes the
        ``()`` of 1 fit in 15 of two of the three sets.

    settle_challenger_classifiers : int, default=0
        1: the fixed network also challenges auto-depth classifiers
        (softmax, no ``class_weight``; compared on the held-out rows'
        cross-entropy, its logits kept as they are). Off by default:
        ``python benchmarks/bench_stability_depth.py --quick --only ...
        --methods fixed auto "auto, settle_challenger_classifiers=1"
        linear`` (5 folds x 3 seeds, ``results/
        stability_depth_challenger_classifiers.md``; auto-depth minus fixed
        depth, accuracy), 0 -> 1: make_moons (noise 0.25) 2000 rows with
        six noise columns -0.067 ± 0.008 -> +0.001 ± 0.001, 600 rows
        -0.024 ± 0.002 -> -0.013 ± 0.005 and with six noise columns
        -0.034 ± 0.004 -> -0.020 ± 0.003 (both still lost); but
        breast_cancer +0.005 -> -0.001 (-0.005 ± 0.003 against auto-depth
        without it), wine +0.009 -> +0.008, the correlated-Gaussian set
        +0.007 -> +0.005, and ``()`` where a linear model ties fell from
        10 to 4 of 15 fits on the independent-Gaussian set (``(100,)``
        instead): the held-out cross-entropy prefers the fixed network
        where it is not more accurate. With the tolerances at 1 and 2
        (``..._classifiers_tol1.md``): breast_cancer +0.002 ± 0.003, moons
        2000 rows +0.001 ± 0.001, 600 rows -0.016 / -0.021 (lost), ``()``
        on the independent-Gaussian set 6 of 15 fits.

    depth_alpha_class_power : float, default=1.0
        Auto-depth, softmax classifiers: the depth penalty's strength is
        ``depth_alpha / (n_classes - 1) ** depth_alpha_class_power``, as a
        k-output regression's is ``depth_alpha / k``: a neuron serves every
        free logit of the softmax, and a task with more classes needs more
        neurons, each of which lowers the mean cross-entropy by less (its
        gain is spread over the rows of the classes it separates). Binary
        classifiers (one free logit) are unchanged whatever the power. At 0
        (the rule before) digits (10 classes) recruited 7-12 neurons where
        the fixed network spreads its fit over about 80 of its 100 (the
        neurons holding 95 % of its weight), and the network before the
        evidence step already lost -0.005 ± 0.002 accuracy to the fixed one
        (the step itself and the held-out rows cost ~0.001 each; ``python
        benchmarks/sparcs_small_depth_probe.py --states 3 --set digits
        --refits 10 --setting depth_alpha_class_power=0
        depth_alpha_per_parameter=0``; at 1: 59-95 neurons grown, 13-55 kept,
        before the step +0.003 ± 0.003). Measured (before
        ``depth_alpha_per_parameter``) with ``python
        benchmarks/bench_stability_depth.py --only digits wine iris --methods
        fixed auto "auto, depth_alpha_class_power=1.0"
        "auto, depth_alpha_class_power=0.5"`` (5 folds x 3 seeds; auto minus
        fixed, mean ± paired SE over folds), 0 / 0.5 / 1: digits -0.004 ±
        0.001 / +0.001 ± 0.003 / +0.005 ± 0.004 (13-55 neurons at 1, CPU per
        auto fit lower: fewer epochs), wine +0.008 at all three, iris +0.004
        at all three (more neurons kept at 1, 0-55). The same lower strength
        for every task (``depth_alpha=1e-4``) cost the small non-linear
        regressions -0.020 and -0.029 R^2 (more neurons, more variance), so
        the scaling is by the classes, not a new global strength.

    depth_alpha_per_parameter : float, default=0.02
        Auto-depth: the depth penalty's strength is at least this times a
        neuron's parameters (inputs + outputs + 1) per training row, ``max(
        depth_alpha, c (n_in + n_out + 1) / n_train)`` (before the divisors of
        the outputs or classes): fitted to noise, a neuron lowers the mean
        training loss by about its parameter count over the rows (Akaike), so
        a strength fixed in the rows lets small data grow neurons that do
        not generalise. With 0.02 only data of fewer than about 20 rows per
        parameter move (the three 300 x 19 small non-linear regressions:
        1.9e-3 instead of 1e-3; wine, iris, breast_cancer; the 1000-row
        teacher-student barely, 1.1e-3). Measured with ``python
        benchmarks/bench_stability_depth.py --quick --methods fixed auto
        linear "auto, depth_alpha_per_parameter=C"`` (16 sets x 5 folds x 3
        seeds; auto minus fixed, mean ± paired SE over folds), 0 -> 0.02:
        small non-linear +0.005 ± 0.005 -> +0.025 ± 0.006, +0.001 ± 0.010 ->
        +0.014 ± 0.018, -0.028 ± 0.015 -> -0.003 ± 0.017 (6-12 neurons
        instead of 14-24: the network before the evidence step had lost
        -0.039 ± 0.026 there, variance of a network grown on 216 rows);
        wine: alcohol +0.090 -> +0.109, breast_cancer +0.002 -> +0.004 (``()``
        in 14 of 15 fits instead of 8; the linear model ties), teacher-student
        +0.014 both, linnerud (20 rows) +8.39 -> +8.22, every other set
        unchanged; CPU per auto fit 0.200 -> 0.187 s. On the three small sets
        0.015 gave +0.016, +0.018, -0.021 and 0.03 +0.030, +0.001, -0.049
        (``()`` in 3 and 2 of 15 fits where the linear model loses): 0.02 is
        near a cliff on the third set, and ``()`` stays in 1 fit of 15 on the
        second and third sets.

    depth_stop_switch_off_window : int, default=45
        Auto-depth: the stopping rule counts a unit's first switch-off as
        progress only within this many epochs of the last improvement of the
        training loss by ``tol`` (0: always, as at fixed depth). The depth
        penalty switches the hidden slots off one by one: on wine (full data,
        standardised, seeds 0-5) 60 of them went over 150 epochs, one every
        2-3 epochs, long after the loss had stopped improving by ``tol``, and
        each reset the patience: 2 of 6 fits reached ``max_iter`` (a
        ConvergenceWarning at the defaults), 5 of 15 on iris's CV folds, 1 of
        15 on wine: alcohol and the teacher-student. Not counting switch-offs
        at all stopped fits on the plateau where the neurons grow (a
        friedman1 fit ended after 34 epochs with 2 neurons, R^2 0.72);
        counting them only once they amount to a tenth of the units on did
        too (teacher-student -0.053 ± 0.023 against fixed depth instead of
        +0.018). With 30 (``python benchmarks/bench_stability_depth.py
        --quick --methods fixed auto "auto,
        depth_stop_switch_off_window=30"``, 19 sets x 5 folds x 3 seeds;
        auto minus fixed depth, mean ± paired SE over folds): no fit of
        auto-depth warns except on linnerud (20 rows: 6 of 15, the fixed
        network 15 of 15), every set within 0.008 of the rule before
        (iris +0.004 ± 0.010 -> +0.000 ± 0.011, wine: alcohol +0.125 ->
        +0.117 ± 0.039, friedman1 400 rows noise 1 -0.018 -> -0.017, the
        others within 0.001), CPU per auto-depth fit 0.229 -> 0.212 s. But
        at 10 model seeds per fold 30 cost the small non-linear regressions
        -0.005 ± 0.0025 R^2 (seeds 1 and 2, paired against no window, 5
        folds; seed 2 then lost to fixed depth by just over 2 SE): their
        held-out stopped training after the evidence step runs at most as
        many epochs as the fit. 45: seed 2 +0.002 ± 0.002, seed 1 -0.005 ±
        0.002, seed 0 -0.000 (the bench's ``run_fold``, 10 seeds x 5
        folds), wine (full data, seeds 0-5) and iris (5 folds x 3 seeds)
        never at ``max_iter``; 60 let 1 of the 15 iris fits reach it.
        At 45, ``python benchmarks/bench_stability_depth.py --quick
        --states 10 --name stability_depth_states10 --only ... --methods
        fixed auto linear "auto, depth_stop_switch_off_window=0"`` (10 sets
        x 5 folds x 10 seeds; no window minus 45, paired): iris +0.002 ±
        0.001, small non-linear seed 1 +0.005 ± 0.002, seed 2 -0.002 ±
        0.002, wine: alcohol -0.004 ± 0.004, wine, diabetes and friedman1
        within 0.001; without the window 5 of 50 wine fits, 19 of 50 iris
        fits and 2 of 50 wine: alcohol fits reached ``max_iter``, with it
        none. The quick and full runs of the bench (3 seeds): only
        linnerud (6 of 15) and, in the quick run, one teacher-student fit
        of 15 still warn; CPU per auto-depth fit 0.216 s (quick) and 0.278 s
        (full), fixed depth 0.087 and 0.120.
        A shorter second-moment memory for the hidden eigenvalues (Adam's
        ``beta2`` 0.95 or 0.9 for the depth term, whose proximal threshold
        divides by its root) also ended the wine fits but not iris's (6 and
        3 of 15 warned) and cost the third small non-linear set 0.014.

    alpha_grid_factors : tuple, default=(1.0, 2.0, 4.0, 8.0, 16.0)
        Strengths tried by the selector's ``alpha="auto"``, as multiples of the
        model's ``alpha``. At the default 0.1 this spans 0.1-1.6;
        ``benchmarks/bench_real_data.py``'s table "Selection at a stronger
        penalty" showed columns dropped at 0.3 and 1.0.

    strength_cv_folds : int, default=5
        Folds of the cross-validation that scores the strengths of the
        selector's ``alpha="auto"`` (every row is held out once). One 80/20
        split, the previous rule, chose 0.1 or 0.2 on the same data depending
        on the seed, and the selected set with it (headline problem, data seed
        1: 0.2 in 6 of 20 random states); 5 folds chose 0.1 in 12 of 12 (data
        seeds 0-2, 4 random states each, grid 0.05-0.8, measured by hand;
        ``benchmarks/bench_stability_selection.py`` measures the resulting
        sets).

    consensus_fits : int, default=5
        Minimal mode: fits on all rows, each with its own seed, whose mean
        relevance the selection reads (``threshold`` applies to the mean).
        Which inputs one fit's L1 switches off depends on its seed; their mean
        does not: on the headline problem at alpha 0.1 one fit gave pairwise
        Jaccard 0.90, 0.83, 0.83 across random states (data seeds 0-2), the
        mean of 5 fits 1.00, 1.00, 0.77 (seed 2 has two informative columns
        as weak as the strongest noise column). When the strength band votes
        (``strength_band_vote``): the first batch of fits on all rows, at the
        band's strengths, and the size of each further batch
        (``consensus_decide_z``).

    consensus_max_fits : int, default=10
        Minimal mode, the strength band's vote: at most this many fits on
        all rows (``consensus_decide_z``; ``consensus_fits`` when larger).
        Was 5 (no batch after the first) while the whole band voted; with
        the weakest strength alone (``strength_vote_strengths``) and the
        undecided columns kept (``strength_vote_z``), a second batch
        settles the columns near the level (session 14, see
        ``strength_vote_z``): on average 5.7-9.7 fits per selection
        (breast_cancer 9.7, wine 5.7, diabetes 6.3, digits 9.3, headline
        5-6.7; ``benchmarks/minimal_vote_probe.py``), and caps of 15, 20
        or 30 were no more stable there (breast_cancer 0.922-0.923
        against 0.936) and keep more. Session 12, measured by the selector itself
        (``bench_stability_selection.py --quick --threads 1 --fold-states
        10``: 10 random states on each of 5 CV folds,
        ``results/stability_selection_states10_{max5,max10,max15}.md``;
        each fold's mean Jaccard to the other folds, paired with the rule
        before, ``results/stability_selection_states10_s11.md``), fold
        Jaccard of 5 fits at ``alpha_`` (the rule before) -> 5 fits spread
        over the band -> up to 10 -> up to 15 spread over the band, added
        while a column is undecided: breast_cancer 0.877 -> 0.892 (+0.015
        +- 0.002) -> 0.885 (+0.008 +- 0.004) -> 0.878 (+0.000 +- 0.004),
        diabetes 0.932 -> 0.955 (+0.022 +- 0.005) -> 0.936 (+0.004 +-
        0.000) -> 0.920 (-0.012 +- 0.002), wine 0.994 -> 0.988 (-0.006 +-
        0.002; one selection of fold 1, whose band is 0.1 alone, keeps 10
        of 13) -> 0.988 -> 0.997 (+0.003 +- 0.001); CPU per selection 2.51
        -> 2.35 -> 2.72 -> 3.19 s on breast_cancer. More fits on all rows
        lower diabetes' stability step by step (they outvote its fold
        fits). The standard
        errors over folds understate the noise of the fits on all rows:
        replayed with 12 draws of those fits
        (``benchmarks/consensus_spread_probe.py``,
        ``results/consensus_spread_s12.md``: 20 stored fits at ``alpha_``
        and at each band strength per run), the paired differences of 5
        spread fits are +0.009 (sd 0.005 over the draws), +0.020 (0.008)
        and +0.004 (0.005), of 15 +0.012 (0.007), +0.000 (0.011) and
        +0.002 (0.008); headline data seed 2 (band 0.1 alone: 5 spread fits
        are the rule before) Jaccard across states 0.91 -> 0.91 -> 0.94
        (recall 0.85 -> 0.85 -> 0.82: its columns 6 and 9 are no stronger
        than noise columns 29 and 30, a steadier vote does not find them).
        More fits at ``alpha_`` alone (15 or 25) lost everywhere
        (breast_cancer -0.016 and -0.023, diabetes -0.163 and -0.195, wine
        -0.012 and -0.018): ``alpha_`` can be far from the band (1.6 where
        the band is 0.1), and fits at one strength pull the vote to it.

    consensus_decide_z : float, default=1.0
        Minimal mode, the strength band's vote: fits on all rows are added,
        ``consensus_fits`` at a time and spread over the band's strengths
        (as many at each), while the Wilson score interval at this ``z`` of
        some column's band frequency contains ``strength_band_vote`` (the
        column is undecided), up to ``consensus_max_fits`` (at its default
        5, never). 0: the first batch only; a large value: always
        ``consensus_max_fits``. With a cap of 15 (the replay above, 1.64
        against no early stop, the same kept sets): diabetes 34.4 -> 29.9
        fits per selection, wine 32.9 -> 24.7, breast_cancer 38.3 -> 38.1
        and headline seed 2 25 -> 25 (their weak columns sit near the vote
        level: every selection goes to the cap). Wine does not get cheaper
        than the rule before (22.8 fits): some of its columns sit at
        0.3-0.6 in the band's fits. Session 14: 1.0, the same ``z`` as
        ``strength_vote_z`` (a batch is added exactly while a column is
        kept only for being undecided or dropped near the level); 1.64
        with a cap of 10 keeps a noise column of headline data seed 1 at
        one of 3 random states (precision 0.97) where 1.0 keeps none
        (``minimal_vote_probe.py``, stored fits).

    strength_stability_se : float, default=2.0
        Minimal mode, ``alpha="auto"``: the strengths whose CV loss is within
        this many paired standard errors of the best are candidates, and the
        one whose 5 fold fits agree the most on the kept columns (mean
        pairwise Jaccard; ties to the stronger) is used, instead of the
        one-standard-error rule's sparsest candidate. On real data the CV
        loss is flat over the grid and the sparsest strength is one at which
        each fit's L1 keeps a different few columns.
        ``benchmarks/bench_consensus_rules.py`` (stored fits; 4 random
        states x 3 data seeds of the headline problem, 5-fold CV of four
        real sets at random state 0; mean of 5 fits on all rows at the
        chosen strength), fold Jaccard of the kept sets, one-SE rule -> this
        rule at 1 SE -> at 2 SE: breast_cancer 0.61 -> 0.66 -> 0.80,
        diabetes 0.55 -> 1.00 -> 1.00, wine 0.94 -> 1.00 -> 1.00, digits
        0.94 -> 0.94 -> 0.94; the headline problem is unchanged (every rule
        picks the model's own alpha there). At 2 SE a fold whose best
        strength is a sparse one (breast_cancer, 1 fold in 5) still takes
        the reproducible one. The kept sets are larger: diabetes 10 of 10
        columns in every fold (one-SE rule: 3-10), breast_cancer 22-25 of
        30 (8-20). With ``group_correlated=0.9``, the full
        ``benchmarks/bench_stability_selection.py`` (5-fold CV at random
        state 0; 20 random states x 3 data seeds of the headline problem):
        fold Jaccard breast_cancer 0.66 -> 0.91, diabetes 0.72 -> 0.80,
        wine 0.88 -> 1.00, digits 0.92 -> 0.92 (BorutaPy 0.94, 0.78, 1.00,
        1.00); headline unchanged (seeds 0, 1: 1.00; seed 2: Jaccard 0.81).
        ``None`` is not allowed here: pass a large value to keep only the
        agreement, 0 for the best strength.

    strength_band_vote : float, default=0.3
        Minimal mode, ``alpha="auto"``, spectral model: a column is kept when
        its correlated group (``group_correlated``) is kept by ``threshold``
        in at least this fraction of the fits of the strength band: the 5
        fold fits of every candidate strength (``strength_stability_se``)
        no stronger than the CV minimum, and the ``consensus_fits`` fits on
        all rows at the chosen one (stability selection over the strengths
        that predict as well as the best, Meinshausen and Buhlmann 2010,
        instead of one hard choice of strength). 0: the mean relevance of
        the consensus fits and ``threshold`` (the rule before). Measured by
        ``benchmarks/bench_stability_selection.py --quick --fold-states 3``
        (3 random states on each of 5 CV folds; Jaccard over pairs of runs
        from different folds, paired difference per fold with its standard
        error), the rule before -> this one: breast_cancer 0.77 -> 0.84
        (+0.065 +- 0.016), diabetes 0.67 -> 0.78 (+0.114 +- 0.018), wine
        0.97 -> 0.99 (+0.021 +- 0.013), digits 0.91 -> 0.91 (-0.005 +-
        0.009); headline data seed 2 (5 states)
        recall 0.84 -> 0.84, precision 0.89 -> 0.84, Jaccard 0.81 -> 0.88.
        The fits already exist: no extra CPU. Replayed on stored fits
        (``benchmarks/bench_consensus_rules.py --candidates``): 0.5 is less
        stable (breast_cancer 0.84, diabetes 0.67), and letting the
        strengths stronger than the minimum vote too drops weak columns
        (diabetes 0.71, wine 0.94 measured). Session 11, replayed on the
        same stored fits with each fold's mean Jaccard to the other folds
        paired (``bench_consensus_rules.py --s11``,
        ``results/consensus_rules_s11.md``): 0.4 and 0.5 lose on diabetes
        (-0.13 +- 0.01) and breast_cancer (-0.03 +- 0.01), and so does a
        narrower band (only the best strength and half of it: -0.08 +-
        0.01 on breast_cancer; the best alone: -0.10 +- 0.01); 0.4 would
        drop the irrelevant columns the vote keeps on some users' tables
        (``bench_tables.py``, missingness-signal precision 0.92 -> 0.97)
        at that cost in stability.

    strength_vote_strengths : int, default=1
        Minimal mode, the strength band's vote: only the weakest this many
        candidate strengths vote (their fold fits, and the fits on all
        rows go to them); 0: every candidate no stronger than the CV
        minimum (the rule before session 14). Stronger strengths vote
        sparser, and how many of them enter the band follows the search's
        own folds, i.e. the random state: on breast_cancer the band was
        0.1-0.2 at one state and 0.1-0.8 at another on the same CV fold,
        and the weak "error" columns' frequencies moved by up to 0.35 with
        the state. Replayed on stored fits (``python
        benchmarks/minimal_vote_probe.py``, 3 random states x 5 CV folds,
        the same fits, 5 on all rows): fold Jaccard breast_cancer 0.873 ->
        0.910 (within a fold 0.900 -> 0.959), diabetes 0.962 -> 0.987,
        wine 0.959 -> 0.959; digits and the headline problem unchanged
        (their band is one strength); the kept sets are larger
        (breast_cancer 21-28 -> 26-30 of 30). This is Meinshausen and
        Buhlmann's stability selection, which keeps a column by its largest
        selection frequency over the strengths: the weakest strength's.

    strength_vote_z : float, default=1.0
        Minimal mode, the strength band's vote: a column is also kept when
        the Wilson score interval at this ``z`` of its band frequency
        contains ``strength_band_vote`` (``band_undecided_``: the fits
        cannot tell it from the level, and another seed or fold would put
        it on either side); 0: the frequency alone decides. With
        ``consensus_decide_z`` 1.0 and ``consensus_max_fits`` 10, replayed
        on the stored fits above (the weakest strength votes): breast_cancer
        0.910 -> 0.936, wine 0.959 -> 1.000, diabetes 0.987 -> 1.000,
        digits 0.929 -> 0.937 (pooling the votes of the 3 states of a fold,
        the data's own limit, gives 0.955 on digits: its pixels are not
        decided by the data); headline data seeds 0 and 1 exact, seed 2
        recall 0.80 -> 0.83, precision 0.83 -> 0.81. Dropping the undecided
        columns instead lost (breast_cancer 0.899), and so did more fits
        without the interval (up to 30: breast_cancer 0.914, diabetes
        0.973), a vote level at the largest gap of the frequencies
        (breast_cancer 0.877-0.892, wine 0.938) and a lower level (0.2:
        headline data seed 1 precision 0.97), and so did a narrower
        interval (z 0.5 or 0.75: breast_cancer 0.909, wine 0.959, diabetes
        0.976). The cost is precision where a noise column is kept in a
        fifth of the fits: ``bench_tables.py``'s missingness-signal tables
        0.93 (worst 0.67) instead of 1.00 over 5 seeds, its four other quick
        scenarios unchanged (recall and precision 1.00;
        ``minimal_vote_probe.py --tables``), and 600 x 500 with 20 useful
        columns keeps 26 (all useful ones) instead of 22; 0 restores the
        plain vote.

    strength_stop_after : int, default=1
        Minimal mode, ``alpha="auto"``: the strength search stops once
        this many strengths in a row each lose to the best before them by
        more than two paired standard errors (stronger strengths are not
        fitted; they would not be in the band). Was 2 (a block of
        redundant columns dropped at a stronger strength might score
        better). Replayed on every stored run (session 10's 50 runs, 3
        random states x 5 folds of breast_cancer, diabetes and wine and 5
        states of headline seed 2; session 9's one-state runs of digits
        and the headline, /tmp script on ``bench_consensus_rules.py``'s
        store), 1 gives the same kept set on every run with fewer strengths
        fitted: headline 3 -> 2, digits 3 -> 2, wine 4.5 -> 3.2, diabetes
        4.5 -> 3.8, breast_cancer 4.9 -> 4.7; measured by the selector
        itself in ``results/stability_selection.md`` (session 11).

    all_relevant_alpha : float, default=0.03
        All-relevant mode: penalty strength of the default model, the lowest
        rung of the strength ladder (``all_relevant_alpha_factors``). Lower
        than the models' default (0.1) so that a redundant copy of a useful
        column keeps some relevance instead of being switched off; the shadow
        columns, not the penalty, separate it from noise. Measured by hand on
        issue 11's two sets (the data of ``benchmarks/bench_all_relevant.py``),
        seeds 0-4, with the half-split rounds, 10 rounds, the bar and the test
        below: at 0.1 the L1 switches off 96-98 % of the shadows and weaker
        informative columns with them (5 of 100 useful columns left out, 7
        noise columns kept); at 0.03, 2 left out and none kept.

    all_relevant_alpha_factors : tuple, default=(1.0, 2.0, 4.0, 8.0, 16.0)
        All-relevant mode with ``alpha="auto"`` and a spectral model: the
        rounds cycle through these multiples of the model's ``alpha``
        (0.03-0.48 for the default model), instead of one strength chosen by
        cross-validation. No single strength serves every data set (one
        selection each, ``SpectralFeatureSelector(mode="all-relevant",
        alpha=a)`` at random state 100 on the headline splits and 0 on the CV
        folds of ``benchmarks/bench_stability_selection.py``, 15 rounds): at
        the best-predicting strength (0.12 on the headline problem's data seed
        0) the L1 switched two weak informative columns off in 14 of 15
        rounds (recall 0.80, 1.00 and 0.70 on data seeds 0-2); at 0.03 or
        0.06 load_diabetes' relevance stayed near uniform (every column 8-13
        %) and the test kept 0-1 of 10 columns in CV folds 0 and 3, at 0.12
        nine. The ladder keeps the 10 informative columns and no other on data
        seeds 0-2 and 5-6 of diabetes' columns in every fold
        (``benchmarks/results/all_relevant_stability.md``), and needs no
        strength search, which took 2/3 of the previous rule's CPU time (8.8
        s with it, 2.8 s at its chosen 0.12 without it, data seed 0). Without
        the 0.48 rung (12 rounds) data seed 2 kept 8 of its 10.

    all_relevant_repeats : int, default=40
        All-relevant mode with ``n_repeats="auto"``: the most rounds the
        sequential test runs (eight passes over the five rungs of the
        ladder; each round fits the model once per part of the columns). It
        stops earlier when every column is decided, as in Boruta: on
        ``make_classification(400, 20, n_informative=5)`` (seeds 0-2) after
        20-25 rounds. Until session 10 this was a fixed 15 rounds on every
        column (fold Jaccard 0.79 on breast_cancer, BorutaPy 0.94, one
        random state per fold); 30 fixed rounds raised it to 0.89 at twice
        the CPU time. With the sequential test and this cap
        (``benchmarks/results/all_relevant_real_sequential.md``, 3 random
        states x 5 folds): breast_cancer 0.85 (the fixed 15 rounds on the
        same folds and states 0.83, ``all_relevant_real_fixed15.md``;
        BorutaPy 0.94) after 38 rounds on average, diabetes 0.86 (0.89;
        BorutaPy 0.78) after 25, wine all
        13 columns; 0.39-0.55x BorutaPy's CPU time there, 1.7x on digits
        (60-75 s a selection): the borderline columns run to the cap.

    all_relevant_reject_rate : float, default=0.3
        All-relevant mode: the sequential test rejects a column when one
        that beats its shadows in this fraction of the rounds would score
        more hits than it did, at the test's level (a binomial lower tail,
        Bonferroni over the columns); it is confirmed when its hits are
        more than a column unrelated to ``y`` scores, at that level shared
        also over the looks (one per batch of rounds, the most the cap
        allows: a null column tested after every batch would otherwise be
        confirmed by one of the looks more often than ``all_relevant_level``
        says). Measured by the lead in session 10 on the headline problem,
        data seeds 0-4 x random states 100-101: noise columns kept 2 -> 1 of
        the 10 selections, recall 1.00 either way, CPU 8.2 -> 8.0 s;
        breast_cancer / diabetes 5 folds (state 0): fold Jaccard 0.81 ->
        0.84 / 0.87 -> 0.86, 2 columns tentative in 2 folds of
        breast_cancer (``benchmarks/all_relevant_looks_probe.py`` on the
        commit before and after). Boruta asks the first question at a rate
        of 0.5 against the best shadow; the bar of a hit here is the 99th
        percentile of many shadows, and the relevant columns of
        breast_cancer that flipped between folds hit in 0.03-0.25 of 30
        rounds (``benchmarks/results/all_relevant_real_rounds30.md``'s data,
        session 9): a column that rate is confirmed before it can be
        rejected, and a column with no hit is rejected after 15 rounds with
        10 columns, 20 with 20-64 (the first batch past ``log(level /
        n_features) / log(1 - rate)``).

    all_relevant_parts : int, default=2
        All-relevant mode: each round splits the columns at random into this
        many parts and fits the model once per part, beside the shadows. 1
        fits every column together (a column is judged given all the others:
        a redundant copy is rarely needed), 2 (halves) and more fit smaller
        contexts (a copy is often fitted without its twin, but a column that
        matters only beside another is less often fitted with it), at one
        fit per part. Measured with ``benchmarks/bench_all_relevant.py
        --real --settings '{"all_relevant_parts": k}'`` (5 CV folds,
        ``benchmarks/results/all_relevant_real*.md``): fold Jaccard of the
        kept sets on breast_cancer / diabetes 0.82 / 0.73 with 1 part (half
        the CPU time), 0.85 / 0.85 with 2, 0.90 / 0.89 with 4 (1.6-2.2x the
        CPU time; diabetes' forest -0.026 +- 0.010 R^2 against all columns
        instead of -0.051 +- 0.008, a linear model -0.017 +- 0.004 either
        way); wine keeps its 13 columns with each. On the generality sets
        (``--generality --quick --seeds 0 1``) 1 part raises the weak linear
        target's recall to 0.80 and drops the independent-Gaussian set's to
        0.64, 4 parts the reverse (0.50 and 0.91; 2 parts: 0.60 and 0.77).
        4 parts cost twice as much and still miss BorutaPy's 0.94 on
        breast_cancer; 2 stays.

    all_relevant_min_shadows : int, default=50
        All-relevant mode: every fit gets at least this many shadows (several
        shuffled copies of each column when there are fewer columns). The null
        hit rate of a rung is read off its shadows with one more counted, so
        with 10 columns (60 shadows per rung) it could not fall below 2/61 =
        0.033 per round; with 50 shadows per fit it is 0.013 (diabetes, CV
        folds 0 and 3: the same kept sets at the same CPU time).

    all_relevant_quantile : float, default=0.99
        All-relevant mode: a feature scores a hit in a round when its relevance
        exceeds this quantile of the relevances of the shadows of every fit at
        the round's strength; the null hit rate is the fraction of those
        shadows above it, one more counted (about 1 - this; less at a strength
        whose L1 switches nearly every shadow off, where the bar is 0). Set at
        one strength on issue 11's sets, seeds 0-4: at 20 rounds 0.95 kept 2
        noise columns and 0.98 kept 1 (both left out none), 0.99 and 0.995
        kept none and left out 1; at 15 rounds 0.95 kept 3, 0.98-0.995 none,
        each left out 1.

    all_relevant_level : float, default=0.05
        All-relevant mode: family-wise level of the test of the hits
        (Bonferroni over the features): a feature is kept when the chance that
        a column unrelated to ``y`` scores at least as many hits (rounds
        independent at their null rates: a Poisson-binomial tail) is at most
        ``level / n_features``. Boruta's default level; 0.01 gave the same
        totals on issue 11's sets (one strength, seeds 0-4).

    all_relevant_max_iter : int, default=40
        All-relevant mode with the default model: the most epochs of each
        shadow fit (the model's own ``max_iter``, 200, when smaller; the fit
        on all data and a model passed as ``estimator`` keep their own). A
        round's CPU time is its fits' epochs (the shadows barely add to an
        epoch's cost: 0.55 ms per epoch on wine with 19 or 71 inputs), and
        the shadow fits ran 40-160 epochs (wine 135, breast_cancer 56,
        diabetes 68, headline 53 on average). The hits are judged against
        shadows trained for as long, so the null stays the null; a shorter
        fit leaves a redundant column more of its relevance before the L1
        settles between it and its twin. Measured with ``python
        benchmarks/bench_all_relevant.py --real --sets diabetes wine
        breast_cancer --states 0 1 2`` (3 random states x 5 CV folds,
        ``--settings '{"all_relevant_max_iter": 200}'`` against 40, paired
        per state; ``benchmarks/results/all_relevant_real_s11.md`` and
        ``all_relevant_real_s11_uncapped.md``): fold
        Jaccard breast_cancer 0.86 -> 0.90 (+0.046 +- 0.022; 21 -> 25.5
        columns kept, BorutaPy 24-26), diabetes 0.90 -> 0.98 (+0.082 +-
        0.016; 6.4 -> 6.1 kept: s1 no longer in 4 of 15), wine 0.99 both;
        the forest on the kept columns minus all columns -0.004 +- 0.003
        (breast_cancer) and -0.004 +- 0.004 R^2 (diabetes) paired, a
        linear model +0.000 either; CPU time per selection 0.62x, 0.46x and
        0.47x (0.23x, 0.26x and 0.89x BorutaPy's; digits 0.40x instead of
        1.3x, fold Jaccard 0.98 instead of 0.94 at random state 0;
        ``all_relevant_stability_s11.md``). The cost: the weakest columns of
        clean synthetic signals: the headline problem's data seed 2 keeps 9
        of its 10 informative columns at random state 100 (10 uncapped),
        and on ``--generality --quick --seeds 0 1``
        (``all_relevant_generality_s11.md`` against
        ``all_relevant_generality_s11_uncapped.md``) the weak linear
        target's recall is 0.60 instead of 0.70 (the 1/4 coefficient on
        seed 0), the independent-Gaussian set's 0.82 instead of 0.77, the
        other sets' the same, precision 1.00 everywhere.

    member_fits_max : int, default=16
        The selector's many small fits on the same rows (the all-relevant
        rounds' shadow fits; for a classifier also the strength search's
        fold fits of a strength and the consensus fits: a regression fit's
        end-of-fit solve turns the members' rounding into 3e-3 of a
        held-out loss, which moved the strength chosen on diabetes) train
        as members of one step
        (``nn/members.py``: the networks with a leading member dimension,
        their closed-form gradients by batched products, each member's
        Adam and proximal step at its own strength, each stopped by its
        own rule), at most this many per step; 0 or 1 fits each
        network alone. Which fits qualify: ``_selection/_refits.py``'s
        ``members_apply``. Each member follows the arithmetic of its fit
        alone to float rounding (``tests/test_members.py``; the end-of-fit
        solve of a member that stops on its patience amplifies the rounding
        to about 1e-3 of an importance). Measured with ``python
        benchmarks/bench_members.py`` (``results/members.md``: CPU per
        network of the first K fits of a round plan, one thread, median of
        3 interleaved pairs, K = 5-30): 1.6-2.2x less than alone on wine
        (178 x 13), 1.6-2.1x on diabetes (442 x 10), 1.5-1.8x on
        breast_cancer (569 x 30), 1.3-1.4x on the headline problem
        (750 x 50), 1.2-1.3x on digits (1797 x 64). A first run with all K
        in one step (before stopped members left the products) gave less at
        K = 30 than at 10-20 (wine 1.75x against 2.13x, diabetes 1.74x
        against 2.08x, breast_cancer 1.36x against 1.63x: the members'
        tensors outgrow the cache), hence 16. The sequential rounds fit 10
        networks a batch (5 strengths x 2 halves), the strength search 5
        folds a strength, the consensus 5 fits. On the selector
        (``results/all_relevant_stability_members.md``, paired against
        main's path on the same folds and states) the all-relevant CPU fell
        1.3-2.0x with the same kept columns in every run.
    member_fits_max_rows : int, default=2000
        Training sets of more rows fit each of those networks alone: a member
        step saves per-step overhead, which matters only while a step is
        small: the gain falls from about 2x at 178-442 rows to 1.4x at
        750 and 1.2-1.3x at 1797 (``results/members.md``). Not tuned
        beyond: 2000 rows lie past the sizes measured.
    all_relevant_linear_level : float, default=0.05
        All-relevant mode, regression on numeric data without missing
        cells: family-wise level of the least-squares check that follows
        the shadow test (0: no check). Each column or correlated group the
        test did not confirm is added alone to a linear fit on the
        confirmed ones and kept when the partial F-test's p-value is at
        most this over the number of columns. A column unrelated to ``y``
        and to the confirmed columns passes with chance at most this over
        all columns, whatever the target's shape (its F statistic has the
        null distribution). Why: on ``load_diabetes`` sex carries a clear
        conditional linear effect (partial F p = 0.0002-0.0016 on the 5
        training folds given the six confirmed columns) yet beat its
        shadows in 0-13 % of the network rounds, and s1/s2 in 0-5 % even
        tested as one group, at every rung and with every column fitted
        together. Measured with ``benchmarks/bench_stability_selection.py
        --quick --only all-relevant boruta --competitor-fold-states 3``
        (3 random states x 5 folds, paired per fold against main,
        ``benchmarks/results/all_relevant_stability.md``): diabetes keeps
        bmi, bp, s3-s6 and sex in all 15 selections (sex re-admitted), the
        forest on the kept columns -0.030 +- 0.010 -> -0.016 +- 0.011 R^2
        against all columns (+0.014 +- 0.006 paired; within two standard
        errors); on ``bench_all_relevant.py --generality --quick --seeds 0
        1`` the weak linear target's recall 0.60 -> 0.90 (BorutaPy 0.80,
        with a noise column on one seed), friedman1-3 unchanged, precision
        1.00 on every set. Classification is not checked: a linear
        probability model per class (the same F-test) re-admitted nothing
        useful on breast_cancer, wine or the headline problem (without the
        grouping; fold Jaccard 0.88 against 0.89, headline data seed 2
        still 9 of 10).
    all_relevant_hit_dispersion : float, default=0.0
        All-relevant mode: how much a null column's chance of a hit varies
        between columns, as the variance of a gamma factor of mean 1 on the
        shadows' null rate, one factor per column and strength (0: every
        round an independent draw at the shadows' rate, the Poisson-binomial
        test). A real column keeps its data in every round while its shadows
        are drawn afresh, so its in-sample chance association with ``y``
        persists over the rounds at a strength and its hits come in runs
        (see ``_selection._all_relevant.overdispersed_sf``). Measured, and
        left off: on friedman1 (``bench_stability_selection.py``'s
        ``synthetic_split``, 3750 rows, 45 noise columns,
        ``benchmarks/all_relevant_fixed_noise_probe.py``) the default keeps
        noise columns 17 and 28 on data seed 3 (random state 100; 3 hits in
        4 rounds at the weakest rung, whose null rate is 0.005: they are the
        noise columns ranked 1 and 5 by their in-sample correlation with
        ``y``) and 33 on seed 2 (state 0; 4 of 8 at the first rung, rate
        0.011). 10 removes them (seeds 0-4 at state 100, seeds 2-3 at state
        0: exactly columns 0-4 kept; 5 and 7 still keep 28, resp. 17 and
        28) and leaves the headline problem's kept sets as they were (data
        seeds 0-2), but costs recall elsewhere, on data where the truth is
        known or not: ``load_breast_cancer`` (``bench_stability_selection.py
        --quick --only all-relevant --sets breast_cancer
        --competitor-fold-states 3``) keeps 26-30 of 30 instead of 29-30
        (texture, smoothness and symmetry errors dropped; fold Jaccard 0.99
        -> 0.94, the forest on the kept columns unchanged, -0.002), also at
        7; ``bench_all_relevant.py --generality --quick --seeds 0 1``: the
        redundant + repeated set's recall 1.00 -> 0.95 and the
        independent-Gaussian set's 0.82 -> 0.77 (precision 1.00 either
        way). ``benchmarks/results/allrel_*_d{0,7,10}.md``. Columns whose
        evidence is a few hits spread over the rungs cannot be told from
        persistent chance association by a dispersion assumed for all
        data: ``all_relevant_fixed_shadows`` measures it on the data
        instead (this field is then its floor).
    all_relevant_fixed_shadows : float, default=1.0
        All-relevant mode: the fraction of the shadows (of the columns alone
        in their group) whose permutation is held fixed over all rounds of a
        selection (0: every shadow drawn afresh in every fit, the test of
        independent rounds). A held shadow is a column unrelated to ``y``
        that keeps its data from round to round as a real column does, so
        the spread of the held shadows' hit counts at each strength measures
        how much a fixed null column's hits persist: a moment estimate of
        the dispersion, the excess of their variance over independent
        draws', floored at ``all_relevant_hit_dispersion``, is the null of
        every column's count (``hit_dispersion_``; see
        ``_selection._all_relevant.hit_test``). No constant: the null is
        measured on the data of each selection, at no cost in fits (the
        shadows are as many as before). Shadows of correlated groups stay
        fresh: their pools are a few groups per copy, and held they let
        diabetes' s1 and s2 in 3 of 15 selections. Measured (session 14,
        ``benchmarks/results/allrel_*_f{0,10}.md``, 1.0 against 0 on the
        same code): friedman1 (``benchmarks/all_relevant_fixed_noise_probe.py
        --seeds 0 1 2 3 4 --states 100 0 1 --fixed 1.0``) keeps exactly its
        5 relevant columns in 14 of 15 selections (data seeds 0-4 at
        random states 100, 0 and 1; 0: 12 of 15, noise columns 17 and 28 on
        seed 3 at state 100, 33 on seed 2 at state 0, 17 on seed 3 at state
        1, which 1.0 keeps too); the
        measured dispersion is 0-12 at the rung where the L1 switches
        nearly every shadow off and 0 at the others but for one selection
        whose luckiest held shadow hit in 24 of 60 fits (12-32 at every
        rung there). On the real sets (``bench_stability_selection.py
        --quick --threads 1 --only all-relevant --sets diabetes
        breast_cancer wine digits --competitor-fold-states 3``) the kept
        sets and fold Jaccards are those of independent rounds within the
        states' noise: breast_cancer 0.99 (worst pair 0.97) both, the
        measured dispersion at most 1.2 (0 at every rung in 10 of 15
        selections; 18 held shadows: its 9 single columns, 2 copies); wine
        0.99 both; digits 0.98 both (worst 0.94 against 0.96); diabetes
        0.97 against 1.00 (s1 and s2, a group, confirmed in 1 of 15
        selections; at random states 3-6 of the same folds,
        ``benchmarks/all_relevant_held_cpu_probe.py --sets diabetes --states
        3 4 5 6``, more than the 7 columns in 2 of 20 selections, with
        shadows drawn afresh in 5 of 20; BorutaPy 0.78), the forest on the
        kept columns -0.014
        +- 0.011 against -0.016 +- 0.011. ``bench_all_relevant.py
        --generality --quick --seeds 0 1``: precision 1.00 on every set,
        recall as before on every set (the independent-Gaussian set 0.82
        both, one column gained on seed 0 and one lost on seed 1); the
        headline problem keeps 10, 10 and 9 of its 10 informative columns
        and no other on data seeds 0-2 either way. CPU: as many fits a round,
        but some confirmations wait for more evidence
        (``benchmarks/all_relevant_held_cpu_probe.py``, the two values
        alternated, random state 0 on each fold): digits 10.7 -> 11.7 CPU s a
        selection (37 rounds instead of 34; about 0.27x BorutaPy's, over the
        0.25x budget), breast_cancer 2.23 -> 2.42 s, diabetes 1.47 -> 1.42 s.
        The estimate rests on a few dozen held shadows and a rare event
        (a hit is 1 % of the shadows): on simulated persistent null columns
        (``tests/test_all_relevant.py``) its 10th-90th percentiles are 1-20
        around a true 10, and it lets a null column through in 0-23 % of
        data sets where the true dispersion lets 0-13 % and independent
        rounds 23-37 %.

    auto_threshold_ratio : float, default=10.0
        ``threshold="auto"``: the smallest ratio between consecutive sorted
        relevances that counts as the gap an L1 penalty opens.

    auto_threshold_floor : float, default=1e-2
        ``threshold="auto"``: relevances below this fraction of the largest are
        always cut.

    max_classes : int, default=20
        Task inference (the selector's default model, the command line): an
        integer-valued target with more distinct values than this is a quantity
        (a regression target). 20 is where the command line drew the line
        before; data sets with more than 20 integer-coded classes are rare, and
        a target with that many ordered values is better fitted as a quantity.

    min_samples_per_class : int, default=5
        Task inference: an integer-valued target is a quantity when there are
        fewer than this many samples per distinct value on average: a classifier
        cannot learn classes it sees a handful of times, while a regressor uses
        the order of the values.

    max_categories : int, default=32
        Users' tables: most one-hot inputs made from one categorical column;
        the rarer levels share the infrequent bucket. A design bound, not a
        tuned value: a text column of identifiers would otherwise add one
        input per row (and its group, one eigenvalue, would still be one
        column).

    min_category_frequency : int, default=5
        Users' tables: a level seen in fewer training rows joins the
        infrequent bucket (which also takes levels first seen at prediction
        time). A design bound, not a tuned value: the
        ``MIN_SAMPLES_PER_CLASS`` reasoning, a dummy that is 1 in a handful
        of rows gives the network noise to memorise.

    group_size_power : float, default=0.75
        Users' tables and ``feature_groups``: the ``p`` inputs that share one
        input eigenvalue (a category's dummies, a value and its missing
        indicator) are standardised to variance ``p ** (-2 * power)`` each,
        so that the L1 on the shared eigenvalue charges the group as a group
        lasso of weight ``p ** power`` would. 0.5 is Yuan and Lin's
        ``sqrt(p)``, a group of unit total variance: with it an irrelevant
        category of many levels stayed on far more often than a numeric
        column (the classifier at its defaults, ``bench_tables.py``
        binary-600 seeds 0-19, irrelevant columns left non-zero: 65 % of
        those of 6+ inputs, 24 % of value-and-indicator pairs), as a
        network can fit ``p - 1`` level means of noise. Columns ranked
        cleanly by the model alone (seeds 0-9 unless said, CPU, by hand,
        with ``squared_error_scale_power`` 0.5) at 0.5 / 0.75 / 1.0:
        binary-600 (20 seeds) 18 / 20 / 20, binary-300 3 / 8 / 8 (worst
        margin -0.08 / -0.04 / -0.17: at 1.0 a relevant category was
        switched off), multiclass-600 9 / 10 / 8, missingness-signal 8 / 10
        / 10, regression-600 and mixed-regression 10 / 10 / 10. The
        relevance is read on unit-variance inputs whatever the power.

    importance_gradient_rows : int, default=2048
        How ``feature_importances_`` reads the fitted network. 0: the
        first-layer reading, ``r_j = |lam_j| ||phi[:, j]||`` (the norm of
        the direct-space weights leaving input ``j``). ``n > 0``: the
        downstream-aware reading ``r_j = sqrt(mean_x ||d f(x) / d x_j||^2)``
        over at most ``n`` training rows (a subsample drawn with the fit's
        seed), the derivative of the raw outputs (logits centred over the
        classes, standardised targets) with respect to the unit-variance
        input, through the whole network (one extra forward and backward
        pass per output). With ``eigenvalues="in"`` it is ``|lam_j|
        sqrt(mean ||J(x) phi[:, j]||^2)``: a zero eigenvalue is a zero
        relevance, as in the first-layer reading, but a first-layer weight
        the next layers barely use no longer counts. Both are grouped per
        original column (root-sum-square) and normalised to sum 1. The
        selector ranks by the first-layer reading whatever this says (its
        measurements were made with it). Measured 0 -> 2048 on the same fits
        (the reading does not change the training):
        ``benchmarks/tables_reading_probe.py --seeds 20 --states 3`` (6
        scenarios of users' tables x 20 tables x 3 model seeds) ranks every
        relevant column first on 360 of 360 fits instead of 348 (the 12
        failures of the first layer, e.g. binary 300 rows 54/60, regression
        57/60, all clean; no fit the first layer ranked cleanly is lost;
        the model's permutation dependence 359/360); ``bench_tables.py
        --quick --threads 1 --reading`` (``results/tables.md``) 50 of 50
        instead of 49;
        ``bench_stability_relevance.py --configs default
        gradient:importance_gradient_rows=2048 --only paper linear headline
        --name stability_relevance_reading``: the paper's set ties (Pearson
        0.976 +- 0.011 vs 0.976 +- 0.010, the same 6/10 margins: the same
        zeros), the linear target reads x1 at 0.672 +- 0.007 instead of
        0.653 +- 0.022 (the coefficients say 0.667), noise at 0 in both, the
        headline's non-zero sets are the same; digits
        (``importance_reading_probe.py``, 3 seeds): the two maps correlate
        at 0.992-0.996 (top-16 pixels 0.94-1.00), Spearman with the
        permutation dependence 0.989-0.997 instead of 0.985-0.996. Cost:
        one forward and one backward pass per output over at most 2048 rows,
        2.5 ms on the paper's 20 000 rows (fit 0.8 s), 1.5 ms on
        breast_cancer (0.15 s), 10-18 ms on digits (10 outputs; 0.66 s).

    See Also
    --------
    DEFAULT_SETTINGS : The settings of a default fit.

    Examples
    --------
    >>> from dataclasses import replace
    >>> from sklearn_spectral import DEFAULT_SETTINGS, SpectralMLPClassifier
    >>> no_ramp = replace(DEFAULT_SETTINGS, penalty_warmup=0)
    >>> clf = SpectralMLPClassifier(settings=no_ramp)
    >>> clf.get_params()["settings"].penalty_warmup
    0
    """

    # -- training (both modes) ---------------------------------------------
    penalty_warmup: int = 10
    penalty_slow_warmup: int = 0
    penalty_slow_fraction: float = 0.7

    ramp_samples_per_input: float = 10.0

    auto_batches_per_epoch: int = 1
    auto_batch_min: int = 32
    auto_batch_max: int = 200

    loss_scale_floor: float = 0.05
    cross_entropy_loss_scale_floor: float = 0.05

    squared_error_scale_power: float = 0.75

    input_beta2: float = 0.99

    input_test_level: float = 1e-2

    input_settle_max_iter: int = 30

    input_settle_tol: float = 1e-4

    input_readmit_step: float = 1.0

    standardise_once_max_bytes: int = 2**23
    input_settle_max_rows: int = 5000

    settle_shrink_fraction: float = 0.1

    settle_release_fraction: float = 0.5

    diverged_factor: float = 10.0

    loss_spike_factor: float = 2.0

    flops_per_thread: float = 2e7

    # -- auto-depth ----------------------------------------------------------

    gate_warmup: int = 20

    hold_fraction: float = 0.9

    hidden_eig_init: float = 0.1

    depth_lr_factor: float = 10.0

    depth_lr_steps: float = 120.0

    depth_hold: int = 0

    depth_hold_max_fraction: float = 0.25

    active_rtol: float = _nn_constants.ACTIVE_RTOL

    settle_max_rows: int = 20_000

    settle_cost_per_parameter: float = 2.0

    settle_lbfgs_iter: int = 100

    settle_holdout_min_rows: int = 10

    settle_holdout_tolerance: float = 0.0

    settle_holdout_linear_tolerance: float = 0.0
    settle_layer_tolerance: float = 0.0
    settle_layer_gain_fraction: float = 0.0
    settle_refit_epochs: int = 10
    settle_converge_epochs: int = 500
    settle_converge_patience: int = 20
    settle_converge_tol: float = 0.005
    settle_converge_lr_factor: float = 3.0
    settle_converge_fit_fraction: float = 1.0
    settle_challenger_tolerance: float = 0.0
    settle_challenger_linear_tolerance: float = 1.0
    settle_challenger_classifiers: int = 0
    depth_alpha_class_power: float = 1.0
    depth_alpha_per_parameter: float = 0.02

    depth_stop_switch_off_window: int = 45

    # -- selection -----------------------------------------------------------

    alpha_grid_factors: tuple = (1.0, 2.0, 4.0, 8.0, 16.0)

    strength_cv_folds: int = 5

    consensus_fits: int = 5

    consensus_max_fits: int = 10

    consensus_decide_z: float = 1.0

    strength_stability_se: float = 2.0

    strength_band_vote: float = 0.3

    strength_vote_strengths: int = 1

    strength_vote_z: float = 1.0

    strength_stop_after: int = 1

    all_relevant_alpha: float = 0.03

    all_relevant_alpha_factors: tuple = (1.0, 2.0, 4.0, 8.0, 16.0)

    all_relevant_repeats: int = 40

    all_relevant_reject_rate: float = 0.3

    all_relevant_parts: int = 2

    all_relevant_min_shadows: int = 50

    all_relevant_quantile: float = 0.99

    all_relevant_level: float = 0.05
    all_relevant_max_iter: int = 40
    member_fits_max: int = 16
    member_fits_max_rows: int = 2000
    all_relevant_linear_level: float = 0.05
    all_relevant_hit_dispersion: float = 0.0
    all_relevant_fixed_shadows: float = 1.0

    auto_threshold_ratio: float = 10.0

    auto_threshold_floor: float = 1e-2

    max_classes: int = 20

    min_samples_per_class: int = 5

    # -- users' tables (issue 21) -------------------------------------------

    max_categories: int = 32

    min_category_frequency: int = 5

    group_size_power: float = 0.75

    # -- reading the relevance -----------------------------------------------

    importance_gradient_rows: int = 2048

    def __post_init__(self):
        for field in fields(self):
            value = getattr(self, field.name)
            if field.name in ("alpha_grid_factors", "all_relevant_alpha_factors"):
                factors = tuple(value)
                if (
                    not factors
                    or any(
                        isinstance(f, bool) or not isinstance(f, Real) or not f > 0
                        for f in factors
                    )
                    or list(factors) != sorted(factors)
                ):
                    raise ValueError(
                        f"Settings.{field.name} must be a non-empty, "
                        f"increasing sequence of positive numbers, got {value!r}."
                    )
                object.__setattr__(self, field.name, tuple(float(f) for f in factors))
                continue
            kind = Integral if field.type == "int" else Real
            if isinstance(value, bool) or not isinstance(value, kind):
                expected = "an int" if kind is Integral else "a real number"
                raise TypeError(
                    f"Settings.{field.name} must be {expected}, got {value!r}."
                )
            negative = value < 0 and field.name not in _SIGNED
            if negative or (value == 0 and field.name in _POSITIVE):
                raise ValueError(
                    f"Settings.{field.name} must be "
                    f"{'positive' if field.name in _POSITIVE else 'non-negative'}, "
                    f"got {value!r}."
                )
        if self.strength_cv_folds < 2:
            raise ValueError(
                "Settings.strength_cv_folds must be at least 2, got "
                f"{self.strength_cv_folds!r}."
            )
        if not self.all_relevant_fixed_shadows <= 1:
            raise ValueError(
                "Settings.all_relevant_fixed_shadows must be in [0, 1], got "
                f"{self.all_relevant_fixed_shadows!r}."
            )
        if not self.strength_band_vote <= 1:
            raise ValueError(
                "Settings.strength_band_vote must be in [0, 1], got "
                f"{self.strength_band_vote!r}."
            )
        for name in _FRACTIONS:
            if not getattr(self, name) < 1:
                raise ValueError(
                    f"Settings.{name} must be below 1, got {getattr(self, name)!r}."
                )

    @property
    def depth_lr_full_steps(self):
        """Steps per epoch up to which the full ``depth_lr_factor`` applies."""
        return self.depth_lr_steps / self.depth_lr_factor

    def depth_lr_multiple(self, steps_per_epoch):
        """Learning-rate multiple of the hidden eigenvalues (auto-depth).

        Parameters
        ----------
        steps_per_epoch : int
            Optimizer steps (minibatches) per epoch.

        Returns
        -------
        float
            ``depth_lr_factor`` for at most ``depth_lr_steps /
            depth_lr_factor`` steps per epoch, then ``depth_lr_steps /
            steps_per_epoch``, at least 1.

        See Also
        --------
        Settings.depth_lr_full_steps : Where the full factor ends.

        Examples
        --------
        >>> from sklearn_spectral import DEFAULT_SETTINGS
        >>> [DEFAULT_SETTINGS.depth_lr_multiple(n) for n in (12, 24, 240)]
        [10.0, 5.0, 1.0]
        """
        return min(
            self.depth_lr_factor,
            max(1.0, self.depth_lr_steps / max(1, steps_per_epoch)),
        )

    def depth_hold_epochs(self, max_iter):
        """Count the epochs the auto-depth penalty stays off before its ramp.

        Parameters
        ----------
        max_iter : int
            The fit's epoch budget.

        Returns
        -------
        int
            ``depth_hold``, at most ``depth_hold_max_fraction * max_iter``.

        See Also
        --------
        Settings.depth_lr_multiple : The hidden eigenvalues' rate multiple.

        Examples
        --------
        >>> from sklearn_spectral import DEFAULT_SETTINGS
        >>> from dataclasses import replace
        >>> held = replace(DEFAULT_SETTINGS, depth_hold=40)
        >>> [held.depth_hold_epochs(n) for n in (200, 100, 10)]
        [40, 25, 2]
        """
        return int(
            min(self.depth_hold, math.floor(self.depth_hold_max_fraction * max_iter))
        )


#: Fields that must be strictly positive (the others may be 0).
_POSITIVE = frozenset(
    {
        "settle_holdout_min_rows",
        "max_categories",
        "min_category_frequency",
        "ramp_samples_per_input",
        "auto_batches_per_epoch",
        "auto_batch_min",
        "auto_batch_max",
        "input_beta2",
        "diverged_factor",
        "loss_spike_factor",
        "flops_per_thread",
        "depth_lr_factor",
        "depth_lr_steps",
        "depth_hold_max_fraction",
        "settle_max_rows",
        "input_settle_max_rows",
        "standardise_once_max_bytes",
        "settle_lbfgs_iter",
        "settle_converge_patience",
        "settle_converge_lr_factor",
        "settle_converge_fit_fraction",
        "strength_cv_folds",
        "strength_stop_after",
        "consensus_fits",
        "consensus_max_fits",
        "all_relevant_repeats",
        "all_relevant_parts",
        "all_relevant_min_shadows",
        "all_relevant_quantile",
        "all_relevant_level",
        "all_relevant_max_iter",
        "auto_threshold_ratio",
        "max_classes",
        "min_samples_per_class",
    }
)

#: Fields that must be below 1.
#: Fields that may be negative: standard errors of the evidence step's
#: held-out comparisons (negative: the smaller network must be better).
_SIGNED = frozenset(
    {
        "settle_holdout_tolerance",
        "settle_holdout_linear_tolerance",
        "settle_challenger_tolerance",
        "settle_challenger_linear_tolerance",
    }
)

_FRACTIONS = (
    "input_beta2",
    "input_test_level",
    "all_relevant_quantile",
    "all_relevant_level",
    "all_relevant_reject_rate",
    "auto_threshold_floor",
    "hold_fraction",
    "depth_hold_max_fraction",
    "penalty_slow_fraction",
)

#: The settings of a default fit.
DEFAULT_SETTINGS = Settings()


def resolve_settings(settings):
    """``settings`` itself, or :data:`DEFAULT_SETTINGS` for None.

    Raises a ``TypeError`` naming the parameter for anything else.
    """
    if settings is None:
        return DEFAULT_SETTINGS
    if not isinstance(settings, Settings):
        raise TypeError(
            "settings must be None or a sklearn_spectral.Settings instance "
            f"(e.g. dataclasses.replace(DEFAULT_SETTINGS, ...)), got "
            f"{type(settings).__name__}."
        )
    return settings


def documented_values():
    """``{NAME: value}`` of every number the docs state, upper-case names.

    The public defaults and every :class:`Settings` field (``penalty_warmup``
    is ``PENALTY_WARMUP``), plus ``DEPTH_LR_FULL_STEPS``: docstrings write
    ``{PENALTY_WARMUP}`` and the user guide ``|PENALTY_WARMUP|``.
    """
    values = {
        "LEARNING_RATE_INIT": LEARNING_RATE_INIT,
        "TOL": TOL,
        "DEPTH_ALPHA": DEPTH_ALPHA,
        "DEPTH_LR_FULL_STEPS": DEFAULT_SETTINGS.depth_lr_full_steps,
    }
    for field in fields(DEFAULT_SETTINGS):
        value = getattr(DEFAULT_SETTINGS, field.name)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            values[field.name.upper()] = value
    return values

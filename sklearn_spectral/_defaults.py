"""Every tuned constant of the library, stated once.

Docstrings and the user guide format their numbers from here, so a change
of a default is one edit. This module imports only the torch side's own
constants (``nn/_constants.py``, which imports nothing).
"""

from .nn import _constants as _nn_constants

#: A hidden neuron is active when its score exceeds this fraction of the
#: largest score of the network (auto-depth's ``architecture_``, the
#: architecture plot). Owned by the torch side, ``nn/_constants.py``.
ACTIVE_RTOL = _nn_constants.ACTIVE_RTOL

#: Epochs over which the input penalty ramps up at fixed depth: inputs that
#: help only jointly or non-linearly are learned before the L1 can switch
#: them off (``benchmarks/bench_penalty_warmup.py``: mean recall over 10
#: seeds 0.81 without the ramp, 0.95 with it; after the batch-size change
#: and alpha="auto", 0.87 and 0.96; at learning rate 2e-3 with one full
#: batch up to 200 rows, 0.83 and 0.93).
PENALTY_WARMUP = 10

#: With fewer than this many samples per input the ramp is shortened in
#: proportion: there the network memorises the training set through noise
#: inputs during a full ramp (Madelon-like 600 x 500, selector at
#: alpha=0.1: 45-62 inputs kept instead of 13-14, same script). With the
#: selector's alpha="auto" the same script now keeps 23 and 15 inputs (13
#: and 9 of the 20 useful) with the shortened ramp and 7 and 8 (7 and 7
#: useful) with the full one: the choice of strength now does much of what
#: the shortening did; kept for the estimators used alone. At learning
#: rate 2e-3: 12 and 14 inputs (7 and 9 useful) shortened, 7 and 9 (7 and
#: 7 useful) full.
RAMP_SAMPLES_PER_INPUT = 10

#: Epochs over which the input penalty ramps up in auto-depth mode, counted
#: from the first epoch whose data loss is below ``HOLD_FRACTION`` times that
#: of a constant prediction.
GATE_WARMUP = 20

#: Auto-depth holds the input penalty while the data loss is above this
#: fraction of the loss of a constant prediction.
HOLD_FRACTION = 0.9

#: ``batch_size="auto"`` takes the fewest batches of at most
#: ``AUTO_BATCH_MAX`` rows (``MLPClassifier``'s ``min(200, n_samples)``),
#: equal in size (rounded up: 201 rows make 101 + 100, not 200 + 1), and at
#: least ``AUTO_BATCHES_PER_EPOCH`` of them, of at least ``AUTO_BATCH_MIN``
#: rows. The stopping rule and the ramps count epochs, so on small data the
#: batches per epoch set the optimizer steps and most of the fit time. One
#: full batch on a data set of at most 200 rows needs the larger step of
#: ``LEARNING_RATE_INIT`` to stop by its rule: see there.
AUTO_BATCHES_PER_EPOCH = 1
AUTO_BATCH_MIN = 32
AUTO_BATCH_MAX = 200

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

#: Default ``tol`` of the stopping rule: the best data loss (cross-entropy,
#: or squared error on standardised targets) must improve by this much
#: within ``n_iter_no_change`` epochs. With 1e-4, fits on iris, digits and
#: the 2000 x 50 headline data ran out of 200 epochs while their test score
#: had stopped moving (measured by hand over 3 seeds during the rewrite);
#: with 1e-3 every default fit of ``benchmarks/bench_engine.py`` stops by
#: its own rule, in 40-119 epochs.
TOL = 1e-3

#: Auto-depth: half-width of the uniform start of the hidden eigenvalues (0
#: is a saddle with ReLU: hidden pre-activations vanish and pass no
#: gradient).
HIDDEN_EIG_INIT = 0.1

#: Auto-depth: the hidden eigenvalues train at up to this multiple of
#: ``learning_rate_init``. Grown from 0.1 at the base rate, the neurons a
#: non-linear target needs took longer than 200 epochs (friedman1: R^2 0.91
#: against 0.98 at fixed depth); 10 times faster they grow within the fit
#: (R^2 0.98) while a linear target still keeps none (``architecture_ ==
#: ()``).
DEPTH_LR_FACTOR = 10.0

#: Auto-depth: the hidden eigenvalues' factor is ``DEPTH_LR_FACTOR`` up to
#: this many optimizer steps per epoch and shrinks as ``DEPTH_LR_STEPS /
#: steps`` beyond (never below 1), so that they travel about as far per
#: epoch on any data size: the stopping rule and the ramps count epochs.
#: friedman1 (12 steps an epoch) needs the full factor (at 1x, over 3
#: seeds: R^2 0.88-0.90 against 0.98; ``benchmarks/bench_sparcs_evidence.py``
#: with the factor patched). On the SPARCS teacher-student (100 000 rows,
#: batch 1024, 98 steps an epoch) the full factor recruited every neuron of
#: the second layer within 5 epochs and the L1 then pruned them slowly to
#: (1, 32) in the paper's 180 epochs; at 1x the fit kept the teacher's one
#: layer, (21,), at test R^2 0.9994, stable from epoch 35
#: (``benchmarks/bench_sparcs_teacher_student.py``).
DEPTH_LR_STEPS = 120

#: Steps per epoch up to which the full ``DEPTH_LR_FACTOR`` applies.
DEPTH_LR_FULL_STEPS = DEPTH_LR_STEPS / DEPTH_LR_FACTOR


def depth_lr_factor(steps_per_epoch):
    """Learning-rate multiple of the hidden eigenvalues (auto-depth).

    ``DEPTH_LR_FACTOR`` for at most ``DEPTH_LR_STEPS / DEPTH_LR_FACTOR``
    steps per epoch, then ``DEPTH_LR_STEPS / steps_per_epoch``, at least 1.
    """
    return min(DEPTH_LR_FACTOR, max(1.0, DEPTH_LR_STEPS / max(1, steps_per_epoch)))


#: Auto-depth: strength of the L1 penalty on the hidden eigenvalues,
#: Keras-style (not relative): a neuron must lower the data loss
#: (cross-entropy, or squared error on standardised targets, i.e. a
#: fraction of the variance) by about this much per unit eigenvalue. A
#: relative strength vanishes on a target a perceptron fits exactly, and
#: the neurons then stay. Measured over 2 seeds (linear make_regression at
#: 5, 20 and 40 columns, friedman1, a circle, the SPARCS toy): 1e-3 keeps
#: ``()`` on every linear target and scores within 0.005 R^2 of the
#: fixed-depth network on friedman1; 3e-3 lost 0.01 there and 0.2 accuracy
#: on one circle seed.
DEPTH_ALPHA = 1e-3

#: Auto-depth's evidence step (end of ``fit``) measures the deviance of
#: the candidate networks on at most this many training rows (a fixed
#: random subset beyond), so that it costs a few forward passes.
SETTLE_MAX_ROWS = 20_000

#: Auto-depth's evidence step keeps a hidden neuron when it lowers the
#: training deviance (``n log mse`` per output, or twice the summed
#: cross-entropy) by more than this much per parameter of the neuron:
#: Akaike's 2, the expected in-sample gain of one parameter fitted to
#: noise. With 2, ``benchmarks/bench_sparcs_evidence.py`` gives ``()`` on
#: all 36 linear fits (5-40 columns, noise 0.1-10, 3 seeds) and on
#: load_diabetes (3 seeds), and keeps friedman1 and a circle within 0.01
#: of their scores before the step. With ``log n`` (Bayes, measured by
#: hand on the circle, seed 0) it kept 9 of 23 neurons and lost 0.03
#: accuracy (neurons are switched off without a refit).
SETTLE_COST_PER_PARAMETER = 2.0

#: Iterations of L-BFGS for the logistic regression that auto-depth's
#: evidence step compares a classifier with.
SETTLE_LBFGS_ITER = 100

#: The loss scale of the relative input penalty never falls below this
#: fraction of the loss of a constant prediction. Without a floor the
#: strength vanishes with the loss on separable data: on the first paper's
#: independent-Gaussian set (standardised inside the network) 9 of 9
#: irrelevant inputs stayed on; with 0.05, none (seeds 0 and 1; the
#: headline 2000 x 50 data unchanged over 6 seeds).
LOSS_SCALE_FLOOR = 0.05

#: Adam's second-moment decay for the penalised input eigenvalues (0.999
#: for the other parameters). The L1 threshold of the proximal step is
#: divided by the root of the second moment; with 0.999 it remembered the
#: large gradients of the first epochs for about 1000 steps, and a fit that
#: had converged still carried noise inputs (the main job's independent-
#: Gaussian set: 19 of 20 inputs kept, 9 of them irrelevant). With 0.99:
#: 8 kept, none irrelevant, every default fit of bench_engine still stops
#: by its own rule, and the headline recall over 6 seeds is unchanged.
INPUT_BETA2 = 0.99

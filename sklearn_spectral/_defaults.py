"""Every tuned constant of the library, stated once.

Docstrings and the user guide format their numbers from here, so a change
of a default is one edit. This module imports nothing.
"""

#: A hidden neuron is active when its score exceeds this fraction of the
#: largest score of the network (auto-depth's ``architecture_``, the
#: architecture plot, the default cut of ``to_torch`` in auto-depth mode).
ACTIVE_RTOL = 1e-2

#: Epochs over which the input penalty ramps up at fixed depth: inputs that
#: help only jointly or non-linearly are learned before the L1 can switch
#: them off (``benchmarks/bench_penalty_warmup.py``: mean recall over 10
#: seeds 0.81 without the ramp, 0.95 with it).
PENALTY_WARMUP = 10

#: With fewer than this many samples per input the ramp is shortened in
#: proportion: there the network memorises the training set through noise
#: inputs during a full ramp (Madelon-like 600 x 500: 45-62 inputs kept
#: instead of 13-14, same script).
RAMP_SAMPLES_PER_INPUT = 10

#: Epochs over which the input penalty ramps up in auto-depth mode, counted
#: from the first epoch whose data loss is below ``HOLD_FRACTION`` times that
#: of a constant prediction.
GATE_WARMUP = 20

#: Auto-depth holds the input penalty while the data loss is above this
#: fraction of the loss of a constant prediction.
HOLD_FRACTION = 0.9

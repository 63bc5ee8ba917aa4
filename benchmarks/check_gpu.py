"""The estimators' key behaviours and a fit timing on a CUDA device.

CI has no GPU, so this script is what checks ``device="cuda"``: run it once
on a machine with CUDA (one prepared run, well under 5 minutes). For the
classifier, the regressor (fixed depth and ``auto_depth=True``) and the
selector it fits a small problem on the device and checks ``predict``,
``predict_proba``, ``score``, ``feature_importances_``, ``to_torch`` (output
equal to ``predict``), ``prune`` + ``to_torch(pruned=True)``, pickling, that
the parameters live on the device, that a CUDA fit agrees with the CPU fit of
the same seed, and that the caller's CPU and CUDA RNG states are unchanged.
Then it times one default fit on ``make_classification(20000, 50)`` on the
CPU and on the device.

Prints a markdown table and writes ``benchmarks/results/check_gpu.md`` (a
``--device cpu`` dry run only prints).
Exits 0 with a message when CUDA is absent, 1 when a check fails.

Example::

    python benchmarks/check_gpu.py            # on a machine with CUDA
    python benchmarks/check_gpu.py --device cpu --quick   # dry run of the script
"""

from __future__ import annotations

import argparse
import io
import pickle
import sys
import time
import traceback
from pathlib import Path

import numpy as np
import torch

try:
    import sklearn_spectral  # noqa: F401
except ImportError:  # a copy of the repository without the package installed
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import Timer, md_table, setup, write_result  # noqa: E402
from sklearn.datasets import make_classification, make_regression  # noqa: E402

from sklearn_spectral import (  # noqa: E402
    SpectralFeatureSelector,
    SpectralMLPClassifier,
    SpectralMLPRegressor,
)

SMALL = {"hidden_layer_sizes": (16,), "max_iter": 60, "random_state": 0}


def _problems():
    Xc, yc = make_classification(
        600, 10, n_informative=3, n_redundant=0, shuffle=False, random_state=0
    )
    Xr, yr = make_regression(600, 10, n_informative=3, shuffle=False, random_state=0)
    return (Xc, yc), (Xr, yr)


def _estimators(device):
    (Xc, yc), (Xr, yr) = _problems()
    return [
        ("classifier", SpectralMLPClassifier(**SMALL, device=device), Xc, yc),
        ("regressor", SpectralMLPRegressor(**SMALL, device=device), Xr, yr),
        (
            "regressor, auto_depth",
            SpectralMLPRegressor(
                (16, 8), auto_depth=True, max_iter=60, random_state=0, device=device
            ),
            Xr,
            yr,
        ),
        (
            "classifier, auto_depth",
            SpectralMLPClassifier(
                (16, 8), auto_depth=True, max_iter=60, random_state=0, device=device
            ),
            Xc,
            yc,
        ),
        (
            "selector",
            SpectralFeatureSelector(
                SpectralMLPClassifier(**SMALL, device=device), random_state=0
            ),
            Xc,
            yc,
        ),
    ]


def _rng_states(device):
    states = [torch.random.get_rng_state()]
    if device.startswith("cuda"):
        states += torch.cuda.get_rng_state_all()
    return states


def _module_output(est, X, device):
    module = est.to_torch()
    with torch.no_grad():
        out = module(torch.as_tensor(X, dtype=torch.float32, device=device))
    out = out.double().cpu().numpy()
    if hasattr(est, "classes_"):
        out = np.exp(out - out.max(axis=1, keepdims=True))
        return out / out.sum(axis=1, keepdims=True)
    return out.ravel() if out.shape[1] == 1 else out


def _checks(name, est, X, y, device):
    """Yield (check, passed, detail) for one estimator on ``device``."""
    states = _rng_states(device)
    with Timer() as t:
        est.fit(X, y)
    yield "fit", True, f"{t.seconds:.2f} s"
    yield (
        "caller's RNG untouched",
        all(torch.equal(a, b) for a, b in zip(states, _rng_states(device))),
        "",
    )
    model = est.estimator_ if hasattr(est, "estimator_") else est
    devices = {p.device.type for p in model.net_.module_.parameters()}
    yield "parameters on the device", devices == {device.split(":")[0]}, str(devices)

    importances = est.feature_importances_
    ok = np.all(np.isfinite(importances)) and np.isclose(importances.sum(), 1.0)
    yield "feature_importances_", bool(ok), f"top 3: {np.argsort(-importances)[:3]}"
    if name == "selector":
        support = est.get_support(indices=True)
        yield (
            "get_support / transform",
            est.transform(X).shape[1] == support.size,
            (f"kept {support.tolist()}"),
        )
        return

    pred = est.predict(X)
    yield "predict", pred.shape[0] == X.shape[0], f"score {est.score(X, y):.3f}"
    if hasattr(est, "predict_proba"):
        proba = est.predict_proba(X)
        ok = np.all(np.isfinite(proba)) and np.allclose(proba.sum(axis=1), 1.0)
        yield "predict_proba", bool(ok), ""
        reference = proba
    else:
        reference = pred
    exported = _module_output(est, X, device)
    gap = float(np.max(np.abs(exported - reference)))
    # fixed depth exports the network exactly; auto-depth drops the neurons
    # below 1e-2 of the largest eigenvalue, an approximation by design
    rtol = 1e-2 if est.auto_depth else 1e-4
    scale = 1.0 + float(np.ptp(reference))
    yield (
        "to_torch() equals predict",
        gap <= rtol * scale,
        (f"max gap {gap:.2e} (allowed {rtol * scale:.1e})"),
    )
    est.prune(X, y)
    pruned = est.to_torch(pruned=True)
    with torch.no_grad():
        out = pruned(torch.as_tensor(X[:5], dtype=torch.float32, device=device))
    yield (
        "prune + to_torch(pruned=True)",
        bool(torch.isfinite(out).all()),
        (f"architecture {est.pruned_architecture_}"),
    )
    buffer = io.BytesIO()
    pickle.dump(est, buffer)
    restored = pickle.loads(buffer.getvalue())
    yield "pickle round trip", np.array_equal(restored.predict(X), pred), ""
    if device != "cpu":
        cpu = est.__class__(**{**est.get_params(), "device": "cpu"}).fit(X, y)
        cpu_score, dev_score = cpu.score(X, y), est.score(X, y)
        # float32 on two devices: not the same bits, but the same model quality
        yield (
            "agrees with the CPU fit",
            abs(cpu_score - dev_score) < 0.05,
            (f"score {cpu_score:.3f} on CPU, {dev_score:.3f} on {device}"),
        )
    again = est.__class__(**est.get_params()).fit(X, y)
    same = np.array_equal(again.predict(X), est.predict(X))
    # GPU kernels need not be deterministic: reported, not a failure
    yield (
        "same seed, same predictions",
        None if not same else True,
        ("" if same else "differs (non-deterministic kernels?)"),
    )


def _timing(device, n_samples, n_features, max_iter):
    X, y = make_classification(n_samples, n_features, n_informative=10, random_state=0)
    rows = []
    for dev in ["cpu", device] if device != "cpu" else ["cpu"]:
        params = {"random_state": 0, "device": dev}
        if max_iter is not None:
            params["max_iter"] = max_iter
        est = SpectralMLPClassifier(**params)
        if dev.startswith("cuda"):
            torch.cuda.synchronize()
        with Timer() as t:
            est.fit(X, y)
            if dev.startswith("cuda"):
                torch.cuda.synchronize()
        rows.append(
            [dev, est.n_iter_, t.seconds, t.seconds / est.n_iter_, est.score(X, y)]
        )
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda", help="default: cuda")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="time 2000 x 20 with max_iter=5 (a dry run of the script)",
    )
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    args = parser.parse_args(argv)

    if args.device.startswith("cuda") and not torch.cuda.is_available():
        print(
            "CUDA is not available on this machine: nothing was checked, and "
            "device='cuda' stays untested here. Run this script on a machine "
            "with a GPU (or pass --device cpu for a dry run)."
        )
        return 0
    start = time.perf_counter()
    setup(threads=args.threads or torch.get_num_threads(), quick=True)
    device = args.device

    rows, failed = [], 0
    for name, est, X, y in _estimators(device):
        try:
            for check, passed, detail in _checks(name, est, X, y, device):
                passed = None if passed is None else bool(passed)
                result = "info" if passed is None else "ok" if passed else "FAIL"
                rows.append([name, check, result, detail])
                failed += passed is False
        except Exception as exc:  # noqa: BLE001 - report every estimator
            failed += 1
            rows.append([name, "error", "FAIL", f"{type(exc).__name__}: {exc}"])
            traceback.print_exc()
        print(md_table(["estimator", "check", "result", "detail"], rows[-1:]))

    size = (2000, 20, 5) if args.quick else (20000, 50, None)
    timing = _timing(device, *size)
    label = f"make_classification({size[0]}, {size[1]})"
    sections = [
        f"Device: {device}"
        + (
            f" ({torch.cuda.get_device_name(torch.device(device))}, CUDA "
            f"{torch.version.cuda})"
            if device.startswith("cuda")
            else ""
        ),
        "## Behaviours",
        md_table(["estimator", "check", "result", "detail"], rows),
        f"## One {'max_iter=5' if args.quick else 'default'} fit on {label}",
        md_table(
            ["device", "epochs", "seconds", "s / epoch", "training accuracy"], timing
        ),
        f"{failed} check(s) failed.",
    ]
    for section in sections:
        print(section, end="\n\n")
    if device != "cpu":  # a CPU dry run only prints
        write_result(
            "check_gpu",
            f"Estimators on device={device!r}",
            sections,
            elapsed=time.perf_counter() - start,
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

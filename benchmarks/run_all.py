"""Run every benchmark and write ``benchmarks/results/``.

Example::

    python benchmarks/run_all.py --quick      # under 10 minutes on 2 cores
    python benchmarks/run_all.py              # full mode (about 1.5 h)

Each script runs in its own process, one after the other (so their timings do
not compete with each other); a failing script is reported and the others
still run.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = [
    ("bench_parity.py", ["--profile"]),
    ("bench_papers.py", []),
    ("bench_relevance.py", []),
    ("bench_selection.py", []),
    # LassoNet's default path on 50000 x 500 takes hours: stop it at 600 s
    # (the quick mode ignores this and stops it at 20 s)
    ("bench_cost.py", ["--lassonet-budget", "600"]),
]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="the quick mode of all")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--only", nargs="*", default=None, help="script names to run")
    args = parser.parse_args(argv)
    failed = []
    total = time.perf_counter()
    for script, extra in SCRIPTS:
        if args.only and script not in args.only:
            continue
        cmd = [
            sys.executable,
            str(HERE / script),
            "--threads",
            str(args.threads),
            *extra,
            *(["--quick"] if args.quick else []),
        ]
        print(f"==> {' '.join(cmd[1:])}", flush=True)
        start = time.perf_counter()
        env = dict(os.environ)
        # one BLAS / OpenMP thread per process, like torch.set_num_threads
        for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
            env.setdefault(var, str(args.threads))
        rc = subprocess.call(cmd, cwd=HERE.parent, env=env)
        print(f"<== {script}: rc={rc}, {time.perf_counter() - start:.0f} s", flush=True)
        if rc:
            failed.append(script)
    print(f"total {time.perf_counter() - total:.0f} s; failed: {failed or 'none'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

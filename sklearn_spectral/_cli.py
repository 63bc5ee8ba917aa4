"""Command line interface: ``sklearn-spectral`` or ``python -m sklearn_spectral``.

Two subcommands:

* ``demo`` (the default): fit :class:`~sklearn_spectral.SpectralFeatureSelector`
  on the first paper's independent-Gaussian data set and compare the learned
  feature importances with the true relevance;
* ``rank``: rank the columns of a CSV file by their relevance for a target
  column. The file is read with :func:`pandas.read_csv` (pandas is then
  required; without it the command says so). Text columns are categorical
  (one-hot encoded inside the model) and blank cells of numeric columns are
  missing values (imputed, with a missing indicator); each original column
  gets one relevance. Whether the target holds classes or a quantity is decided by the
  rule of :func:`sklearn_spectral._target.infer_task`, shared with
  :class:`~sklearn_spectral.SpectralFeatureSelector`.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
import warnings
from pathlib import Path

import numpy as np

from ._defaults import DEFAULT_SETTINGS

__all__ = ["main"]

_PROG = "sklearn-spectral"


class _UserError(Exception):
    """Bad input from the user: reported in one line, exit status 2."""


# --------------------------------------------------------------------------
# Helpers


def _format_table(headers, rows, align):
    """Aligned plain-text table; ``align`` holds ``"<"`` or ``">"`` per column."""
    cells = [list(headers)] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row):
        parts = [f"{c:{a}{w}}" for c, a, w in zip(row, align, widths)]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule] + [line(row) for row in cells[1:]])


def _fit(selector, X, y, n_threads, out):
    """Fit ``selector``; a convergence warning becomes a one-line note."""
    from sklearn.exceptions import ConvergenceWarning

    from ._training.threads import torch_threads  # imports torch

    with warnings.catch_warnings(), torch_threads(n_threads):
        warnings.simplefilter("ignore", ConvergenceWarning)
        selector.fit(X, y)
    model = selector.estimator_
    max_iter = getattr(model, "max_iter", None)
    if max_iter is not None and getattr(model, "n_iter_", 0) >= max_iter:
        print(
            f"note: training stopped at max_iter={max_iter} epochs before the "
            "loss converged",
            file=out,
        )


def _yes_no(flag):
    return "yes" if flag else "no"


def _fmt_seconds(seconds):
    return f"{seconds:.1f} s"


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
    return value


def _nonnegative_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {value}")
    return value


# --------------------------------------------------------------------------
# demo


def _run_demo(args, out):
    from sklearn.model_selection import train_test_split

    from . import SpectralFeatureSelector, __version__
    from .datasets import make_independent_gaussian

    if args.n_samples < 20:
        raise _UserError(f"--n-samples must be >= 20, got {args.n_samples}")
    seed = args.random_state
    X, y, relevance = make_independent_gaussian(
        n_samples=args.n_samples, random_state=seed
    )
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, random_state=seed, stratify=y
    )
    n_features = X.shape[1]
    relevant = np.flatnonzero(relevance > 0)
    names = [f"x{j}" for j in range(n_features)]

    print(
        f"{_PROG} {__version__} demo: independent Gaussian data set "
        "(Chicchi et al., 2024)",
        file=out,
    )
    print(
        f"{X.shape[0]} samples ({X_train.shape[0]} train / {X_test.shape[0]} "
        f"test), {n_features} features, {relevant.size} relevant, "
        f"random_state={seed}",
        file=out,
    )
    print(f"Fitting SpectralFeatureSelector(random_state={seed}) ...", file=out)
    out.flush()

    selector = SpectralFeatureSelector(random_state=seed)
    start = time.perf_counter()
    _fit(selector, X_train, y_train, args.threads, out)
    fit_time = time.perf_counter() - start

    importances = selector.feature_importances_
    support = selector.get_support()
    order = np.argsort(-importances, kind="stable")
    rows = [
        (
            rank,
            names[j],
            f"{importances[j]:.4f}",
            f"{relevance[j]:.3f}",
            _yes_no(relevance[j] > 0),
            _yes_no(support[j]),
        )
        for rank, j in enumerate(order, start=1)
    ]
    print(file=out)
    print(
        _format_table(
            ["rank", "feature", "importance", "true relevance", "relevant", "selected"],
            rows,
            [">", "<", ">", ">", "<", "<"],
        ),
        file=out,
    )
    print(
        f"threshold (auto): {selector.threshold_:.4g}; "
        f"{int(support.sum())} of {n_features} features selected",
        file=out,
    )
    print(file=out)

    if np.std(importances) > 0:
        corr = float(np.corrcoef(importances, relevance)[0, 1])
        corr_text = f"{corr:.3f}"
    else:
        corr_text = "undefined (all importances equal)"
    accuracy = selector.estimator_.score(X_test, y_test)
    selected = set(np.flatnonzero(support).tolist())
    truth = set(relevant.tolist())

    def names_of(indices):
        return " ".join(names[j] for j in sorted(indices)) or "(none)"

    summary = [
        ("Pearson correlation, importance vs true relevance:", corr_text),
        ("Test accuracy of the spectral classifier:", f"{accuracy:.4f}"),
        ("Selected features:", names_of(selected)),
        ("Truly relevant features:", names_of(truth)),
    ]
    if selected == truth:
        summary.append(("Selected set vs relevant set:", "identical"))
    else:
        summary.append(("Missed (relevant, not selected):", names_of(truth - selected)))
        summary.append(("Spurious (selected, irrelevant):", names_of(selected - truth)))
    summary.append(("Fit time:", _fmt_seconds(fit_time)))
    width = max(len(label) for label, _ in summary)
    for label, value in summary:
        print(f"{label:<{width}}  {value}", file=out)
    return 0


# --------------------------------------------------------------------------
# rank


def _import_pandas():
    try:
        import pandas as pd
    except ImportError:
        raise _UserError(
            "the rank command reads CSV files with pandas, which is not "
            "installed: pip install pandas"
        ) from None
    return pd


def _rows_text(rows):
    """``"3 rows (first: line 5)"``: ``rows`` are 0-based data row numbers;
    line numbers count the header as line 1."""
    rows = list(rows)
    noun = "row" if len(rows) == 1 else "rows"
    return f"{len(rows)} {noun} (first: line {rows[0] + 2})"


def _read_csv(path, sep):
    """The table of a CSV file with a header row, as a pandas DataFrame.

    Blank cells are missing values (``NaN``), as pandas writes them.
    """
    pd = _import_pandas()
    path = Path(path)
    if not path.exists():
        raise _UserError(f"file not found: {str(path)!r}")
    if path.is_dir():
        raise _UserError(f"{str(path)!r} is a directory, not a CSV file")
    options = {"sep": sep, "skipinitialspace": True, "encoding": "utf-8-sig"}
    try:
        header = pd.read_csv(path, header=None, nrows=1, dtype=str, **options)
        frame = pd.read_csv(path, **options)
    except pd.errors.EmptyDataError:
        raise _UserError(f"{str(path)!r} is empty") from None
    except UnicodeDecodeError:
        raise _UserError(f"{str(path)!r} is not a UTF-8 text file") from None
    except pd.errors.ParserError as exc:
        detail = str(exc).strip().splitlines()[-1]
        raise _UserError(
            f"cannot parse {str(path)!r} (check --sep): {detail}"
        ) from None
    except OSError as exc:
        raise _UserError(f"cannot read {str(path)!r}: {exc.strerror}") from None
    names = ["" if pd.isna(v) else str(v).strip() for v in header.iloc[0]]
    if not all(names):
        raise _UserError(f"{str(path)!r}: the header has an empty column name")
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise _UserError(f"{str(path)!r}: duplicate column name {duplicates[0]!r}")
    frame.columns = names
    if frame.empty:
        raise _UserError(f"{str(path)!r} has a header but no data rows")
    return frame


def _feature_table(frame, feature_names):
    """The feature columns as a DataFrame the estimators encode themselves.

    Numeric columns stay numbers (blank cells are missing values: imputed
    with a missing indicator inside the model), text and boolean columns
    are categorical (one-hot inside the model, one relevance per column).
    A column of blank cells only, or with infinite values, is an error.
    """
    pd = _import_pandas()
    table = frame[feature_names]
    blank = [n for n in feature_names if table[n].isna().all()]
    if blank:
        raise _UserError(
            "feature column(s) with blank cells only: "
            + ", ".join(repr(name) for name in blank)
            + " (drop them)"
        )
    infinite = [
        n
        for n in feature_names
        if pd.api.types.is_numeric_dtype(table[n])
        and not pd.api.types.is_bool_dtype(table[n])
        and np.isinf(table[n].to_numpy(dtype=np.float64, na_value=0.0)).any()
    ]
    if infinite:
        raise _UserError(
            "infinite values in feature column(s): "
            + ", ".join(repr(name) for name in infinite)
        )
    return table


def _describe_columns(table):
    """``"; 2 text columns (one-hot), 3 with blank cells (imputed)"``."""
    pd = _import_pandas()
    text = [
        n
        for n in table.columns
        if not pd.api.types.is_numeric_dtype(table[n])
        or pd.api.types.is_bool_dtype(table[n])
    ]
    missing = [n for n in table.columns if table[n].isna().any()]
    parts = []
    if text:
        parts.append(f"{len(text)} text column(s) one-hot encoded")
    if missing:
        parts.append(f"{len(missing)} with blank cells imputed")
    return "; " + ", ".join(parts) if parts else ""


def _target_values(frame, target):
    pd = _import_pandas()
    column = frame[target]
    if column.isna().any():
        rows = np.flatnonzero(column.isna().to_numpy())
        raise _UserError(
            f"target column {target!r} has missing values (blank cells) in "
            + _rows_text(rows)
        )
    if pd.api.types.is_bool_dtype(column) or not pd.api.types.is_numeric_dtype(column):
        return column.astype(str).to_numpy(dtype=object)
    return column.to_numpy()


def _run_rank(args, out):
    from . import SpectralFeatureSelector, SpectralMLPClassifier, SpectralMLPRegressor
    from ._target import infer_task

    sep = {"\\t": "\t", "tab": "\t"}.get(args.sep, args.sep)
    if len(sep) != 1:
        raise _UserError(f"--sep must be a single character, got {args.sep!r}")
    frame = _read_csv(args.file, sep)
    header = list(frame.columns)
    if args.target not in header:
        raise _UserError(
            f"target column {args.target!r} not found; columns are: "
            + ", ".join(header)
            + (f" (is --sep {args.sep!r} right?)" if len(header) == 1 else "")
        )
    feature_names = [name for name in header if name != args.target]
    if not feature_names:
        raise _UserError("the file has no feature columns besides the target")
    X = _feature_table(frame, feature_names)
    y = _target_values(frame, args.target)
    numeric = y.dtype != object

    task, reason = args.task, "--task"
    if task == "auto":
        try:
            decision = infer_task(y, warn=False)
        except ValueError as exc:
            raise _UserError(f"target column {args.target!r}: {exc}") from None
        task, reason = decision.task, decision.reason
        if decision.ambiguous:
            other = {"classification": "regression"}.get(task, "classification")
            print(
                f"note: {reason}, read as {task}; pass --task {other} for the "
                "other reading",
                file=out,
            )
    if task == "regression":
        if not numeric:
            raise _UserError(
                f"target column {args.target!r} is not numeric: use "
                "--task classification (or auto)"
            )
        y = y.astype(np.float64)
        if not np.all(np.isfinite(y)):
            raise _UserError(f"target column {args.target!r} has infinite values")
        estimator = SpectralMLPRegressor()
    else:
        if numeric and np.all(np.isfinite(y)) and np.all(y == np.round(y)):
            y = y.astype(np.int64)
        if np.unique(y).size < 2:
            raise _UserError(
                f"target column {args.target!r} has a single class; "
                "classification needs at least two"
            )
        estimator = SpectralMLPClassifier()

    # the models standardise each input themselves (standardize=True) and
    # encode text columns and blank cells (issue 21)
    if args.no_standardize:
        estimator.set_params(standardize=False)
    selector = SpectralFeatureSelector(estimator, random_state=args.random_state)
    print(
        f"{args.file}: {X.shape[0]} rows, {X.shape[1]} features, target "
        f"{args.target!r} ({task}"
        + (f", {np.unique(y).size} classes" if task == "classification" else "")
        + ")"
        + ("" if args.no_standardize else "; features standardised")
        + _describe_columns(X),
        file=out,
    )
    out.flush()
    start = time.perf_counter()
    try:
        _fit(selector, X, y, args.threads, out)
    except ValueError as exc:
        raise _UserError(f"cannot fit the model: {exc}") from None
    fit_time = time.perf_counter() - start

    importances = selector.feature_importances_
    support = selector.get_support()
    order = np.argsort(-importances, kind="stable")
    if args.top is not None:
        order = order[: args.top]
    rows = [
        (rank, feature_names[j], f"{importances[j]:.4f}", _yes_no(support[j]))
        for rank, j in enumerate(order, start=1)
    ]
    print(file=out)
    print(
        _format_table(
            ["rank", "column", "importance", "selected"], rows, [">", "<", ">", "<"]
        ),
        file=out,
    )
    if args.top is not None and args.top < len(feature_names):
        print(f"({len(feature_names) - args.top} more not shown)", file=out)
    threshold = selector.threshold_
    threshold_text = f"{threshold:.4g}" if math.isfinite(threshold) else "inf"
    print(file=out)
    print(f"threshold (auto): {threshold_text}", file=out)
    print(f"selected: {int(support.sum())} of {len(feature_names)} features", file=out)
    print(f"fit time: {_fmt_seconds(fit_time)}", file=out)
    return 0


# --------------------------------------------------------------------------
# Parser and entry point


def _build_parser():
    from . import __version__

    parser = argparse.ArgumentParser(
        prog=_PROG,
        description=(
            "Spectral neural networks for feature relevance. Without a "
            "subcommand, runs the demo."
        ),
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}"
    )
    sub = parser.add_subparsers(dest="command", metavar="{demo,rank}")

    threads_help = (
        "torch CPU threads used while fitting (default: 1, the fastest for "
        "these small networks; 0 leaves torch's setting unchanged)"
    )

    demo = sub.add_parser(
        "demo",
        help="feature relevance on the independent-Gaussian data set (default)",
        description=(
            "Fit SpectralFeatureSelector on the independent-Gaussian data set "
            "of Chicchi et al. (2024) and compare the feature importances "
            "with the true relevance."
        ),
    )
    demo.add_argument(
        "--n-samples",
        type=_positive_int,
        default=2000,
        help="number of samples, split 75/25 into train/test (default: 2000)",
    )
    demo.add_argument(
        "--random-state",
        type=int,
        default=0,
        help="seed of the data, the split and the model (default: 0)",
    )
    demo.add_argument("--threads", type=_nonnegative_int, default=1, help=threads_help)

    rank = sub.add_parser(
        "rank",
        help="rank the columns of a CSV file by relevance for a target",
        description=(
            "Rank the numeric columns of a CSV file (with a header row) by "
            "their relevance for the target column, using "
            "SpectralFeatureSelector."
        ),
    )
    rank.add_argument("file", help="CSV file with a header row")
    rank.add_argument("--target", required=True, help="name of the target column")
    rank.add_argument(
        "--task",
        choices=["auto", "classification", "regression"],
        default="auto",
        help=(
            "auto (default): classification if the target is non-numeric, or "
            "integer with at most "
            f"{DEFAULT_SETTINGS.max_classes} distinct values and at least "
            f"{DEFAULT_SETTINGS.min_samples_per_class} rows per value; else "
            "regression"
        ),
    )
    rank.add_argument(
        "--sep", default=",", help="field delimiter (default: ','; '\\t' for tab)"
    )
    rank.add_argument(
        "--no-standardize",
        action="store_true",
        help="do not standardise the features (relevance depends on their scale)",
    )
    rank.add_argument(
        "--top",
        type=_positive_int,
        default=None,
        metavar="N",
        help="show only the N best columns",
    )
    rank.add_argument(
        "--random-state",
        type=int,
        default=0,
        help="seed of the model (default: 0)",
    )
    rank.add_argument("--threads", type=_nonnegative_int, default=1, help=threads_help)
    return parser, {"demo": demo, "rank": rank}


def main(argv=None):
    """Run the ``sklearn-spectral`` command line interface.

    Parameters
    ----------
    argv : list of str or None, default=None
        Command line arguments without the program name; ``None`` reads
        ``sys.argv[1:]``. An empty list runs the ``demo`` subcommand.

    Returns
    -------
    int
        Exit status: 0 on success, 2 on a usage or input error (the message
        is printed to standard error, argparse style).

    See Also
    --------
    sklearn_spectral.SpectralFeatureSelector : The estimator both subcommands
        fit.
    sklearn_spectral.datasets.make_independent_gaussian : The data set of the
        ``demo`` subcommand.

    Examples
    --------
    >>> from sklearn_spectral._cli import main
    >>> main(["--version"])  # doctest: +SKIP
    sklearn-spectral 0.1.0
    0
    """
    parser, subparsers = _build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv:
        argv = ["demo"]
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version or a usage error
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 2)
    if args.command is None:
        args = parser.parse_args(["demo"])
    if args.threads == 0:
        args.threads = None
    run = {"demo": _run_demo, "rank": _run_rank}[args.command]
    try:
        return run(args, sys.stdout)
    except _UserError as exc:
        command = subparsers[args.command]
        command.print_usage(sys.stderr)
        print(f"{command.prog}: error: {exc}", file=sys.stderr)
        return 2

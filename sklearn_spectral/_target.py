"""One rule for "is this target class labels or a quantity?".

Used by :class:`~sklearn_spectral.SpectralFeatureSelector` when it picks its
own model (``estimator=None``) and by the command line's ``rank --task auto``,
so that the two cannot disagree.

scikit-learn's :func:`~sklearn.utils.multiclass.type_of_target` calls every
integer-valued target "multiclass", whatever the number of distinct values:
``load_diabetes`` (disease progression, 214 distinct integers in 442 rows)
would be fitted as a 214-class problem and the selector kept 0 of its 10
columns. Counts, ages and prices in whole units meet the same fate. The rule
here looks at what the values are and how many distinct ones there are.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.utils.multiclass import type_of_target

from ._defaults import resolve_settings

__all__ = ["TargetTask", "infer_task"]


@dataclass(frozen=True)
class TargetTask:
    """What :func:`infer_task` decided, and why.

    Attributes
    ----------
    task : {"classification", "regression"}
        The decision.
    reason : str
        One sentence for a user: the property of ``y`` that decided.
    ambiguous : bool
        True when the target is integer-valued and near the limits of the
        rule, so that the other reading is plausible too.
    """

    task: str
    reason: str
    ambiguous: bool = False


def _integer_valued(values):
    if np.issubdtype(values.dtype, np.integer):
        return True
    return bool(np.all(np.isfinite(values)) and np.all(values == np.round(values)))


def _decide_column(column, n_samples, settings):
    """Decision for one numeric column of the target."""
    max_classes = settings.max_classes
    per_class = settings.min_samples_per_class
    if not _integer_valued(column):
        return TargetTask("regression", "y holds non-integer numbers")
    n_unique = np.unique(column).size
    if n_unique <= 2:
        return TargetTask("classification", f"y has {n_unique} distinct values")
    too_many = n_unique > max_classes
    too_rare = n_samples < per_class * n_unique
    # near a limit: within a factor of two of max_classes, or few values
    # but few samples per value
    ambiguous = (max_classes / 2 < n_unique <= 2 * max_classes) or (
        too_rare and not too_many
    )
    if too_many or too_rare:
        why = (
            f"more than {max_classes}"
            if too_many
            else f"fewer than {per_class} samples per value"
        )
        return TargetTask(
            "regression",
            f"y has {n_unique} distinct integer values ({why})",
            ambiguous,
        )
    return TargetTask(
        "classification",
        f"y has {n_unique} distinct integer values (at most {max_classes}, "
        f"at least {per_class} samples per value on average)",
        ambiguous,
    )


def infer_task(y, *, warn=True, settings=None):
    """Decide whether a target holds class labels or a quantity.

    The rule, applied to each column of ``y``:

    * strings, booleans, categories and other non-numeric values are class
      labels;
    * numbers that are not all integers (``2.5``) are a quantity:
      regression;
    * integer values (integer dtype, or floats such as ``3.0``) are class
      labels when there are at most two distinct values, or when there are
      at most ``Settings.max_classes`` (20) distinct values **and** at
      least ``Settings.min_samples_per_class`` (5) samples per distinct value
      on average;
      otherwise they are a quantity (``load_diabetes``: 214 values; counts).

    A target with several columns is a regression when any column is.
    Integer targets near the limits (11-40 distinct values, or few samples
    per value) are ambiguous: a :class:`UserWarning` then says what was
    decided and how to choose the other reading (pass an estimator).

    Parameters
    ----------
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        The target.
    warn : bool, default=True
        Warn when the decision is ambiguous.
    settings : Settings or None, default=None
        The limits of the rule; None uses ``DEFAULT_SETTINGS``.

    Returns
    -------
    TargetTask
        ``task`` ("classification" or "regression"), ``reason`` and
        ``ambiguous``.

    Raises
    ------
    ValueError
        "Unknown label type" for an object array whose values are neither
        strings nor usable as labels (scikit-learn's message for it).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_spectral._target import infer_task
    >>> infer_task(["cat", "dog", "cat"]).task
    'classification'
    >>> infer_task([0.5, 1.2, 3.0]).task
    'regression'
    >>> infer_task(np.arange(300) % 3).task
    'classification'
    >>> infer_task(np.arange(300) % 150).task
    'regression'
    """
    values = np.asarray(y)
    if values.ndim == 0:
        raise ValueError("y must be an array of targets, got a scalar.")
    n_samples = values.shape[0]
    if values.dtype.kind in "OUSb" or not np.issubdtype(values.dtype, np.number):
        if values.dtype.kind == "O":
            kinds = {
                "str" if isinstance(v, str) else type(v).__name__
                for v in values.ravel().tolist()
            }
            if "str" in kinds and len(kinds) > 1:
                raise ValueError(
                    f"y mixes labels of types {sorted(kinds)}, which cannot be "
                    "sorted; use labels of one type (e.g. all str or all int)."
                )
            kind = type_of_target(values, input_name="y")
            if kind == "unknown":
                raise ValueError(
                    "Unknown label type: y is an object array whose values "
                    "are not strings; convert it to a numeric or string "
                    "array."
                )
        return TargetTask("classification", f"y holds {values.dtype} labels")
    columns = values.reshape(n_samples, -1).T
    settings = resolve_settings(settings)
    decisions = [_decide_column(column, n_samples, settings) for column in columns]
    regression = [d for d in decisions if d.task == "regression"]
    decision = regression[0] if regression else decisions[0]
    if len(decisions) > 1:
        decision = TargetTask(
            decision.task,
            f"column {decisions.index(decision)} of y: {decision.reason}",
            any(d.ambiguous for d in decisions),
        )
    if warn and decision.ambiguous:
        other = {
            "regression": "SpectralMLPClassifier",
            "classification": "SpectralMLPRegressor",
        }[decision.task]
        warnings.warn(
            f"The target was taken as a {decision.task} target: "
            f"{decision.reason}. If that is wrong, pass the estimator "
            f"explicitly, e.g. estimator={other}().",
            UserWarning,
            stacklevel=2,
        )
    return decision

"""numpydoc validation of the docstring of every public name.

Public names are those listed in ``__all__`` of the package and of its public
modules, and the public methods and properties their classes define (methods
inherited from scikit-learn, skorch or torch are theirs to document).
"""

import importlib
import inspect
import re

import pytest

numpydoc_validate = pytest.importorskip("numpydoc.validate")
from numpydoc.docscrape import NumpyDocString  # noqa: E402

MODULES = [
    "sklearn_spectral",
    "sklearn_spectral.datasets",
    "sklearn_spectral.relevance",
    "sklearn_spectral.plotting",
    "sklearn_spectral.nn.layers",
    "sklearn_spectral.nn.mlp",
    "sklearn_spectral.nn.sparcs",
    "sklearn_spectral.nn.gated",
    "sklearn_spectral.nn.export",
    "sklearn_spectral.nn.optim",
    "sklearn_spectral.nn.penalties",
    "sklearn_spectral.nn.objective",
    "sklearn_spectral.nn.activations",
]

# Checks left out everywhere: the summary may start on the first line (GL01,
# GL02), an extended summary is optional (ES01), and a single return value may
# be named (RT02), as in scikit-learn's ``self : object`` and
# ``display : ConfusionMatrixDisplay``.
IGNORED = {"GL01", "GL02", "ES01", "RT02"}
# Methods and properties need neither a See Also nor an Examples section.
IGNORED_FOR_METHODS = IGNORED | {"SA01", "EX01"}

# Known failures in files the documentation engineer does not own, with the
# numpydoc codes seen (run the test to read the messages). Each is an expected
# failure that says why; strict, so an entry must go once its docstring is
# fixed.
KNOWN_FAILURES: dict[str, str] = {}


def _public_objects():
    seen = set()
    for module_name in MODULES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:  # pragma: no cover - a module not written yet
            continue
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if not (inspect.isclass(obj) or inspect.isfunction(obj)):
                continue  # constants such as ACTIVATIONS
            qualname = f"{obj.__module__}.{obj.__qualname__}"
            if qualname in seen:
                continue
            seen.add(qualname)
            yield qualname, False
            if inspect.isclass(obj):
                yield from _public_methods(obj, seen)


def _public_methods(cls, seen):
    for name, member in inspect.getmembers(cls):
        if name.startswith("_"):
            continue
        owner = next((k for k in cls.__mro__ if name in vars(k)), None)
        if owner is None or not owner.__module__.startswith("sklearn_spectral"):
            continue
        raw = vars(owner)[name]
        if not (inspect.isfunction(raw) or isinstance(raw, (property, classmethod))):
            continue
        qualname = f"{cls.__module__}.{cls.__qualname__}.{name}"
        if qualname not in seen:
            seen.add(qualname)
            yield qualname, True


PUBLIC = list(_public_objects())


def _errors(qualname, is_method):
    ignored = IGNORED_FOR_METHODS if is_method else IGNORED
    result = numpydoc_validate.validate(qualname)
    errors = [
        f"{code}: {message}"
        for code, message in result["errors"]
        if code not in ignored
    ]
    # numpydoc does not check the Attributes section: an entry indented
    # unlike its neighbours is swallowed by the previous description and
    # renders as broken text
    obj = numpydoc_validate.Validator._load_obj(qualname)
    if inspect.isclass(obj):
        doc = NumpyDocString(inspect.getdoc(obj) or "")
        for attribute in doc["Attributes"]:
            swallowed = [
                line.strip().split(" : ")[0]
                for line in attribute.desc
                if re.match(r"^\s*\w+ : \S", line)
            ]
            if swallowed or not "".join(attribute.desc).strip():
                errors.append(
                    f"AT01: Attributes entry {attribute.name!r} is empty or "
                    f"swallows {swallowed} (check the indentation)"
                )
    return errors


def _params():
    for qualname, is_method in PUBLIC:
        marks = []
        if qualname in KNOWN_FAILURES:
            marks.append(
                pytest.mark.xfail(reason=KNOWN_FAILURES[qualname], strict=True)
            )
        yield pytest.param(qualname, is_method, id=qualname, marks=marks)


@pytest.mark.parametrize("qualname, is_method", _params())
def test_docstring(qualname, is_method):
    errors = _errors(qualname, is_method)
    assert not errors, f"{qualname}:\n" + "\n".join(errors)


def test_every_public_module_is_checked():
    assert len(PUBLIC) > 40
    names = dict(PUBLIC)
    assert (
        "sklearn_spectral.plotting._relevance.RelevanceDisplay.from_estimator" in names
    )
    assert "sklearn_spectral.nn.penalties.GroupL2.prox" in names

"""Tests of the command line interface (``python -m sklearn_spectral``)."""

import csv
import subprocess
import sys

import numpy as np
import pytest
from sklearn.datasets import make_classification

import sklearn_spectral
from sklearn_spectral._cli import main

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

INFORMATIVE = ["signal_a", "signal_b", "signal_c"]
NOISE = [f"noise_{i}" for i in range(5)]


@pytest.fixture(scope="module")
def csv_path(tmp_path_factory):
    """CSV with 3 informative columns, 5 noise columns and a string target."""
    X, y = make_classification(
        n_samples=400,
        n_features=8,
        n_informative=3,
        n_redundant=0,
        n_repeated=0,
        shuffle=False,
        random_state=0,
    )
    # Scramble the column order so that "informative first" is not the order
    # of the file.
    names = INFORMATIVE + NOISE
    order = [3, 0, 5, 1, 6, 7, 2, 4]
    path = tmp_path_factory.mktemp("cli") / "data.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([names[j] for j in order] + ["label"])
        for row, label in zip(X, y):
            writer.writerow([f"{row[j]:.6g}" for j in order] + [["no", "yes"][label]])
    return path


def _table_rows(text):
    """``(rank, name, importance, selected)`` rows of the ``rank`` table."""
    rows = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[0].isdigit():
            rows.append((int(parts[0]), parts[1], float(parts[2]), parts[3]))
    return rows


def test_demo(capsys):
    assert main(["demo", "--n-samples", "1000"]) == 0
    out = capsys.readouterr().out
    assert "rank  feature" in out
    assert "true relevance" in out
    table = [
        line.split()
        for line in out.splitlines()
        if len(line.split()) == 6 and line.split()[0].isdigit()
    ]
    assert len(table) == 20
    assert [int(parts[0]) for parts in table] == list(range(1, 21))
    importances = [float(parts[2]) for parts in table]
    assert importances == sorted(importances, reverse=True)
    assert "Pearson correlation" in out
    corr = float(out.split("true relevance:")[1].split()[0])
    assert corr > 0.8
    assert "Test accuracy" in out
    assert "Selected features:" in out
    assert "Truly relevant features:" in out
    assert "Fit time:" in out


def test_rank_csv(csv_path, capsys):
    assert main(["rank", str(csv_path), "--target", "label"]) == 0
    out = capsys.readouterr().out
    assert "classification" in out
    rows = _table_rows(out)
    assert [r[0] for r in rows] == list(range(1, 9))
    assert {r[1] for r in rows[:3]} == set(INFORMATIVE)
    assert all(r[3] == "yes" for r in rows[:3])
    assert "threshold" in out
    n_selected = sum(r[3] == "yes" for r in rows)
    assert f"selected: {n_selected} of 8 features" in out


def test_rank_top_and_regression(tmp_path, capsys):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 4))
    y = 3 * X[:, 2] + 0.1 * rng.normal(size=300)
    path = tmp_path / "reg.tsv"
    lines = ["a\tb\tc\td\ttarget"]
    lines += ["\t".join(f"{v:.6g}" for v in [*row, t]) for row, t in zip(X, y)]
    path.write_text("\n".join(lines) + "\n")
    args = ["rank", str(path), "--target", "target", "--sep", "\\t", "--top", "2"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "regression" in out
    rows = _table_rows(out)
    assert len(rows) == 2
    assert rows[0][1] == "c" and rows[0][3] == "yes"
    assert "2 more not shown" in out


def test_rank_missing_file(tmp_path, capsys):
    code = main(["rank", str(tmp_path / "nope.csv"), "--target", "y"])
    assert code == 2
    err = capsys.readouterr().err
    assert "error: file not found" in err
    assert "Traceback" not in err


def test_rank_missing_target(csv_path, capsys):
    assert main(["rank", str(csv_path), "--target", "nope"]) == 2
    err = capsys.readouterr().err
    assert "target column 'nope' not found" in err
    assert "signal_a" in err  # lists the available columns


def test_rank_mixed_csv_ranks_the_original_columns(tmp_path, capsys):
    # a text column, a boolean column and blank cells (issue 21)
    pytest.importorskip("pandas")
    from sklearn_spectral.datasets import make_mixed_table

    X, y, relevant = make_mixed_table(n_samples=600, random_state=0)
    frame = X.assign(y=y)
    path = tmp_path / "mixed.csv"
    frame.to_csv(path, index=False)
    text = path.read_text()
    assert ",," in text and "Paris" in text
    assert main(["rank", str(path), "--target", "y"]) == 0
    out = capsys.readouterr().out
    assert "text column(s) one-hot encoded" in out
    assert "with blank cells imputed" in out
    rows = _table_rows(out)
    assert sorted(r[1] for r in rows) == sorted(X.columns)  # one row per column
    names = [n for n, r in zip(X.columns, relevant) if r]
    assert {r[1] for r in rows[: len(names)]} == set(names)
    assert all(r[3] == "yes" for r in rows[: len(names)])


def test_blank_only_feature_column_is_an_error(tmp_path, capsys):
    path = tmp_path / "blank.csv"
    path.write_text("a,b,y\n1.0,,0\n2.0,,1\n3.0,,0\n")
    assert main(["rank", str(path), "--target", "y"]) == 2
    err = capsys.readouterr().err
    assert "feature column(s) with blank cells only: 'b'" in err


def test_blank_target_cells_are_missing_values(tmp_path, capsys):
    path = tmp_path / "target.csv"
    path.write_text("x1,y\n1.0,0\n2.0,\n3.0,1\n")
    assert main(["rank", str(path), "--target", "y"]) == 2
    assert "target column 'y' has missing values (blank cells) in 1 row" in (
        capsys.readouterr().err
    )


def test_integer_target_with_many_values_is_a_regression(tmp_path, capsys):
    # the rule shared with SpectralFeatureSelector: load_diabetes-like
    # integer targets (here 150 distinct values) are a quantity
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 3))
    y = np.round(50 * X[:, 1] + 200).astype(int)
    assert np.unique(y).size > 40
    path = tmp_path / "int.csv"
    lines = ["a,b,c,score"] + [
        f"{r[0]:.5f},{r[1]:.5f},{r[2]:.5f},{t}" for r, t in zip(X, y)
    ]
    path.write_text("\n".join(lines) + "\n")
    assert main(["rank", str(path), "--target", "score", "--top", "1"]) == 0
    out = capsys.readouterr().out
    assert "target 'score' (regression)" in out
    assert _table_rows(out)[0][1] == "b"


def test_without_pandas_rank_says_what_to_install(csv_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas fails
    assert main(["rank", str(csv_path), "--target", "label"]) == 2
    assert "pip install pandas" in capsys.readouterr().err


def test_duplicate_column_names_are_an_error(tmp_path, capsys):
    path = tmp_path / "dup.csv"
    path.write_text("a,a,y\n1,2,0\n3,4,1\n")
    assert main(["rank", str(path), "--target", "y"]) == 2
    assert "duplicate column name 'a'" in capsys.readouterr().err


def test_usage_errors_return_2(csv_path, capsys):
    assert main(["rank", str(csv_path)]) == 2  # --target is required
    assert "--target" in capsys.readouterr().err
    assert main(["demo", "--n-samples", "zero"]) == 2
    capsys.readouterr()


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == (
        f"sklearn-spectral {sklearn_spectral.__version__}"
    )


def test_module_runs_the_cli_main():
    from sklearn_spectral import __main__ as module

    assert module.main is main


def test_module_help_subprocess():
    result = subprocess.run(
        [sys.executable, "-m", "sklearn_spectral", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "usage: sklearn-spectral" in result.stdout
    assert "demo" in result.stdout and "rank" in result.stdout

"""Run every ```python block of README.md on its own.

The blocks and their printed output are handled by ``tools/readme_outputs.py``
(one implementation for this test and for the script that writes the
README's comments): each block runs in a fresh namespace with every warning
an error, and each ``print`` line's comment must start with what the line
prints. When a change of the library changes a printed value, run
``python tools/readme_outputs.py --write`` and re-read the diff.
"""

import importlib.util
import re
from pathlib import Path

import pytest

_TOOL = Path(__file__).resolve().parents[1] / "tools" / "readme_outputs.py"
_spec = importlib.util.spec_from_file_location("readme_outputs", _TOOL)
readme_outputs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(readme_outputs)

BLOCKS = readme_outputs.python_blocks(readme_outputs.README.read_text("utf-8"))


def test_readme_has_python_blocks():
    assert len(BLOCKS) >= 3


@pytest.mark.parametrize(
    "comment, value, free_text",
    [
        ("45: the trained lam_in", "45", ": the trained lam_in"),
        ("{'select__alpha': 0.3}", "{'select__alpha': 0.3}", ""),
        ("[2 3 6 8]: bmi and bp", "[2 3 6 8]", ": bmi and bp"),
        ("1; () is a perceptron", "1", "; () is a perceptron"),
        ("classification", "classification", ""),
        ("'a:b'", "'a:b'", ""),
    ],
)
def test_comment_splits_value_from_free_text(comment, value, free_text):
    assert readme_outputs.split_comment(comment) == (value, free_text)


def test_stale_comment_is_found():
    block = readme_outputs.Block(line=1, code="print(1 + 1)  # 3: two\n")
    ((shown, printed),) = readme_outputs.stale_comments(block, ["2"])
    assert (shown.value, shown.free_text, printed) == ("3", ": two", "2")
    assert readme_outputs.stale_comments(block, ["3"]) == []
    with pytest.raises(ValueError, match="one line"):
        readme_outputs.stale_comments(block, ["3", "4"])


@pytest.mark.slow
@pytest.mark.parametrize("block", BLOCKS, ids=lambda b: f"README.md:{b.line}")
def test_readme_block_runs_alone(block):
    printed = readme_outputs.run_block(block)
    stale = readme_outputs.stale_comments(block, printed)
    assert not stale, "\n".join(
        f"README.md:{shown.line} prints {out!r}; its comment says {shown.value!r} "
        "(python tools/readme_outputs.py --write)"
        for shown, out in stale
    )


def _load(name):
    spec = importlib.util.spec_from_file_location(name, _TOOL.parent / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_numbers_are_those_of_the_results():
    # the section is written by tools/readme_numbers.py from the result files
    readme_numbers = _load("readme_numbers")
    text = readme_numbers.README.read_text(encoding="utf-8")
    shown = text[text.index(readme_numbers.BEGIN) : text.index(readme_numbers.END)]
    assert shown + readme_numbers.END == readme_numbers.section(), (
        "README.md's numbers differ from benchmarks/results/: "
        "python tools/readme_numbers.py --write"
    )


def test_result_files_date_the_code_they_measured():
    # tools/readme_numbers.py orders result files by this date: a clean clone
    # lacks the commits of helpers' branches that were rebased before merging,
    # so the commit hash alone cannot order them there (CI failed on that)
    readme_numbers = _load("readme_numbers")
    undated = [
        str(path.relative_to(readme_numbers.ROOT))
        for path in sorted(readme_numbers.RESULTS.rglob("*.md"))
        if "Library code: commit" in path.read_text(encoding="utf-8")
        and not re.search(
            r"Library code: commit \w+ of \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC",
            path.read_text(encoding="utf-8"),
        )
    ]
    assert not undated, undated


def test_output_comparison_ignores_only_times():
    shown = "selected: 3\nFit time: 1.0 s\n"
    assert readme_outputs.same_output(shown, "selected: 3\nFit time: 9.9 s")
    assert not readme_outputs.same_output(shown, "selected: 4\nFit time: 1.0 s")


@pytest.mark.slow
def test_readme_shows_what_the_main_job_prints():
    text = readme_outputs.README.read_text(encoding="utf-8")
    (block,) = readme_outputs.output_blocks(text)
    assert block.command == "python -m sklearn_spectral"
    printed = readme_outputs.run_command(block.command)
    assert readme_outputs.same_output(block.shown, printed), (
        "the main job's output changed: python tools/readme_outputs.py --write"
    )

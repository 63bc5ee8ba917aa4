"""Run every ```python block of README.md on its own.

Each block runs in a fresh namespace, as if pasted alone into a new
interpreter, with every warning turned into an error (the library's own and
scikit-learn's ``ConvergenceWarning`` above all): a README block must run as
written, at the library's defaults, and print no warning.

A block shows its output as a comment on the ``print`` line,
``print(x)  # [0 1 2 3 4]``; the comment must start with what the line
prints (anything after a ``:``, ``;`` or space that follows is free text).
When a change of the library changes a printed value, run the block and
update the README's comment with what it prints.
"""

import contextlib
import io
import re
import warnings
from pathlib import Path

import pytest
from sklearn.exceptions import ConvergenceWarning

README = Path(__file__).resolve().parents[1] / "README.md"
_BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)
_COMMENTED_PRINT = re.compile(r"^print\(.*\)  # (?P<shown>.*)$")


def _python_blocks():
    text = README.read_text(encoding="utf-8")
    blocks = []
    for match in _BLOCK.finditer(text):
        line = text.count("\n", 0, match.start()) + 2  # first line of code
        # blank lines in front: a traceback names the README's own line
        code = "\n" * (line - 1) + match.group(1)
        blocks.append(pytest.param(code, id=f"README.md:{line}"))
    return blocks


BLOCKS = _python_blocks()


def _shows(comment, printed):
    """Whether the comment starts with the printed text, as a whole."""
    if not comment.startswith(printed):
        return False
    rest = comment[len(printed) :]
    return rest == "" or rest[0] in ":; "


def test_readme_has_python_blocks():
    assert len(BLOCKS) >= 3


@pytest.mark.parametrize("code", BLOCKS)
def test_readme_block_runs_alone(code):
    namespace = {"__name__": "__readme__"}
    stdout = io.StringIO()
    with warnings.catch_warnings(), contextlib.redirect_stdout(stdout):
        warnings.simplefilter("error")
        warnings.simplefilter("error", ConvergenceWarning)
        exec(compile(code, "README.md", "exec"), namespace)

    lines = code.splitlines()
    prints = [(n + 1, s) for n, s in enumerate(lines) if s.startswith("print(")]
    printed = stdout.getvalue().splitlines()
    assert len(printed) == len(prints), (
        "each print of a README block must print one line:\n" + stdout.getvalue()
    )
    for (line, statement), out in zip(prints, printed):
        match = _COMMENTED_PRINT.match(statement)
        if match is not None:
            assert _shows(match["shown"], out), (
                f"README.md:{line} prints {out!r}; its comment says {match['shown']!r}"
            )

"""Run the README's ``python`` blocks; check or write what they print.

A README block shows its output as a comment on the ``print`` line::

    print(sel.alpha_)  # 1.6

The comment starts with what the line prints; anything after a ``:`` or
``;`` at the top level of the comment (outside brackets and quotes) is free
text. The printed values are written by this script, never by hand:

    python tools/readme_outputs.py           # check: exit 1 on a stale comment
    python tools/readme_outputs.py --write   # rewrite the stale comments

Each block runs on its own in a fresh namespace, as if pasted alone into a
new interpreter, with every warning an error: a README block must run as
written, at the library's defaults, and print no warning. When ``--write``
changes a value whose comment has free text, the script lists the line, so
that the prose after the value can be re-read.
"""

import argparse
import contextlib
import io
import re
import shlex
import subprocess
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
# the blocks document this checkout's code, installed or not
if str(README.parent) not in sys.path:
    sys.path.insert(0, str(README.parent))

_BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)
_COMMENTED_PRINT = re.compile(r"^(?P<code>print\(.*\))  # (?P<comment>.*)$")
_OPEN, _CLOSE = "([{", ")]}"
_OUTPUT = re.compile(
    r"^<!-- output of: (?P<command>.*?) -->\n```text\n(?P<shown>.*?)^```",
    re.MULTILINE | re.DOTALL,
)
_TIME = re.compile(r"\btime:", re.IGNORECASE)


@dataclass
class Block:
    """One ``python`` block of the README."""

    line: int  # README line of the block's first line of code
    code: str

    def padded(self):
        """The code behind blank lines, so a traceback names README lines."""
        return "\n" * (self.line - 1) + self.code


@dataclass
class Shown:
    """A ``print`` line of a block and its comment."""

    line: int  # README line
    code: str  # the print statement
    value: str  # the comment up to its free text
    free_text: str  # "" or the rest of the comment, from its ':' or ';'


def python_blocks(text):
    """The ``python`` blocks of a README text, in order."""
    blocks = []
    for match in _BLOCK.finditer(text):
        line = text.count("\n", 0, match.start()) + 2
        blocks.append(Block(line=line, code=match.group(1)))
    return blocks


def split_comment(comment):
    """``(value, free_text)``: free text starts at a top-level ':' or ';'."""
    depth, quote = 0, None
    for i, char in enumerate(comment):
        if quote is not None:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth -= 1
        elif char in ":;" and depth == 0:
            return comment[:i], comment[i:]
    return comment, ""


def shown_lines(block):
    """The ``print`` lines of a block (commented or not)."""
    shown = []
    for offset, statement in enumerate(block.code.splitlines()):
        if not statement.startswith("print("):
            continue
        match = _COMMENTED_PRINT.match(statement)
        if match is None:
            value, free_text, code = None, "", statement
        else:
            value, free_text = split_comment(match["comment"])
            code = match["code"]
        shown.append(Shown(block.line + offset, code, value, free_text))
    return shown


def run_block(block):
    """Run a block alone, warnings as errors; the lines it printed."""
    from sklearn.exceptions import ConvergenceWarning

    namespace = {"__name__": "__readme__"}
    stdout = io.StringIO()
    with warnings.catch_warnings(), contextlib.redirect_stdout(stdout):
        warnings.simplefilter("error")
        warnings.simplefilter("error", ConvergenceWarning)
        exec(compile(block.padded(), str(README), "exec"), namespace)
    return stdout.getvalue().splitlines()


def stale_comments(block, printed):
    """``[(Shown, printed)]`` for each comment that does not show its line.

    Raises ``ValueError`` when the block does not print one line per
    ``print`` statement (the comments could not be matched to the output).
    """
    shown = shown_lines(block)
    if len(printed) != len(shown):
        raise ValueError(
            f"README.md:{block.line}: each print of a README block must print "
            f"one line; {len(shown)} prints gave:\n" + "\n".join(printed)
        )
    return [
        (item, out)
        for item, out in zip(shown, printed)
        if item.value is not None and item.value.rstrip() != out.rstrip()
    ]


@dataclass
class Output:
    """A ``text`` block that shows what a command prints."""

    line: int  # README line of the marker
    command: str
    shown: str
    start: int  # character offsets of the block's content in the README
    end: int


def output_blocks(text):
    """The command-output blocks of a README text, in order."""
    return [
        Output(
            line=text.count("\n", 0, match.start()) + 1,
            command=match["command"],
            shown=match["shown"],
            start=match.start("shown"),
            end=match.end("shown"),
        )
        for match in _OUTPUT.finditer(text)
    ]


def run_command(command):
    """What a command prints (stdout), run from the repository root."""
    argv = shlex.split(command)
    if argv[0] == "python":
        argv[0] = sys.executable
    done = subprocess.run(
        argv, cwd=README.parent, capture_output=True, text=True, check=True
    )
    return done.stdout


def same_output(shown, printed):
    """Whether two outputs agree on every line that does not report a time."""

    def kept(text):
        lines = [line.rstrip() for line in text.strip("\n").splitlines()]
        return [line for line in lines if not _TIME.search(line)]

    return kept(shown) == kept(printed)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--write", action="store_true", help="rewrite the stale comments"
    )
    args = parser.parse_args(argv)
    text = README.read_text(encoding="utf-8")
    lines = text.split("\n")
    stale = []
    for block in python_blocks(text):
        stale += stale_comments(block, run_block(block))
    for item, out in stale:
        note = "  (re-read its free text)" if item.free_text else ""
        print(f"README.md:{item.line}: shows {item.value!r}, prints {out!r}{note}")
        lines[item.line - 1] = f"{item.code}  # {out}{item.free_text}"
    new = "\n".join(lines)
    n_stale = len(stale)
    for block in reversed(output_blocks(new)):
        printed = run_command(block.command)
        if same_output(block.shown, printed):
            continue
        print(f"README.md:{block.line}: the output of {block.command!r} changed")
        new = new[: block.start] + printed.strip("\n") + "\n" + new[block.end :]
        n_stale += 1
    if args.write and n_stale:
        README.write_text(new, encoding="utf-8")
        print(f"wrote {n_stale} stale output(s) to {README}")
        return 0
    if n_stale:
        return 1
    print("every README comment shows what its line prints")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Write the README's "Where the numbers are" from the benchmark results.

Every number in that section comes from a table of a file in
``benchmarks/results/`` (the ``full/`` run where there is one, else the quick
one), which a benchmark script wrote; this script reads those tables and
writes the section between the README's two markers::

    python tools/readme_numbers.py           # check: exit 1 if the README differs
    python tools/readme_numbers.py --write   # rewrite the section

so that a number in the README is never typed by hand, and re-running a
benchmark and this script is all it takes to update it. Each summary says
where we lose against the bar its issue set.
"""

import argparse
import math
import re
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
RESULTS = ROOT / "benchmarks" / "results"
BEGIN = "<!-- numbers:begin (written by python tools/readme_numbers.py) -->"
END = "<!-- numbers:end -->"

_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


# --------------------------------------------------------------------------- #
# reading the result files
# --------------------------------------------------------------------------- #
def _commit_time(path):
    """When the library code a result file records was committed (0 if unknown).

    The date the benchmark wrote next to the commit, so that the answer does
    not depend on which commits a clone has (a helper's commit rebased before
    its merge is in no clean clone); for an older file without it, the
    commit's date from git.
    """
    text = path.read_text(encoding="utf-8")
    match = re.search(
        r"Library code: commit [0-9a-f]{7,40} of (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC",
        text,
    )
    if match is not None:
        stamp = datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S")
        return int(stamp.replace(tzinfo=timezone.utc).timestamp())
    match = re.search(r"Library code: commit ([0-9a-f]{7,40})", text)
    if match is None:
        return 0
    done = subprocess.run(
        ["git", "-C", str(ROOT), "log", "-1", "--format=%ct", match.group(1)],
        capture_output=True,
        text=True,
    )
    return int(done.stdout.strip() or 0) if done.returncode == 0 else 0


def result_file(name, prefer_full=False):
    """The newer of ``results/full/<name>.md`` and ``results/<name>.md``.

    Newer by the commit of the library code each records; the full run
    where the two were measured on the same code, or always with
    ``prefer_full`` (runs at the papers' sizes, which the quick mode cuts).
    """
    if prefer_full and (RESULTS / "full" / f"{name}.md").exists():
        return RESULTS / "full" / f"{name}.md"
    paths = [
        path
        for path in (RESULTS / "full" / f"{name}.md", RESULTS / f"{name}.md")
        if path.exists()
    ]
    if not paths:
        raise FileNotFoundError(f"no result file {name}.md in {RESULTS} or full/")
    return max(paths, key=lambda path: (_commit_time(path), "full" in path.parts))


def read_tables(path):
    """``[(heading, rows)]``: each markdown table and the heading above it.

    ``rows`` is a list of dicts keyed by the table's header cells.
    """
    tables, heading, header, rows = [], "", None, []
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
        if line.startswith("|"):
            row = line.strip()[1:-1] if line.strip().endswith("|") else line[1:]
            cells = [
                cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", row)
            ]
            if header is None:
                header = cells
            elif not set("".join(cells)) <= set("-: "):
                rows.append(dict(zip(header, cells)))
            continue
        if header is not None:
            tables.append((heading, rows))
            header, rows = None, []
    return tables


def table(path, heading_start):
    """The first table under a heading that starts with ``heading_start``."""
    for heading, rows in read_tables(path):
        if heading.startswith(heading_start):
            return rows
    raise KeyError(f"{path.name}: no table under a heading '{heading_start}...'")


def column(rows, prefix):
    """The header of ``rows`` that starts with ``prefix`` (one of them)."""
    for key in rows[0]:
        if key.startswith(prefix):
            return key
    raise KeyError(f"no column starting with {prefix!r} in {list(rows[0])}")


def first(cell):
    """The first number of a cell, as a float (``nan`` where there is none)."""
    match = _NUMBER.search(cell.replace("−", "-"))
    return float(match.group()) if match else math.nan


def numbers(cell):
    return [float(x) for x in _NUMBER.findall(cell)]


def command_of(path):
    """The command line a result file records (its ``Command:`` line)."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("Command: `"):
            command = line[len("Command: `") :].split("`")[0]
            return re.sub(r" --note .*", "", command)
    return f"(no command recorded in {path.name})"


def link(path):
    return f"[{path.relative_to(ROOT)}]({path.relative_to(ROOT)})"


def fmt(value, digits=2):
    return f"{value:.{digits}f}"


# --------------------------------------------------------------------------- #
# one summary per benchmark
# --------------------------------------------------------------------------- #
def speed():
    path = result_file("engine")
    loop = table(path, "1.")
    ratios = [numbers(row[column(loop, "SpectralMLP")])[-1] for row in loop]
    defaults = table(path, "2.")
    ratio_key = column(defaults, "time ratio")
    per_set = [(row["data"], first(row[ratio_key])) for row in defaults]
    geo = dict(per_set).pop("geometric mean")
    sets = [(name, r) for name, r in per_set if name != "geometric mean"]
    losses = [f"{name} {fmt(r)}x" for name, r in sets if r > 1.0]
    verdict = "met" if geo <= 0.5 else "**missed**"
    text = (
        f"**Speed** (`{command_of(path)}`, {link(path)}): on the same module "
        f"the training engine takes {fmt(min(ratios))}-{fmt(max(ratios))}x the "
        "time of a hand-written torch loop (bar <= 1.0x"
        f": {'met' if max(ratios) <= 1.0 else '**missed**'}). At both libraries' "
        f"defaults a fit takes {fmt(geo)}x the time of `MLPClassifier()` / "
        f"`MLPRegressor()` in geometric mean over {len(sets)} data sets (bar "
        f"<= 0.5x: {verdict}; per set "
        + ", ".join(f"{name} {fmt(r)}x" for name, r in sets)
        + ")"
    )
    if losses:
        text += f"; **slower than scikit-learn on {', '.join(losses)}**"
    return text + "."


def relevance():
    path = result_file("stability_relevance")
    paper = table(path, "The first paper's independent")
    default = next(row for row in paper if row["config"] == "default")
    seeds_ok = default[column(paper, "seeds >= 0.98")]
    n_ok, n_seeds = (int(x) for x in seeds_ok.split("/"))
    units = "paper's units: Pearson"
    raw_ok = default[column(paper, "paper's units: seeds")]
    n_raw = int(raw_ok.split("/")[0])
    above = default[column(paper, "seeds > 0")]
    n_above = int(above.split("/")[0])
    corr = table(path, "The first paper's correlated")
    corr_default = next(row for row in corr if row["config"] == "default")
    linear = table(path, "Linear target")
    lin = next(row for row in linear if row["config"] == "default")
    noise = lin[column(linear, "largest noise")]
    first_ok = lin[column(linear, "x1 first")]
    cv = table(path, "Prediction quality")
    cv_default = next(row for row in cv if row["config"] == "default")
    return (
        f"**Relevance** (`{command_of(path)}`, {link(path)}): on the first "
        "paper's independent-Gaussian set (20 000 rows) every input of true "
        f"relevance >= 0.2 ranks above every noise input on {above} seeds"
        + ("" if n_above == n_seeds else " (**not on every seed**)")
        + "; read per raw unit of x (importance / column standard deviation, "
        "the units of the paper's class-mean distance) the importances "
        f"correlate with the true relevance at Pearson "
        f"{default[column(paper, units)]}, "
        f">= 0.98 (the paper's claim) on {n_raw} of {n_seeds} seeds"
        + ("" if n_raw == n_seeds else " (**not on every seed**)")
        + "; per unit-variance input (`feature_importances_` itself) at "
        f"{default['Pearson']}, >= 0.98 on {n_ok} (the exact Bayes reading on "
        f"that scale, from the true parameters: "
        f"{default[column(paper, 'Bayes reading (oracle)')]}); on the "
        "correlated-Gaussian set the pairs rank in the paper's order on "
        f"{corr_default['order holds']} seeds; on a linear target y = x0 - "
        "2 x1 + 0.1 e with 3 noise inputs the largest noise importance is "
        f"{noise} and x1 comes first on {first_ok} seeds. CV accuracy with "
        f"the relevance settled: breast_cancer {cv_default['breast_cancer']}, "
        f"digits {cv_default['digits']}."
    )


def _selection_rows(path):
    truth = table(path, "Known truth")
    folds = table(path, "Real data")
    budget = table(path, "Budget")
    return truth, folds, budget


def _states_note(folds, ours):
    """How the fold Jaccard was taken: one random state per fold, or the
    mean over pairs of runs from different folds at several states."""
    if "states" not in folds[0]:
        return ""
    states = max(int(first(r["states"])) for r in folds if r["method"] == ours)
    if states <= 1:
        return ""
    return (
        f" ({states} random states per fold: the mean over pairs of runs "
        "from different folds; within a fold: over pairs of states on one "
        "fold, the training noise alone)"
    )


def selection():
    path = result_file("stability_selection")
    truth, folds, budget = _selection_rows(path)
    ours = "SpectralFeatureSelector()"
    head = [r for r in truth if r["data"] == "headline" and r["method"] == ours]
    recall, precision = column(truth, "recall"), column(truth, "precision")
    jaccard = column(truth, "Jaccard")
    per_seed = "; ".join(
        f"data seed {r['seed']}: recall {r[recall]}, precision {r[precision]}, "
        f"Jaccard {r[jaccard]} over {r['runs']} random states"
        for r in head
    )
    fold_j = column(folds, "Jaccard")
    within = [key for key in folds[0] if key.startswith("within a fold")]
    lines = []
    for data in dict.fromkeys(r["data"] for r in folds):
        mine = next(r for r in folds if r["data"] == data and r["method"] == ours)
        boruta = [
            r for r in folds if r["data"] == data and r["method"].startswith("Boruta")
        ]
        part = f"{data} {first(mine[fold_j]):.2f}"
        if within and not math.isnan(first(mine[within[0]])):
            part += f" (within a fold {first(mine[within[0]]):.2f})"
        if boruta:
            b = first(boruta[0][fold_j])
            part += f" (BorutaPy {b:.2f}" + (
                ", **below it**)" if first(mine[fold_j]) < b else ")"
            )
        lines.append(part)
    # the CPU of the code as it is: the run with the fits trained as members
    # of one step (Settings.member_fits_max), where there is one
    # (its rows replace the same data's; a set it did not run keeps its own)
    cost_note, members = "", None
    try:
        members = result_file("stability_selection_members")
    except FileNotFoundError:
        pass
    else:
        # a selection run on newer code than the members run is the code
        # as it is (its fits are members too): its own CPU rows stand
        if _commit_time(members) < _commit_time(path):
            members = None
    if members is not None:
        newer = _selection_rows(members)[2]
        ran = {(r["data"], r["seed"]) for r in newer}
        budget = newer + [r for r in budget if (r["data"], r["seed"]) not in ran]
        cost_note = (
            f" ({link(members)} with the fits trained as members of one step; "
            "the sets it did not run from the run above)"
        )
    ratio = column(budget, "CPU")
    over = [
        f"{r['data']} ({r['seed']}) {first(r[ratio]):.2f}x"
        for r in budget
        if r["method"] == ours and first(r[ratio]) > 0.25
    ]
    costs = [first(r[ratio]) for r in budget if r["method"] == ours]
    text = (
        f"**Selection** (`{command_of(path)}`, {link(path)}): "
        f"`SpectralFeatureSelector()` on the headline problem (1000 x 50, 10 "
        f"informative): {per_seed} (targets 0.95). Jaccard of the kept sets "
        f"across 5 CV folds{_states_note(folds, ours)}: {', '.join(lines)}. CPU time "
        f"{min(costs):.2f}-{max(costs):.2f}x BorutaPy's on the same data"
        f"{cost_note} (budget 0.25x"
    )
    text += f": **over it on {', '.join(over)}**)." if over else ": met)."
    return text


def all_relevant():
    # its own run (bench_stability_selection.py --name all_relevant_stability)
    # where there is one, else the all-relevant rows of the selection run
    # the run on the code as it is (the shadow fits trained as members of
    # one step) where there is one
    try:
        path, own = result_file("all_relevant_stability_members"), True
    except FileNotFoundError:
        try:
            path, own = result_file("all_relevant_stability"), True
        except FileNotFoundError:
            path, own = result_file("stability_selection"), False
    truth, folds, budget = _selection_rows(path)
    ours = 'SpectralFeatureSelector(mode="all-relevant")'
    recall = column(truth, "recall")
    head = [r for r in truth if r["data"] == "headline" and r["method"] == ours]
    minus = column(folds, "minus all")
    fold_j = column(folds, "Jaccard")
    parts = []
    for data in dict.fromkeys(r["data"] for r in folds):
        mine = next(r for r in folds if r["data"] == data and r["method"] == ours)
        diff, se = numbers(mine[minus])[:2]
        flag = " **loses**" if diff < -2 * se else ""
        boruta = [
            r for r in folds if r["data"] == data and r["method"].startswith("Boruta")
        ]
        versus = ""
        if boruta:
            b = first(boruta[0][fold_j])
            below = ", **below it**" if first(mine[fold_j]) < b else ""
            versus = f", BorutaPy {b:.2f}{below}"
        parts.append(
            f"{data} keeps {mine[column(folds, 'kept per fold')]} (Jaccard "
            f"{first(mine[fold_j]):.2f}{versus}; forest {diff:+.3f} +- {se:.3f} "
            f"against all columns{flag})"
        )
    source = f"`{command_of(path)}`, {link(path)}" if own else "same run"
    text = (
        f'**All-relevant** (`mode="all-relevant"`, {source}): headline recall '
        + ", ".join(f"{r[recall]} (data seed {r['seed']})" for r in head)
        + "; over 5 CV folds "
        + "; ".join(parts)
    )
    ratio = column(budget, "CPU")
    costs = [(r, first(r[ratio])) for r in budget if r["method"] == ours]
    if own and costs:
        over = [f"{r['data']} ({r['seed']}) {c:.2f}x" for r, c in costs if c > 0.25]
        text += (
            f". CPU time {min(c for _, c in costs):.2f}-"
            f"{max(c for _, c in costs):.2f}x BorutaPy's (budget 0.25x"
            + (f": **over it on {', '.join(over)}**)" if over else ": met)")
        )
    return text + "."


def auto_depth():
    path = result_file("stability_depth")
    rows = read_tables(path)[0][1]
    diff = column(rows, "auto - fixed")
    loses = [r["data set"] for r in rows if "LOSES" in r[diff]]
    worst = min(rows, key=lambda r: first(r[diff]))
    # the bench's default is 3 model seeds per fold
    states = re.search(r"--states (\d+)", command_of(path))
    states = int(states.group(1)) if states else 3
    text = (
        f"**Auto-depth** (`{command_of(path)}`, {link(path)}): over 5-fold CV "
        f"({states} model seed{'s' if states > 1 else ''} per fold) "
        f"`auto_depth=True` is within 2 paired standard errors of the fixed "
        f"network on {len(rows) - len(loses)} of {len(rows)} data sets"
    )
    if loses:
        lost = [
            f"{r['data set']}, {r[diff].replace(' **LOSES**', '')}"
            for r in rows
            if "LOSES" in r[diff]
        ]
        text += f"; **it loses on {'; '.join(lost)}**"
        if worst["data set"] not in loses:
            text += f" (largest deficit: {worst['data set']}, {worst[diff]})"
    else:
        text += f"; closest to losing: {worst['data set']}, {worst[diff]}"
    # the second half of the target: () only where a linear model ties
    perceptrons = table(path, "Perceptrons")
    wrong = [r for r in perceptrons if "where linear loses" in r[""]]
    if wrong:
        text += "; **it ends at `()` where a linear model loses** on " + ", ".join(
            f"{r['data set']} ({r['auto `()` folds']} fits; linear - fixed "
            f"{r['linear - fixed ± SE']})"
            for r in wrong
        )
    return text + "."


def tables():
    path = result_file("encoding_cost")
    cost = table(path, "Cost of the encoding")
    ratios = [first(r["fit ratio"]) for r in cost]
    ranking = table(path, "Relevant columns above")
    clean = "; ".join(
        f"{r['estimator']} ({r['task']}) {r['clean ranking']}" for r in ranking
    )
    return (
        f"**Your own tables** (`{command_of(path)}`, {link(path)}): encoding a "
        f"mixed table inside the estimator costs {min(ratios):.2f}-"
        f"{max(ratios):.2f}x a fit on the encoded matrix (bar 1.2x); every "
        f"relevant column ranked above every irrelevant one on: {clean} seeds."
    )


def export():
    path = result_file("export")
    rows = read_tables(path)[0][1]
    gap = column(rows, "max gap, float64")
    worst = max(first(r[gap]) for r in rows)
    return (
        f"**Export** (`{command_of(path)}`, {link(path)}): `to_torch()` equals "
        f"`predict` within {worst:.1e} relative on float64 tensors, over "
        f"{len(rows)} configurations and column offsets up to 1e6 (bar 1e-5)."
    )


def papers():
    path = result_file("papers", prefer_full=True)
    rows = read_tables(path)[0][1]
    found = "; ".join(
        f"{row['experiment']}: {row['ours'].split('; map:')[0]} (paper: {row['paper']})"
        for row in rows
        if not row["experiment"].startswith("SPARCS")
    )
    return (
        f"**The papers reproduced** (`{command_of(path)}`, {link(path)}), one "
        f"data seed at the papers' sizes: {found}."
    )


def teacher_student():
    path = result_file("sparcs_teacher_student", prefer_full=True)
    rows = {row["quantity"]: row for row in read_tables(path)[0][1]}
    runs = table(path, "The paper's budget")
    own = next(row for row in runs if row["run"].startswith("own"))

    def get(prefix):
        return next(row for key, row in rows.items() if key.startswith(prefix))

    arch, r2 = get("architecture_"), get("test R^2, full")
    linear = get("test R^2, LinearRegression")
    return (
        f"**SPARCS teacher-student** (`{command_of(path)}`, {link(path)}; 100 000 "
        "rows, a teacher of 20 hidden neurons, a (200, 200) student with every "
        f"skip connection, `auto_depth=True`): `architecture_` {arch['ours']} "
        f"(paper: {arch['paper']}), test R^2 {r2['ours']} (paper {r2['paper']}; "
        f"linear model {linear['ours']}) in the paper's {runs[0]['epochs']}; "
        f"with the library's own stopping rule {own['epochs']} epochs, "
        f"{own['architecture_']}, R^2 {own['test R^2']}."
    )


def robustness():
    path = result_file("robustness")
    rows = table(path, "Non-default settings")
    by_name = {row["configuration"]: row for row in rows}
    gap = column(rows, "score - linear")
    fits = sum(int(first(r["fits"])) for r in rows)
    errors = sum(int(first(r["errors"])) for r in rows)
    silent = sum(int(first(r["silent losses"])) for r in rows)
    defaults = by_name["defaults"]
    small = [
        by_name[name]
        for name in (
            "hidden_layer_sizes=(), auto_depth=False",
            "hidden_layer_sizes=(2,), auto_depth=False",
        )
    ]
    losses = "; ".join(
        f"`{row['configuration'].split(', ')[0].split('=')[1]}` {row[gap]} "
        f"(worst {row['worst']}; {row['warned']} of {row['fits']} fits warned)"
        for row in small
    )
    faster = "; ".join(
        f"`{size}` {by_name[name][gap]} ({by_name[name]['warned']} warned)"
        for size in ("()", "(4,)", "(8,)")
        if (name := f"hidden_layer_sizes={size}, learning_rate_init=0.02") in by_name
    )
    return (
        f"**Non-default settings** (`{command_of(path)}`, {link(path)}): "
        f"{len(rows)} configurations (networks of 0-16 neurons a layer, fixed "
        "and auto-depth, activations, penalties, eigenvalue sets, early "
        f"stopping, strengths) on six small tables: {errors} errors in {fits} "
        f"fits; held-out score minus a linear model's: defaults {defaults[gap]} "
        f"(worst {defaults['worst']}); **small fixed networks lose**, with a "
        f"`ConvergenceWarning`: {losses}; at `learning_rate_init=0.02` "
        f"{faster}; {silent} fits lose by more than 0.1 "
        "accuracy (0.15 R^2) without any warning (listed in the file)."
    )


def other_data():
    path = result_file("other_data")
    rows = table(path, "The fixed network at its defaults")
    score = column(rows, "test score")
    ours = {r["data"]: r for r in rows if r["model"] == "spectral, defaults"}
    mlp = {r["data"]: r for r in rows if r["model"].startswith("scikit-learn")}
    lose = [d for d in ours if first(ours[d][score]) < first(mlp[d][score])]
    win = [d for d in ours if d not in lose]
    losses = "; ".join(
        f"{d} {first(ours[d][score]):.3f} against {first(mlp[d][score]):.3f} "
        f"({ours[d]['relevant on']} relevant inputs on)"
        for d in lose
    )
    depth = table(path, "Auto-depth against the fixed network")
    behind = []
    for r in depth:
        mean, se = numbers(r["auto minus fixed"])[:2]
        if mean < -2 * se:
            behind.append(f"{r['data']} {r['auto minus fixed']}")
    depth_text = (
        "auto-depth within 2 paired standard errors of the fixed network on "
        f"{len(depth) - len(behind)} of {len(depth)} sets"
        + (f", **behind it on {'; '.join(behind)}**" if behind else "")
    )
    return (
        f"**Other data** (`{command_of(path)}`, {link(path)}; generators no "
        "default was tuned on, 5 data seeds): the default model's test score "
        f"is at or above scikit-learn's MLP on {len(win)} of {len(ours)} sets"
        + (f"; **below it on {losses}**" if lose else "")
        + f"; {depth_text}."
    )


SUMMARIES = [
    papers,
    teacher_student,
    speed,
    relevance,
    selection,
    all_relevant,
    auto_depth,
    tables,
    export,
    robustness,
    other_data,
]


def section():
    """The generated section, markers included."""
    paragraphs = [summary() for summary in SUMMARIES]
    return "\n\n".join([BEGIN, *paragraphs, END])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="rewrite the section")
    args = parser.parse_args(argv)
    text = README.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        print(f"README.md has no '{BEGIN}' ... '{END}' section", file=sys.stderr)
        return 1
    before, rest = text.split(BEGIN, 1)
    after = rest.split(END, 1)[1]
    new = before + section() + after
    if new == text:
        print("README.md's numbers are those of benchmarks/results/")
        return 0
    if args.write:
        README.write_text(new, encoding="utf-8")
        print("wrote the numbers section of README.md")
        return 0
    print("README.md's numbers differ from benchmarks/results/: run --write")
    return 1


if __name__ == "__main__":
    sys.exit(main())

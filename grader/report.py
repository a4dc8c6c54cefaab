"""Turn a Verdict into the text a candidate reads, or into JSON (no torch here)."""
from __future__ import annotations

import json
import os
import sys
import textwrap
import unicodedata

import click

from qkv.grader.exercise_texts import explain
from qkv.grader.runner import Verdict

MARK = {True: "PASS", False: "FAIL", None: "SKIP"}


def to_json(verdict: Verdict) -> str:
    return json.dumps({
        "exercise": verdict.exercise,
        "passed": verdict.passed,
        "status": verdict.status,
        "device": verdict.device,
        "seed": verdict.seed,
        "checks": [{"name": c["name"], "passed": c["passed"], "message": c["message"],
                    "counterexample": c["counterexample"],
                    "typical_counterexample": c.get("typical_counterexample")} for c in verdict.checks],
        "diagnosis": verdict.diagnosis,
        "message": verdict.message,
        "output": verdict.output,
        "seconds": round(verdict.seconds, 3),
        "plot": verdict.plot,
        "isolation": verdict.isolation,
        "notes": verdict.notes,
    }, indent=2, ensure_ascii=False)


DETAILS_SHOWN = 3  # failures explained in full; the rest are listed (all with verbose=True)


def to_text(verdict: Verdict, verbose: bool = False, hint: str | None = None) -> str:
    """`hint`: the command that shows hints where the report is read (default `qkv hint ID`)."""
    lines = header_lines(verdict)
    if verdict.status != "not-implemented":
        lines += [check_line(check) for check in verdict.checks]
    return "\n".join(lines + body_lines(verdict, verbose, hint))


def header_lines(verdict: Verdict) -> list[str]:
    notes = [verdict.notes] if verdict.notes else []
    return [f"Grading {verdict.exercise}: {verdict.path}",
            f"device {verdict.device}, seed {verdict.seed}, up to {verdict.max_examples} examples per property",
            *notes, ""]


def check_line(check: dict, colour: bool = False) -> str:
    mark = MARK[None] if check.get("skipped") else MARK[check["passed"]]
    if colour:
        mark = click.style(mark, fg={"PASS": "green", "FAIL": "red", "SKIP": "yellow"}[mark], bold=True)
    return f"  {mark}  {check['name']}"


def error_json(message: str, exercise: str | None = None, status: str = "error") -> str:
    """The one JSON object `qkv grade --json` prints when it cannot grade at all (or was interrupted)."""
    return json.dumps({"exercise": exercise, "passed": False, "status": status, "checks": [], "diagnosis": [],
                       "message": message}, indent=2, ensure_ascii=False)


class Stream:
    """`qkv grade` on a terminal: the header at once, each check's line as it finishes (the one
    running shown meanwhile, so the slow statistical checks show progress), then the rest."""

    def __init__(self, echo, verbose: bool = False, tty: bool | None = None):
        self.echo, self.verbose = echo, verbose
        self.tty = sys.stdout.isatty() if tty is None else tty
        self.colour = self.tty and not os.environ.get("NO_COLOR")
        self.pending = False

    def start(self, verdict: Verdict) -> None:
        self.echo("\n".join(header_lines(verdict)))

    def running(self, name: str) -> None:
        if self.tty:
            self.echo(f"  ....  {name}", nl=False)
            self.pending = True

    def check(self, record: dict) -> None:
        prefix = "\r\x1b[2K" if self.pending else ""
        self.pending = False
        self.echo(prefix + check_line(record, self.colour))

    def finish(self, verdict: Verdict) -> str:
        if self.pending:
            self.echo("\r\x1b[2K", nl=False)
        return "\n".join(body_lines(verdict, self.verbose))


def body_lines(verdict: Verdict, verbose: bool = False, hint: str | None = None) -> list[str]:
    """Everything after the check lines: failures explained, diagnosis, hints, output, summary."""
    hint = hint or f"qkv hint {verdict.exercise}"
    lines: list[str] = []
    if verdict.status == "not-implemented":
        lines += ["Not implemented yet: your entry point still raises NotImplementedError.",
                  f"Write it, then grade again. Stuck? `{hint}`."]
        return _with_output(lines, verdict)
    if verdict.status in ("timeout", "crashed"):
        lines += ["", f"  FAIL  {verdict.message}"]
    failed = [c for c in verdict.checks if not c["passed"]]
    shown = failed if verbose else failed[:DETAILS_SHOWN]
    for check in shown:
        lines += ["", f"-- {check['name']}", textwrap.indent(check["message"], "   ")]
        if check["counterexample"]:
            lines.append("   (the smallest failing input found)")
    if len(shown) < len(failed):
        lines += ["", f"({len(failed) - len(shown)} more failed checks above: --verbose explains each of them.)"]
    skipped = [c for c in verdict.checks if c.get("skipped")]
    for check in skipped:
        lines += ["", f"-- skipped: {check['name']}", f"   {check['message']}"]
    if verdict.diagnosis:
        lines += ["", "Diagnosis"]
        for code in verdict.diagnosis:
            title, paragraph = explain(code, verdict.exercise)
            lines.append(f"  [{code}] {title}")
            lines += textwrap.wrap(paragraph, 88, initial_indent="    ", subsequent_indent="    ")
    elif failed and verdict.status == "graded":
        lines += ["", "Diagnosis", "  No known mistake matches your code: what differs is in the failed checks above "
                  "(--json has each", "  failing input as data, with a Python snippet that rebuilds it)."]
    if not verdict.passed:
        lines += ["", f"Hints: {hint}   (three levels, one at a time)"]
    if verdict.plot:
        lines += ["", verdict.plot]
    lines += ["", _summary(verdict)]
    return _with_output(lines, verdict)


def _summary(verdict: Verdict) -> str:
    total = len(verdict.checks)
    if verdict.passed:
        return f"PASSED: all {total} checks ({verdict.seconds:.1f} s)."
    failed = sum(not c["passed"] for c in verdict.checks)
    done = f"{total} check{'s' * (total != 1)} had finished ({failed} failed)"
    if verdict.status == "timeout":
        return f"FAILED: your code ran out of time; {done}."
    if verdict.status == "crashed":
        return f"FAILED: your code ended the grade; {done}."
    return f"FAILED: {failed} of {total} checks failed ({verdict.seconds:.1f} s)."


def _with_output(lines: list[str], verdict: Verdict) -> list[str]:
    if verdict.isolation:  # the first clause; --json has all of it
        lines += ["", f"Your code ran in a separate worker ({verdict.isolation.split(';')[0].split(':')[0]})."]
    if verdict.output.strip():
        lines += ["", "Output from your code", textwrap.indent(escape_controls(verdict.output.rstrip()), "  | ")]
    return lines


def escape_controls(text: str) -> str:
    """Control characters (ANSI escapes, carriage returns, ...) written out, so printed output
    cannot move the cursor or rewrite what the terminal shows; newlines and tabs stay."""
    return "".join(c if c in "\n\t" or unicodedata.category(c) not in ("Cc", "Cf") else
                   repr(c)[1:-1] for c in text)

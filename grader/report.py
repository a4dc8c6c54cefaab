"""Turn a Verdict into the text a candidate reads, or into JSON (no torch here)."""
from __future__ import annotations

import json
import os
import sys
import textwrap
import unicodedata

import click

from qkv.grader.exercise_texts import check_name, explain
from qkv.grader.runner import Verdict
from qkv.quiz.lang import fill, lang_flag, t

MARK = {True: "grade_pass", False: "grade_fail", None: "grade_skip"}
COLOUR = {True: "green", False: "red", None: "yellow"}


def to_json(verdict: Verdict, lang: str = "en") -> str:
    """The verdict as data; `name` is a check's stable English name, `label` its name in `lang`, and each
    diagnosis comes with its title and explanation in `lang`."""
    return json.dumps({
        "exercise": verdict.exercise,
        "passed": verdict.passed,
        "status": verdict.status,
        "device": verdict.device,
        "seed": verdict.seed,
        "lang": lang,
        "checks": [{"name": c["name"], "label": check_name(c["name"], verdict.exercise, lang),
                    "passed": c["passed"], "message": c["message"],
                    "counterexample": c["counterexample"],
                    "typical_counterexample": c.get("typical_counterexample")} for c in verdict.checks],
        "diagnosis": verdict.diagnosis,
        "explanations": [dict(zip(("code", "title", "text"), (code, *explain(code, verdict.exercise, lang))))
                         for code in verdict.diagnosis],
        "message": verdict.message,
        "output": verdict.output,
        "seconds": round(verdict.seconds, 3),
        "plot": verdict.plot,
        "isolation": verdict.isolation,
        "notes": verdict.notes,
    }, indent=2, ensure_ascii=False)


DETAILS_SHOWN = 3  # failures explained in full; the rest are listed (all with verbose=True)


def to_text(verdict: Verdict, verbose: bool = False, hint: str | None = None, lang: str = "en") -> str:
    """`hint`: the command that shows hints where the report is read (default `qkv hint ID`)."""
    lines = header_lines(verdict, lang)
    if verdict.status != "not-implemented":
        lines += [check_line(check, verdict.exercise, lang=lang) for check in verdict.checks]
    return "\n".join(lines + body_lines(verdict, verbose, hint, lang))


def header_lines(verdict: Verdict, lang: str = "en") -> list[str]:
    notes = [escape_controls(verdict.notes)] if verdict.notes else []
    return [t(lang, "grade_header", id=verdict.exercise, path=verdict.path),
            t(lang, "grade_settings", device=verdict.device, seed=verdict.seed, examples=verdict.max_examples),
            *notes, ""]


def check_line(check: dict, exercise: str | None = None, colour: bool = False, lang: str = "en") -> str:
    state = None if check.get("skipped") else check["passed"]
    mark = t(lang, MARK[state])
    if colour:
        mark = click.style(mark, fg=COLOUR[state], bold=True)
    return f"  {mark}  {check_name(check['name'], exercise, lang)}"


def error_json(message: str, exercise: str | None = None, status: str = "error") -> str:
    """The one JSON object `qkv grade --json` prints when it cannot grade at all (or was interrupted)."""
    return json.dumps({"exercise": exercise, "passed": False, "status": status, "checks": [], "diagnosis": [],
                       "message": message}, indent=2, ensure_ascii=False)


class Stream:
    """`qkv grade` on a terminal: the header at once, each check's line as it finishes (the one
    running shown meanwhile, so the slow statistical checks show progress), then the rest."""

    def __init__(self, echo, verbose: bool = False, tty: bool | None = None, lang: str = "en"):
        self.echo, self.verbose, self.lang = echo, verbose, lang
        self.exercise: str | None = None
        self.tty = sys.stdout.isatty() if tty is None else tty
        self.colour = self.tty and not os.environ.get("NO_COLOR")
        self.pending = False

    def start(self, verdict: Verdict) -> None:
        self.exercise = verdict.exercise
        self.echo("\n".join(header_lines(verdict, self.lang)))

    def running(self, name: str) -> None:
        if self.tty:
            self.echo(f"  ....  {check_name(name, self.exercise, self.lang)}", nl=False)
            self.pending = True

    def check(self, record: dict) -> None:
        prefix = "\r\x1b[2K" if self.pending else ""
        self.pending = False
        self.echo(prefix + check_line(record, self.exercise, self.colour, self.lang))

    def finish(self, verdict: Verdict) -> str:
        if self.pending:
            self.echo("\r\x1b[2K", nl=False)
        return "\n".join(body_lines(verdict, self.verbose, lang=self.lang))


def body_lines(verdict: Verdict, verbose: bool = False, hint: str | None = None, lang: str = "en") -> list[str]:
    """Everything after the check lines: failures explained, diagnosis, hints, output, summary."""
    hint = hint or f"qkv hint {verdict.exercise}{lang_flag(lang)}"
    lines: list[str] = []
    if verdict.status == "not-implemented":
        lines += [t(lang, "grade_not_implemented"), t(lang, "grade_write_it", hint=hint)]
        return _with_output(lines, verdict, lang)
    if verdict.status in ("timeout", "crashed"):
        lines += ["", f"  {t(lang, 'grade_fail')}  {escape_controls(verdict.message)}"]
    failed = [c for c in verdict.checks if not c["passed"]]
    shown = failed if verbose else failed[:DETAILS_SHOWN]
    for check in shown:
        lines += ["", f"-- {check_name(check['name'], verdict.exercise, lang)}",
                  textwrap.indent(escape_controls(check["message"]), "   ")]
        if check["counterexample"]:
            lines.append("   " + t(lang, "grade_smallest"))
    if len(shown) < len(failed):
        lines += ["", t(lang, "grade_more_failed", count=len(failed) - len(shown))]
    skipped = [c for c in verdict.checks if c.get("skipped")]
    for check in skipped:
        lines += ["", t(lang, "grade_skipped", name=check_name(check["name"], verdict.exercise, lang)),
                  f"   {escape_controls(check['message'])}"]
    if verdict.diagnosis:
        lines += ["", t(lang, "grade_diagnosis")]
        for code in verdict.diagnosis:
            title, paragraph = explain(code, verdict.exercise, lang)
            lines.append(f"  [{code}] {title}")
            lines += _wrap(paragraph, lang)
    elif failed and verdict.status == "graded":
        lines += ["", t(lang, "grade_diagnosis"), *_wrap(t(lang, "grade_no_match"), lang, "  ")]
    if not verdict.passed:
        lines += ["", t(lang, "grade_hints", hint=hint)]
    if verdict.plot:
        lines += ["", verdict.plot]
    lines += ["", _summary(verdict, lang)]
    return _with_output(lines, verdict, lang)


def _wrap(paragraph: str, lang: str, indent: str = "    ") -> list[str]:
    if lang == "en":
        return textwrap.wrap(paragraph, 88, initial_indent=indent, subsequent_indent=indent)
    return [indent + line for line in fill(paragraph, 88 - len(indent)).splitlines()]


def _summary(verdict: Verdict, lang: str = "en") -> str:
    total = len(verdict.checks)
    if verdict.passed:
        return t(lang, "grade_passed", total=total, seconds=verdict.seconds)
    failed = sum(not c["passed"] for c in verdict.checks)
    done = t(lang, "grade_done_one" if total == 1 else "grade_done", total=total, failed=failed)
    if verdict.status == "timeout":
        return t(lang, "grade_out_of_time", done=done)
    if verdict.status == "crashed":
        return t(lang, "grade_ended", done=done)
    return t(lang, "grade_failed", failed=failed, total=total, seconds=verdict.seconds)


def _with_output(lines: list[str], verdict: Verdict, lang: str = "en") -> list[str]:
    if verdict.isolation:  # the first clause; --json has all of it
        how = t(lang, "isolation_bubblewrap" if verdict.isolation.startswith("bubblewrap") else
                "isolation_none_root" if ", as root" in verdict.isolation.partition(";")[0] else "isolation_none")
        lines += ["", t(lang, "grade_isolated", how=how)]
    if verdict.output.strip():
        lines += ["", t(lang, "grade_output"), textwrap.indent(escape_controls(verdict.output.rstrip()), "  | ")]
    return lines


def escape_controls(text: str) -> str:
    """Control characters (ANSI escapes, carriage returns, ...) written out, so printed output
    cannot move the cursor or rewrite what the terminal shows; newlines and tabs stay."""
    return "".join(c if c in "\n\t" or unicodedata.category(c) not in ("Cc", "Cf") else
                   repr(c)[1:-1] for c in text)

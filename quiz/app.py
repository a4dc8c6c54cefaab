"""The bodies of `qkv validate`, `qkv quiz` and `qkv stats`: load the banks, run, print, return the exit code.

Exit codes: 0 done; 1 `validate` found problems; 2 a bank `quiz` or `stats` needs is
broken (the problems go to stderr as file:line: message); 130 a quiz stopped by Ctrl-C.
"""
from __future__ import annotations

import difflib
import json
import random
import sys
import time
from typing import Sequence

import click

from qkv.questions import bank
from qkv.questions.bank import Question
from qkv.quiz import present, schedule
from qkv.quiz import stats as stats_report
from qkv.quiz.history import History, HistoryError, data_dir
from qkv.quiz.lang import from_locale, t
from qkv.quiz.session import Console, Quiz, utc_now


DEFAULT_COUNT = 10


def validate(paths: Sequence[str], banks: Sequence[str]) -> int:
    """Lint `paths` (files or folders) together; without them, everything `quiz` would load and the
    coding exercises' text files (grader/texts/*.yaml)."""
    targets = bank.expand([*paths, *banks]) if paths else bank.sources(banks, data_dir())
    questions, problems = bank.check(targets)
    checked = _count(len(targets), 'bank')
    if not paths:
        from qkv.grader import text_files  # noqa: PLC0415

        problems = [*problems, *text_files.problems()]
        checked += " and the exercises' texts"
    for problem in problems:
        click.echo(str(problem))
    if problems:
        click.echo(f"{_count(len(problems), 'problem')} in {checked}", err=True)
        return 1
    click.echo(f"{_count(len(questions), 'question')} in {checked}: OK")
    return 0


def quiz(*, topics: Sequence[str], types: Sequence[str], difficulty: str | None, count: int | None, seed: int | None,
         due: bool, lang: str | None, banks: Sequence[str], as_json: bool, tags: Sequence[str] = (),
         ids: Sequence[str] = ()) -> int:
    """Select and ask the questions; print the summary (as JSON on stdout with `as_json`, the quiz on stderr).
    `count` None: 10, and no word about a smaller pool."""
    asked_for, count = count, count or DEFAULT_COUNT
    lang = lang or from_locale()
    questions = load_questions(banks)
    topics = check_choices("--topic", topics, sorted({q.topic for q in questions}))
    types = check_choices("--type", types, bank.TYPES)
    tags = check_choices("--tag", tags, sorted({tag for q in questions for tag in q.tags}))
    ids = check_choices("--id", ids, sorted(q.id for q in questions))
    if ids:
        by_id = {q.id: q for q in questions}
        pool = [by_id[i] for i in dict.fromkeys(ids)]
    else:
        pool = [q for q in questions if (not topics or q.topic in topics) and (not types or q.type in types)
                and (difficulty is None or q.difficulty == difficulty)
                and (not tags or set(tags) & set(q.tags))]
    history = open_history(questions)
    rng = random.Random(seed)
    due_times = history.due_times()
    now = time.time()
    if ids:
        selected = pool[:count]
    else:
        selected = schedule.select(pool, count=count, rng=rng, due=due_times if due else None, now=now)
    if interactive():  # a review on screen gets its choices in a new order; scripts keep the letters
        seen = history.tallies()
        selected = [present.shuffled(q, rng) if q.id in seen else q for q in selected]
    ui = sys.stderr if as_json else sys.stdout
    console = Console(sys.stdin, ui)
    if due:
        overdue = sum(1 for q in pool if q.id in due_times and due_times[q.id] <= now)
        fresh = sum(1 for q in pool if q.id not in due_times)
        console.say(t(lang, "due_summary", due=overdue, new=fresh))
    if not selected:
        console.say(t(lang, "no_questions"))
    elif asked_for and len(selected) < asked_for and not ids:
        console.say(t(lang, "fewer_questions", count=count, available=len(selected)))
    summary = Quiz(selected, console=console, history=history, lang=lang).run()
    history.close()
    console.say("\n" + summary.render(lang, columns=console.columns))
    if as_json:
        click.echo(json.dumps(summary.to_dict(), ensure_ascii=False))
    return 130 if summary.ended == "interrupted" else 0


def stats(*, banks: Sequence[str], lang: str | None, as_json: bool) -> int:
    questions = load_questions(banks)
    history = open_history(questions)
    report = stats_report.compute(questions, history.tallies(), history.due_times(), utc_now())
    history.close()
    click.echo(json.dumps(report, ensure_ascii=False) if as_json else stats_report.render(report, lang or from_locale()))
    return 0


def load_questions(banks: Sequence[str]) -> list[Question]:
    try:
        return bank.load(bank.sources(banks, data_dir()), cache=data_dir() / "cache" / "banks.json")
    except bank.BankError as error:
        click.echo(str(error), err=True)
        raise SystemExit(2) from None


def open_history(questions: Sequence[Question] = ()) -> History:
    """The history, with the records of retired question ids moved to the ids that replace them."""
    try:
        history = History.open()
    except HistoryError as error:
        raise click.ClickException(str(error)) from None
    history.redirect(bank.renames(questions))
    return history


def interactive() -> bool:
    return sys.stdin.isatty()


LISTED_AT_MOST = 12  # more valid values than this: name the closest ones instead of all


def check_choices(option: str, values: Sequence[str], valid: Sequence[str]) -> list[str]:
    """`values` as valid ones: exact, or differing only in case, or (for dotted ids) the part after the
    dot when only one id has it; otherwise a usage error naming the valid values or the closest ones."""
    resolved = []
    for value in values:
        matches = [v for v in valid if v == value] or [v for v in valid if v.lower() == value.lower()] or \
            [v for v in valid if "." in v and v.split(".", 1)[1].lower() == value.lower()]
        if len(matches) == 1:
            resolved.append(matches[0])
            continue
        if len(valid) <= LISTED_AT_MOST:
            hint = f"the only valid values are {', '.join(valid)}"
        else:
            close = difflib.get_close_matches(value, list(valid), n=3, cutoff=0.5)
            hint = (f"did you mean {', '.join(close)}? " if close else "") + \
                f"({len(valid)} valid values: `qkv stats` lists the topics and tags)"
        raise click.BadParameter(f"got {value!r}, but {hint}", param_hint=f"'{option}'")
    return resolved


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' * (n != 1)}"

"""The body of `qkv mock`: run a round, list past rounds, show one.

Exit codes: 0 done (also after `q` or the end of input); 1 no such round, or the report
could not be written; 2 bad options or a broken bank; 130 a round stopped by Ctrl-C, whose
scorecard is printed and saved all the same.
"""
from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import Sequence

import click

from qkv.grader import catalogue
from qkv.mock import clock, scorecard
from qkv.mock.plan import make_plan
from qkv.mock.round import Round
from qkv.quiz.app import check_choices, load_questions, open_history
from qkv.quiz.lang import from_locale, t
from qkv.quiz.session import Console, holding_ctrl_c, utc_now

SEEDS = 1_000_000  # a seed drawn for a round without --seed is below this: short enough to retype


def mock(*, minutes: int, topics: Sequence[str], exercise_id: str | None, seed: int | None, report: str | None,
         list_rounds: bool, show: int | None, lang: str | None, banks: Sequence[str], delete: int | None = None) -> int:
    lang = lang or from_locale()
    if sum([list_rounds, show is not None, delete is not None]) > 1:
        raise click.UsageError("--list, --show and --delete go alone: pass one of them")
    if report and not Path(report).resolve().parent.is_dir():
        raise click.BadParameter(f"{report}: the folder {Path(report).parent} does not exist",
                                 param_hint="'--report'")
    if list_rounds:
        return _list(lang)
    if delete is not None:
        return _delete(delete, lang)
    if show is not None:
        return _show(show, lang, report)
    return _round(minutes=minutes, topics=topics, exercise_id=exercise_id, seed=seed, report=report, lang=lang,
                  banks=banks)


def _round(*, minutes: int, topics: Sequence[str], exercise_id: str | None, seed: int | None, report: str | None,
           lang: str, banks: Sequence[str]) -> int:
    questions = load_questions(banks)
    topics = check_choices("--topic", topics, sorted({q.topic for q in questions}))
    try:
        exercise = catalogue.get(exercise_id) if exercise_id else None
    except catalogue.UnknownExercise as error:
        raise click.BadParameter(str(error), param_hint="'--exercise'") from None
    try:
        round_clock = clock.from_env()
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    seed = random.SystemRandom().randrange(SEEDS) if seed is None else seed
    plan = make_plan(questions, minutes=minutes, topics=topics, seed=seed, exercise=exercise)
    history = open_history(questions)
    reader = clock.LineReader(sys.stdin)
    console = Console(reader, sys.stdout)
    if plan.exercise is None:  # said now, not after two sections
        console.say(t(lang, "mock_no_exercise", topics=", ".join(plan.topics)))
    started = utc_now()
    record = Round(plan, console=console, reader=reader, clock=round_clock, history=history, lang=lang,
                   workdir=Path.cwd()).run(started)
    if record["ended"] != "finished" and not scorecard.anything_done(record):  # quit before doing anything
        history.close()
        console.say("\n" + t(lang, "mock_not_saved", seed=seed))
        return 130 if record["ended"] == "interrupted" else 0
    with holding_ctrl_c():
        number = history.save_round(record, at=started)
    history.close()
    console.say("\n" + scorecard.to_text(number, record, lang, columns=console.columns))
    console.say("\n" + t(lang, "mock_saved", number=number))
    if report:
        _write_report(report, number, record, lang)
    return 130 if record["ended"] == "interrupted" else 0


def _delete(number: int, lang: str) -> int:
    history = open_history()
    deleted = history.delete_round(number)
    history.close()
    if not deleted:
        click.echo(t(lang, "mock_unknown_round", number=number), err=True)
        return 1
    click.echo(t(lang, "mock_deleted", number=number))
    return 0


def _list(lang: str) -> int:
    history = open_history()
    rounds = history.rounds()
    history.close()
    click.echo(scorecard.render_list(rounds, lang) if rounds else t(lang, "mock_no_rounds"))
    return 0


def _show(number: int, lang: str, report: str | None) -> int:
    history = open_history()
    record = history.round(number)
    history.close()
    if record is None:
        click.echo(t(lang, "mock_unknown_round", number=number), err=True)
        return 1
    click.echo(scorecard.to_text(number, record, lang, columns=Console(sys.stdin, sys.stdout).columns))
    if report:
        _write_report(report, number, record, lang)
    return 0


def _write_report(path: str, number: int, record: dict, lang: str) -> None:
    try:
        Path(path).write_text(scorecard.to_markdown(number, record, lang), encoding="utf-8")
    except OSError as error:
        raise click.ClickException(f"{path}: could not write the report: {error.strerror}") from None
    click.echo(t(lang, "mock_report_written", path=path))

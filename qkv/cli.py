"""qkv: offline interview prep for deep learning and LLMs.

Thin click commands: each parses its options, calls one library function and
prints. Only `grade` imports torch (inside the grading child process).
"""
from __future__ import annotations

import click

from qkv import __version__
from qkv.quiz.lang import chosen


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="qkv")
def main() -> None:
    """Quiz yourself, grade your own PyTorch code, and run mock interviews."""


# --- quiz, validate, stats (library: quiz/app.py) ---

_bank_option = click.option(
    "--bank", "banks", multiple=True, type=click.Path(exists=True), metavar="PATH",
    help="Also load this bank file, or every *.yaml in this folder (repeatable).")
_lang_option = click.option(
    "--lang", type=click.Choice(["en", "zh"]), envvar="QKV_LANG", show_envvar=True,
    help="Language of the questions and messages. Default: $QKV_LANG, then zh if the locale is Chinese, else en.")
_json_option = click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
_seed_option = click.option("--seed", type=int, default=0, show_default=True,
                            help="Seed for the drawn inputs: same seed, same verdict.")
_timeout_option = click.option(
    "--timeout", type=click.FloatRange(min=0.1), default=120, show_default=True,
    help="Limit in seconds for loading your file and for each call into your code (the grader's own work and "
         "torch's import do not count).")


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@_bank_option
def validate(paths: tuple[str, ...], banks: tuple[str, ...]) -> None:
    """Check question banks and print `file:line: message` for each problem.

    PATHS (files or folders) are checked together; without them, every bank the quiz
    loads: the bundled ones, those in the user data dir and --bank.
    """
    from qkv.quiz import app

    raise SystemExit(app.validate(paths, banks))


@main.command()
@click.option("--topic", "topics", multiple=True, metavar="TOPIC", help="Only this topic (repeatable).")
@click.option("--type", "types", multiple=True, metavar="TYPE",
              help="Only this type (repeatable): single, multi, true_false, numeric, short, code_reading.")
@click.option("--difficulty", type=click.Choice(["easy", "medium", "hard"]), help="Only this difficulty.")
@click.option("--count", type=click.IntRange(min=1), help="How many questions.  [default: 10]")
@click.option("--seed", type=int, help="Make the selection and order reproducible.")
@click.option("--due", is_flag=True, help="Questions due for review first (most overdue first), then new ones.")
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="Only questions with this tag (repeatable; "
              "`qkv stats` lists your weakest tags).")
@click.option("--id", "ids", multiple=True, metavar="ID", help="Exactly this question (repeatable).")
@_lang_option
@_bank_option
@_json_option
def quiz(**options) -> None:
    """Answer questions one at a time; each answer is saved and scheduled at once.

    Answer by letter (a, "a,c", ac), number (0.5, 1e-3), t/f (对/错) or, for short
    questions, free text then a self-rating. q quits. With --json the quiz runs on
    stderr and stdout gets the summary as one JSON object.
    """
    from qkv.quiz import app

    raise SystemExit(app.quiz(**options))


@main.command()
@_lang_option
@_bank_option
@_json_option
def stats(**options) -> None:
    """Accuracy per topic, seen and unseen questions, due today, the weakest tags."""
    from qkv.quiz import app

    raise SystemExit(app.stats(**options))


# --- coding exercises: list, show, start, hint, grade (library: grader/) ---

_exercise_argument = click.argument("exercise_id", metavar="EXERCISE")


def _exercise(exercise_id: str):
    from qkv.grader import catalogue

    try:
        return catalogue.get(exercise_id)
    except catalogue.UnknownExercise as exc:
        raise click.BadParameter(str(exc), param_hint="EXERCISE") from None


@main.command("list")
@_lang_option
def list_exercises(lang: str | None) -> None:
    """The coding exercises: id, topic, difficulty, your status (passed / attempted / new), what to write."""
    from qkv.grader import progress

    click.echo(progress.exercise_table(chosen(lang)))


@main.command()
@_exercise_argument
@_lang_option
def show(exercise_id: str, lang: str | None) -> None:
    """The statement of an exercise: contract, shapes, what is graded."""
    from qkv.grader.starter import statement

    click.echo(statement(_exercise(exercise_id), lang=chosen(lang)))


@main.command()
@_exercise_argument
@click.argument("path", required=False, type=click.Path(dir_okay=True))
@click.option("--notebook", is_flag=True, help="Write a Jupyter notebook (.ipynb) instead of a .py file.")
@_lang_option
def start(exercise_id: str, path: str | None, notebook: bool, lang: str | None) -> None:
    """Write a starter file for EXERCISE (default name: in this folder). Never overwrites."""
    from qkv.grader.starter import StarterExists, write_starter
    from qkv.quiz.lang import lang_flag, t

    exercise, lang = _exercise(exercise_id), chosen(lang)
    try:
        target = write_starter(exercise, path, notebook=notebook, lang=lang)
    except StarterExists as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(t(lang, "start_wrote", path=target, id=exercise.id, flag=lang_flag(lang)))


@main.command()
@_exercise_argument
@click.option("--level", type=click.IntRange(1, 3), default=1, show_default=True,
              help="Show hints up to this level (each one gives more away).")
@_lang_option
def hint(exercise_id: str, level: int, lang: str | None) -> None:
    """Hints for EXERCISE, one level at a time."""
    from qkv.grader.starter import hints

    click.echo(hints(_exercise(exercise_id), level, lang=chosen(lang)))


@main.command()
@_exercise_argument
@click.argument("path", type=click.Path(dir_okay=False))
@_seed_option
@click.option("--max-examples", type=click.IntRange(min=1), default=25, show_default=True,
              help="Inputs drawn per property: more is slower and deeper.")
@click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), default="auto", show_default=True,
              help="auto = CUDA when available (TF32 off), else CPU.")
@_timeout_option
@click.option("--memory", "memory_gib", type=click.FloatRange(min=0.5), default=4, show_default=True,
              metavar="GiB", help="Memory limit of the process that runs your code.")
@click.option("--plot", type=click.Path(dir_okay=False, writable=True), metavar="FILE.png",
              help="Initialization exercises: draw your weights' histogram and the activation std through a deep "
                   "stack (needs matplotlib).")
@click.option("--verbose", "-v", is_flag=True, help="Explain every failed check, not only the first three.")
@_json_option
@_lang_option
def grade(exercise_id: str, path: str, as_json: bool, verbose: bool, lang: str | None, **options) -> None:
    """Grade your solution file (.py, or a Jupyter notebook's code cells) PATH for EXERCISE.

    Exit 0 = pass, 1 = fail, 2 = could not load, 130 = interrupted (Ctrl-C)."""
    from qkv.grader import progress, report, runner
    from qkv.quiz.lang import t

    lang = chosen(lang)

    def usage_error(message: str) -> None:
        if as_json:
            click.echo(report.error_json(message, exercise_id))
        else:
            click.echo(f"Error: {report.escape_controls(message)}", err=True)
        raise SystemExit(2)

    exercise_id, path = progress.unswap(exercise_id, path)
    try:
        exercise = _exercise(exercise_id)
    except click.BadParameter as exc:
        if as_json:
            usage_error(exc.format_message())
        raise
    stream = None if as_json else report.Stream(click.echo, verbose=verbose, lang=lang)
    try:
        verdict = runner.grade(exercise.id, path, on_check=stream.check if stream else None,
                               on_start=stream.start if stream else None,
                               on_running=stream.running if stream else None, **options)
    except runner.GradeUsageError as exc:
        usage_error(str(exc))
    except KeyboardInterrupt:
        click.echo("\n" + t(lang, "grade_interrupted"), err=True)
        if as_json:
            click.echo(report.error_json("interrupted (Ctrl-C): no verdict", exercise.id, "interrupted"))
        raise SystemExit(130) from None
    progress.record(verdict, path)
    click.echo(report.to_json(verdict, lang) if as_json else stream.finish(verdict))
    raise SystemExit(verdict.exit_code)


@main.command()
@_exercise_argument
@click.argument("path", type=click.Path(dir_okay=False))
@_seed_option
@_timeout_option
@_lang_option
def watch(exercise_id: str, path: str, lang: str | None, **options) -> None:
    """Grade PATH for EXERCISE again every time you save it.

    While it runs, type hint (the next hint), Enter (grade again now) or quit. Exits with the
    last grade's status: 0 passed, 1 failed, 2 could not load; 130 on Ctrl-C."""
    from qkv.grader import progress as tracker
    from qkv.grader import watch as watcher

    exercise_id, path = tracker.unswap(exercise_id, path)
    exercise = _exercise(exercise_id)
    try:
        raise SystemExit(watcher.watch(exercise.id, path, echo=click.echo, lang=chosen(lang), **options))
    except KeyboardInterrupt:
        click.echo()
        raise SystemExit(130) from None


@main.command()
@_json_option
def progress(as_json: bool) -> None:
    """Per topic: exercises passed, quiz accuracy, reviews due; the mistakes your code made most often."""
    import json

    from qkv.grader import progress as tracker

    report = tracker.report()
    click.echo(json.dumps({**report, "next": tracker.suggestion()}, ensure_ascii=False) if as_json
               else tracker.render(report))


@main.command("next")
def next_step() -> None:
    """One thing to do now: a due review, or the next exercise of your weakest topic."""
    from qkv.grader import progress as tracker

    click.echo(tracker.suggestion())


@main.command()
@click.argument("exercise_id", metavar="[EXERCISE]", required=False)
@click.option("--all", "everything", is_flag=True, help="Forget the whole history: answers, reviews, rounds, grades.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def reset(exercise_id: str | None, everything: bool, yes: bool) -> None:
    """Forget EXERCISE's grades and review schedule, or with --all the whole history."""
    from qkv.quiz.app import open_history

    if exercise_id and everything:
        raise click.UsageError("give one EXERCISE or --all, not both")
    if not exercise_id and not everything:
        raise click.UsageError("give one EXERCISE, or --all")
    exercise = _exercise(exercise_id) if exercise_id else None
    what = f"the grades and review schedule of {exercise.id}" if exercise else "your whole history"
    if not yes and not click.confirm(f"Forget {what}?", default=False):
        click.echo("Nothing changed.")
        return
    history = open_history()
    history.reset(exercise.id if exercise else None)
    history.close()
    click.echo(f"Forgot {what}.")


@main.command()
@_exercise_argument
@click.option("--force", is_flag=True, help="Show it even though you have not passed the exercise yet.")
def solution(exercise_id: str, force: bool) -> None:
    """The reference solution of EXERCISE: shown once you have passed it (or with --force)."""
    from qkv.grader import progress as tracker
    from qkv.grader.starter import reference_source

    exercise = _exercise(exercise_id)
    if not force and tracker.statuses(tracker._open_grades()[0]).get(exercise.id, ("",))[0] != "passed":
        raise click.ClickException(f"pass {exercise.id} first (`qkv grade {exercise.id} FILE`), or use --force "
                                   "to read the reference now.")
    click.echo(reference_source(exercise))


# --- mock interviews (library: mock/app.py) ---

@main.command()
@click.option("--minutes", type=click.IntRange(min=1), default=45, show_default=True,
              help="Length of the round: 15% warm-up, 35% deep-dive, 50% coding.")
@click.option("--topic", "topics", multiple=True, metavar="TOPIC",
              help="Draw from this topic (repeatable). Default: all.")
@click.option("--exercise", "exercise_id", metavar="EXERCISE",
              help="The coding task. Default: one that fits the topics (`qkv list` shows them).")
@click.option("--seed", type=int, help="Same seed, same questions and exercise (the scorecard shows the seed used).")
@click.option("--report", type=click.Path(dir_okay=False), metavar="FILE.md",
              help="Also write the scorecard as Markdown.")
@click.option("--list", "list_rounds", is_flag=True, help="List the past rounds.")
@click.option("--show", type=click.IntRange(min=1), metavar="N",
              help="Print the scorecard of round N (with --report, also write it).")
@click.option("--delete", type=click.IntRange(min=1), metavar="N", help="Delete round N from your history.")
@_lang_option
@_bank_option
def mock(**options) -> None:
    """A timed mock interview: warm-up, deep-dive with follow-ups, coding, scorecard.

    Every prompt shows the section's countdown; when a section's time is up the round moves on.
    In the coding section edit the file it writes in your own editor, then type grade (as often
    as you like), hint or done. q or Ctrl-C ends the round early; the scorecard of what was done
    is printed and saved either way (Ctrl-C exits with 130). Answers can be piped in;
    QKV_MOCK_TIME_SCALE=60 makes a minute pass per second.
    """
    from qkv.mock import app

    raise SystemExit(app.mock(**options))


if __name__ == "__main__":
    main()

"""qkv: offline interview prep for deep learning and LLMs.

Thin click commands: each parses its options, calls one library function and
prints. Only `grade` imports torch (inside the grading child process).
"""
from __future__ import annotations

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@_bank_option
def validate(paths: tuple[str, ...], banks: tuple[str, ...]) -> None:
    """Check question banks and print `file:line: message` for each problem.

    PATHS (files or folders) are checked together; without them, every bank the quiz
    loads: the bundled ones, those in the user data dir and --bank.
    """
    from quiz import app

    raise SystemExit(app.validate(paths, banks))


@main.command()
@click.option("--topic", "topics", multiple=True, metavar="TOPIC", help="Only this topic (repeatable).")
@click.option("--type", "types", multiple=True, metavar="TYPE",
              help="Only this type (repeatable): single, multi, true_false, numeric, short, code_reading.")
@click.option("--difficulty", type=click.Choice(["easy", "medium", "hard"]), help="Only this difficulty.")
@click.option("--count", type=click.IntRange(min=1), default=10, show_default=True, help="How many questions.")
@click.option("--seed", type=int, help="Make the selection and order reproducible.")
@click.option("--due", is_flag=True, help="Questions due for review first (most overdue first), then new ones.")
@_lang_option
@_bank_option
@_json_option
def quiz(**options) -> None:
    """Answer questions one at a time; each answer is saved and scheduled at once.

    Answer by letter (a, "a,c", ac), number (0.5, 1e-3), t/f (对/错) or, for short
    questions, free text then a self-rating. q quits. With --json the quiz runs on
    stderr and stdout gets the summary as one JSON object.
    """
    from quiz import app

    raise SystemExit(app.quiz(**options))


@main.command()
@_lang_option
@_bank_option
@_json_option
def stats(**options) -> None:
    """Accuracy per topic, seen and unseen questions, due today, the weakest tags."""
    from quiz import app

    raise SystemExit(app.stats(**options))


# --- coding exercises: list, show, start, hint, grade (library: grader/) ---

_exercise_argument = click.argument("exercise_id", metavar="EXERCISE")


def _exercise(exercise_id: str):
    from grader import catalogue

    try:
        return catalogue.get(exercise_id)
    except catalogue.UnknownExercise as exc:
        raise click.BadParameter(str(exc), param_hint="EXERCISE") from None


@main.command("list")
def list_exercises() -> None:
    """The coding exercises: id, topic, difficulty, what to write."""
    from grader.catalogue import EXERCISES

    for e in EXERCISES.values():
        click.echo(f"{e.id:<28} {e.topic:<15} {e.difficulty:<7} {e.summary}")


@main.command()
@_exercise_argument
def show(exercise_id: str) -> None:
    """The statement of an exercise: contract, shapes, what is graded."""
    from grader.starter import statement

    click.echo(statement(_exercise(exercise_id)))


@main.command()
@_exercise_argument
@click.argument("path", required=False, type=click.Path(dir_okay=True))
def start(exercise_id: str, path: str | None) -> None:
    """Write a starter file for EXERCISE (default name: in this folder). Never overwrites."""
    from grader.starter import StarterExists, write_starter

    exercise = _exercise(exercise_id)
    try:
        target = write_starter(exercise, path)
    except StarterExists as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Wrote {target}. Read the task with `qkv show {exercise.id}`, then `qkv grade {exercise.id} {target}`.")


@main.command()
@_exercise_argument
@click.option("--level", type=click.IntRange(1, 3), default=1, show_default=True,
              help="Show hints up to this level (each one gives more away).")
def hint(exercise_id: str, level: int) -> None:
    """Hints for EXERCISE, one level at a time."""
    from grader.starter import hints

    click.echo(hints(_exercise(exercise_id), level))


@main.command()
@_exercise_argument
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for the drawn inputs: same seed, same verdict.")
@click.option("--max-examples", type=click.IntRange(min=1), default=25, show_default=True,
              help="Inputs drawn per property: more is slower and deeper.")
@click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), default="auto", show_default=True,
              help="auto = CUDA when available (TF32 off), else CPU.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=120, show_default=True,
              help="Wall-clock limit in seconds for loading your file and for each call into your code (the "
                   "grader's own work and torch's import do not count).")
@click.option("--memory", "memory_gib", type=click.FloatRange(min=0.5), default=4, show_default=True,
              metavar="GiB", help="Memory limit of the process that runs your code.")
@click.option("--plot", type=click.Path(dir_okay=False, writable=True), metavar="FILE.png",
              help="Initialization exercises: draw your weights' histogram and the activation std through a deep "
                   "stack (needs matplotlib).")
@click.option("--verbose", "-v", is_flag=True, help="Explain every failed check, not only the first three.")
@_json_option
def grade(exercise_id: str, path: str, as_json: bool, verbose: bool, **options) -> None:
    """Grade your solution file PATH for EXERCISE. Exit 0 = pass, 1 = fail, 2 = could not load."""
    from grader import report, runner

    exercise = _exercise(exercise_id)
    try:
        verdict = runner.grade(exercise.id, path, **options)
    except runner.GradeUsageError as exc:
        click.echo(f"Error: {exc}", err=True)
        raise SystemExit(2) from None
    click.echo(report.to_json(verdict) if as_json else report.to_text(verdict, verbose))
    raise SystemExit(verdict.exit_code)


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
    from mock import app

    raise SystemExit(app.mock(**options))


if __name__ == "__main__":
    main()

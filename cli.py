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


if __name__ == "__main__":
    main()

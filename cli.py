"""qkv: offline interview prep for deep learning and LLMs.

Thin click commands: each parses its options, calls one library function and
prints. Only `grade` imports torch (inside the grading child process).
"""
from __future__ import annotations

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Quiz yourself, grade your own PyTorch code, and run mock interviews."""


if __name__ == "__main__":
    main()

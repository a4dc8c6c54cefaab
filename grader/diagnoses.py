"""What each diagnosis code means, in one paragraph a candidate can act on.

The texts are data (grader/texts/<topic>.yaml, style of questions/*.yaml): an explanation
belongs to one exercise ("scale" is sqrt(d_k) in attention and 1/(1-p) in dropout), so it
is looked up by (exercise, code); grader/texts/general.yaml has the fallback for every code,
and the only text of the codes that mean the same everywhere (`shared: true`).
No torch here: the report is written by the parent process.
"""
from __future__ import annotations

import functools
from pathlib import Path

import yaml

TEXTS = Path(__file__).resolve().parent / "texts"
LANGUAGES = ("en",)


@functools.cache
def general() -> dict:
    """{code: {"shared": bool, "en": {"title", "text"}}} from general.yaml."""
    return yaml.safe_load((TEXTS / "general.yaml").read_text(encoding="utf-8"))


@functools.cache
def by_exercise() -> dict:
    """{exercise id: {code: {"en": {"title", "text"}}}} from every topic file."""
    texts: dict = {}
    for path in sorted(TEXTS.glob("*.yaml")):
        if path.name != "general.yaml":
            texts.update(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    return texts


def explain(code: str, exercise: str | None = None, lang: str = "en") -> tuple[str, str]:
    """(title, paragraph) for a diagnosis code in `exercise`: its own text, else the general one."""
    entry = by_exercise().get(exercise or "", {}).get(code) or general().get(code)
    if entry is None:
        return code, ""
    text = entry.get(lang) or entry["en"]
    return text["title"], " ".join(text["text"].split())


def known_codes() -> set[str]:
    return set(general())

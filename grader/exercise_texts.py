"""The words of the coding exercises, in English and Chinese, read from data files.

grader/texts/<topic>.yaml holds, for each exercise of the topic, what a candidate reads
(summary, statement, three hints) and what a grade says (the names of its own checks,
and what each diagnosis code means in it: "scale" is sqrt(d_k) in attention and
1/(1-p) in dropout). grader/texts/general.yaml holds the check names several exercises
share and the fallback explanation of every code. English is the key of a check name:
the checks declare their names in English, and a report looks the translation up.

The catalogue (grader/catalogue.py) keeps the declarations; `qkv validate`
(grader/text_files.py) and tests/grader/test_texts.py check these files the way the
question banks are checked.
No torch here: list, show, hint and start read this module.
"""
from __future__ import annotations

import functools
from pathlib import Path

import yaml

TEXTS = Path(__file__).resolve().parent / "texts"
LANGUAGES = ("en", "zh")
SECTION_FIELDS = ("summary", "statement", "hints", "checks", "diagnoses")
HINTS = 3
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load(path: Path) -> dict:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader) or {}


@functools.cache
def general() -> dict:
    """general.yaml: {"checks": {name: zh}, "diagnoses": {code: {"shared", "en", "zh"}}}."""
    return _load(TEXTS / "general.yaml")


@functools.cache
def topic(name: str) -> dict:
    """{exercise id: section} of grader/texts/<name>.yaml ({} when there is no such file)."""
    path = TEXTS / f"{name}.yaml"
    return _load(path) if path.is_file() else {}


def section(exercise_id: str) -> dict:
    return topic(exercise_id.split(".")[0]).get(exercise_id) or {}


def _pick(pair: dict | None, lang: str) -> str:
    """The `lang` text of an {en, zh} pair (English when that language is missing)."""
    pair = pair or {}
    return pair.get(lang) or pair.get("en") or ""


def summary(exercise_id: str, lang: str = "en") -> str:
    return _pick(section(exercise_id).get("summary"), lang)


def statement(exercise_id: str, lang: str = "en") -> str:
    return _pick(section(exercise_id).get("statement"), lang)


def hints(exercise_id: str, lang: str = "en") -> tuple[str, ...]:
    return tuple(" ".join(_pick(pair, lang).split()) for pair in section(exercise_id).get("hints") or ())


def check_name(name: str, exercise_id: str | None = None, lang: str = "en") -> str:
    """A check's name (or a failure's narrower title) in `lang`; the English name when untranslated."""
    if lang == "en":
        return name
    own = (section(exercise_id).get("checks") or {}) if exercise_id else {}
    return own.get(name) or (general().get("checks") or {}).get(name) or name


def by_exercise() -> dict:
    """{exercise id: {code: {"en": {"title", "text"}, "zh": ...}}} over every topic file."""
    texts: dict = {}
    for path in sorted(TEXTS.glob("*.yaml")):
        if path.name != "general.yaml":
            texts.update({eid: sec.get("diagnoses") or {} for eid, sec in topic(path.stem).items()})
    return texts


def explain(code: str, exercise: str | None = None, lang: str = "en") -> tuple[str, str]:
    """(title, paragraph) for a diagnosis code in `exercise`: its own text, else the general one."""
    own = (section(exercise).get("diagnoses") or {}) if exercise else {}
    entry = own.get(code) or general()["diagnoses"].get(code)
    if entry is None:
        return code, ""
    text = entry.get(lang) or entry["en"]
    return text["title"], " ".join(text["text"].split())


def known_codes() -> set[str]:
    return set(general()["diagnoses"])


def shared_codes() -> set[str]:
    return {code for code, entry in general()["diagnoses"].items() if entry.get("shared")}

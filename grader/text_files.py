"""`qkv validate` for the exercises' text files (grader/texts/*.yaml): the question banks' checker
(line numbers, safe YAML only, full-width punctuation in Chinese), with these files' own rules."""
from __future__ import annotations

import re

from qkv.grader import catalogue
from qkv.grader.exercise_texts import HINTS, LANGUAGES, SECTION_FIELDS, TEXTS, general, topic
from qkv.questions import bank


def problems() -> list[bank.Problem]:
    """Every problem of the exercise text files, as file:line: message."""
    found: list[bank.Problem] = []
    for path in sorted(TEXTS.glob("*.yaml")):
        found += _TextChecker(path).problems
    have = {eid for path in TEXTS.glob("*.yaml") if path.name != "general.yaml" for eid in topic(path.stem)}
    for exercise in catalogue.EXERCISES.values():
        if exercise.id not in have:
            found.append(bank.Problem(f"grader/texts/{exercise.topic}.yaml", 1,
                                      f"no section for exercise {exercise.id!r}"))
    return found


_SPACE_AFTER_FULL_WIDTH = re.compile(r"[，。；：？、（）！](?=[ \t])")


class _TextChecker(bank._FileChecker):  # noqa: SLF001 - the banks' parser, with line numbers
    def _punctuation(self, text: str, line: int, where: str) -> None:
        """The banks' rule, and no space after full-width punctuation (a folded line break after
        Chinese punctuation in a `>-` block becomes one)."""
        super()._punctuation(text, line, where)
        slip = _SPACE_AFTER_FULL_WIDTH.search(text)
        if slip:
            start = max(slip.start() - 12, 0)
            self.problem(line, f"{where} has a space after {slip.group()!r} (...{text[start:slip.end() + 12]}...): "
                               "full-width punctuation carries its own spacing; in a `>-` block, break the line "
                               "next to code or English instead")

    def _document(self, doc: object, stem: str) -> None:
        if not isinstance(doc, bank._Map):
            self.problem(1, "must be a mapping")
            return
        if stem == "general":
            self._general(doc)
            return
        general_codes = set((general().get("diagnoses") or {}))
        for eid, sec in doc.items():
            line = doc.lines[eid]
            exercise = catalogue.EXERCISES.get(eid)
            if exercise is None or exercise.topic != stem:
                where = f"grader/texts/{exercise.topic}.yaml" if exercise else "no file: it is not in the catalogue"
                self.problem(line, f"{eid!r} is not an exercise of topic {stem!r} ({where})")
                continue
            if not isinstance(sec, bank._Map):
                self.problem(line, f"{eid} must be a mapping with {bank._listing(SECTION_FIELDS)}")
                continue
            self._fields(sec, SECTION_FIELDS, ("summary", "statement", "hints"), eid)
            for key in ("summary", "statement"):
                self._text(sec, key, f"{eid}.{key}")
            items = self._list(sec, "hints", (HINTS, HINTS), f"{eid} (revealed one level at a time)")
            for i, (item, item_line) in enumerate(zip(items or (), getattr(items, "lines", ()))):
                self._pair(item, item_line, f"{eid}.hints[{i}]")
            self._check_names(sec, f"{eid}.checks")
            diagnoses = sec.get("diagnoses")
            if diagnoses is None:
                continue
            if not isinstance(diagnoses, bank._Map):
                self.problem(sec.lines["diagnoses"], f"{eid}.diagnoses must be a mapping of codes")
                continue
            for code, entry in diagnoses.items():
                where = f"{eid}.diagnoses.{code}"
                if code not in exercise.codes:
                    self.problem(diagnoses.lines[code], f"{where}: the exercise does not declare the code {code!r}"
                                                        f"{bank._did_you_mean(code, exercise.codes)}")
                elif code not in general_codes:
                    self.problem(diagnoses.lines[code], f"{where}: no fallback text in general.yaml")
                self._diagnosis(entry, diagnoses.lines[code], where, shared_allowed=False)

    def _general(self, doc) -> None:
        self._fields(doc, ("checks", "diagnoses"), ("checks", "diagnoses"), "general.yaml")
        self._check_names(doc, "checks")
        diagnoses = doc.get("diagnoses")
        if isinstance(diagnoses, bank._Map):
            for code, entry in diagnoses.items():
                self._diagnosis(entry, diagnoses.lines[code], f"diagnoses.{code}", shared_allowed=True)

    def _check_names(self, holder, where: str) -> None:
        names = holder.get("checks")
        if names is None:
            return
        if not isinstance(names, bank._Map):
            self.problem(holder.lines["checks"], f"{where} must map each English check name to its Chinese name")
            return
        for name in names:
            self._string(names, name, f"{where}[{name!r}]")
            value = names.get(name)
            if isinstance(value, str) and value.strip():
                self._punctuation(value, names.lines[name], f"{where}[{name!r}]")

    def _diagnosis(self, entry, line: int, where: str, shared_allowed: bool) -> None:
        if not isinstance(entry, bank._Map):
            self.problem(line, f"{where} must be a mapping with en and zh")
            return
        allowed = ("shared", *LANGUAGES) if shared_allowed else LANGUAGES
        self._fields(entry, allowed, LANGUAGES, where)
        if "shared" in entry:
            self._typed(entry, "shared", bool, "true or false", f"{where}.shared")
        for lang in LANGUAGES:
            text = entry.get(lang)
            if not isinstance(text, bank._Map):
                if lang in entry:
                    self.problem(entry.lines[lang], f"{where}.{lang} must be a mapping with title and text")
                continue
            self._fields(text, ("title", "text"), ("title", "text"), f"{where}.{lang}")
            title = self._string(text, "title", f"{where}.{lang}.title")
            body = self._string(text, "text", f"{where}.{lang}.text")
            if lang == "zh":
                for key, value in (("title", title), ("text", body)):
                    if value:
                        self._punctuation(value, text.lines[key], f"{where}.zh.{key}")
            if title and ("\n" in title or len(title) > 90):
                self.problem(text.lines["title"], f"{where}.{lang}.title must be one line of at most 90 characters")
            if body and len(body) < (12 if lang == "zh" else 40):
                self.problem(text.lines["text"], f"{where}.{lang}.text is too short to act on")

"""Question banks: find, load and validate the YAML files (format_version 1).

The format is documented in docs/quiz.md. A bank is parsed with the safe loader
only (libyaml's CSafeLoader when PyYAML has it, else yaml.SafeLoader: the same
safe rules), and only as far as `yaml.compose`: the node tree keeps the line of
every question and field, and a tag such as `!!python/object` is reported as a
problem, never constructed. Every problem is a `file:line: message` that echoes
the bad value and lists the valid ones.
"""
from __future__ import annotations

import difflib
import hashlib
import json
import math
import os
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

import yaml
from yaml.constructor import SafeConstructor

from qkv.grader.catalogue import EXERCISE_IDS

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

FORMAT_VERSION = 1
TYPES = ("single", "multi", "true_false", "numeric", "short", "code_reading")
DIFFICULTIES = ("easy", "medium", "hard")
CHOICE_TYPES = ("single", "multi", "code_reading")
LANGS = ("en", "zh")
LETTERS = "abcdef"
MIN_CHOICES, MAX_CHOICES = 3, 6
MAX_KEY_POINTS = 6
TOP_FIELDS = ("format_version", "topic", "questions")
QUESTION_FIELDS = ("id", "type", "difficulty", "tags", "prompt", "code", "choices", "answer", "tolerance",
                   "key_points", "explanation", "follow_ups", "exercise", "refs", "replaces")
REQUIRED_FIELDS = ("id", "type", "difficulty", "tags", "prompt", "explanation")
CHOICE_FIELDS = ("en", "zh", "why")

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SAFE_TAGS = frozenset(tag for tag in SafeConstructor.yaml_constructors if tag is not None)
_STR = "tag:yaml.org,2002:str"
_KEBAB = r"[a-z0-9]+(?:-[a-z0-9]+)*"
_TOPIC = re.compile(r"[a-z0-9][a-z0-9_-]*")
_ANY_ID = re.compile(rf"[a-z0-9][a-z0-9_-]*\.{_KEBAB}")
# Chinese prose takes full-width punctuation; a half-width one touching a CJK character is a slip.
# Tuples written with ", " inside half-width brackets ("(batch, 位置)") are notation, not prose.
_CJK = "\u3400-\u4dbf\u4e00-\u9fff"
_HALF_WIDTH_BY_CJK = re.compile(rf"[{_CJK}][,;:?()]|[,;:?()][{_CJK}]")
_TUPLE = re.compile(r"\([^()\n]*, [^()\n]*\)")
_FULL_WIDTH = {",": "，", ";": "；", ":": "：", "?": "？", "(": "（", ")": "）"}


@dataclass(frozen=True)
class Text:
    """One string in both languages."""

    en: str
    zh: str

    def __call__(self, lang: str) -> str:
        return getattr(self, lang)


@dataclass(frozen=True)
class Choice:
    text: Text
    why: Text  # why this choice is right or wrong


@dataclass(frozen=True)
class Question:
    id: str
    topic: str
    type: str
    difficulty: str
    tags: tuple[str, ...]
    prompt: Text
    explanation: Text
    source: str  # "file:line" of the question, for messages
    code: str | None = None
    choices: tuple[Choice, ...] = ()
    answer: str | tuple[str, ...] | bool | float | None = None  # multi: sorted letters; short: None
    tolerance: float | None = None
    key_points: tuple[Text, ...] = ()
    follow_ups: tuple[str, ...] = ()
    exercise: str | None = None
    refs: tuple[str, ...] = ()
    replaces: tuple[str, ...] = ()  # ids of retired questions whose history now counts for this one
    shown_from: str = ""  # set when the quiz reorders the choices: the bank's letter of each shown choice

    @property
    def letters(self) -> str:
        return LETTERS[: len(self.choices)]


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class BankError(Exception):
    """The banks have problems; `problems` lists them in file and line order."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(map(str, problems)))


# --- where banks live ---------------------------------------------------------------------------

def bundled_paths() -> list[Path | Traversable]:
    """The banks shipped in this package (works from a checkout and when installed)."""
    return sorted((p for p in resources.files(__package__).iterdir() if p.name.endswith(".yaml")),
                  key=lambda p: p.name)


def expand(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given; a folder stands for the `*.yaml` files directly inside it."""
    found: list[Path] = []
    for path in map(Path, paths):
        found.extend(sorted(path.glob("*.yaml")) if path.is_dir() else [path])
    return found


def sources(extra: Iterable[str | Path], user_dir: Path) -> list[Path | Traversable]:
    """What the quiz loads: the bundled banks, `<user_dir>/banks/*.yaml`, then `extra` (--bank)."""
    user_banks = [user_dir / "banks"] if (user_dir / "banks").is_dir() else []
    seen: set[str] = set()
    unique = []
    for path in [*bundled_paths(), *expand([*user_banks, *extra])]:
        key = os.path.realpath(str(path))
        if key not in seen:
            seen.add(key)
            unique.append(path)
    return unique


# --- loading ------------------------------------------------------------------------------------

def load(paths: Iterable[Path | Traversable], *, cache: Path | None = None) -> list[Question]:
    """All questions of `paths`, or BankError listing every problem.

    With `cache` (a JSON file), banks that validated before are read back from it instead
    of being parsed again (parsing is most of the quiz's start-up time). Its key hashes the
    bank texts and names, this module's source and the exercise ids, so any change to them
    is validated afresh; an unreadable or stale cache is ignored and rewritten.
    """
    paths = list(paths)
    key = _cache_key(paths) if cache else None
    if key and (cached := _read_cache(cache, key)) is not None:
        return cached
    questions, problems = check(paths)
    if problems:
        raise BankError(problems)
    if key:
        _write_cache(cache, key, questions)
    return questions


def check(paths: Iterable[Path | Traversable]) -> tuple[list[Question], list[Problem]]:
    """Parse and validate `paths` together; ids must be unique and follow-ups resolve across them.

    The questions are complete only when the problem list is empty.
    """
    checkers = [_FileChecker(path) for path in paths]
    problems = [problem for checker in checkers for problem in checker.problems]
    first_site: dict[str, tuple[str, int]] = {}
    for checker in checkers:
        for qid, line in checker.ids:
            if qid in first_site:
                where = "{}:{}".format(*first_site[qid])
                problems.append(Problem(checker.display, line, f"duplicate id {qid!r}: first defined at {where}"))
            else:
                first_site[qid] = (checker.display, line)
    retired_site: dict[str, str] = {}
    for checker in checkers:
        for old, line in checker.retired:
            if old in first_site:
                problems.append(Problem(checker.display, line, f"replaces {old!r}, but a question with that id is"
                                        " still in the banks; delete it or drop it from replaces"))
            elif old in retired_site:
                problems.append(Problem(checker.display, line, f"{old!r} is already replaced at "
                                        f"{retired_site[old]}: a retired id redirects to one question"))
            else:
                retired_site[old] = f"{checker.display}:{line}"
    for checker in checkers:
        for target, line in checker.links:
            if target not in first_site:
                problems.append(Problem(checker.display, line, f"follow_up {target!r} is not the id of any question"
                                        f" in the loaded banks{_did_you_mean(target, first_site)}"))
    return [q for checker in checkers for q in checker.questions], sorted(problems)


def _cache_key(paths: list[Path | Traversable]) -> str | None:
    digest = hashlib.blake2b(Path(__file__).read_bytes() + "\0".join(EXERCISE_IDS).encode(), digest_size=16)
    for path in paths:
        try:
            digest.update(f"\0{_display(path)}\0".encode() + path.read_bytes())
        except OSError:
            return None  # check() reports it
    return digest.hexdigest()


def _read_cache(cache: Path, key: str) -> list[Question] | None:
    try:
        data = json.loads(cache.read_text(encoding="utf-8"))
        return [_decode(q) for q in data["questions"]] if data["key"] == key else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_cache(cache: Path, key: str, questions: list[Question]) -> None:
    staging = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        staging.write_text(json.dumps({"key": key, "questions": questions}, default=vars, ensure_ascii=False),
                           encoding="utf-8")
        os.replace(staging, cache)  # atomic: a concurrent reader sees the old file or the new one
    except OSError:
        pass  # a read-only data folder costs start-up time, nothing else


def _decode(fields: dict) -> Question:
    """A Question from its JSON form: dataclasses as objects, tuples as lists."""
    answer = fields["answer"]
    return Question(**{
        **fields,
        "prompt": Text(**fields["prompt"]), "explanation": Text(**fields["explanation"]),
        "choices": tuple(Choice(Text(**c["text"]), Text(**c["why"])) for c in fields["choices"]),
        "key_points": tuple(Text(**p) for p in fields["key_points"]),
        "answer": tuple(answer) if isinstance(answer, list) else answer,
        "tags": tuple(fields["tags"]), "follow_ups": tuple(fields["follow_ups"]), "refs": tuple(fields["refs"]),
        "replaces": tuple(fields["replaces"]),
    })


def renames(questions: Iterable[Question]) -> dict[str, str]:
    """{retired id: the id of the question that replaces it}, for carrying history over."""
    return {old: q.id for q in questions for old in q.replaces}


def _display(path: Path | Traversable) -> str:
    text = str(path)
    if os.path.isabs(text):
        relative = os.path.relpath(text)
        return text if relative.startswith("..") else relative
    return text


# --- the checks ---------------------------------------------------------------------------------

class _Map(dict):
    """A YAML mapping that remembers its own line and the line of each key."""

    def __init__(self, line: int):
        super().__init__()
        self.line = line
        self.lines: dict[str, int] = {}


class _Seq(list):
    """A YAML sequence that remembers its own line and the line of each item."""

    def __init__(self, line: int):
        super().__init__()
        self.line = line
        self.lines: list[int] = []


_INVALID = object()  # a node already reported (bad tag, bad key): checks skip it silently
_MISSING = object()


class _FileChecker:
    """Checks one bank file; collects its problems, valid questions, ids and follow-up links."""

    def __init__(self, path: Path | Traversable):
        self.display = _display(path)
        self.problems: list[Problem] = []
        self.questions: list[Question] = []
        self.ids: list[tuple[str, int]] = []  # (id, line) of every question with a well-formed id
        self.links: list[tuple[str, int]] = []  # (follow-up id, line)
        self.retired: list[tuple[str, int]] = []  # (replaced id, line)
        self._constructor = SafeConstructor()
        self._converted: dict[int, object] = {}
        doc = self._parse(path)
        if doc is not _INVALID:
            self._document(doc, Path(path.name).stem)

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.display, line, message))

    # parsing: nodes -> _Map/_Seq/scalars with lines

    def _parse(self, path: Path | Traversable) -> object:
        try:
            node = yaml.compose(path.read_text(encoding="utf-8"), Loader=_Loader)
        except UnicodeDecodeError as e:
            self.problem(1, f"cannot be read as UTF-8 ({e.reason} at byte {e.start})")
            return _INVALID
        except OSError as e:
            self.problem(1, f"cannot be read ({e.strerror})")
            return _INVALID
        except yaml.MarkedYAMLError as e:
            context = f" ({e.context} at line {e.context_mark.line + 1})" if e.context and e.context_mark else ""
            self.problem(e.problem_mark.line + 1, f"YAML syntax error: {e.problem}{context}")
            return _INVALID
        if node is None:
            self.problem(1, "the file is empty; a bank is a mapping with format_version, topic and questions")
            return _INVALID
        return self._convert(node)

    def _convert(self, node: yaml.Node) -> object:
        if node.tag == _STR and node.id == "scalar":  # most nodes: skip the rest (start-up time)
            return node.value
        line = node.start_mark.line + 1
        if node.tag not in _SAFE_TAGS:
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            self.problem(line, f"tag {tag!r} is not allowed: a bank holds plain YAML data only"
                               " (strings, numbers, booleans, lists and mappings)")
            return _INVALID
        if node.id == "scalar":
            try:
                return self._constructor.construct_object(node)
            except yaml.YAMLError as e:
                self.problem(line, f"bad {node.tag.replace('tag:yaml.org,2002:', '!!')} value: {e.problem}")
                return _INVALID
        if id(node) in self._converted:  # an alias: reuse, and stop at a recursive one
            seen = self._converted[id(node)]
            if seen is _MISSING:
                self.problem(line, "recursive alias: a node cannot contain itself")
                return _INVALID
            return seen
        self._converted[id(node)] = _MISSING
        if node.id == "mapping":
            value = self._mapping(node, line)
        else:
            value = _Seq(line)
            for item in node.value:
                value.append(self._convert(item))
                value.lines.append(item.start_mark.line + 1)
        self._converted[id(node)] = value
        return value

    def _mapping(self, node: yaml.MappingNode, line: int) -> _Map:
        mapping = _Map(line)
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            key = self._convert(key_node)
            if key is _INVALID:
                continue
            if not isinstance(key, str):
                self.problem(key_line, f"field names must be strings, got {_describe(key)}")
            elif key in mapping:
                self.problem(key_line, f"duplicate field {key!r} (first at line {mapping.lines[key]})")
            else:
                mapping[key] = self._convert(value_node)
                mapping.lines[key] = key_line
        return mapping

    # generic field checks; each reports and returns None when the value is unusable

    def _fields(self, m: _Map, allowed: tuple[str, ...], required: tuple[str, ...], where: str) -> None:
        inside = f" in {where}" if where else ""
        for key in m:
            if key not in allowed:
                self.problem(m.lines[key], f"unknown field {key!r}{inside}{_did_you_mean(key, allowed)};"
                                           f" the valid fields are {_listing(allowed)}")
        for key in required:
            if key not in m:
                self.problem(m.line, f"missing field {key!r}{inside}")

    def _typed(self, m: _Map, key: str, kind: type | tuple[type, ...], expected: str, where: str = "") -> object:
        value = m.get(key, _MISSING)
        if value is _MISSING or value is _INVALID:
            return None
        if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
            self.problem(m.lines[key], f"{where or key} must be {expected}, got {_describe(value)}")
            return None
        return value

    def _string(self, m: _Map, key: str, where: str = "") -> str | None:
        value = self._typed(m, key, str, "a string", where)
        if value is not None and not value.strip():
            self.problem(m.lines[key], f"{where or key} is empty")
            return None
        if key == "zh" and value is not None:
            self._punctuation(value, m.lines[key], where or key)
        return value

    def _punctuation(self, text: str, line: int, where: str) -> None:
        slip = _HALF_WIDTH_BY_CJK.search(_TUPLE.sub(lambda t: "_" * len(t.group()), text))
        if slip:
            mark = next(c for c in slip.group() if c in _FULL_WIDTH)
            start = max(slip.start() - 12, 0)
            self.problem(line, f"{where} uses the half-width {mark!r} next to Chinese text "
                               f"(...{text[start:slip.end() + 12]}...): Chinese prose takes the full-width "
                               f"{_FULL_WIDTH[mark]!r}; half-width stays inside code, formulas and English")

    def _enum(self, m: _Map, key: str, valid: tuple[str, ...]) -> str | None:
        value = m.get(key, _MISSING)
        if value is _MISSING or value is _INVALID:
            return None
        if value not in valid or not isinstance(value, str):
            self.problem(m.lines[key], f"got {key}={value!r}, but the only valid values are {_listing(valid)}")
            return None
        return value

    def _text(self, m: _Map, key: str, where: str = "") -> Text | None:
        return self._pair(m[key], m.lines[key], where or key) if key in m else None

    def _pair(self, value: object, line: int, where: str) -> Text | None:
        if value is _INVALID:
            return None
        if not isinstance(value, _Map):
            self.problem(line, f"{where} must be a mapping {{en: ..., zh: ...}}, got {_describe(value)}")
            return None
        self._fields(value, LANGS, LANGS, where)
        texts = [self._string(value, lang, f"{where}.{lang}") for lang in LANGS]
        return Text(*texts) if all(texts) else None

    def _list(self, m: _Map, key: str, lengths: tuple[int, float], why: str = "") -> _Seq | None:
        items = self._typed(m, key, _Seq, "a list", key)
        if items is None:
            return None
        low, high = lengths
        if not low <= len(items) <= high:
            bounds = f"at least {low}" if high == math.inf else f"{low} to {high}"
            self.problem(m.lines[key], f"{key} has {len(items)} item{'s' * (len(items) != 1)},"
                                       f" but {why or key} needs {bounds}")
            return None
        return items

    def _strings(self, m: _Map, key: str, pattern: re.Pattern | None = None, shape: str = "") -> tuple[str, ...]:
        items = self._list(m, key, (1, math.inf))
        if items is None:
            return ()
        good = []
        for i, (item, line) in enumerate(zip(items, items.lines)):
            if item is _INVALID:
                continue
            if not isinstance(item, str) or not item.strip():
                self.problem(line, f"{key}[{i}] must be a non-empty string, got {_describe(item)}")
            elif pattern and not pattern.fullmatch(item):
                self.problem(line, f"{key}[{i}] {item!r} must be {shape}")
            elif item in good:
                self.problem(line, f"{key}[{i}] {item!r} is listed twice")
            else:
                good.append(item)
        return tuple(good) if len(good) == len(items) else ()

    # the bank and its questions

    def _document(self, doc: object, stem: str) -> None:
        """Check the whole file (subclasses check other kinds of text file the same way)."""
        self._bank(doc, stem)

    def _bank(self, doc: object, stem: str) -> None:
        if not isinstance(doc, _Map):
            self.problem(1, f"a bank must be a mapping with format_version, topic and questions, got {_describe(doc)}")
            return
        self._fields(doc, TOP_FIELDS, TOP_FIELDS, "the bank")
        version = doc.get("format_version", _MISSING)
        if version not in (_MISSING, _INVALID) and (version != FORMAT_VERSION or type(version) is not int):
            self.problem(doc.lines["format_version"],
                         f"got format_version={version!r}, but the only valid value is {FORMAT_VERSION}")
        topic = self._string(doc, "topic")
        if topic is not None and not _TOPIC.fullmatch(topic):
            self.problem(doc.lines["topic"], f"topic {topic!r} must be lowercase letters, digits, '-' or '_'")
            topic = None
        elif topic is not None and topic != stem:
            self.problem(doc.lines["topic"], f"topic {topic!r} must equal the file name stem {stem!r}")
        questions = self._list(doc, "questions", (1, math.inf), "a bank")
        for index, (item, line) in enumerate(zip(questions or (), getattr(questions, "lines", ()))):
            if isinstance(item, _Map):
                self._question(item, topic)
            elif item is not _INVALID:
                self.problem(line, f"questions[{index}] must be a mapping of fields, got {_describe(item)}")

    def _question(self, m: _Map, topic: str | None) -> None:
        self._fields(m, QUESTION_FIELDS, REQUIRED_FIELDS, "")
        qid = self._id(m, topic)
        qtype = self._enum(m, "type", TYPES)
        fields = dict(
            difficulty=self._enum(m, "difficulty", DIFFICULTIES),
            tags=self._strings(m, "tags", re.compile(_KEBAB), "kebab-case (lowercase words joined by '-')"),
            prompt=self._text(m, "prompt"),
            explanation=self._text(m, "explanation"),
            code=self._code(m, qtype),
            key_points=self._key_points(m, qtype),
            exercise=self._exercise(m),
            refs=self._strings(m, "refs"),
            follow_ups=self._ids(m, "follow_ups", qid, self.links),
            replaces=self._ids(m, "replaces", qid, self.retired),
        )
        choices = self._choices(m, qtype)
        listed = m.get("choices")
        answer = self._answer(m, qtype, LETTERS[: len(listed)] if isinstance(listed, _Seq) else LETTERS)
        tolerance = self._tolerance(m, qtype)
        if not self.problems:  # once a file has a problem its questions are never used
            self.questions.append(Question(
                id=qid, topic=qid.split(".")[0], type=qtype, source=f"{self.display}:{m.line}",
                choices=choices, answer=answer, tolerance=tolerance, **fields))

    def _id(self, m: _Map, topic: str | None) -> str | None:
        qid = self._string(m, "id")
        if qid is None:
            return None
        if topic is not None and not re.fullmatch(re.escape(topic) + r"\." + _KEBAB, qid):
            self.problem(m.lines["id"], f"id {qid!r} must be '{topic}.' followed by a kebab-case name,"
                                        f" e.g. '{topic}.why-scale-by-sqrt-dk'")
            return None
        if topic is None and not _ANY_ID.fullmatch(qid):
            self.problem(m.lines["id"], f"id {qid!r} must be '<topic>.<kebab-case-name>'")
            return None
        self.ids.append((qid, m.lines["id"]))
        return qid

    def _code(self, m: _Map, qtype: str | None) -> str | None:
        if qtype == "code_reading" and "code" not in m:
            self.problem(m.line, "missing field 'code': a code_reading question shows a snippet")
        return self._string(m, "code")

    def _choices(self, m: _Map, qtype: str | None) -> tuple[Choice, ...]:
        if qtype is None:
            return ()
        if qtype not in CHOICE_TYPES:
            if "choices" in m:
                self.problem(m.lines["choices"], f"choices are not allowed in a {qtype} question;"
                                                 f" only {_listing(CHOICE_TYPES)} questions have choices")
            return ()
        if "choices" not in m:
            self.problem(m.line, f"missing field 'choices': a {qtype} question needs {MIN_CHOICES} to {MAX_CHOICES}")
            return ()
        items = self._list(m, "choices", (MIN_CHOICES, MAX_CHOICES), f"a {qtype} question")
        if items is None:
            return ()
        choices = []
        for letter, item, line in zip(LETTERS, items, items.lines):
            where = f"choices[{letter}]"
            if not isinstance(item, _Map):
                if item is not _INVALID:
                    self.problem(line, f"{where} must be a mapping {{en: ..., zh: ..., why: {{en: ..., zh: ...}}}},"
                                       f" got {_describe(item)}")
                continue
            self._fields(item, CHOICE_FIELDS, CHOICE_FIELDS, where)
            texts = [self._string(item, lang, f"{where}.{lang}") for lang in LANGS]
            why = self._text(item, "why", f"{where}.why")
            if all(texts) and why is not None:
                choices.append(Choice(Text(*texts), why))
        return tuple(choices)

    def _answer(self, m: _Map, qtype: str | None, letters: str):
        if qtype is None:
            return None
        if qtype == "short":
            if "answer" in m:
                self.problem(m.lines["answer"], "a short question has no answer field;"
                                                " put what a good answer says in key_points")
            return None
        if "answer" not in m:
            self.problem(m.line, f"missing field 'answer': a {qtype} question needs one")
            return None
        value, line = m["answer"], m.lines["answer"]
        if value is _INVALID:
            return None
        if qtype == "true_false":
            return self._typed(m, "answer", bool, "true or false")
        if qtype == "numeric":
            number = self._typed(m, "answer", (int, float), "a number")
            if number is not None and not math.isfinite(number):
                self.problem(line, f"answer must be a finite number, got {number!r}")
                return None
            return number
        if qtype == "multi":
            return self._multi_answer(value, line, letters)
        if not isinstance(value, str) or value not in letters:
            self.problem(line, f"got answer={value!r}, but the only valid choices are {_listing(letters)}")
            return None
        return value

    def _multi_answer(self, value: object, line: int, letters: str) -> tuple[str, ...] | None:
        if not isinstance(value, _Seq):
            self.problem(line, f"the answer to a multi question must be a list of letters such as [a, c],"
                               f" got {_describe(value)}")
            return None
        bad = [item for item in value if not isinstance(item, str) or item not in letters]
        if bad:
            self.problem(line, f"got answer={_plain(value)}, but the only valid choices are {_listing(letters)}")
        elif len(set(value)) != len(value):
            self.problem(line, f"answer {_plain(value)} lists a letter twice")
        elif len(value) < 2:
            self.problem(line, f"a multi question needs at least 2 correct letters, got answer={_plain(value)}")
        else:
            return tuple(sorted(value))
        return None

    def _tolerance(self, m: _Map, qtype: str | None) -> float | None:
        if qtype is None:
            return None
        if qtype != "numeric":
            if "tolerance" in m:
                self.problem(m.lines["tolerance"], f"tolerance is only for numeric questions, this one is {qtype}")
            return None
        if "tolerance" not in m:
            self.problem(m.line, "missing field 'tolerance': a numeric question needs an absolute tolerance > 0")
            return None
        tolerance = self._typed(m, "tolerance", (int, float), "a number")
        if tolerance is not None and not 0 < tolerance < math.inf:
            self.problem(m.lines["tolerance"], f"tolerance must be a finite number > 0, got {tolerance!r}")
            return None
        return tolerance

    def _key_points(self, m: _Map, qtype: str | None) -> tuple[Text, ...]:
        if qtype == "short" and "key_points" not in m:
            self.problem(m.line, f"missing field 'key_points': a short question needs 2 to {MAX_KEY_POINTS}")
            return ()
        low = 2 if qtype == "short" else 1
        items = self._list(m, "key_points", (low, MAX_KEY_POINTS), "a short question" if low == 2 else "")
        if items is None:
            return ()
        texts = tuple(self._pair(item, line, f"key_points[{i}]")
                      for i, (item, line) in enumerate(zip(items, items.lines)))
        return texts if all(texts) else ()

    def _exercise(self, m: _Map) -> str | None:
        value = m.get("exercise", _MISSING)
        if value is _MISSING or value is _INVALID:
            return None
        if value not in EXERCISE_IDS or not isinstance(value, str):
            self.problem(m.lines["exercise"], f"got exercise={value!r}{_did_you_mean(str(value), EXERCISE_IDS)},"
                                              f" but the only valid exercise ids are {_listing(EXERCISE_IDS)}")
            return None
        return value

    def _ids(self, m: _Map, key: str, qid: str | None, sink: list[tuple[str, int]]) -> tuple[str, ...]:
        """A list of question ids (follow_ups, replaces); each with its line goes to `sink` for the
        checks across files."""
        ids = self._strings(m, key, _ANY_ID, "a question id '<topic>.<kebab-case-name>'")
        if qid in ids:
            self.problem(m.lines[key], f"{key} lists the question itself ({qid!r})")
        if ids:
            sink.extend((other, line) for other, line in zip(ids, m[key].lines) if other != qid)
        return ids


def _describe(value: object) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the string {value if len(value) <= 40 else value[:37] + '...'!r}"
    if isinstance(value, _Map):
        return "a mapping"
    if isinstance(value, _Seq):
        return "a list"
    return f"a {type(value).__name__}"


def _plain(items: list) -> str:
    return "[" + ", ".join(map(str, items)) + "]"


def _listing(values: Iterable[str]) -> str:
    """'a, b and c', the way hypothesis lists valid values."""
    values = list(values)
    return values[0] if len(values) == 1 else ", ".join(values[:-1]) + " and " + values[-1]


def _did_you_mean(value: str, valid: Iterable[str]) -> str:
    close = difflib.get_close_matches(value, list(valid), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""

"""The bank validator on broken banks: every problem is reported as an exact `file:line: message`."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from qkv import cli
from qkv.grader.catalogue import EXERCISE_IDS
from qkv.questions import bank

BROKEN = Path(__file__).parent / "broken"
DEMO = Path(__file__).parents[1] / "quiz" / "banks" / "demo.yaml"
FIELDS = ("id, type, difficulty, tags, prompt, code, choices, answer, tolerance, key_points, explanation,"
          " follow_ups, exercise, refs and replaces")
EXERCISES = ", ".join(EXERCISE_IDS[:-1]) + " and " + EXERCISE_IDS[-1]

EXPECTED = {
    "syntax_error.yaml": [
        "syntax_error.yaml:8: YAML syntax error: did not find expected ',' or ']'"
        " (while parsing a flow sequence at line 7)",
    ],
    "empty.yaml": [
        "empty.yaml:1: the file is empty; a bank is a mapping with format_version, topic and questions",
    ],
    "top_level.yaml": [
        "top_level.yaml:1: got format_version=2, but the only valid value is 1",
        "top_level.yaml:2: topic 'attention' must equal the file name stem 'top_level'",
        "top_level.yaml:3: unknown field 'title' in the bank; the valid fields are format_version, topic and questions",
        "top_level.yaml:4: questions has 0 items, but a bank needs at least 1",
    ],
    "fields.yaml": [
        "fields.yaml:4: missing field 'answer': a single question needs one",
        f"fields.yaml:13: unknown field 'anwser' (did you mean 'answer'?); the valid fields are {FIELDS}",
        "fields.yaml:15: missing field 'explanation'",
        "fields.yaml:21: duplicate field 'answer' (first at line 20)",
        "fields.yaml:22: id 'Fields.Bad_Id' must be 'fields.' followed by a kebab-case name,"
        " e.g. 'fields.why-scale-by-sqrt-dk'",
        "fields.yaml:23: got type='singel', but the only valid values are single, multi, true_false, numeric,"
        " short and code_reading",
        "fields.yaml:24: got difficulty='trivial', but the only valid values are easy, medium and hard",
        "fields.yaml:25: tags must be a list, got the string 'softmax'",
        "fields.yaml:26: prompt must be a mapping {en: ..., zh: ...}, got the string 'only English'",
        "fields.yaml:29: questions[3] must be a mapping of fields, got the string 'just a string'",
    ],
    "answers.yaml": [
        "answers.yaml:13: got answer='e', but the only valid choices are a, b and c",
        "answers.yaml:24: a multi question needs at least 2 correct letters, got answer=[a]",
        "answers.yaml:35: the answer to a multi question must be a list of letters such as [a, c],"
        " got the string 'a,c'",
        "answers.yaml:42: answer must be true or false, got the string 'true'",
        "answers.yaml:49: a short question has no answer field; put what a good answer says in key_points",
        "answers.yaml:50: key_points has 1 item, but a short question needs 2 to 6",
    ],
    "numeric.yaml": [
        "numeric.yaml:4: missing field 'tolerance': a numeric question needs an absolute tolerance > 0",
        "numeric.yaml:16: answer must be a number, got the string '0.125'",
        "numeric.yaml:17: tolerance must be a finite number > 0, got 0",
        "numeric.yaml:25: tolerance is only for numeric questions, this one is true_false",
        "numeric.yaml:26: choices are not allowed in a true_false question;"
        " only single, multi and code_reading questions have choices",
    ],
    "choices.yaml": [
        "choices.yaml:9: choices has 2 items, but a single question needs 3 to 6",
        "choices.yaml:14: missing field 'code': a code_reading question shows a snippet",
        "choices.yaml:21: missing field 'why' in choices[b]",
        "choices.yaml:22: choices[c] must be a mapping {en: ..., zh: ..., why: {en: ..., zh: ...}},"
        " got the string '3'",
    ],
    "translations.yaml": [
        "translations.yaml:8: missing field 'zh' in prompt",
        "translations.yaml:11: choices[b].zh is empty",
        "translations.yaml:11: missing field 'en' in choices[b].why",
        "translations.yaml:12: unknown field 'fr' in choices[c].why; the valid fields are en and zh",
        "translations.yaml:14: explanation.zh is empty",
    ],
    "links.yaml": [
        "links.yaml:7: tags[1] 'Soft Max' must be kebab-case (lowercase words joined by '-')",
        "links.yaml:7: tags[2] 'softmax' is listed twice",
        "links.yaml:11: follow_up 'links.secnod' is not the id of any question in the loaded banks"
        " (did you mean 'links.second'?)",
        "links.yaml:11: follow_ups lists the question itself ('links.first')",
        f"links.yaml:12: got exercise='attention.sdp' (did you mean 'attention.sdpa'?),"
        f" but the only valid exercise ids are {EXERCISES}",
        "links.yaml:22: follow_up 'links.third' is not the id of any question in the loaded banks"
        " (did you mean 'links.first'?)",
        "links.yaml:23: duplicate id 'links.second': first defined at links.yaml:13",
    ],
    "python_tag.yaml": [
        "python_tag.yaml:8: tag '!!python/object/apply:os.system' is not allowed: a bank holds plain YAML data only"
        " (strings, numbers, booleans, lists and mappings)",
    ],
}


def test_every_broken_bank_has_expectations():
    assert sorted(p.name for p in BROKEN.glob("*.yaml")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_bank_reports_exact_file_line_messages(name, monkeypatch):
    monkeypatch.chdir(BROKEN)
    questions, problems = bank.check([Path(name)])
    assert [str(p) for p in problems] == EXPECTED[name]
    with pytest.raises(bank.BankError) as raised:
        bank.load([Path(name)])
    assert str(raised.value).splitlines() == EXPECTED[name]


def test_validate_command_prints_problems_and_exits_1(monkeypatch):
    monkeypatch.chdir(BROKEN)
    result = CliRunner().invoke(cli.main, ["validate", "answers.yaml", "numeric.yaml"])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == EXPECTED["answers.yaml"] + EXPECTED["numeric.yaml"]
    assert result.stderr == "11 problems in 2 banks\n"


def test_validate_command_accepts_a_good_bank():
    result = CliRunner().invoke(cli.main, ["validate", str(DEMO)])
    assert (result.exit_code, result.stdout) == (0, "6 questions in 1 bank: OK\n")


def test_a_folder_stands_for_its_yaml_files(monkeypatch):
    monkeypatch.chdir(BROKEN.parent)
    result = CliRunner().invoke(cli.main, ["validate", "broken"])
    assert result.exit_code == 1
    expected = [f"broken/{line}".replace("defined at ", "defined at broken/")
                for name in sorted(EXPECTED) for line in EXPECTED[name]]
    assert result.stdout.splitlines() == expected


def test_python_tag_is_reported_not_executed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # where `echo pwned > qkv-pwned` would write
    result = CliRunner().invoke(cli.main, ["validate", str(BROKEN / "python_tag.yaml")])
    assert result.exit_code == 1 and "tag '!!python/object/apply:os.system' is not allowed" in result.stdout
    assert list(tmp_path.iterdir()) == []


def test_duplicate_ids_across_files_name_the_first_definition(tmp_path, monkeypatch):
    (tmp_path / "copy").mkdir()
    shutil.copy(DEMO, tmp_path / "demo.yaml")
    shutil.copy(DEMO, tmp_path / "copy" / "demo.yaml")
    monkeypatch.chdir(tmp_path)
    _, problems = bank.check([Path("demo.yaml"), Path("copy/demo.yaml")])
    first = {q.id: q.source for q in bank.load([Path("demo.yaml")])}
    assert [str(p) for p in problems] == [
        f"copy/{source}: duplicate id {qid!r}: first defined at {source}" for qid, source in first.items()]


def test_follow_ups_resolve_across_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("extra.yaml").write_text(
        "format_version: 1\ntopic: extra\nquestions:\n"
        "  - {id: extra.more, type: true_false, difficulty: easy, tags: [x], prompt: {en: a, zh: b},\n"
        "     answer: true, explanation: {en: c, zh: d}, follow_ups: [demo.scale-value]}\n", encoding="utf-8")
    assert bank.check([Path("extra.yaml")])[1] == [bank.Problem(
        "extra.yaml", 5, "follow_up 'demo.scale-value' is not the id of any question in the loaded banks")]
    questions = bank.load([Path("extra.yaml"), DEMO])
    assert questions[0].follow_ups == ("demo.scale-value",)


def test_loaded_questions_keep_every_field():
    by_id = {q.id: q for q in bank.load([DEMO])}
    multi = by_id["demo.mask-values"]
    assert (multi.topic, multi.type, multi.difficulty, multi.answer) == ("demo", "multi", "medium", ("a", "c"))
    assert multi.letters == "abc" and multi.choices[2].why.zh.startswith("它的 exp")
    numeric = by_id["demo.scale-value"]
    assert (numeric.answer, numeric.tolerance, numeric.follow_ups) == (0.125, 0.0005, ())
    assert by_id["demo.softmax-sum"].follow_ups == ("demo.scale-value",)
    assert by_id["demo.read-causal-mask"].code.startswith("import torch\n")
    assert by_id["demo.read-causal-mask"].exercise == "masking.causal_mask"
    assert [p.en for p in by_id["demo.why-residual"].key_points][1].startswith("Each block")
    assert by_id["demo.dropout-inference"].answer is False


def _bank(path: Path, topic: str, questions: str) -> Path:
    path.write_text(f"format_version: 1\ntopic: {topic}\nquestions:\n{questions}", encoding="utf-8")
    return path


def test_replaces_retires_ids_that_no_question_uses_any_more(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _bank(Path("extra.yaml"), "extra", (
        "  - {id: extra.kept, type: true_false, difficulty: easy, tags: [x], prompt: {en: a, zh: b},\n"
        "     answer: true, explanation: {en: c, zh: d}, replaces: [old.gone, extra.kept, extra.other]}\n"
        "  - {id: extra.other, type: true_false, difficulty: easy, tags: [x], prompt: {en: a, zh: b},\n"
        "     answer: true, explanation: {en: c, zh: d}, replaces: [extra.live]}\n"
        "  - {id: extra.live, type: true_false, difficulty: easy, tags: [x], prompt: {en: a, zh: b},\n"
        "     answer: true, explanation: {en: c, zh: d}, replaces: [old.gone]}\n"))
    assert [str(p) for p in bank.check([Path("extra.yaml")])[1]] == [
        "extra.yaml:5: replaces 'extra.other', but a question with that id is still in the banks;"
        " delete it or drop it from replaces",
        "extra.yaml:5: replaces lists the question itself ('extra.kept')",
        "extra.yaml:7: replaces 'extra.live', but a question with that id is still in the banks;"
        " delete it or drop it from replaces",
        "extra.yaml:9: 'old.gone' is already replaced at extra.yaml:5: a retired id redirects to one question",
    ]


def test_renames_map_each_retired_id_to_its_replacement(tmp_path):
    path = _bank(tmp_path / "extra.yaml", "extra", (
        "  - {id: extra.kept, type: true_false, difficulty: easy, tags: [x], prompt: {en: a, zh: b},\n"
        "     answer: true, explanation: {en: c, zh: d}, replaces: [old.one, old.two]}\n"))
    questions = bank.load([path])
    assert questions[0].replaces == ("old.one", "old.two")
    assert bank.renames(questions) == {"old.one": "extra.kept", "old.two": "extra.kept"}


@pytest.mark.parametrize("text, mark, ok", [
    ("先算 scores,再做 softmax。", ",", False),
    ("为什么要除以 sqrt(d_k)?因为方差。", "?", False),
    ("注意:这里", ":", False),
    ("它的形状(见下)不变。", "(", False),
    ("每个 (batch, 位置) 都有自己的均值。", "", True),  # a tuple of dims is notation
    ("调用 softmax(x, dim=-1)，得到权重。", "", True),  # code keeps its half-width marks
    ("先算 scores，再做 softmax（按最后一维）。", "", True),
])
def test_chinese_text_takes_full_width_punctuation(tmp_path, text, mark, ok):
    path = _bank(tmp_path / "punct.yaml", "punct", (
        "  - id: punct.one\n    type: true_false\n    difficulty: easy\n    tags: [x]\n"
        f"    prompt: {{en: a, zh: \"{text}\"}}\n    answer: true\n    explanation: {{en: c, zh: d}}\n"))
    problems = bank.check([path])[1]
    if ok:
        assert problems == []
    else:
        assert len(problems) == 1 and problems[0].line == 8
        assert f"prompt.zh uses the half-width {mark!r} next to Chinese text" in problems[0].message

"""Rendering a question, parsing and checking an answer, explaining it (quiz/present.py)."""
from __future__ import annotations

import pytest

from qkv.quiz import present
from qkv.quiz.lang import fill, width
from qkv.quiz.present import InvalidAnswer, check_answer, parse_answer, parse_rating, render_feedback


@pytest.mark.parametrize("line, expected", [
    ("a,c", ("a", "c")), ("ac", ("a", "c")), ("a c", ("a", "c")), ("C, A", ("a", "c")), (" ca ", ("a", "c")),
    ("ａ，ｃ", ("a", "c")), ("a、c", ("a", "c")), ("b", ("b",)), ("aab", ("a", "b")),
])
def test_multi_accepts_letters_in_any_separator_and_case(demo, line, expected):
    assert parse_answer(demo["demo.mask-values"], line, "en") == expected


@pytest.mark.parametrize("line", ["", "  ", "d", "a,d", "1", "a;c"])
def test_multi_rejects_letters_outside_the_choices(demo, line):
    with pytest.raises(InvalidAnswer, match=r"Expected one or more letters among a-c"):
        parse_answer(demo["demo.mask-values"], line, "en")


@pytest.mark.parametrize("line, expected", [("b", "b"), (" B ", "b"), ("ｂ", "b")])
def test_single_accepts_one_letter(demo, line, expected):
    assert parse_answer(demo["demo.softmax-sum"], line, "en") == expected


@pytest.mark.parametrize("line", ["ab", "a,b", "d", "yes"])
def test_single_rejects_anything_but_one_valid_letter(demo, line):
    with pytest.raises(InvalidAnswer) as invalid:
        parse_answer(demo["demo.softmax-sum"], line, "en")
    assert str(invalid.value) == f"Expected one letter among a-c, got {line!r}."


@pytest.mark.parametrize("line, expected", [
    ("t", True), ("True", True), ("对", True), ("f", False), ("FALSE", False), ("错", False)])
def test_true_false_words(demo, line, expected):
    assert parse_answer(demo["demo.dropout-inference"], line, "en") is expected


@pytest.mark.parametrize("line", ["yes", "1", "tf"])
def test_true_false_rejects_other_words_in_both_languages(demo, line):
    question = demo["demo.dropout-inference"]
    with pytest.raises(InvalidAnswer, match="Expected t, f, true, false, 对 or 错"):
        parse_answer(question, line, "en")
    with pytest.raises(InvalidAnswer, match="请输入 t、f、true、false、对 或 错"):
        parse_answer(question, line, "zh")


@pytest.mark.parametrize("line, expected", [("0.125", 0.125), ("1.25e-1", 0.125), (".125", 0.125), ("-2", -2.0),
                                            ("1e-3", 0.001), ("０.５", 0.5)])
def test_numbers(demo, line, expected):
    assert parse_answer(demo["demo.scale-value"], line, "en") == expected


@pytest.mark.parametrize("line", ["abc", "1/8", "nan", "inf", "1,000", ""])
def test_numeric_rejects_what_is_not_a_finite_number(demo, line):
    with pytest.raises(InvalidAnswer, match="Expected a number such as 0.5 or 1e-3"):
        parse_answer(demo["demo.scale-value"], line, "en")


def test_short_takes_the_text_and_rejects_blank(demo):
    question = demo["demo.why-residual"]
    assert parse_answer(question, "  gradients flow  ", "en") == "gradients flow"
    with pytest.raises(InvalidAnswer, match="Expected an answer in words"):
        parse_answer(question, " ", "en")


@pytest.mark.parametrize("line, rating", [("1", 1), ("4", 4), ("again", 1), ("Hard", 2), ("good", 3), ("easy", 4),
                                          ("重来", 1), ("困难", 2), ("良好", 3), ("简单", 4), ("３", 3)])
def test_ratings(line, rating):
    assert parse_rating(line, "en") == rating


@pytest.mark.parametrize("line", ["0", "5", "ok", ""])
def test_bad_rating_says_what_is_expected(line):
    with pytest.raises(InvalidAnswer) as invalid:
        parse_rating(line, "en")
    assert str(invalid.value) == f"Expected 1-4 or again, hard, good, easy, got {line!r}."


def test_check_answer_per_type(demo):
    assert check_answer(demo["demo.softmax-sum"], "b") and not check_answer(demo["demo.softmax-sum"], "a")
    assert check_answer(demo["demo.mask-values"], ("a", "c"))
    assert not check_answer(demo["demo.mask-values"], ("a",))
    assert not check_answer(demo["demo.mask-values"], ("a", "b", "c"))
    assert check_answer(demo["demo.dropout-inference"], False)
    assert not check_answer(demo["demo.dropout-inference"], True)


def test_numeric_is_right_within_the_tolerance_only(demo):
    question = demo["demo.scale-value"]  # 0.125 ± 0.0005
    assert check_answer(question, 0.1254) and check_answer(question, 0.1246)
    assert not check_answer(question, 0.1256) and not check_answer(question, 0.12)


def test_short_answers_cannot_be_checked_automatically(demo):
    with pytest.raises(ValueError, match="self-rated|rates the answer"):
        check_answer(demo["demo.why-residual"], "anything")


def test_render_question_letters_choices_and_shows_code(demo):
    text = present.render_question(demo["demo.read-causal-mask"], "en", 2, 5)
    assert text.splitlines()[:2] == ["Question 2/5 · demo · code reading · medium",
                                     "What does this mask let position i attend to?"]
    assert "    mask = torch.ones(4, 4, dtype=torch.bool).triu()" in text.splitlines()
    assert text.splitlines()[-3:] == ["  a) positions <= i", "  b) positions >= i", "  c) every position"]


def test_render_question_in_chinese(demo):
    text = present.render_question(demo["demo.softmax-sum"], "zh", 1, 3)
    assert text.splitlines()[:2] == ["第 1/3 题 · demo · 单选 · 简单", "对 n 个 logit 做 softmax，输出之和是多少？"]


def test_wrong_single_answer_gives_answer_explanation_and_why_of_the_choice_taken(demo):
    text = render_feedback(demo["demo.softmax-sum"], "c", False, "en")
    assert text.splitlines() == [
        "✗ Wrong. The answer is b.",
        "You chose c: Each output is below 1, not equal to 1.",
        "Explanation: softmax(x)_i = exp(x_i) / sum_j exp(x_j), so the outputs sum to 1.",
    ]


def test_wrong_multi_answer_explains_wrong_picks_and_missed_ones(demo):
    lines = render_feedback(demo["demo.mask-values"], ("a", "b"), False, "zh").splitlines()
    assert lines == ["✗ 错误。正确答案是 a,c。", "你选了 b：exp(0) = 1，权重并不为零。",
                     "你漏选了 c：它的 exp 下溢为 0，且整行被屏蔽时不会出现 NaN。",
                     "解析：-inf 和极小的负数都会让 exp(...) 为 0；0 不行。"]


def test_feedback_for_numeric_and_true_false(demo):
    assert render_feedback(demo["demo.scale-value"], 0.2, False, "en").splitlines()[0] == \
        "✗ Wrong. The answer is 0.125 (± 0.0005)."
    assert render_feedback(demo["demo.dropout-inference"], False, True, "zh").splitlines()[0] == "✓ 正确。"
    assert render_feedback(demo["demo.dropout-inference"], True, False, "zh").splitlines()[0] == \
        "✗ 错误。正确答案是 错。"


def test_key_points_then_explanation_for_short_questions(demo):
    assert present.render_key_points(demo["demo.why-residual"], "en").splitlines() == [
        "Key points a good answer makes:",
        "  - The identity path passes gradients through unchanged.",
        "  - Each block only has to learn a correction to its input.",
        "Explanation: d(x + f(x))/dx = I + df/dx, so the gradient never has to pass through every block.",
    ]


def test_fill_breaks_english_between_words_and_chinese_between_characters():
    assert fill("the quick brown fox jumps", 10) == "the quick\nbrown fox\njumps"
    assert fill("  a) one two three", 10, hang=5) == "  a) one\n     two\n     three"
    chinese = fill("反向 dropout 在推理时会缩放激活值。", 12)
    assert chinese == "反向 dropout\n在推理时会缩\n放激活值。"
    assert all(width(line) <= 12 for line in chinese.splitlines())
    assert fill("unchanged when columns is None " * 9, None) == "unchanged when columns is None " * 9


def test_render_fills_text_to_the_terminal_width(demo):
    text = present.render_feedback(demo["demo.mask-values"], ("b",), False, "en", columns=40)
    assert all(width(line) <= 40 for line in text.splitlines())
    assert text.replace("\n", " ").split() == render_feedback(demo["demo.mask-values"], ("b",), False, "en").split()


def test_fill_keeps_cjk_punctuation_with_its_neighbour():
    assert fill("一并冻结 γ 和 β）。然后", 18) == "一并冻结 γ 和\nβ）。然后"
    assert fill("扩大计算统计量的 batch（SyncBatchNorm）", 26) == "扩大计算统计量的 batch\n（SyncBatchNorm）"


def test_a_follow_up_is_numbered_within_its_question(demo):
    question = next(iter(demo.values()))
    header = present.render_question(question, "en", 1, 2, follow_up=(3, 3)).splitlines()[0]
    assert header.startswith("Question 1, follow-up 3/3 · demo")
    assert present.render_question(question, "zh", 2, 2, follow_up=(1, 2)).splitlines()[0].startswith("第 2 题的追问 1/2")

"""Scores, next steps and the scorecard as text and Markdown (mock/scorecard.py), from a record
written out by hand so that every figure below can be checked on paper."""
from __future__ import annotations

import copy

import pytest

from qkv.grader.exercise_texts import explain
from qkv.mock import scorecard


def _checked(qid, correct, response, answer, zh_response=None, zh_answer=None):
    return {"id": qid, "type": "true_false", "seconds": 5.0,
            "prompt": {"en": f"Prompt of {qid}?", "zh": f"{qid} 的题目？"}, "correct": correct,
            "response": {"en": response, "zh": zh_response or response}, "answer": {"en": answer, "zh": zh_answer or answer}}


WARMUP = [_checked("attention.year", True, "b", "b"), _checked("masking.pad-polarity", False, "false", "true", "错", "对")]
PROBE = {"id": "masking.why-causal", "type": "short", "seconds": 80.0,
         "prompt": {"en": "Why a causal mask?", "zh": "为什么需要因果掩码？"}, "text": "no peeking | at the future",
         "key_points": [{"en": "teacher forcing", "zh": "教师强制"}, {"en": "no peeking", "zh": "不能偷看"},
                        {"en": "same as generation", "zh": "与生成一致"}],
         "covered": [0, 2],
         "follow_ups": [_checked("masking.causal-count-5", True, "15", "15"), _checked("attention.scale-64", False, "6", "8")]}
CODING = {"exercise": "masking.causal_mask", "path": "/tmp/w/qkv-mock-x/causal_mask.py", "grades": 2, "hints": 1,
          "verdict": {"status": "graded", "passed": False, "diagnosis": ["polarity"], "message": "",
                      "checks": [["runs", True], ["matches the causal mask", False], ["device", True], ["dtype", True]]}}
RECORD = {
    "version": 1, "started_at": "2025-03-01T12:00:00+00:00", "minutes": 45, "topics": ["attention", "masking"],
    "seed": 7, "lang": "en", "ended": "finished",
    "sections": {  # the warm-up ran out of time after 2 of 4 questions; the deep-dive never reached its second
        "warmup": {"budget_s": 405, "seconds": 405.0, "timed_out": True, "items": WARMUP,
                   "planned": ["attention.year", "masking.pad-polarity", "masking.fill-value", "attention.scale-flattens"]},
        "deep_dive": {"budget_s": 945, "seconds": 600.5, "timed_out": False, "items": [PROBE],
                      "planned": ["masking.why-causal", "masking.causal-count-5", "attention.scale-64",
                                  "masking.why-padding"]},
        "coding": {"budget_s": 1350, "seconds": 1200.0, "timed_out": False, "items": [CODING],
                   "planned": ["masking.causal_mask"]},
    },
}


def test_scores_follow_the_documented_rules():
    sections = RECORD["sections"]
    assert scorecard.section_score("warmup", sections["warmup"]) == 1 / 2  # 1 right of the 2 reached
    assert scorecard.section_score("deep_dive", sections["deep_dive"]) == pytest.approx((2 / 3 + 1 + 0) / 3)
    assert scorecard.section_score("coding", sections["coding"]) == 3 / 4
    assert scorecard.overall_score(RECORD) == pytest.approx((1 / 2 + (5 / 3) / 3 + 3 / 4) / 3)
    assert scorecard.topic_scores(RECORD) == {  # not reached: a warm-up question of each, masking.why-padding
        "attention": (2, pytest.approx((1 + 0) / 2), 1),
        "masking": (4, pytest.approx((0 + 2 / 3 + 1 + 3 / 4) / 4), 2)}


@pytest.mark.parametrize("verdict, score", [
    (None, 0.0),
    ({"status": "load-error", "passed": False, "checks": [], "diagnosis": [], "message": "syntax"}, 0.0),
    ({"status": "graded", "passed": True, "checks": [["a", True], ["b", True]], "diagnosis": [], "message": ""}, 1.0),
    ({"status": "timeout", "passed": False, "checks": [["a", True]], "diagnosis": [], "message": "slow"}, 1.0 / 1),
])
def test_coding_scores_the_share_of_checks_passed(verdict, score):
    assert scorecard.coding_score(verdict) == score


def test_next_steps_name_the_weak_topics_weakest_first_the_misses_and_the_unfinished_exercise():
    steps = scorecard.next_steps(RECORD, "en")
    assert steps == [
        "`qkv quiz --topic attention`: attention scored 50% in this round.",
        "`qkv quiz --topic masking`: masking scored 60% in this round.",
        "`qkv quiz --due`: the 3 questions you missed or half answered come back for review.",
        "`qkv grade masking.causal_mask /tmp/w/qkv-mock-x/causal_mask.py`: keep working on your solution.",
        "`qkv hint masking.causal_mask`: hints, one level at a time.",
    ]


def test_a_perfect_round_has_nothing_weak():
    perfect = copy.deepcopy(RECORD)
    sections = perfect["sections"]
    sections["warmup"].update(items=WARMUP[:1], planned=["attention.year"])
    sections["deep_dive"]["items"][0].update(covered=[0, 1, 2], follow_ups=PROBE["follow_ups"][:1])
    sections["deep_dive"]["planned"] = ["masking.why-causal", "masking.causal-count-5"]
    sections["coding"]["items"][0]["verdict"].update(passed=True, diagnosis=[], checks=[["runs", True]])
    assert scorecard.overall_score(perfect) == 1.0
    assert scorecard.next_steps(perfect, "en") == ["Nothing weak in this round: try other topics, or less time"
                                                   " (`--minutes 30`)."]


def test_questions_not_reached_are_reported_as_such_never_as_wrong():
    unreached = copy.deepcopy(RECORD)
    unreached["sections"]["warmup"]["items"] = []
    unreached["sections"]["deep_dive"]["items"][0]["follow_ups"] = PROBE["follow_ups"][:1]  # scale-64 not reached
    assert scorecard.topic_scores(unreached)["attention"] == (0, None, 3)
    assert scorecard.section_score("warmup", unreached["sections"]["warmup"]) is None
    assert not any("--topic attention" in step for step in scorecard.next_steps(unreached, "en"))
    assert "  attention  0        -      3" in scorecard.to_text(1, unreached, "en").splitlines()


def test_the_text_scorecard_shows_sections_misses_verdict_topics_and_steps():
    text = scorecard.to_text(7, RECORD, "en")
    lines = text.splitlines()
    assert lines[0].startswith("══ Mock interview #7 · 2025-03-01 ") and lines[0].endswith(" · 45 min · seed 7 ══")
    assert lines[1] == "Topics: attention, masking"
    rows = [line.split() for line in lines[2:7]]
    assert rows[0] == ["Section", "Done", "Score", "Time"]
    assert rows[1] == ["Warm-up", "2/4", "50%", "6m", "45s", "of", "6m", "45s", "·", "time", "up"]
    assert rows[2][:3] == ["Deep-dive", "3/4", "56%"] and rows[3][:2] == ["Coding", "FAIL,"]
    assert rows[4][:2] == ["Overall", "60%"]
    assert "  - ✗ masking.pad-polarity: Prompt of masking.pad-polarity? (you: false; answer: true)" in lines
    assert "  - masking.why-causal (2/3 key points): Why a causal mask?" in lines
    assert "      - Missed: no peeking" in lines and "      - Your answer: no peeking | at the future" in lines
    assert "      - ✗ attention.scale-64: Prompt of attention.scale-64? (you: 6; answer: 8)" in lines
    assert "  - masking.causal_mask: FAIL, 3 of 4 checks passed" in lines
    assert "      - File: /tmp/w/qkv-mock-x/causal_mask.py · grades: 2 · hints: 1" in lines
    assert "      - Failed: matches the causal mask" in lines
    assert f"      - [polarity] {explain('polarity', 'masking.causal_mask')[0]}" in lines
    assert "  masking    4        60% (weak)  2" in lines


def test_the_markdown_scorecard_has_headings_tables_and_lists():
    markdown = scorecard.to_markdown(7, RECORD, "en")
    assert markdown.startswith("# Mock interview #7 · ") and markdown.endswith("\n")
    assert "| Section | Done | Score | Time |\n| --- | --- | --- | --- |\n| Warm-up | 2/4 | 50% |" in markdown
    assert "\n## Deep-dive\n\n- masking.why-causal (2/3 key points): Why a causal mask?\n" \
           "  - Your answer: no peeking | at the future\n  - Missed: no peeking\n" in markdown
    assert "\n## By topic\n\n| Topic | Reached | Score | Not reached |\n" in markdown
    assert "\n## Next steps\n\n- `qkv quiz --topic attention`" in markdown


def test_the_scorecard_of_an_english_round_reads_in_chinese():
    text = scorecard.to_text(7, RECORD, "zh")
    assert "模拟面试 #7" in text and "主题：attention, masking" in text
    assert "✗ masking.pad-polarity: masking.pad-polarity 的题目？（你的答案：错；正确答案：对）" in text
    assert "masking.why-causal（要点 2/3）：为什么需要因果掩码？" in text and "60%（薄弱）" in text
    assert "漏掉的要点：不能偷看" in text and "── 下一步 ──" in text


@pytest.mark.parametrize("ended, note", [("quit", "Ended early with q"), ("eof", "Ended early (end of input)"),
                                         ("interrupted", "Stopped with Ctrl-C")])
def test_a_round_ended_early_says_so(ended, note):
    assert scorecard.to_text(1, {**RECORD, "ended": ended}, "en").splitlines()[2].startswith(note)


def test_the_list_has_one_line_per_round():
    unfinished = {**RECORD, "ended": "interrupted", "sections": {"warmup": RECORD["sections"]["warmup"]}}
    lines = scorecard.render_list([(1, RECORD), (2, unfinished)], "en").splitlines()
    assert lines[0].split() == ["#", "Started", "Minutes", "Topics", "Score", "Coding", "Ended"]
    assert lines[1].split()[4:] == ["attention,", "masking", "60%", "masking.causal_mask", "FAIL,", "3", "of", "4",
                                    "checks", "passed", "finished"]
    assert lines[2].split()[4:] == ["attention,", "masking", "50%", "-", "Ctrl-C"]

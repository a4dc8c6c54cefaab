"""The quiz's user-interface strings in English and Chinese, and how the language is chosen."""
from __future__ import annotations

import os
import unicodedata
from typing import Mapping

LANGS = ("en", "zh")

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "header": "Question {number}/{total} · {topic} · {type} · {difficulty}",
        "ask_single": "Your answer (one letter {letters}; q to quit): ",
        "ask_multi": "Your answer (one or more letters {letters}, e.g. a,c; q to quit): ",
        "ask_true_false": "True or false? (t/f; q to quit): ",
        "ask_numeric": "Your answer (a number, e.g. 0.5 or 1e-3; q to quit): ",
        "ask_short": "Your answer (one line of text; q to quit): ",
        "ask_rating": "How did you do? 1 again, 2 hard, 3 good, 4 easy: ",
        "expect_single": "Expected one letter among {letters}, got {got!r}.",
        "expect_multi": "Expected one or more letters among {letters} (a,c or ac or a c), got {got!r}.",
        "expect_true_false": "Expected t, f, true, false, 对 or 错, got {got!r}.",
        "expect_numeric": "Expected a number such as 0.5 or 1e-3, got {got!r}.",
        "expect_short": "Expected an answer in words; type q to quit.",
        "expect_rating": "Expected 1-4 or again, hard, good, easy, got {got!r}.",
        "right": "✓ Right.",
        "wrong": "✗ Wrong. The answer is {answer}.",
        "explanation": "Explanation: {text}",
        "chosen": "You chose {letter}: {why}",
        "missed": "You missed {letter}: {why}",
        "key_points": "Key points a good answer makes:",
        "rated": "Rated {rating}.",
        "true": "true",
        "false": "false",
        "tolerance": "{answer} (± {tolerance})",
        "summary": "Summary",
        "score": "Answered {answered} of {total} · {correct} right ({percent}) · {duration}",
        "by_topic": "By topic: {scores}",
        "by_type": "By type:  {scores}",
        "revisit": "Revisit:  {ids}",
        "nothing_to_revisit": "Nothing to revisit.",
        "no_questions": "No question matches these filters.",
        "duration": "{minutes}m {seconds:02d}s",
        "stats_header": "topic|questions|seen|unseen|answers|accuracy|due today",
        "stats_total": "all",
        "weakest_tags": "Weakest tags: {tags}",
        "no_weak_tags": "Weakest tags: none yet (no wrong answers).",
        "single": "single choice", "multi": "multiple choice", "true_false": "true/false", "numeric": "numeric",
        "short": "short answer", "code_reading": "code reading",
        "easy": "easy", "medium": "medium", "hard": "hard",
        "again": "again", "good": "good",  # "hard" and "easy" are shared with the difficulties
    },
    "zh": {
        "header": "第 {number}/{total} 题 · {topic} · {type} · {difficulty}",
        "ask_single": "你的答案（一个字母 {letters}；q 退出）：",
        "ask_multi": "你的答案（一个或多个字母 {letters}，如 a,c；q 退出）：",
        "ask_true_false": "对还是错？（t/f 或 对/错；q 退出）：",
        "ask_numeric": "你的答案（一个数，如 0.5 或 1e-3；q 退出）：",
        "ask_short": "你的答案（一行文字；q 退出）：",
        "ask_rating": "自评：1 重来，2 困难，3 良好，4 简单：",
        "expect_single": "请输入 {letters} 中的一个字母，你输入的是 {got!r}。",
        "expect_multi": "请输入 {letters} 中的一个或多个字母（a,c、ac 或 a c），你输入的是 {got!r}。",
        "expect_true_false": "请输入 t、f、true、false、对 或 错，你输入的是 {got!r}。",
        "expect_numeric": "请输入一个数，如 0.5 或 1e-3，你输入的是 {got!r}。",
        "expect_short": "请用文字作答；输入 q 退出。",
        "expect_rating": "请输入 1-4 或 重来、困难、良好、简单（again/hard/good/easy），你输入的是 {got!r}。",
        "right": "✓ 正确。",
        "wrong": "✗ 错误。正确答案是 {answer}。",
        "explanation": "解析：{text}",
        "chosen": "你选了 {letter}：{why}",
        "missed": "你漏选了 {letter}：{why}",
        "key_points": "好的回答应包含这些要点：",
        "rated": "自评：{rating}。",
        "true": "对",
        "false": "错",
        "tolerance": "{answer}（± {tolerance}）",
        "summary": "小结",
        "score": "共 {total} 题，答了 {answered} 题 · 答对 {correct} 题（{percent}）· 用时 {duration}",
        "by_topic": "按主题：{scores}",
        "by_type": "按题型：{scores}",
        "revisit": "需要复习：{ids}",
        "nothing_to_revisit": "没有需要复习的题目。",
        "no_questions": "没有符合这些条件的题目。",
        "duration": "{minutes} 分 {seconds:02d} 秒",
        "stats_header": "主题|题数|已做|未做|作答次数|正确率|今日到期",
        "stats_total": "合计",
        "weakest_tags": "最薄弱的标签：{tags}",
        "no_weak_tags": "最薄弱的标签：暂无（还没有答错）。",
        "single": "单选", "multi": "多选", "true_false": "判断", "numeric": "数值", "short": "简答",
        "code_reading": "读代码",
        "easy": "简单", "medium": "中等", "hard": "困难",
        "again": "重来", "good": "良好",
    },
}


def t(lang: str, key: str, **values: object) -> str:
    """The UI string `key` in `lang`, formatted with `values`."""
    return STRINGS[lang][key].format(**values)


def from_locale(environ: Mapping[str, str] = os.environ) -> str:
    """'zh' when the locale (LC_ALL, then LC_MESSAGES, then LANG: the first one set) is Chinese, else 'en'.

    QKV_LANG and --lang come first; the CLI handles them.
    """
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if environ.get(name):
            return "zh" if environ[name].lower().startswith("zh") else "en"
    return "en"


def width(text: str) -> int:
    """Columns `text` takes in a terminal: CJK characters take two."""
    return sum(2 if _wide(c) else 1 for c in text)


def pad(text: str, columns: int, *, right: bool = False) -> str:
    """`text` padded with spaces to `columns` terminal columns (aligned right when `right`)."""
    fill = " " * max(0, columns - width(text))
    return fill + text if right else text + fill


def fill(text: str, columns: int | None, hang: int = 0) -> str:
    """`text` broken into lines of at most `columns` terminal columns (None: left as is), between
    words or between CJK characters; continuation lines are indented by `hang` spaces."""
    if columns is None:
        return text
    lines = []
    for paragraph in text.split("\n"):
        line = ""
        for token in _tokens(paragraph):
            if line.strip() and width(line + token.rstrip()) > columns:
                lines.append(line.rstrip())
                line = " " * hang + token.lstrip()
            else:
                line += token
        lines.append(line.rstrip())
    return "\n".join(lines)


def _tokens(text: str) -> list[str]:
    """Words with their trailing spaces, and every wide (CJK) character on its own, except that
    closing punctuation sticks to what precedes it and opening punctuation to what follows it,
    so that no line starts with the one or ends with the other."""
    tokens: list[str] = []
    for char in text:
        if tokens and (char in _NO_LINE_START or tokens[-1][-1] in _NO_LINE_END):
            tokens[-1] += char
        elif (not tokens or _wide(char) or _wide(tokens[-1][-1]) or tokens[-1][-1] in _NO_LINE_START
              or tokens[-1].endswith(" ") and char != " "):
            tokens.append(char)
        else:
            tokens[-1] += char
    return tokens


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in "WF"


_NO_LINE_START = "，。、；：！？）」』】》〉’”…"
_NO_LINE_END = "（「『【《〈‘“"

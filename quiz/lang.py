"""The user-interface strings of every command (quiz, mock, list, show, hint, start, grade, watch) in English
and Chinese, and how the language is chosen. The exercises' own words are data: grader/texts/*.yaml."""
from __future__ import annotations

import os
import unicodedata
from typing import Mapping

LANGS = ("en", "zh")

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "header": "Question {number}/{total} · {topic} · {type} · {difficulty}",
        "follow_up_header": "Question {number}, follow-up {index}/{total} · {topic} · {type} · {difficulty}",
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
        "practise": "Practise it: qkv start {exercise}",
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
        "due_summary": "{due} due for review, {new} never answered.",
        "fewer_questions": "Only {available} questions match (you asked for {count}): asking those.",
        "duration": "{minutes}m {seconds:02d}s",
        "stats_header": "topic|questions|seen|unseen|answers|accuracy|due today",
        "stats_total": "all",
        "weakest_tags": "Weakest tags: {tags}",
        "no_weak_tags": "Weakest tags: none yet (no wrong answers).",
        "single": "single choice", "multi": "multiple choice", "true_false": "true/false", "numeric": "numeric",
        "short": "short answer", "code_reading": "code reading",
        "easy": "easy", "medium": "medium", "hard": "hard",
        "again": "again", "good": "good",  # "hard" and "easy" are shared with the difficulties
        # qkv mock (mock/)
        "mock_warmup": "Warm-up", "mock_deep_dive": "Deep-dive", "mock_coding": "Coding", "mock_overall": "Overall",
        "mock_warmup_header": "══ Warm-up: {count} quick questions · {time} ══",
        "mock_deep_dive_header": "══ Deep-dive: {count} open questions, each with follow-ups · {time} ══",
        "mock_coding_header": "══ Coding: {exercise} · {time} ══",
        "mock_follow_up": "The interviewer follows up ({index} of {total}):",
        "mock_your_answer": "Your answer: {text}",
        "mock_ask_covered": "Which key points did you make? Numbers 1-{count} (e.g. 1,3), 0 for none, all for all: ",
        "mock_expect_covered": "Expected key point numbers from 1 to {count} (e.g. 1,3), 0 or all, got {got!r}.",
        "mock_covered": "You made {covered} of {total} key points.",
        "mock_no_exercise": "No coding exercise fits the topics {topics}: pass --exercise to pick one (`qkv list`).",
        "mock_coding_intro": "Your file: {path}\nEdit it in your own editor; the clock is running. Type grade to"
                             " grade it (as often as you like), hint for a hint, done when you are finished."
                             " q ends the round.",
        "mock_ask_command": "grade, hint or done: ",
        "mock_expect_command": "Expected grade, hint or done (q ends the round), got {got!r}.",
        "mock_grading": "Running the grader (a few seconds) ...",
        "mock_hint": "Hint {level}/{total}: {text}",
        "mock_no_more_hints": "No more hints: that was the last one.",
        "mock_time_up": "⏰ Time is up for this section ({section}).",
        "mock_time_up_late": "⏰ That answer came after the time for this section ({section}) ran out:"
                             " it does not count.",
        "mock_title": "Mock interview #{number} · {date} · {minutes} min · seed {seed}",
        "mock_topics": "Topics: {topics}",
        "mock_ended_quit": "Ended early with q: this scorecard covers what was done.",
        "mock_ended_eof": "Ended early (end of input): this scorecard covers what was done.",
        "mock_ended_interrupted": "Stopped with Ctrl-C: this scorecard covers what was done.",
        "mock_section_header": "Section|Done|Score|Time",
        "mock_time_of": "{time} of {budget}",
        "mock_timed_out": "time up",
        "mock_nothing": "Nothing answered.",
        "mock_not_saved": "Nothing was answered or graded: the round (seed {seed}) was not saved.",
        "mock_deleted": "Deleted round {number}.",
        "mock_you_vs_answer": " (you: {response}; answer: {answer})",
        "mock_probe": "{id} ({score}): {prompt}",
        "mock_not_rated": "not rated",
        "mock_points": "{covered}/{total} key points",
        "mock_missed_point": "Missed: {text}",
        "mock_coding_file": "File: {path} · grades: {grades} · hints: {hints}",
        "mock_not_graded": "not graded",
        "mock_pass": "PASS, all {total} checks",
        "mock_fail": "FAIL, {passed} of {total} checks passed",
        "mock_fail_status": "FAIL ({status})",
        "mock_failed_check": "Failed: {name}",
        "mock_by_topic": "By topic",
        "mock_topic_header": "Topic|Reached|Score|Not reached",
        "mock_weak": " (weak)",
        "mock_next_steps": "Next steps",
        "mock_step_quiz": "`qkv quiz --topic {topic}`: {topic} scored {score} in this round.",
        "mock_step_due": "`qkv quiz --due`: the {count} questions you missed or half answered come back for review.",
        "mock_step_grade": "`qkv grade {exercise} {path}`: keep working on your solution.",
        "mock_step_hint": "`qkv hint {exercise}`: hints, one level at a time.",
        "mock_step_none": "Nothing weak in this round: try other topics, or less time (`--minutes 30`).",
        "mock_list_header": "#|Started|Minutes|Topics|Score|Coding|Ended",
        "mock_end_finished": "finished", "mock_end_quit": "q", "mock_end_eof": "end of input",
        "mock_end_interrupted": "Ctrl-C",
        "mock_no_rounds": "No mock interview yet: start one with `qkv mock`.",
        "mock_unknown_round": "There is no round {number}: `qkv mock --list` shows the rounds saved.",
        "mock_saved": "Saved as round {number}: `qkv mock --show {number}` prints this scorecard again.",
        "mock_report_written": "Markdown scorecard written to {path}.",
        # qkv list, show, start, hint, grade, watch (grader/)
        "status_passed": "passed", "status_attempted": "attempted", "status_new": "new",
        "show_signature": "Signature: {signature}",
        "show_commands": "Start: qkv start {id}{flag}    Grade: qkv grade {id} {file}{flag}",
        "start_wrote": "Wrote {path}. Read the task with `qkv show {id}{flag}`, then `qkv grade {id} {path}{flag}`.",
        "start_header": "qkv exercise {id}: {summary}",
        "start_grade_with": "Grade with: qkv grade {id} {path}",
        "hint_line": "Hint {level}/{total}: {text}",
        "hint_more": "(More: qkv hint {id} --level {level}{flag})",
        "hint_more_watch": "(More: type hint again.)",
        "grade_header": "Grading {id}: {path}",
        "grade_settings": "device {device}, seed {seed}, up to {examples} examples per property",
        "grade_pass": "PASS", "grade_fail": "FAIL", "grade_skip": "SKIP",
        "grade_not_implemented": "Not implemented yet: your entry point still raises NotImplementedError.",
        "grade_write_it": "Write it, then grade again. Stuck? `{hint}`.",
        "grade_smallest": "(the smallest failing input found)",
        "grade_more_failed": "({count} more failed checks above: --verbose explains each of them.)",
        "grade_skipped": "-- skipped: {name}",
        "grade_diagnosis": "Diagnosis",
        "grade_no_match": "No known mistake matches your code: what differs is in the failed checks above (--json has "
                          "each failing input as data, with a Python snippet that rebuilds it).",
        "grade_hints": "Hints: {hint}   (three levels, one at a time)",
        "grade_passed": "PASSED: all {total} checks ({seconds:.1f} s).",
        "grade_out_of_time": "FAILED: your code ran out of time; {done}.",
        "grade_ended": "FAILED: your code ended the grade; {done}.",
        "grade_failed": "FAILED: {failed} of {total} checks failed ({seconds:.1f} s).",
        "grade_done": "{total} checks had finished ({failed} failed)",
        "grade_done_one": "1 check had finished ({failed} failed)",
        "grade_isolated": "Your code ran in a separate worker ({how}).",
        "isolation_bubblewrap": "bubblewrap sandbox", "isolation_none": "process limits only: bubblewrap not available",
        "isolation_none_root": "process limits only: bubblewrap not available, and as root your code could still "
                               "tamper with the grader itself, so this grade cannot be fully trusted",
        "grade_output": "Output from your code",
        "grade_interrupted": "Interrupted: no verdict.",
        "watch_waiting": "Watching {path}: save it to grade again. Type hint, Enter to re-grade, or quit.",
        "watch_unknown": "Unknown command {got!r}: type hint, Enter to re-grade, or quit.",
    },
    "zh": {
        "header": "第 {number}/{total} 题 · {topic} · {type} · {difficulty}",
        "follow_up_header": "第 {number} 题的追问 {index}/{total} · {topic} · {type} · {difficulty}",
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
        "practise": "动手练习：qkv start {exercise}",
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
        "due_summary": "到期待复习 {due} 题，从未答过 {new} 题。",
        "fewer_questions": "符合条件的只有 {available} 题（你要了 {count} 题）：就问这些。",
        "duration": "{minutes} 分 {seconds:02d} 秒",
        "stats_header": "主题|题数|已做|未做|作答次数|正确率|今日到期",
        "stats_total": "合计",
        "weakest_tags": "最薄弱的标签：{tags}",
        "no_weak_tags": "最薄弱的标签：暂无（还没有答错）。",
        "single": "单选", "multi": "多选", "true_false": "判断", "numeric": "数值", "short": "简答",
        "code_reading": "读代码",
        "easy": "简单", "medium": "中等", "hard": "困难",
        "again": "重来", "good": "良好",
        # qkv mock (mock/)
        "mock_warmup": "热身", "mock_deep_dive": "深入追问", "mock_coding": "编程", "mock_overall": "总计",
        "mock_warmup_header": "══ 热身：{count} 道快问快答 · {time} ══",
        "mock_deep_dive_header": "══ 深入追问：{count} 道开放题，每题都有追问 · {time} ══",
        "mock_coding_header": "══ 编程：{exercise} · {time} ══",
        "mock_follow_up": "面试官追问（{index}/{total}）：",
        "mock_your_answer": "你的回答：{text}",
        "mock_ask_covered": "你答到了哪些要点？输入编号 1-{count}（如 1,3），0 表示都没有，all 表示全部：",
        "mock_expect_covered": "请输入 1 到 {count} 之间的要点编号（如 1,3）、0 或 all，你输入的是 {got!r}。",
        "mock_covered": "{total} 个要点中你答到了 {covered} 个。",
        "mock_no_exercise": "没有适合主题 {topics} 的编程题：用 --exercise 指定一道（`qkv list` 列出全部）。",
        "mock_coding_intro": "你的文件：{path}\n用你自己的编辑器修改它，计时已经开始。输入 grade（或 评分）评分，可以评多次；"
                             "输入 hint（或 提示）看提示；写完后输入 done（或 完成）。q 结束本轮。",
        "mock_ask_command": "grade、hint 或 done：",
        "mock_expect_command": "请输入 grade、hint 或 done（评分、提示、完成；q 结束本轮），你输入的是 {got!r}。",
        "mock_grading": "正在运行评分器（需要几秒钟）……",
        "mock_hint": "提示 {level}/{total}：{text}",
        "mock_no_more_hints": "没有更多提示了：这已是最后一条。",
        "mock_time_up": "⏰ 本环节（{section}）时间到。",
        "mock_time_up_late": "⏰ 这个回答是在本环节（{section}）时间用完之后给出的，不计分。",
        "mock_title": "模拟面试 #{number} · {date} · {minutes} 分钟 · 种子 {seed}",
        "mock_topics": "主题：{topics}",
        "mock_ended_quit": "用 q 提前结束：本成绩单只包含已完成的部分。",
        "mock_ended_eof": "输入结束，提前结束：本成绩单只包含已完成的部分。",
        "mock_ended_interrupted": "用 Ctrl-C 中止：本成绩单只包含已完成的部分。",
        "mock_section_header": "环节|完成|得分|用时",
        "mock_time_of": "{time} / {budget}",
        "mock_timed_out": "超时",
        "mock_nothing": "没有作答。",
        "mock_not_saved": "这一轮（seed {seed}）没有作答也没有评分：不保存。",
        "mock_deleted": "已删除第 {number} 轮。",
        "mock_you_vs_answer": "（你的答案：{response}；正确答案：{answer}）",
        "mock_probe": "{id}（{score}）：{prompt}",
        "mock_not_rated": "未自评",
        "mock_points": "要点 {covered}/{total}",
        "mock_missed_point": "漏掉的要点：{text}",
        "mock_coding_file": "文件：{path} · 评分 {grades} 次 · 用了 {hints} 条提示",
        "mock_not_graded": "未评分",
        "mock_pass": "通过，全部 {total} 项检查",
        "mock_fail": "未通过，{total} 项检查通过了 {passed} 项",
        "mock_fail_status": "未通过（{status}）",
        "mock_failed_check": "未通过的检查：{name}",
        "mock_by_topic": "按主题",
        "mock_topic_header": "主题|已答|得分|未答到",
        "mock_weak": "（薄弱）",
        "mock_next_steps": "下一步",
        "mock_step_quiz": "`qkv quiz --topic {topic}`：{topic} 本轮得分 {score}。",
        "mock_step_due": "`qkv quiz --due`：你答错或没答全的 {count} 道题会回到复习里。",
        "mock_step_grade": "`qkv grade {exercise} {path}`：继续完善你的代码。",
        "mock_step_hint": "`qkv hint {exercise}`：逐级查看提示。",
        "mock_step_none": "本轮没有薄弱环节：试试其他主题，或缩短时间（`--minutes 30`）。",
        "mock_list_header": "#|开始时间|分钟|主题|得分|编程|结束方式",
        "mock_end_finished": "完成", "mock_end_quit": "q", "mock_end_eof": "输入结束", "mock_end_interrupted": "Ctrl-C",
        "mock_no_rounds": "还没有模拟面试记录：用 `qkv mock` 开始一轮。",
        "mock_unknown_round": "没有第 {number} 轮：`qkv mock --list` 列出已保存的轮次。",
        "mock_saved": "已保存为第 {number} 轮：`qkv mock --show {number}` 可再次查看这份成绩单。",
        "mock_report_written": "Markdown 成绩单已写入 {path}。",
        "status_passed": "已通过", "status_attempted": "已尝试", "status_new": "未开始",
        "show_signature": "签名：{signature}",
        "show_commands": "开始：qkv start {id}{flag}    评测：qkv grade {id} {file}{flag}",
        "start_wrote": "已写入 {path}。用 `qkv show {id}{flag}` 阅读题目，然后运行 `qkv grade {id} {path}{flag}`。",
        "start_header": "qkv 练习 {id}：{summary}",
        "start_grade_with": "评测：qkv grade {id} {path}",
        "hint_line": "提示 {level}/{total}：{text}",
        "hint_more": "（更多：qkv hint {id} --level {level}{flag}）",
        "hint_more_watch": "（更多：再输入 hint。）",
        "grade_header": "评测 {id}：{path}",
        "grade_settings": "设备 {device}，种子 {seed}，每条性质最多 {examples} 个样例",
        "grade_pass": "通过", "grade_fail": "失败", "grade_skip": "跳过",
        "grade_not_implemented": "尚未实现：你的入口仍然抛出 NotImplementedError。",
        "grade_write_it": "写好之后再评测一次。卡住了？`{hint}`。",
        "grade_smallest": "（找到的最小失败输入）",
        "grade_more_failed": "（上面还有 {count} 项失败的检查：--verbose 会逐一解释。）",
        "grade_skipped": "-- 已跳过：{name}",
        "grade_diagnosis": "诊断",
        "grade_no_match": "没有已知错误与你的代码吻合：差异见上面失败的检查项（--json 以数据形式给出每个失败输入，"
                          "并附有重建它的 Python 代码）。",
        "grade_hints": "提示：{hint}   （共三级，每次一级）",
        "grade_passed": "通过：全部 {total} 项检查（{seconds:.1f} 秒）。",
        "grade_out_of_time": "失败：你的代码超时；{done}。",
        "grade_ended": "失败：你的代码中止了评测；{done}。",
        "grade_failed": "失败：{total} 项检查中有 {failed} 项失败（{seconds:.1f} 秒）。",
        "grade_done": "已完成 {total} 项检查（{failed} 项失败）",
        "grade_done_one": "已完成 1 项检查（{failed} 项失败）",
        "grade_isolated": "你的代码在单独的工作进程中运行（{how}）。",
        "isolation_bubblewrap": "bubblewrap 沙箱", "isolation_none": "仅有进程限制：没有可用的 bubblewrap",
        "isolation_none_root": "仅有进程限制：没有可用的 bubblewrap，而且以 root 运行时你的代码仍可能篡改评测程序本身，"
                               "因此这次评测不能完全信任",
        "grade_output": "你的代码的输出",
        "grade_interrupted": "已中断：没有结论。",
        "watch_waiting": "正在监视 {path}：保存文件即重新评测。输入 hint 看提示，回车立即重新评测，quit 退出。",
        "watch_unknown": "未知命令 {got!r}：输入 hint、回车重新评测，或 quit。",
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


def chosen(lang: str | None, environ: Mapping[str, str] = os.environ) -> str:
    """The language to use: `lang` (--lang, or QKV_LANG through click), else the locale's."""
    return lang or from_locale(environ)


def lang_flag(lang: str, environ: Mapping[str, str] = os.environ) -> str:
    """" --lang zh" to add to a suggested command when `lang` is not what that command would choose by itself."""
    default = environ.get("QKV_LANG") if environ.get("QKV_LANG") in LANGS else from_locale(environ)
    return "" if lang == default else f" --lang {lang}"


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

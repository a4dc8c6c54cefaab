"""A round's record, its scores, and its scorecard as text or Markdown.

The record (JSON, saved in the history database by mock/app.py) holds everything the
scorecard shows, questions and key points in both languages, so an old round is shown in
any language without the banks or the grader:

    version, started_at (ISO 8601, UTC), minutes, topics, seed, lang,
    ended: finished | quit | eof | interrupted
    sections: {warmup | deep_dive | coding: {budget_s, seconds, timed_out, planned, items}},
              the sections the round reached; planned: the ids of the questions (the exercise)
              the section was to ask, in order, each once
    a checked question: id, type, prompt {en, zh}, seconds, correct, response {en, zh}, answer {en, zh}
    a short question:   id, type, prompt, seconds, text (the candidate's answer),
                        key_points [{en, zh}], covered (indices ticked; null: not rated), follow_ups [questions]
    the coding task:    exercise, path, grades, hints,
                        verdict (null: never graded) {status, passed, checks [[name, passed]], diagnosis, message}

Scores: a checked question scores 1 or 0; a short one the share of its key points the
candidate ticked. Coding scores 1 for a pass, else the share of checks passed (0 when never
graded or not loadable). What a round planned but never reached has no score: it is counted
as "not reached", never as wrong. A section scores the mean over what it reached; the round,
the mean of its sections' scores; a topic, the mean over its questions and exercise reached
(a question's topic is its id's prefix). A topic scoring under WEAK_BELOW is weak: the next
steps send the candidate to the quiz for it.
"""
from __future__ import annotations

from datetime import datetime
from typing import Iterable, Iterator

from qkv.grader.exercise_texts import check_name, explain
from qkv.grader.report import escape_controls
from qkv.quiz.lang import fill, pad, t, width

WEAK_BELOW = 0.7
SECTION_ORDER = ("warmup", "deep_dive", "coding")

Block = tuple[str, object]  # ("title" | "heading" | "line", str), ("table", rows), ("bullets", [str | (str, [str])])


# --- scores -------------------------------------------------------------------------------------

def question_score(item: dict) -> float:
    if "correct" in item:
        return float(item["correct"])
    return len(item["covered"] or ()) / len(item["key_points"])


def questions(section: dict) -> Iterator[dict]:
    """Every question a section asked, follow-ups right after their question."""
    for item in section["items"]:
        yield item
        yield from item.get("follow_ups", ())


def coding_score(verdict: dict | None) -> float:
    if verdict is None or not verdict["checks"]:
        return 0.0
    return 1.0 if verdict["passed"] else sum(passed for _, passed in verdict["checks"]) / len(verdict["checks"])


def planned_scores(name: str, section: dict) -> list[tuple[str, float | None]]:
    """(id, score) of everything the section planned, in order; None for what it did not reach."""
    if name == "coding":
        done = {item["exercise"]: coding_score(item["verdict"]) for item in section["items"]}
    else:
        done = {item["id"]: question_score(item) for item in questions(section)}
    return [(planned, done.get(planned)) for planned in section["planned"]]


def section_score(name: str, section: dict) -> float | None:
    """None when the section reached nothing."""
    scores = [score for _, score in planned_scores(name, section) if score is not None]
    return sum(scores) / len(scores) if scores else None


def overall_score(record: dict) -> float | None:
    scores = [s for name, section in record["sections"].items() if (s := section_score(name, section)) is not None]
    return sum(scores) / len(scores) if scores else None


def topic_scores(record: dict) -> dict[str, tuple[int, float | None, int]]:
    """Topic -> (questions and exercises reached, their mean score or None, how many were not reached),
    topics in alphabetical order."""
    scores: dict[str, list[float | None]] = {}
    for name, section in record["sections"].items():
        for planned, score in planned_scores(name, section):
            scores.setdefault(planned.split(".")[0], []).append(score)
    out = {}
    for topic, found in sorted(scores.items()):
        reached = [s for s in found if s is not None]
        out[topic] = (len(reached), sum(reached) / len(reached) if reached else None, len(found) - len(reached))
    return out


def anything_done(record: dict) -> bool:
    """Whether the round has an answer or a grade in it (an empty round is not saved)."""
    sections = record["sections"].values()
    return any(section["items"] and (section is not record["sections"].get("coding")
                                     or section["items"][0]["grades"]) for section in sections)


def next_steps(record: dict, lang: str) -> list[str]:
    """Commands to run next: the quiz for weak topics, the questions missed, the coding task unfinished."""
    reached = [(topic, score) for topic, (_, score, _) in topic_scores(record).items() if score is not None]
    steps = [t(lang, "mock_step_quiz", topic=topic, score=_percent(score))
             for topic, score in sorted(reached, key=lambda kv: kv[1]) if score < WEAK_BELOW]
    sections = record["sections"]
    missed = sum(question_score(q) < 1 for name in ("warmup", "deep_dive") if name in sections
                 for q in questions(sections[name]))
    if missed:
        steps.append(t(lang, "mock_step_due", count=missed))
    coding = sections.get("coding", {}).get("items", [])
    if coding and not (coding[0]["verdict"] or {}).get("passed"):
        steps += [t(lang, "mock_step_grade", exercise=coding[0]["exercise"], path=coding[0]["path"]),
                  t(lang, "mock_step_hint", exercise=coding[0]["exercise"])]
    return steps or [t(lang, "mock_step_none")]


# --- the scorecard ------------------------------------------------------------------------------

def blocks(number: int, record: dict, lang: str) -> list[Block]:
    out: list[Block] = [
        ("title", t(lang, "mock_title", number=number, date=f"{_local(record):%Y-%m-%d %H:%M}",
                    minutes=record["minutes"], seed=record["seed"])),
        ("line", t(lang, "mock_topics", topics=", ".join(record["topics"]))),
    ]
    if record["ended"] != "finished":
        out.append(("line", t(lang, f"mock_ended_{record['ended']}")))
    out.append(("table", _summary_rows(record, lang)))
    sections = record["sections"]
    if "warmup" in sections:
        out += [("heading", t(lang, "mock_warmup")),
                ("bullets", [_checked(q, lang) for q in sections["warmup"]["items"]] or [t(lang, "mock_nothing")])]
    if "deep_dive" in sections:
        out += [("heading", t(lang, "mock_deep_dive")),
                ("bullets", [_probe(item, lang) for item in sections["deep_dive"]["items"]]
                 or [t(lang, "mock_nothing")])]
    if sections.get("coding", {}).get("items"):
        out += [("heading", t(lang, "mock_coding")), ("bullets", [_coding(sections["coding"]["items"][0], lang)])]
    topics = topic_scores(record)
    if topics:
        rows = [t(lang, "mock_topic_header").split("|")]
        rows += [[topic, str(count), "-" if score is None else
                  _percent(score) + (t(lang, "mock_weak") if score < WEAK_BELOW else ""), str(missed or "")]
                 for topic, (count, score, missed) in topics.items()]
        out += [("heading", t(lang, "mock_by_topic")), ("table", rows)]
    out += [("heading", t(lang, "mock_next_steps")), ("bullets", next_steps(record, lang))]
    return out


def render_list(rounds: Iterable[tuple[int, dict]], lang: str) -> str:
    """One line per round: number, start, minutes, topics, overall score, coding verdict, how it ended."""
    rows = [t(lang, "mock_list_header").split("|")]
    for number, record in rounds:
        coding = record["sections"].get("coding", {}).get("items")
        rows.append([str(number), f"{_local(record):%Y-%m-%d %H:%M}", str(record["minutes"]),
                     ", ".join(record["topics"]), _percent(overall_score(record)),
                     f"{coding[0]['exercise']} {_verdict(coding[0]['verdict'], lang)}" if coding else "-",
                     t(lang, f"mock_end_{record['ended']}")])
    return "\n".join(_aligned(rows))


def _local(record: dict) -> datetime:
    return datetime.fromisoformat(record["started_at"]).astimezone()


def _summary_rows(record: dict, lang: str) -> list[list[str]]:
    rows = [t(lang, "mock_section_header").split("|")]
    for name in SECTION_ORDER:
        section = record["sections"].get(name)
        if section is None:
            continue
        score = section_score(name, section)
        if name == "coding":
            done = _verdict(section["items"][0]["verdict"], lang) if section["items"] else "-"
        else:
            done = f"{sum(1 for _ in questions(section))}/{len(section['planned'])}"
        time = t(lang, "mock_time_of", time=_duration(section["seconds"], lang),
                 budget=_duration(section["budget_s"], lang))
        rows.append([t(lang, f"mock_{name}"), done, _percent(score),
                     time + (f" · {t(lang, 'mock_timed_out')}" if section["timed_out"] else "")])
    total = sum(section["seconds"] for section in record["sections"].values())
    rows.append([t(lang, "mock_overall"), "", _percent(overall_score(record)), _duration(total, lang)])
    return rows


def _checked(item: dict, lang: str) -> str:
    prompt = _short(item["prompt"][lang])
    if item["correct"]:
        return f"✓ {item['id']}: {prompt}"
    return f"✗ {item['id']}: {prompt}" + t(lang, "mock_you_vs_answer", response=item["response"][lang],
                                                 answer=item["answer"][lang])


def _probe(item: dict, lang: str) -> tuple[str, list[str]]:
    """A short question: its score, the candidate's answer, the key points missed, the follow-ups."""
    covered = item["covered"]
    if covered is None:
        score = t(lang, "mock_not_rated")
    else:
        score = t(lang, "mock_points", covered=len(covered), total=len(item["key_points"]))
    details = [t(lang, "mock_your_answer", text=item["text"])]
    details += [t(lang, "mock_missed_point", text=point[lang]) for i, point in enumerate(item["key_points"])
                if covered is not None and i not in covered]
    details += [_checked(q, lang) if "correct" in q else _probe(q, lang)[0] for q in item["follow_ups"]]
    return t(lang, "mock_probe", id=item["id"], score=score, prompt=_short(item["prompt"][lang])), details


def _coding(item: dict, lang: str) -> tuple[str, list[str]]:
    """The exercise and its verdict; the file, the checks failed and the diagnosis under it."""
    verdict = item["verdict"]
    details = [t(lang, "mock_coding_file", path=item["path"], grades=item["grades"], hints=item["hints"])]
    if verdict is not None:
        details += [escape_controls(verdict["message"])] if verdict["message"] else []
        details += [t(lang, "mock_failed_check", name=check_name(name, item["exercise"], lang))
                    for name, passed in verdict["checks"] if not passed]
        details += [f"[{code}] {explain(code, item['exercise'], lang)[0]}" for code in verdict["diagnosis"]]
    return f"{item['exercise']}: {_verdict(verdict, lang)}", details


def _verdict(verdict: dict | None, lang: str) -> str:
    if verdict is None:
        return t(lang, "mock_not_graded")
    checks = verdict["checks"]
    if verdict["passed"]:
        return t(lang, "mock_pass", total=len(checks))
    if verdict["status"] == "graded":
        return t(lang, "mock_fail", passed=sum(p for _, p in checks), total=len(checks))
    return t(lang, "mock_fail_status", status=verdict["status"])


def _percent(score: float | None) -> str:
    return "-" if score is None else f"{score:.0%}"


def _duration(seconds: float, lang: str) -> str:
    minutes, seconds = divmod(round(seconds), 60)
    return t(lang, "duration", minutes=minutes, seconds=seconds)


def _short(text: str, columns: int = 72) -> str:
    """The first line of `text`, cut to `columns` terminal columns."""
    line = text.strip().split("\n")[0]
    if width(line) <= columns:
        return line
    while width(line) > columns - 1:
        line = line[:-1]
    return line.rstrip() + "…"


# --- rendering ----------------------------------------------------------------------------------

def to_text(number: int, record: dict, lang: str, *, columns: int | None = None) -> str:
    lines: list[str] = []
    for kind, value in blocks(number, record, lang):
        if kind == "title":
            lines.append(f"══ {value} ══")
        elif kind == "heading":
            lines += ["", f"── {value} ──"]
        elif kind == "line":
            lines.append(fill(value, columns))
        elif kind == "table":
            lines += _aligned(value)
        else:
            for text, details in map(_split_bullet, value):
                lines.append(fill(f"  - {text}", columns, hang=4))
                lines += [fill(f"      - {detail}", columns, hang=8) for detail in details]
    return "\n".join(lines)


def to_markdown(number: int, record: dict, lang: str) -> str:
    parts: list[str] = []
    for kind, value in blocks(number, record, lang):
        if kind == "title":
            parts.append(f"# {value}")
        elif kind == "heading":
            parts.append(f"## {value}")
        elif kind == "line":
            parts.append(value)
        elif kind == "table":
            header, *rows = [[cell.replace("|", "\\|") for cell in row] for row in value]
            parts.append("\n".join([_md_row(header), _md_row(["---"] * len(header)), *map(_md_row, rows)]))
        else:
            items = []
            for text, details in map(_split_bullet, value):
                items.append(f"- {_md_line(text)}")
                items += [f"  - {_md_line(detail)}" for detail in details]
            parts.append("\n".join(items))
    return "\n\n".join(parts) + "\n"


def _split_bullet(bullet: str | tuple[str, list[str]]) -> tuple[str, list[str]]:
    return (bullet, []) if isinstance(bullet, str) else bullet


def _aligned(rows: list[list[str]]) -> list[str]:
    widths = [max(width(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  " + "  ".join(pad(cell, w) for cell, w in zip(row, widths)).rstrip() for row in rows]


def _md_row(cells: Iterable[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _md_line(text: str) -> str:
    """A list item stays on one line even when a text in it has several."""
    return text.replace("\n", " ")

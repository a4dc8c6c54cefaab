"""What a round asks (mock/plan.py): reproducible with a seed, spread over the topics, nothing twice."""
from __future__ import annotations

from collections import Counter

import pytest

from qkv.grader.catalogue import EXERCISES
from qkv.mock.plan import SECTIONS, WARMUP_TYPES, make_plan, warmup_count
from mockkit import questions
from qkv.questions import bank


@pytest.fixture(scope="module")
def loaded():
    return questions()


def _ids(plan):
    return ([q.id for q in plan.warmup], [(p.question.id, [f.id for f in p.follow_ups]) for p in plan.deep_dive],
            plan.exercise and plan.exercise.id)


def test_the_same_seed_gives_the_same_round_and_seeds_differ(loaded):
    rounds = [_ids(make_plan(loaded, minutes=45, topics=[], seed=seed)) for seed in range(8)]
    assert rounds[3] == _ids(make_plan(loaded, minutes=45, topics=[], seed=3))
    assert len({repr(r) for r in rounds}) > 1


@pytest.mark.parametrize("minutes, warmup, deep_dive", [(20, 4, 2), (30, 4, 2), (45, 5, 3), (60, 6, 3), (90, 6, 3)])
def test_section_sizes_follow_the_minutes(loaded, minutes, warmup, deep_dive):
    plan = make_plan(loaded, minutes=minutes, topics=[], seed=0)
    assert warmup_count(minutes) == warmup
    assert (len(plan.warmup), len(plan.deep_dive)) == (warmup, deep_dive)
    assert sum(plan.budget(s) for s in SECTIONS) == pytest.approx(minutes * 60)


def test_warmup_is_quick_questions_spread_over_the_topics_and_never_repeats_the_deep_dive(loaded):
    for seed in range(10):
        plan = make_plan(loaded, minutes=45, topics=[], seed=seed)
        assert {q.type for q in plan.warmup} <= set(WARMUP_TYPES)
        topics = Counter(q.topic for q in plan.warmup)
        assert set(topics) == {"attention", "masking"} and max(topics.values()) - min(topics.values()) <= 1
        deep = {q.id for p in plan.deep_dive for q in (p.question, *p.follow_ups)}
        assert not deep & {q.id for q in plan.warmup}
        assert len({q.id for q in plan.warmup}) == len(plan.warmup)


@pytest.mark.parametrize("seed", range(6))
def test_deep_dive_asks_short_questions_with_their_follow_ups_in_order_each_once(loaded, seed):
    by_id = {q.id: q for q in loaded}
    plan = make_plan(loaded, minutes=45, topics=["masking"], seed=seed)
    assert {p.question.id for p in plan.deep_dive} == {"masking.why-causal", "masking.why-padding"}
    first, second = plan.deep_dive  # both list masking.causal-count-5: only the first one asks it
    assert first.follow_ups == tuple(by_id[f] for f in first.question.follow_ups)
    assert second.follow_ups == tuple(by_id[f] for f in second.question.follow_ups if f != "masking.causal-count-5")
    assert {q.topic for q in plan.warmup} == {"masking"}


def test_the_exercise_is_the_one_asked_for_else_one_a_deep_dive_question_links_else_one_of_the_topics(loaded):
    chosen = make_plan(loaded, minutes=45, topics=["masking"], seed=0, exercise=EXERCISES["attention.mha"])
    assert chosen.exercise.id == "attention.mha"
    linked = make_plan(loaded, minutes=45, topics=["masking"], seed=0)  # why-causal links masking.causal_mask
    assert linked.exercise.id == "masking.causal_mask"
    unlinked = {make_plan(loaded, minutes=45, topics=["attention"], seed=s).exercise.id for s in range(20)}
    attention = {e.id for e in EXERCISES.values() if e.topic == "attention"}
    assert unlinked <= attention and len(unlinked) > 1


def test_a_topic_without_exercises_gets_none_and_a_topic_without_short_questions_no_deep_dive(tmp_path):
    path = tmp_path / "misc.yaml"
    path.write_text("format_version: 1\ntopic: misc\nquestions:\n  - {id: misc.q, type: true_false, difficulty: easy,"
                    " tags: [t], prompt: {en: p, zh: p}, answer: true, explanation: {en: e, zh: e}}\n")
    plan = make_plan(bank.load([path]), minutes=45, topics=["misc"], seed=0)
    assert plan.exercise is None and plan.deep_dive == () and [q.id for q in plan.warmup] == ["misc.q"]

"""Files that cannot be graded exit 2 with a message naming the file, the line and what was expected."""
from __future__ import annotations

import pytest

from qkv.grader import catalogue, runner


def write(tmp_path, text, name="solution.py"):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def load_error(exercise, path):
    with pytest.raises(runner.GradeUsageError) as info:
        runner.grade(exercise, path, max_examples=2)
    return str(info.value)


def test_missing_file(tmp_path):
    message = load_error("attention.sdpa", str(tmp_path / "nope.py"))
    assert "nope.py: no such file" in message and "qkv start attention.sdpa" in message


def test_syntax_error_names_file_and_line(tmp_path):
    path = write(tmp_path, "import torch\n\ndef scaled_dot_product_attention(q, k, v, mask=None)\n    pass\n")
    message = load_error("attention.sdpa", path)
    assert message.startswith(f"{path}:3: syntax error")


def test_missing_entry_point_lists_what_was_found(tmp_path):
    path = write(tmp_path, "def attention(q, k, v, mask=None):\n    pass\n\ndef helper():\n    pass\n")
    message = load_error("attention.sdpa", path)
    assert "no function named 'scaled_dot_product_attention'" in message
    assert "the file defines attention, helper" in message
    assert "Expected: scaled_dot_product_attention(q, k, v, mask=None)" in message


def test_wrong_signature(tmp_path):
    path = write(tmp_path, "def scaled_dot_product_attention(q, k, v, mask, scale):\n    pass\n")
    message = load_error("attention.sdpa", path)
    assert "cannot be called as scaled_dot_product_attention(q, k, v)" in message


def test_class_expected_but_function_found(tmp_path):
    path = write(tmp_path, "def MultiHeadAttention(d_model, n_heads):\n    pass\n")
    assert "MultiHeadAttention should be a class" in load_error("attention.mha", path)


def test_import_time_error_names_the_line(tmp_path):
    path = write(tmp_path, "import torch\nx = undefined_name\n")
    message = load_error("attention.sdpa", path)
    assert message.startswith(f"{path}:2: importing your file raised NameError")


def test_unknown_exercise_lists_close_matches():
    with pytest.raises(catalogue.UnknownExercise) as info:
        catalogue.get("attention.spda")
    assert "Did you mean attention.sdpa," in str(info.value)


def test_other_parameter_names_are_accepted(tmp_path):
    path = write(tmp_path, "import torch\n\ndef scaled_dot_product_attention(query, key, value, attn_mask=None):\n"
                           "    raise NotImplementedError\n")
    assert runner.grade("attention.sdpa", path, max_examples=2).status == "not-implemented"

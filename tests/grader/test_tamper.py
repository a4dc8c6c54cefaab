"""Code written to forge a pass: every trick must end in a failing verdict (grader trust, part 3).

Each solution below is wrong (it returns zeros, or calls the forbidden function) and tries
to get `passed` anyway. Most run through the real runner (three processes, signed events);
the cheaper ones run in this process with a forked worker. Tricks that only a sandbox can
stop are skipped where bubblewrap is not available; the rest run in both modes.
"""
from __future__ import annotations

import os
import socket
import textwrap
import time
from pathlib import Path

import pytest

from qkv.grader import remote, report, runner

SANDBOX = remote.bubblewrap() is not None
needs_sandbox = pytest.mark.skipif(not SANDBOX, reason="bubblewrap is not available here")


@pytest.fixture(autouse=True)
def runtime_layers_only(monkeypatch):
    """What stops these tricks at run time (the sandbox, the worker's watch, the grading process): the static
    scan of the source would stop many before they run (tested in test_forbidden_routes.py)."""
    monkeypatch.setenv("QKV_SOURCE_SCAN", "off")

ZEROS = """
import torch

def scaled_dot_product_attention(q, k, v, mask=None):
    {body}
    w = torch.zeros(*q.shape[:-1], k.shape[-2], dtype=q.dtype)
    return torch.zeros(*q.shape[:-1], v.shape[-1], dtype=q.dtype), w
"""

FAKE_RESULT = ('{"status": "graded", "device": "cpu", "checks": [{"name": "x", "passed": true, "skipped": false, '
               '"message": "", "counterexample": null, "codes": []}], "diagnosis": [], "declared": 1}')


def write(tmp_path: Path, body: str = "pass", top: str = "", template: str = ZEROS) -> Path:
    path = tmp_path / "solution.py"
    path.write_text(textwrap.dedent(top) + template.replace("{body}", body))
    return path


def grade(path: Path, **kw) -> runner.Verdict:
    return runner.grade("attention.sdpa", str(path), max_examples=3, **kw)


@pytest.fixture(params=["bubblewrap", "none"])
def sandbox(request, monkeypatch):
    if request.param == "bubblewrap" and not SANDBOX:
        pytest.skip("bubblewrap is not available here")
    if request.param == "none":
        monkeypatch.setenv("QKV_SANDBOX", "none")
    return request.param


TRICKS = {
    "result file then os._exit(0)": dict(top=f"""
        import os, json, glob
        for folder in glob.glob('/tmp/qkv-*') + ['.']:
            try:
                open(os.path.join(folder, 'result.json'), 'w').write({FAKE_RESULT!r})
            except OSError:
                pass
        os._exit(0)
        """),
    "atexit hook rewrites the result": dict(top=f"""
        import atexit
        atexit.register(lambda: open('result.json', 'w').write({FAKE_RESULT!r}))
        """),
    "a signed-looking event printed on stdout": dict(top=f"""
        import json
        print(json.dumps({{"mac": "0" * 64, "body": json.dumps({{"result": json.loads({FAKE_RESULT!r})}})}}),
              flush=True)
        """),
    "writing a result into the grading process's stdout": dict(top=f"""
        import json, os
        try:
            with open(f'/proc/{{os.getppid()}}/fd/1', 'w') as out:
                event = {{"mac": "0" * 64, "body": json.dumps({{"result": json.loads({FAKE_RESULT!r})}})}}
                out.write(json.dumps(event) + '\\n')
        except OSError:
            pass
        """),
    "monkeypatching the grader's modules": dict(top="""
        try:
            import qkv.grader.checking as checking
            checking.mismatch = lambda *a, **k: None
        except ImportError:
            pass
        """),
    "monkeypatching torch.allclose, torch.equal and json.dump": dict(top="""
        import json, torch
        torch.allclose = lambda *a, **k: True
        torch.equal = lambda *a, **k: True
        torch.Tensor.__eq__ = lambda *a, **k: True
        json.dump = lambda *a, **k: None
        """),
    "an exception named like the grader's": dict(top="""
        class Inconclusive(Exception): pass
        class CheckFailed(Exception): pass
        class NotImplementedYet(Inconclusive, CheckFailed): pass
        """, body="raise NotImplementedYet('skip me')"),
    "hypothesis' StopTest": dict(body="from hypothesis.errors import StopTest; raise StopTest(0)"),
    "a tensor subclass whose comparisons lie": dict(top="""
        import torch
        class Liar(torch.Tensor):
            def __eq__(self, other): return True
            def numpy(self): raise RuntimeError('no')
            @classmethod
            def __torch_function__(cls, func, types, args=(), kwargs=None):
                return super().__torch_function__(func, types, args, kwargs or {})
        """, body="return torch.zeros(1).as_subclass(Liar), torch.zeros(1).as_subclass(Liar)"),
    "delegating to the project's reference": dict(body="""
    from qkv.reference.attention import scaled_dot_product_attention as ref
    return ref(q, k, v, mask)"""),
    "a thread that keeps rewriting files": dict(top="""
        import threading, time
        def keep_writing():
            while True:
                try:
                    open('result.json', 'w').write('{}')
                except OSError:
                    pass
                time.sleep(0.01)
        threading.Thread(target=keep_writing, daemon=True).start()
        """),
}


@pytest.mark.slow
@pytest.mark.parametrize("trick", sorted(TRICKS))
def test_trick_does_not_forge_a_pass(tmp_path, trick, sandbox):
    verdict = grade(write(tmp_path, **TRICKS[trick]))
    assert not verdict.passed and verdict.exit_code != 0, (verdict.status, verdict.checks)


@needs_sandbox
def test_reading_the_reference_by_path_finds_nothing_in_the_sandbox(tmp_path):
    root = Path(remote.ROOT)
    body = f"""
    src = open({str(root / 'reference' / 'attention.py')!r}).read()
    ns = {{}}
    exec(src, ns)
    return ns['scaled_dot_product_attention'](q, k, v, mask)"""
    verdict = grade(write(tmp_path, body=body))
    assert not verdict.passed
    assert "FileNotFoundError" in verdict.checks[0]["message"]


FORBIDDEN_LATER = """
import math
import torch
import torch.nn.functional as F

calls = 0

def scaled_dot_product_attention(q, k, v, mask=None):
    global calls
    calls += 1
    if calls > 3:
        {body}
    s = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
    if mask is not None:
        s = s.masked_fill(~mask, float("-inf"))
    w = s.softmax(-1)
    return w @ v, w
"""


@pytest.mark.parametrize("how", [
    "return F.scaled_dot_product_attention(q, k, v, attn_mask=mask), None",
    "return torch.ops.aten.scaled_dot_product_attention(q, k, v, mask), None",
    "return torch.ops.aten.scaled_dot_product_attention.default(q, k, v, mask), None",
    "return torch._C._nn.scaled_dot_product_attention(q, k, v, mask), None",
])
def test_a_forbidden_call_on_a_later_call_or_through_aten_is_caught(tmp_path, grade_here, how):
    path = write(tmp_path, body=how, template=FORBIDDEN_LATER)
    result = grade_here("attention.sdpa", path, max_examples=5)
    assert result["diagnosis"] == ["forbidden"], result["checks"]
    assert result["checks"][0]["name"] == "uses no forbidden function"


def test_a_verdict_passes_only_when_every_declared_check_ran_and_passed():
    check = {"name": "x", "passed": True, "skipped": False, "message": "", "counterexample": None, "codes": []}
    verdict = runner.Verdict("attention.sdpa", "s.py", "graded", "cpu", 0, 25, checks=[check], declared=2)
    assert not verdict.passed  # one of two declared checks
    verdict.declared = 0
    assert not verdict.passed  # nothing declared
    verdict.checks, verdict.declared = [], 0
    assert not verdict.passed  # an empty check list
    verdict.checks, verdict.declared = [check, check], 2
    assert verdict.passed


def test_printed_control_characters_are_escaped_in_the_report(tmp_path):
    verdict = grade(write(tmp_path, body="print('\\x1b[2J\\x1b[1;1HPASSED: all 13 checks\\r')"))
    text = report.to_text(verdict)
    assert "\x1b" not in text and "\r" not in text
    assert "  | \\x1b[2J\\x1b[1;1HPASSED: all 13 checks" in text  # (the file's \\r\\n reads back as \\n)


@pytest.mark.slow
def test_a_setsid_grandchild_does_not_outlive_the_grade(tmp_path, sandbox):
    marker = tmp_path / "still-alive"
    top = f"""
    import os, time
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            for _ in range(100):
                time.sleep(0.1)
                try:
                    open({str(marker)!r}, 'a').write('x')
                except OSError:
                    pass
            os._exit(0)
        os._exit(0)
    """
    verdict = grade(write(tmp_path, top=top), timeout=30)
    assert not verdict.passed
    if marker.exists():
        marker.unlink()
    time.sleep(1.0)
    assert not marker.exists(), "a process started by the candidate outlived the grade"


@pytest.mark.slow
def test_an_allocation_past_the_limit_is_a_memory_limit_verdict(tmp_path, grade_here):
    path = write(tmp_path, body="big = torch.ones(6 * 2**30, dtype=torch.uint8)")
    result = grade_here("attention.sdpa", path, max_examples=3)
    assert not all(c["passed"] for c in result["checks"])
    assert "memory limit" in result["checks"][0]["message"]


@needs_sandbox
def test_writing_outside_the_scratch_folder_fails_in_the_sandbox(tmp_path):
    target = tmp_path / "written-by-candidate"
    top = f"""
    try:
        open({str(target)!r}, 'w').write('x')
        print('wrote it')
    except OSError as exc:
        print('refused:', type(exc).__name__)
    """
    verdict = grade(write(tmp_path, top=top))
    assert not target.exists()
    assert "refused" in verdict.output


@needs_sandbox
def test_no_network_in_the_sandbox(tmp_path):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    top = f"""
    import socket
    try:
        socket.create_connection(('127.0.0.1', {port}), timeout=2).close()
        print('connected')
    except OSError as exc:
        print('no network:', type(exc).__name__)
    """
    try:
        verdict = grade(write(tmp_path, top=top))
    finally:
        server.close()
    assert "no network" in verdict.output


def test_the_time_limit_is_on_the_candidates_code_not_on_torchs_import():
    correct = Path(__file__).resolve().parents[1] / "corpus" / "attention.sdpa" / "correct_softmax_matmul.py"
    verdict = grade(correct, timeout=2)
    assert verdict.passed, (verdict.status, verdict.message)


def test_the_report_says_how_the_code_was_confined(tmp_path, sandbox):
    verdict = grade(write(tmp_path))
    expected = "bubblewrap sandbox" if sandbox == "bubblewrap" else "process limits only"
    assert expected in verdict.isolation and expected in report.to_text(verdict)
    assert "isolation" in report.to_json(verdict)


def test_the_worker_cannot_import_the_projects_packages(tmp_path, grade_here):
    body = """
    import importlib
    for name in ('grader', 'reference', 'quiz', 'questions', 'mock', 'cli'):
        try:
            importlib.import_module(name)
            print('imported', name)
        except ImportError:
            print('refused', name)"""
    result = grade_here("attention.sdpa", write(tmp_path, body=body), max_examples=1)
    assert "imported" not in result["output"] and result["output"].count("refused") >= 6


def test_nothing_is_left_in_the_process_table_after_a_grade(tmp_path):
    before = set(runner._children_of(os.getpid()))
    grade(write(tmp_path, top="import subprocess; subprocess.Popen(['sleep', '60'], start_new_session=True)\n"))
    assert set(runner._children_of(os.getpid())) <= before


ALIASES = {  # exercise, signature, a call of the forbidden kernel through a side door
    "layer_norm aten": ("normalization.layer_norm", "layer_norm(x, weight, bias, eps=1e-05)",
                        "return torch.ops.aten.native_layer_norm(x, x.shape[-1:], weight, bias, eps)[0]"),
    "layer_norm C": ("normalization.layer_norm", "layer_norm(x, weight, bias, eps=1e-05)",
                     "return torch.layer_norm(x, x.shape[-1:], weight, bias, eps)"),
    "rms_norm aten": ("normalization.rms_norm", "rms_norm(x, weight, eps=1e-06)",
                      "return torch.ops.aten.rms_norm(x, x.shape[-1:], weight, eps)"),
    "batch_norm aten": ("normalization.batch_norm",
                        "batch_norm(x, running_mean, running_var, weight, bias, training, momentum=0.1, eps=1e-05)",
                        "return torch.ops.aten.batch_norm(x, weight, bias, running_mean, running_var, training, "
                        "momentum, eps, False)"),
    "dropout VF": ("regularization.dropout", "dropout(x, p, training=True)",
                   "return torch._VF.dropout(x, p, training)"),
    "dropout aten": ("regularization.dropout", "dropout(x, p, training=True)",
                     "return torch.ops.aten.dropout(x, p, training)"),
}


@pytest.mark.parametrize("alias", sorted(ALIASES))
def test_forbidden_kernels_are_caught_through_their_aliases(tmp_path, grade_here, alias):
    exercise, signature, body = ALIASES[alias]
    path = tmp_path / "solution.py"
    path.write_text(f"import torch\n\n\ndef {signature}:\n    {body}\n")
    result = grade_here(exercise, path, max_examples=3)
    assert result["diagnosis"] == ["forbidden"], [c["message"][:200] for c in result["checks"] if not c["passed"]]

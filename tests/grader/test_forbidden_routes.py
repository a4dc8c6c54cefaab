"""Side doors to a forbidden function (grader trust): each forged solution in tests/grader/forged/ calls what
its exercise forbids, or blinds the worker's watch, and would pass otherwise. Two layers must each stop
it: the static scan of the source in the grading process (grader/source_scan.py), and, with the scan
turned off (QKV_SOURCE_SCAN=off), the worker's watch itself wherever the worker alone can (a helper
process it never sees is the scan's alone). The scan must reject no correct solution of the corpus.
"""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from qkv.grader import catalogue, source_scan

FORGED = Path(__file__).resolve().parent / "forged"
CORPUS = Path(__file__).resolve().parents[1] / "corpus"
ROUTES = sorted(FORGED.glob("*.py"))

# With the scan off: what the worker's watch makes of each route ("forbidden", or the check a blinded
# device watch would have passed); None: only the scan stops it.
AT_RUN_TIME = {
    "attention.sdpa__mha_forward_for_sdpa": "forbidden",
    "attention.sdpa__wrapped_sdpa": "forbidden",  # (it crashed the worker: a segfault, not a verdict)
    "attention.sdpa__wrapped_sdpa_without_modes": "forbidden",
    "masking.padding_mask__patch_device_watch": "device",
    "masking.padding_mask__patch_worker_class": "device",
    "normalization.rms_norm__closure_original": "forbidden",
    "normalization.rms_norm__patch_watch_trip": "forbidden",
    "normalization.rms_norm__subprocess_helper": None,
    "normalization.rms_norm__wrapped_rms_norm_without_modes": "forbidden",
    "regularization.l1_l2_step__functional_sgd": "forbidden",
    "regularization.l1_l2_step__subclass_sgd": "forbidden",
    # red team s15
    "masking.padding_mask__rewrite_reply": "device",  # the worker's reply path is bound before candidate code
    "normalization.batch_norm__decomp_table": None,  # pure Python over plain ops: the scan's alone
    "normalization.layer_norm__closure_counter": "forbidden",  # no counter to zero, no original to take
    "normalization.layer_norm__group_norm": "forbidden",
    "normalization.layer_norm__rewrite_reply_inplace": "inplace",
    "regularization.dropout__refs_dropout": None,
    "regularization.label_smoothing__c_alias_by_position": "forbidden",  # the function mode reads its 6th argument
    # red team s15, second
    "masking.masked_softmax__patch_tensor_numpy": "inplace",  # the reply encoder's methods are bound beforehand
    "normalization.layer_norm__computed_names": None,  # the modes popped and pushed back within one call
    "normalization.rms_norm__thread_op": None,  # torch's modes are thread-local
    "regularization.dropout__thread_vf": None,
    "regularization.l1_l2_step__fused_sgd_kernel": "forbidden",
    "regularization.l1_l2_step__patch_tensor_detach": "inplace",
    "regularization.label_smoothing__aten_packet_by_position": "forbidden",  # the packet reads its 6th argument
}


def exercise_of(path: Path) -> str:
    return path.stem.partition("__")[0]


def test_every_route_is_listed():
    assert sorted(AT_RUN_TIME) == [p.stem for p in ROUTES]


@pytest.mark.parametrize("path", ROUTES, ids=lambda p: p.stem)
def test_the_scan_stops_the_route_before_it_runs(path, grade_here):
    result = grade_here(exercise_of(path), path, max_examples=3)
    assert result["diagnosis"] == ["forbidden"], result["checks"]
    check, = result["checks"]
    assert check["name"] == "uses no forbidden function" and check["message"].startswith("Line "), check
    assert not result["output"]  # nothing of it ran


@pytest.mark.parametrize("path", [p for p in ROUTES if AT_RUN_TIME[p.stem]], ids=lambda p: p.stem)
def test_the_worker_stops_the_route_without_the_scan(path, grade_here, monkeypatch):
    monkeypatch.setenv("QKV_SOURCE_SCAN", "off")
    result = grade_here(exercise_of(path), path, max_examples=3)
    assert result["status"] == "graded", result
    assert AT_RUN_TIME[path.stem] in result["diagnosis"], [c["message"][:300] for c in result["checks"]]
    if AT_RUN_TIME[path.stem] == "forbidden":
        assert result["checks"][0]["message"].startswith("Your code called "), result["checks"]


def test_the_worker_keeps_its_watch_out_of_reach(tmp_path, grade_here, monkeypatch):
    """No __wrapped__ and no way back to the worker's globals from a tripwire; __main__ is not the worker."""
    monkeypatch.setenv("QKV_SOURCE_SCAN", "off")
    path = tmp_path / "solution.py"
    path.write_text(textwrap.dedent("""\
        import sys
        import torch
        import torch.nn.functional as F

        print("wrapped:", hasattr(torch.rms_norm, "__wrapped__"), hasattr(F.rms_norm, "__wrapped__"))
        print("globals:", sorted(torch.rms_norm.__globals__))
        print("main:", sorted(n for n in vars(sys.modules["__main__"]) if not n.startswith("__")))


        def rms_norm(x, weight, eps=1e-6):
            h = x.to(torch.promote_types(x.dtype, torch.float32))  # float16 squares overflow past 256
            return (h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + eps)).type_as(x) * weight
        """))
    result = grade_here("normalization.rms_norm", path, max_examples=3)
    assert "wrapped: False False" in result["output"], result["output"]
    assert "globals: ['__builtins__']" in result["output"], result["output"]
    assert "main: []" in result["output"], result["output"]
    assert all(c["passed"] for c in result["checks"]), result["checks"]


WATCH_IN_A_FRESH_PROCESS = """
import sys, torch
sys.path.insert(0, {grader!r})
import worker
from qkv.grader.forbid import ATEN_BACKENDS
sdpa = torch._C._nn.scaled_dot_product_attention  # the C function, taken before any tripwire
aten = list(ATEN_BACKENDS["torch.nn.functional.scaled_dot_product_attention"])
watch = worker._watch([], aten, aten)  # the dispatch mode and the op packets only
q, k, v = (torch.randn(3, 2, 5, 4, requires_grad=True) for _ in range(3))
try:
    with watch.watching():
        sdpa(q, k, v)  # 4-D with gradients: the flash kernel, dispatched to the mode through torch's C++
    print("not caught")
except worker.Forbidden as exc:
    print("forward:", exc.name)
backward = worker._watch([], ["mul"], ["mul"])  # an op that only the backward pass of exp() runs
x = torch.randn(3, requires_grad=True)
y = x.exp().sum()
try:
    with backward.watching():
        torch.autograd.grad(y, [x])
    print("not caught")
except BaseException as exc:
    print("backward:", type(exc).__name__, backward.tripped())
"""


def test_a_forbidden_op_in_the_dispatch_mode_is_a_verdict_not_a_segfault():
    """The packets once were stand-in objects, which torch's C++ fetched back and crashed on."""
    grader = Path(__file__).resolve().parents[2] / "grader"
    done = subprocess.run([sys.executable, "-c", WATCH_IN_A_FRESH_PROCESS.format(grader=str(grader))],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "forward: torch.ops.aten._scaled_dot_product_flash_attention_for_cpu" in done.stdout, done.stdout
    assert "backward: Forbidden torch.ops.aten.mul" in done.stdout, done.stdout


# --- the scan on its own (no torch, no worker) ------------------------------------------------------------

FLAGGED = {  # exercise, source, what the message must name
    "getattr literal": ("attention.sdpa",
                        "import torch.nn.functional as F\nf = getattr(F, 'scaled_dot_product_attention')",
                        "Line 2 of your code names torch.nn.functional.scaled_dot_product_attention"),
    "C alias": ("attention.sdpa", "import torch\ntorch._C._nn.scaled_dot_product_attention", "torch._C._nn.scaled_dot"),
    "aten backend": ("attention.sdpa", "from torch import ops\nops.aten._scaled_dot_product_flash_attention_for_cpu",
                     "torch.ops.aten._scaled_dot_product_flash_attention_for_cpu"),
    "mha for sdpa": ("attention.sdpa", "from torch import nn\nm = nn.MultiheadAttention(4, 1)",
                     "torch.nn.MultiheadAttention"),
    "from import": ("regularization.l1_l2_step", "from torch.optim.sgd import sgd", "torch.optim.sgd"),
    "optim module alias": ("regularization.l1_l2_step", "import torch\nopt = torch.optim\nopt.SGD", "torch.optim"),
    "vars lookup": ("normalization.rms_norm", "import torch\nf = vars(torch)['rms_norm']", "torch.rms_norm"),
    "keyword form": ("regularization.label_smoothing",
                     "import torch.nn.functional as F\nF.cross_entropy(x, t, label_smoothing=s)",
                     "torch.nn.functional.cross_entropy(label_smoothing=...)"),
    "__wrapped__": ("masking.padding_mask", "x = f.__wrapped__", "uses __wrapped__"),
    "mode helpers": ("masking.padding_mask", "from torch.overrides import _pop_mode", "_pop_mode"),
    "disable torch function": ("masking.padding_mask", "import torch\nwith torch._C.DisableTorchFunction(): pass",
                               "DisableTorchFunction"),
    "sys.modules main": ("masking.padding_mask", "import sys\nw = sys.modules['__main__']", "Line 2"),
    "import __main__": ("masking.padding_mask", "import __main__", "uses __main__"),
    "subprocess": ("masking.padding_mask", "from subprocess import Popen", "uses subprocess"),
    "os.system": ("masking.padding_mask", "import os\nos.system('true')", "os.system"),
    "os.exec": ("masking.padding_mask", "import os\nos.execv('/bin/true', ['true'])", "os.execv"),
    "multiprocessing": ("masking.padding_mask", "import torch.multiprocessing as mp", "torch.multiprocessing"),
    "ctypes": ("masking.padding_mask", "import ctypes", "ctypes"),
    "computed import": ("masking.padding_mask", "import importlib\nm = importlib.import_module(input())",
                        "a computed name"),
    "import of a folded name": ("masking.padding_mask",
                                "import importlib\nm = importlib.import_module('sub' + 'process')", "subprocess"),
    # strings built from constants are what they build (red team s15: getattr(f, "__clo" + "sure__"))
    "closure by pieces": ("normalization.layer_norm", "cells = getattr(f, '__clo' + 'sure__')", "'__closure__'"),
    "cell by a name bound once": ("normalization.layer_norm", "C = 'cell_' + 'contents'\nv = getattr(c, C)",
                                  "'cell_contents'"),
    "f-string and join": ("normalization.layer_norm", "a = 'clo'\nb = f'__{a}sure__'\nc = ''.join(['f_', 'back'])",
                          "'__closure__'"),
    "reversed word": ("normalization.layer_norm", "w = '__erusolc__'[::-1]", "'__closure__'"),
    "forbidden function by pieces": ("normalization.rms_norm", "import torch.nn.functional as F\n"
                                     "f = getattr(F, 'rms' + '_norm')", "torch.nn.functional.rms_norm"),
    "torch's C aliases": ("regularization.label_smoothing", "import torch\n"
                          "torch._C._nn.cross_entropy_loss(x, t, None, 1, -100, 0.1)", "torch._C._nn"),
    "torch's references": ("regularization.dropout", "import torch._refs.nn.functional as R", "torch._refs"),
    "torch's decompositions": ("normalization.batch_norm", "from torch._decomp import decomposition_table",
                               "torch._decomp"),
    "torch's prims": ("normalization.layer_norm", "import torch._prims_common as P", "torch._prims_common"),
    "label smoothing by position": ("regularization.label_smoothing", "import torch.nn.functional as F\n"
                                    "F.cross_entropy(x, t, None, None, -100, None, 'mean', 0.1)",
                                    "label_smoothing"),
    "label smoothing unpacked": ("regularization.label_smoothing", "import torch.nn.functional as F\n"
                                 "F.cross_entropy(x, t, **{'label_' + 'smoothing': 0.1})", "label_smoothing"),
    "group norm for layer norm": ("normalization.layer_norm", "import torch\ny = torch.group_norm(x, 1)",
                                  "torch.group_norm"),
    "instance norm for batch norm": ("normalization.batch_norm", "import torch.nn.functional as F\n"
                                     "y = F.instance_norm(x)", "instance_norm"),
    "the worker's socket": ("masking.padding_mask", "import socket\nsocket.socket.sendall = f", "socket"),
    "json patched": ("normalization.layer_norm", "import json\njson.dumps = lambda o, **k: '{}'", "json.dumps ="),
    "struct patched": ("normalization.layer_norm", "import struct as s\nsetattr(s, 'pack', f)", "setattr()"),
    "a descriptor written": ("masking.padding_mask", "import os\nos.write(3, b'x')", "os.write"),
    "literal import": ("masking.padding_mask", "import importlib\nm = importlib.import_module('subprocess')",
                       "subprocess"),
    "exec": ("masking.padding_mask", "exec('x = 1')", "exec()"),
    "frames": ("masking.padding_mask", "import sys\nf = sys._getframe(1)", "uses _getframe"),
    "frame globals": ("masking.padding_mask", "f = frame.f_back.f_globals", "uses f_"),
    "subclasses": ("masking.padding_mask", "ws = object.__subclasses__()", "__subclasses__"),
    # red team s15, second
    "aten packet by position": ("regularization.label_smoothing",
                                "import torch\ntorch.ops.aten.cross_entropy_loss(x, t, None, 1, -100, s)",
                                "torch.ops.aten.cross_entropy_loss(label_smoothing=...)"),
    "aten overload by keyword": ("regularization.label_smoothing", "from torch import ops\n"
                                 "ops.aten.cross_entropy_loss.default(x, t, label_smoothing=0.1)", "label_smoothing"),
    "getattr of a computed name on torch": ("normalization.rms_norm", "import torch\nf = getattr(torch.ops.aten, n)",
                                            "getattr() of a computed name on torch.ops.aten"),
    "hasattr of a computed name": ("normalization.rms_norm", "import torch.nn.functional as F\nok = hasattr(F, n)",
                                   "a computed name"),
    "getattr on torch._C through a helper": ("normalization.layer_norm", "import torch\nC = torch._C\n"
                                             "def r(s):\n    return s[::-1]\nf = getattr(C, r('pop_'))",
                                             "Line 5 of your code uses getattr() of a computed name on torch._C"),
    "vars of a computed name": ("normalization.rms_norm", "import torch\nf = vars(torch._VF)[n]", "vars(torch._VF)"),
    "__dict__ of a computed name": ("normalization.rms_norm", "import torch\nf = torch.Tensor.__dict__[n]",
                                    "torch.Tensor.__dict__"),
    "getattr as a value": ("normalization.rms_norm", "import functools\nimport torch\n"
                           "f = functools.reduce(getattr, names, torch)", "getattr passed as a value"),
    "attrgetter of a computed name": ("normalization.rms_norm", "import operator\nf = operator.attrgetter(n)",
                                      "operator.attrgetter() of a computed name"),
    "threading": ("normalization.rms_norm", "import threading", "another thread"),
    "_thread": ("regularization.dropout", "from _thread import start_new_thread", "another thread"),
    "thread pool": ("attention.sdpa", "from concurrent.futures import ThreadPoolExecutor", "another thread"),
    "asyncio": ("attention.sdpa", "import asyncio\nasyncio.to_thread(f)", "another thread"),
    "process pool": ("attention.sdpa", "from concurrent.futures.process import ProcessPoolExecutor",
                     "another process"),
    "a tensor method patched": ("regularization.l1_l2_step", "import torch\ntorch.Tensor.detach = f",
                                "torch.Tensor.detach ="),
    "a tensor method set": ("masking.masked_softmax", "import torch\nsetattr(torch.Tensor, 'numpy', f)",
                            "changes torch.Tensor's methods"),
    "a tensor base method deleted": ("masking.masked_softmax", "from torch._C import TensorBase\n"
                                     "del TensorBase.clone", "changes torch.Tensor's methods"),
    "a fused optimizer kernel": ("regularization.l1_l2_step", "import torch\ntorch._fused_adamw_(ps, gs)",
                                 "torch._fused_adamw_"),
    "a fused kernel's aten packet": ("regularization.l1_l2_step", "import torch\ntorch.ops.aten._fused_sgd_(ps, gs)",
                                     "_fused_sgd_"),
}


@pytest.mark.parametrize("case", sorted(FLAGGED))
def test_the_scan_flags(case):
    exercise, source, expected = FLAGGED[case]
    finding = source_scan.scan(source, catalogue.get(exercise).forbidden)
    assert finding is not None and expected in finding.message(), finding and finding.message()


CLEAN = {  # what honest solutions do write
    "its own function of the forbidden name": ("attention.sdpa", "def scaled_dot_product_attention(q, k, v):\n"
                                               "    return scaled_dot_product_attention(q, k, v)"),
    "the main guard": ("masking.padding_mask", "if __name__ == '__main__':\n    print(1)"),
    "its own module": ("masking.padding_mask",
                       "import sys\nme = sys.modules[__name__]\nok = 'torch' in sys.modules"),
    "eval mode and compiled regexes": ("masking.padding_mask", "import re\nm.eval()\nr = re.compile('x')"),
    "plain cross entropy": ("regularization.label_smoothing", "import torch.nn.functional as F\n"
                            "F.cross_entropy(x, t)\nF.cross_entropy(x, t, label_smoothing=0.0)"),
    "sdpa inside mha": ("attention.mha", "import torch.nn.functional as F\nF.scaled_dot_product_attention(q, k, v)"),
    "a docstring naming it": ("attention.sdpa",
                              "def f():\n    '''Like torch.nn.functional.scaled_dot_product_attention'''"),
    "a syntax error": ("attention.sdpa", "def f(:\n"),
    "no smoothing by position": ("regularization.label_smoothing", "import torch.nn.functional as F\n"
                                 "F.cross_entropy(x, t, None, None, -100, None, 'mean', 0.0)"),
    "names built from pieces": ("attention.mha", "n = 'w_' + 'q'\nw = getattr(self, n)\nk = f'{n}_proj'"),
    "a module's own attribute": ("masking.padding_mask", "import torch\nimport sys\ntorch.x = 1\nx = sys.maxsize"),
    "getattr on its own objects": ("attention.mha", "import torch\nw = getattr(self, f'w_{n}')\n"
                                   "m = getattr(module, name)\nsetattr(self, name, torch.nn.Parameter(w))\n"
                                   "ok = hasattr(x, name)\nd = getattr(torch, 'float32')"),
    "aten cross entropy without smoothing": ("regularization.label_smoothing", "import torch\n"
                                             "torch.ops.aten.cross_entropy_loss(x, t, None, 1, -100, 0.0)"),
}


@pytest.mark.parametrize("case", sorted(CLEAN))
def test_the_scan_leaves_alone(case):
    exercise, source = CLEAN[case]
    finding = source_scan.scan(source, catalogue.get(exercise).forbidden)
    assert finding is None, finding.message()


def test_the_scan_rejects_no_correct_solution_and_every_forbidden_one_in_the_corpus():
    correct = wrong = 0
    for path in sorted(CORPUS.glob("*/*.py")):
        first = path.read_text().splitlines()[0]
        finding = source_scan.scan(path.read_text(), catalogue.get(path.parent.name).forbidden)
        if first == "# expect: pass":
            correct += 1
            assert finding is None, f"{path}: {finding.message()}"
        elif "forbidden" in first.split():
            wrong += 1
            assert finding is not None, f"{path}: not flagged"
    assert correct >= 3 * len(catalogue.EXERCISE_IDS) and wrong >= 10


def test_a_forbidden_name_in_a_main_demo_is_still_flagged_and_the_message_says_why():
    demo = ("import torch\nimport torch.nn.functional as F\n\n\ndef layer_norm(x, weight, bias, eps=1e-5):\n"
            "    return x\n\n\nif __name__ == '__main__':\n    x = torch.randn(2, 3)\n"
            "    print(F.layer_norm(x, (3,)))\n")
    finding = source_scan.scan(demo, catalogue.get("normalization.layer_norm").forbidden)
    assert finding is not None and finding.line == 11 and finding.in_demo
    assert "if __name__ == \"__main__\":` block, which grading never runs" in finding.message()
    elsewhere = source_scan.scan(demo.replace("    return x", "    return F.layer_norm(x, (3,))"),
                                 catalogue.get("normalization.layer_norm").forbidden)
    assert elsewhere.line == 6 and not elsewhere.in_demo and "never runs" not in elsewhere.message()


def test_the_scan_does_not_import_torch():
    code = "import sys; from qkv.grader import source_scan; source_scan.scan('import torch', ()); " \
           "print('torch' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "False", done.stderr


def test_a_scanned_route_fails_through_the_real_runner():
    from qkv.grader import report, runner

    path = FORGED / "normalization.rms_norm__subprocess_helper.py"
    verdict = runner.grade("normalization.rms_norm", str(path), max_examples=3)
    assert not verdict.passed and verdict.exit_code != 0 and verdict.status == "graded"
    assert "Line 4 of your code uses subprocess" in report.to_text(verdict)

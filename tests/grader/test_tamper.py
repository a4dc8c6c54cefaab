"""Code written to forge a pass: every trick must end in a failing verdict (grader trust, part 3).

Each solution below is wrong (it returns zeros, or calls the forbidden function) and tries
to get `passed` anyway. Most run through the real runner (three processes, signed events);
the cheaper ones run in this process with a forked worker. Tricks that only a sandbox can
stop are skipped where bubblewrap is not available; the rest run in both modes.
"""
from __future__ import annotations

import contextlib
import os
import signal
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


# --- what the worker can do to the grading process's files, frames and key, and to the machine -----------
# (the source scan would refuse most of these files before they run: these are tests of the layers behind it)

@pytest.fixture
def no_source_scan(monkeypatch):
    monkeypatch.setenv("QKV_SOURCE_SCAN", "off")

@contextlib.contextmanager
def deadline(seconds: int):
    """Fail (TimeoutError) instead of hanging the test suite when a grade never ends."""
    def expire(*_):
        raise TimeoutError(f"the grade was still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


REFERENCE = Path(remote.ROOT) / "reference" / "attention.py"
OUTPUT_SWAPS = {  # the worker's output file, which the grading process reads for "Output from your code"
    "a symlink to the reference": f"os.remove('output.txt'); os.symlink({str(REFERENCE)!r}, 'output.txt')",
    "a FIFO nobody writes": "os.remove('output.txt'); os.mkfifo('output.txt')",
}


def _swap_output(how: str) -> str:
    return f"import os\nprint('before the swap', flush=True)\n{OUTPUT_SWAPS[how]}\nprint('after the swap', flush=True)\n"


@pytest.mark.parametrize("how", sorted(OUTPUT_SWAPS))
@pytest.mark.usefixtures("no_source_scan")
def test_the_output_file_is_read_through_the_grading_process_own_descriptor(tmp_path, grade_here, how):
    with deadline(120):
        result = grade_here("attention.sdpa", write(tmp_path, top=_swap_output(how)), max_examples=1)
    assert "before the swap" in result["output"] and "after the swap" in result["output"]
    assert REFERENCE.read_text()[-300:] not in result["output"]


@pytest.mark.slow
@pytest.mark.parametrize("how", sorted(OUTPUT_SWAPS))
@pytest.mark.usefixtures("no_source_scan")
def test_the_output_file_of_a_launched_worker_is_not_read_by_path(tmp_path, how, sandbox):
    with deadline(180):
        verdict = grade(write(tmp_path, top=_swap_output(how)))
    assert "before the swap" in verdict.output and "after the swap" in verdict.output
    assert REFERENCE.read_text()[-300:] not in verdict.output


WORKER_SOCKETS = """
import os, socket, stat, struct, time, json

def worker_sockets():
    for name in os.listdir('/proc/self/fd'):
        try:
            if stat.S_ISSOCK(os.fstat(int(name)).st_mode):
                yield socket.socket(fileno=os.dup(int(name)))
        except OSError:
            pass
"""
FRAMES = {  # written on the worker's socket in place of a reply
    "the start of a frame, then silence": "struct.pack('<QQ', 100, 0)",
    "a frame that announces a terabyte": "(lambda head: struct.pack('<QQ', len(head), 1 << 40) + head)("
                                         "json.dumps({'blobs': [1 << 40]}).encode())",
}


@pytest.mark.parametrize("frame", sorted(FRAMES))
@pytest.mark.usefixtures("no_source_scan")
def test_a_reply_frame_is_bounded_in_time_and_size(tmp_path, grade_here, frame):
    body = f"""
    for s in worker_sockets():
        s.sendall({FRAMES[frame]})
    time.sleep(600)"""
    started = time.monotonic()
    with deadline(120):
        result = grade_here("attention.sdpa", write(tmp_path, top=WORKER_SOCKETS, body=body), max_examples=1,
                            timeout=5)
    assert time.monotonic() - started < 60
    if "terabyte" in frame:
        assert result["status"] == "crashed" and "memory limit" in result["error"], result
    else:
        assert result["status"] == "timeout", result


STEAL_KEY = """
import hashlib, hmac, json, os, re

def keys_of(pid):
    found = set()
    with open(f'/proc/{pid}/maps') as maps, open(f'/proc/{pid}/mem', 'rb', 0) as mem:
        for line in maps:
            span, perms = line.split()[:2]
            low, high = (int(x, 16) for x in span.split('-'))
            if perms.startswith('rw') and high - low < 256 << 20:
                try:
                    mem.seek(low)
                    found.update(m.group(1).decode() for m in re.finditer(rb'"key": "([0-9a-f]{64})"',
                                                                           mem.read(high - low)))
                except (OSError, OverflowError):
                    pass
    return found

check = {"name": "x", "passed": True, "skipped": False, "message": "", "counterexample": None, "codes": []}
body = json.dumps({"result": {"status": "graded", "device": "cpu", "checks": [check], "diagnosis": [],
                              "output": "", "declared": 1}})
try:
    keys = keys_of(os.getppid())
    print('read the memory of the grading process:', len(keys), 'keys', flush=True)
    for fd in os.listdir(f'/proc/{os.getppid()}/fd'):
        if os.readlink(f'/proc/{os.getppid()}/fd/{fd}').startswith('pipe:'):
            with open(f'/proc/{os.getppid()}/fd/{fd}', 'w') as pipe:
                for key in keys:
                    for event in (json.dumps({"done": check}), body):
                        mac = hmac.new(bytes.fromhex(key), event.encode(), hashlib.sha256).hexdigest()
                        pipe.write(json.dumps({"mac": mac, "body": event}) + '\\n')
except OSError as exc:
    print('no access:', type(exc).__name__, flush=True)
"""


@pytest.mark.slow
@pytest.mark.usefixtures("no_source_scan")
def test_the_key_cannot_be_read_out_of_the_grading_process_without_a_sandbox(tmp_path, monkeypatch):
    monkeypatch.setenv("QKV_SANDBOX", "none")
    with deadline(300):
        verdict = grade(write(tmp_path, top=STEAL_KEY))
    assert not verdict.passed and verdict.exit_code != 0, (verdict.status, verdict.checks)
    assert "no access" in verdict.output, verdict.output
    if os.geteuid() == 0:  # as root without a sandbox, not every door can be shut: the report says so
        assert "root" in verdict.isolation and "root" in report.to_text(verdict)


@needs_sandbox
@pytest.mark.slow
@pytest.mark.usefixtures("no_source_scan")
def test_the_sandbox_tmpfs_mounts_are_bounded_by_the_memory_limit(tmp_path):
    top = f"""
    import os
    for folder in ('/tmp', '/dev/shm', '/dev', '/run', {str(remote.ROOT)!r}):
        written, block = 0, b'x' * (1 << 20)
        try:
            for i in range(12):  # 12 files of 16 MiB (each under the file-size limit)
                with open(os.path.join(folder, f'fill-{{i}}'), 'wb') as f:
                    for _ in range(16):
                        f.write(block)
                        written += len(block)
        except OSError:
            pass
        print('wrote', written >> 20, 'MiB in', folder, flush=True)
    """
    with deadline(300):
        verdict = grade(write(tmp_path, top=top), memory_gib=0.5)
    lines = [line.split() for line in verdict.output.splitlines() if line.startswith("wrote ")]
    assert len(lines) == 5, verdict.output
    assert all(int(words[1]) <= 64 for words in lines), verdict.output


@pytest.mark.usefixtures("no_source_scan")
def test_the_worker_has_a_process_limit_where_the_kernel_enforces_one(tmp_path, grade_here):
    body = "import resource; print('processes', resource.getrlimit(resource.RLIMIT_NPROC)[0])"
    result = grade_here("attention.sdpa", write(tmp_path, body=body), max_examples=1)
    limit = int(result["output"].split("processes", 1)[1].split()[0])
    if os.getuid() != 0:
        assert 0 < limit < 1 << 20, result["output"]
    else:  # RLIMIT_NPROC binds no process of root's: the report says there is no such limit
        assert "no limit on the number of processes" in result["isolation"], result["isolation"]


@needs_sandbox
@pytest.mark.usefixtures("no_source_scan")
def test_no_local_socket_is_reachable_from_the_sandbox(tmp_path):
    folders = [Path.home() / ".cache"] + [Path(p) for p in ("/run", "/var/run") if os.access(p, os.W_OK)]
    servers, paths = [], []
    try:
        for folder in folders:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"qkv-test-{os.getpid()}-{len(paths)}.sock"
            server = socket.socket(socket.AF_UNIX)
            server.bind(str(path))
            server.listen(1)
            servers.append(server)
            paths.append(str(path))
        top = f"""
        import socket
        for path in {paths!r}:
            try:
                socket.socket(socket.AF_UNIX).connect(path)
                print('connected to', path)
            except OSError as exc:
                print('refused:', type(exc).__name__)
        """
        verdict = grade(write(tmp_path, top=top))
    finally:
        for server in servers:
            server.close()
        for path in paths:
            with contextlib.suppress(OSError):
                os.unlink(path)
    assert "connected" not in verdict.output and verdict.output.count("refused") == len(paths), verdict.output


HOPPER = """
import os, sys, time
marker = {marker}
if os.fork() == 0:  # in a session of its own, so not killed with the worker's
    os.setsid()
    os.execv(sys.executable, [sys.executable, '-S', '-c', '''
import os, sys, time
born, last = time.time(), 0.0
while time.time() - born < 20:  # a process that keeps moving to a new pid (bounded, for the test's sake)
    if os.fork():
        os._exit(0)
    if time.time() - last > 0.2:
        last = time.time()
        try:
            open(sys.argv[1], 'a').write('x')
        except OSError:
            pass
os._exit(0)
''', marker])
"""
SLEEPER = """
hold = b'x' * (256 << 20)  # memory that takes the worker a while to give back when it is killed
if os.fork() == 0:  # in a session of its own too, and still the worker's child while the worker is dying
    del hold
    os.setsid()
    for _ in range(200):
        time.sleep(0.1)
        try:
            open(marker, 'a').write('s')
        except OSError:
            pass
    os._exit(0)
"""


def _still_writing(marker: Path) -> bool:
    assert marker.exists(), "the processes to sweep did not run"
    marker.unlink()
    time.sleep(1.5)
    return marker.exists()


@pytest.mark.slow
@pytest.mark.usefixtures("no_source_scan")
def test_a_process_that_keeps_forking_does_not_outlive_the_grade(tmp_path, monkeypatch):
    monkeypatch.setenv("QKV_SANDBOX", "none")  # under bubblewrap its pid namespace ends with the worker
    marker = tmp_path / "hopper-marker"
    verdict = grade(write(tmp_path, top=HOPPER.format(marker=repr(str(marker)))), timeout=30)
    assert not verdict.passed
    assert not _still_writing(marker), "a process that keeps forking outlived the grade"


@pytest.mark.usefixtures("no_source_scan")
def test_a_process_that_keeps_forking_does_not_outlive_the_grade_in_the_zygote(tmp_path, grade_here):
    # the zygote serves every grade of `qkv watch` from one sandbox: what a grade leaves there would run on;
    # the marker goes beside the worker's scratch folder (the zygote's folder, writable in its sandbox)
    top = HOPPER.format(marker="os.path.join(os.path.dirname(os.getcwd()), 'hopper')") + SLEEPER
    result = grade_here("attention.sdpa", write(tmp_path, top=top), max_examples=1)
    assert not all(c["passed"] for c in result["checks"])
    assert not _still_writing(remote._zygote.base / "hopper"), "a process that keeps forking outlived the grade"


@pytest.mark.usefixtures("no_source_scan")
def test_a_module_planted_beside_the_scratch_folder_is_not_what_a_later_worker_imports(tmp_path, grade_here):
    """Red team s15 (h11a): the zygote's folder, the script's own and so sys.path[0] of every forked worker, is
    writable from its workers; a resource.py planted there ran in the next worker before its limits."""
    plant = ("import os\nopen(os.path.join(os.path.dirname(os.getcwd()), 'resource.py'), 'w')"
             ".write('print(\"PLANTED\")\\nfrom _resource_missing import *\\n')\n")
    grade_here("attention.sdpa", write(tmp_path, top=plant), max_examples=1)
    assert (remote._zygote.base / "resource.py").exists()
    try:
        look = ("import os, sys\nprint('ON PATH:', any(os.path.realpath(p or '.') == os.path.realpath('..') "
                "for p in sys.path))\n")
        (tmp_path / "later").mkdir()
        result = grade_here("attention.sdpa", write(tmp_path / "later", top=look), max_examples=1)
        assert result["status"] == "graded" and "ON PATH: False" in result["output"], result
        assert "PLANTED" not in result["output"]
    finally:
        (remote._zygote.base / "resource.py").unlink()


def test_a_stopped_zygote_is_an_error_and_a_fresh_zygote_not_a_hang(tmp_path):
    """Red team s15 (h11c): a worker stopped its parent, the zygote (SIGSTOP); the grading process waited on its
    answer for ever. And a zygote killed before its atexit ran left its folder: the next one removes it."""
    import subprocess
    import sys

    import torch

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    orphan = Path(remote.tempfile.gettempdir()) / f"qkv-zygote-{gone.pid}-test"
    orphan.mkdir(exist_ok=True)
    zygote = remote.Zygote(torch.device("cpu"))
    try:
        assert not orphan.exists(), "the folder of a zygote whose process is gone was left"
        from qkv.grader.worker import children_of

        stopped, frontier = [], [zygote.process.pid]  # bubblewrap and the zygote under it
        while frontier:
            stopped += frontier
            frontier = [child for pid in frontier for child in children_of(pid)]
        for pid in stopped:
            os.kill(pid, signal.SIGSTOP)
        started = time.monotonic()
        with pytest.raises(remote.ZygoteGone):
            zygote.wait(os.getpid(), 1)
        assert time.monotonic() - started < 30
        assert not zygote.alive() and not zygote.base.exists()
    finally:
        zygote.close()

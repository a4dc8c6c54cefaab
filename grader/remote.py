"""The grading process's side of the worker (grader/worker.py): start it in a sandbox with
limits, send it calls, turn its replies back into tensors (grading process only: imports torch).

Candidate code runs in the worker only. What comes back is data: plain tensors rebuilt
from raw bytes, numbers, strings, and handles to objects that stay in the worker. A
call's own time is bounded by `timeout`; the worker's torch import and the grader's
work are not. Calls that need gradients go through `_RemoteCall`, an autograd Function
whose backward asks the worker for the gradients of its inputs.
"""
from __future__ import annotations

import atexit
import contextlib
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import torch

from qkv.grader import forbid
from qkv.grader.forbid import ATEN_BACKENDS, NAMED_BACKENDS
from qkv.grader.sandbox import (DEFAULT_MEMORY, ROOT, WORKER_SOURCE, Launched, bubblewrap,  # noqa: F401 - re-exported
                            die_with_parent, launch, limits_for, open_output, python_command, sandbox_command,
                            worker_environment)
from qkv.grader.worker import FrameTooLarge, decode_tensor, encode_tensor, receive, send

START_LIMIT = 300.0  # seconds for the worker to import torch: not the candidate's time
OUTPUT_LIMIT = 4000  # characters of the candidate's printed output kept in the report
OUTPUT_READ = 4 * OUTPUT_LIMIT  # bytes read from the end of its output file (UTF-8: up to 4 a character)


def _non_overlapping(t: torch.Tensor) -> bool:
    """Whether no two elements of `t` share memory (an expanded view's do): dims by stride, each step at
    least the span of the dims below it."""
    span = 1
    for stride, size in sorted((st, n) for st, n in zip(t.stride(), t.shape) if n > 1):
        if stride < span:
            return False
        span = stride * size
    return True


class WorkerGone(BaseException):
    """The worker ran out of time or died: the grade ends (status `timeout` or `crashed`)."""

    def __init__(self, status: str, message: str):
        super().__init__(message)
        self.status, self.message = status, message


class CandidateError(Exception):
    """The candidate's code raised; `info` is the worker's description (type, message, frames)."""

    def __init__(self, info: dict):
        super().__init__(f"{info['type']}: {info['message']}")
        self.info = info


class OddValue(Exception):
    """The worker returned something that is not a plain value or tensor (say a tensor subclass)."""


class Zygote:
    """A process that has imported torch and nothing else, forking a fresh worker per grade (for the
    test suite and repeated grades: a worker then starts in milliseconds, not a torch import)."""

    def __init__(self, device: torch.device, memory: int = DEFAULT_MEMORY):
        _remove_orphaned_folders()
        self.base = Path(tempfile.mkdtemp(prefix=f"qkv-zygote-{os.getpid()}-"))
        shutil.copy(WORKER_SOURCE, self.base / "qkv_worker.py")
        ours, theirs = socket.socketpair()
        self.control = ours
        prefix, self.isolation = sandbox_command(device.type == "cuda", self.base, memory)
        with open(self.base / "zygote-output.txt", "wb") as output:
            self.process = subprocess.Popen(
                prefix + python_command(self.base / "qkv_worker.py", "zygote", theirs.fileno()), cwd=self.base,
                env=worker_environment(self.base), stdin=subprocess.DEVNULL, stdout=output,
                stderr=subprocess.STDOUT, pass_fds=(theirs.fileno(),), start_new_session=True,
                preexec_fn=die_with_parent)
        theirs.close()
        self.device, self.memory, self.count = device, memory, 0
        self.reader = self.control.makefile("rb")
        ready, _, _ = select.select([self.control], [], [], START_LIMIT)
        if not ready:
            raise RuntimeError("the worker zygote did not start")
        receive(self.control)

    def alive(self) -> bool:
        return self.process.poll() is None

    def _ask(self, request: dict, fds: list[int] = ()) -> dict:
        """The zygote's answer, within the time the request may take (a wait's timeout, a kill's sweep) and a
        margin; else (a zygote stopped or killed, say by a worker: it is their parent) ZygoteGone, with the
        zygote killed, so the next grade starts a fresh one."""
        limit = request.get("timeout", 0) + (30 if "kill" in request else 10)
        try:
            socket.send_fds(self.control, [json.dumps(request).encode()], list(fds))
            ready, _, _ = select.select([self.control], [], [], limit)
            line = self.reader.readline() if ready else b""
            if line:
                return json.loads(line)
        except (OSError, ValueError):
            pass
        self.close()
        raise ZygoteGone(f"the worker zygote did not answer {sorted(request)[0]!r} within {limit} s")

    def fork(self, memory: int) -> tuple[socket.socket, int, Path, int]:
        """A new worker: our end of its socket, its pid (in the zygote's namespace), its scratch folder and
        the descriptor of its output file."""
        self.count += 1
        scratch = Path(tempfile.mkdtemp(prefix=f"worker-{self.count}-", dir=self.base))
        output = open_output(scratch)
        ours, theirs = socket.socketpair()
        try:
            reply = self._ask({"fork": str(scratch), "limits": limits_for(memory)}, [theirs.fileno(), output])
        except BaseException:
            os.close(output)
            ours.close()
            raise
        finally:
            theirs.close()
        return ours, reply["pid"], scratch, output

    def kill(self, pid: int) -> None:
        self._ask({"kill": pid})

    def wait(self, pid: int, timeout: float) -> int | None:
        return self._ask({"wait": pid, "timeout": timeout})["returncode"]

    def close(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(Exception):
            self.process.wait(timeout=10)
        shutil.rmtree(self.base, ignore_errors=True)


class ZygoteGone(RuntimeError):
    """The zygote stopped answering (see Zygote._ask)."""


def _remove_orphaned_folders() -> None:
    """The folders of zygotes whose process is gone (killed before its atexit ran): qkv-zygote-PID-*."""
    for folder in Path(tempfile.gettempdir()).glob("qkv-zygote-*-*"):
        pid = folder.name.split("-")[2]
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except PermissionError:  # another user's
            pass


_zygote: Zygote | None = None
_use_zygote = False


def use_zygote(on: bool = True) -> None:
    """Fork workers from one long-lived zygote in this process (tests, repeated grades)."""
    global _use_zygote
    _use_zygote = on


def _shared_zygote(device: torch.device, memory: int = DEFAULT_MEMORY) -> Zygote:
    global _zygote
    sandbox = "bubblewrap" if bubblewrap() else "none"
    if _zygote is None or not _zygote.alive() or _zygote.device != device or _zygote.isolation.sandbox != sandbox \
            or _zygote.memory != memory:  # (its sandbox's tmpfs mounts are sized by the memory limit)
        if _zygote is not None:
            _zygote.close()
        _zygote = Zygote(device, memory)
        atexit.register(_zygote.close)
    return _zygote


class Worker:
    def __init__(self, *, scratch: Path, device: torch.device, timeout: float, memory: int = DEFAULT_MEMORY,
                 launched: Launched | None = None):
        """A worker: `launched` (started early, see grader.sandbox.launch), else one forked from the shared
        zygote when `use_zygote()` is on, else a new process."""
        self.timeout, self.device, self.memory = timeout, device, memory
        self.calls = 0
        self.history: list[int] = []  # see _write_back
        self.loads: dict[int, dict[str, torch.Tensor]] = {}  # handle: weights for its next call (RemoteModule.load)
        self.zygote = _shared_zygote(device, memory) if _use_zygote and launched is None else None
        if self.zygote is not None:
            self.sock, self.pid, self.scratch, self._output = self.zygote.fork(memory)
            self.isolation, self.process = self.zygote.isolation, None
        else:
            launched = launched or launch(scratch, cuda=device.type == "cuda", memory=memory)
            self.sock, self.process, self.isolation = launched.sock, launched.process, launched.isolation
            self.scratch, self.pid, self._output = launched.scratch, launched.process.pid, launched.output
        self._output_text = ""  # what it printed, once the worker is closed
        self._reply(START_LIMIT, "starting")

    # talking

    def _reply(self, limit: float, during: str) -> tuple[dict, list[bytes]]:
        """The worker's reply: all of it within `limit` seconds (a frame begun and left unfinished is out of time
        too), and no longer than the memory limit (whatever length its header claims)."""
        deadline = time.monotonic() + limit
        try:
            return receive(self.sock, deadline=deadline, limit=self.memory)
        except TimeoutError:
            self.close()
            raise WorkerGone("timeout", during) from None
        except FrameTooLarge as exc:
            self.close()
            raise WorkerGone("crashed", f"it sent a reply of {exc.size} bytes, more than the memory limit "
                                        f"(--memory {self.memory / 2**30:g} GiB)") from None
        except (EOFError, OSError, ValueError):
            code = self._exit_code()
            raise WorkerGone("crashed", describe_exit(code, sandboxed=self.isolation.sandbox != "none")) from None

    def _exit_code(self) -> int | None:
        if self.zygote is not None:
            try:
                code = self.zygote.wait(self.pid, 5)
            except ZygoteGone:
                code = None
        else:
            try:
                code = self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                code = None
        if code is None:
            self.close()
        return code

    def request(self, header: dict, blobs: list[bytes] = ()) -> tuple[dict, list[bytes]]:
        self.sock.settimeout(self.timeout)  # a worker that stops reading cannot hold a large frame's send either
        try:
            send(self.sock, header, blobs)
            self.sock.settimeout(None)
        except TimeoutError:
            self.close()
            raise WorkerGone("timeout", "calling") from None
        except OSError:
            raise WorkerGone("crashed", describe_exit(self._exit_code(),
                                                      sandboxed=self.isolation.sandbox != "none")) from None
        self.calls += 1
        reply, out = self._reply(self.timeout, "calling")
        if "forbidden" in reply:
            forbid.hits.append(reply["forbidden"])
            raise forbid.ForbiddenCall(reply["forbidden"])
        if "error" in reply:
            raise CandidateError(reply["error"])
        if "failure" in reply:
            raise RuntimeError(f"worker protocol: {reply['failure']}")
        return reply, out

    def load(self, exercise, path: str, source: str) -> str | None:
        """None when the entry point is ready to call, else the load error."""
        signatures = {method or "": [exercise.signature(method), exercise.required(method)]
                      for method in (("__init__", "forward") if exercise.is_class else (None,))}
        aten = sorted({op for name in exercise.forbidden for op in ATEN_BACKENDS.get(name.partition("[")[0], ())})
        named = [alias for name in exercise.forbidden for alias in NAMED_BACKENDS.get(name, ())]
        packets = aten + [alias.rpartition(".")[2] for alias in named if alias.startswith("torch.ops.aten.")]
        forbidden = list(exercise.forbidden) + [alias for alias in named if not alias.startswith("torch.ops.")]
        reply, _ = self.request({"op": "load", "path": path, "source": source, "entry": exercise.entry_point,
                                 "is_class": exercise.is_class, "signatures": signatures,
                                 "signature_text": exercise.signature_text(),
                                 "forbidden": forbidden, "aten": aten, "packets": packets})
        return reply.get("load_error")

    def output(self) -> str:
        """The end of what the candidate's code printed, read through the descriptor opened before the worker
        started (a regular file), never by its path: the worker may have put a symlink or a FIFO there."""
        if self._output < 0:
            return self._output_text
        size = os.fstat(self._output).st_size
        start = max(0, size - OUTPUT_READ)
        text = os.pread(self._output, size - start, start).decode("utf-8", errors="replace")
        cut = start + max(0, len(text) - OUTPUT_LIMIT)  # (bytes before what was read: characters when ASCII)
        return f"... ({cut} characters cut)\n" + text[-OUTPUT_LIMIT:] if cut else text

    def close(self) -> None:
        """Kill the worker and everything in its session (bubblewrap's namespace goes with it)."""
        if self.zygote is not None:
            with contextlib.suppress(Exception):
                self.zygote.kill(self.pid)
                self.zygote.wait(self.pid, 10)
            shutil.rmtree(self.scratch, ignore_errors=True)
        else:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()
            with contextlib.suppress(Exception):
                self.process.wait(timeout=10)
        self.sock.close()
        if self._output >= 0:  # what it printed is final now
            self._output_text = self.output()
            os.close(self._output)
            self._output = -1

    # calls into candidate code

    def call(self, target: int, args: tuple, *, params: dict | None = None, functional: bool = False,
             kwargs: dict | None = None):
        blobs: list[bytes] = []
        grad_inputs = [a for a in [*args, *(params or {}).values(), *(kwargs or {}).values()]
                       if isinstance(a, torch.Tensor) and a.requires_grad] if torch.is_grad_enabled() else []
        header = {"op": "call", "target": target, "seed": int(torch.randint(0, 2**62, ()).item()),
                  "args": [self._encode(a, blobs) for a in args], "grad": bool(grad_inputs),
                  "grad_mode": torch.is_grad_enabled(),
                  "functional": functional, "watch": _watching.target}
        if _watching.spoil and not grad_inputs:
            header["spoil"] = True
        if params is not None:
            header["params"] = {k: self._encode(v, blobs) for k, v in params.items()}
        if kwargs:
            header["kwargs"] = {k: self._encode(v, blobs) for k, v in kwargs.items()}
        if target in self.loads:
            header["load"] = {name: encode_tensor(t, blobs) for name, t in self.loads.pop(target).items()}
        if not grad_inputs:
            reply, out = self.request(header, blobs)
            return self._finish(reply, out, args)
        box = {}
        outputs = _RemoteCall.apply(self, header, blobs, args, box, *grad_inputs)
        return _rebuild(box["result"], iter(outputs), args)

    def _finish(self, reply: dict, out: list[bytes], args: tuple):
        if _watching.target:
            _watching.reply = reply
            if "result" not in reply:  # the call stopped at a device mix, or could not run on meta
                return None
        self._write_back(reply, out, args)
        return self._decode(reply["result"], out, args)

    def _write_back(self, reply: dict, out: list[bytes], args: tuple) -> None:
        """Copy the candidate's in-place changes into the caller's tensors (the running statistics of
        batch norm and an initialiser's tensor are read there), each recorded with a copy of what it held
        (`recording_changes`): grader.checking.call_candidate puts back, and fails, what the exercise's
        contract does not let the candidate change. A change the worker reports is checked against the
        caller's own tensor: the same bytes are no change. `history`: the arguments that came out of
        the call carrying autograd history (a buffer updated inside the graph)."""
        self.history = [int(index) for index, spec in reply.get("mutated", {}).items() if spec.get("grad_fn")]
        for index, spec in reply.get("mutated", {}).items():
            if not str(index).isdigit() or int(index) >= len(args) or not isinstance(args[int(index)], torch.Tensor):
                continue
            arg = args[int(index)]
            new = decode_tensor(spec, out, device=arg.device)
            if same_bits(new, arg):
                continue
            if _recording:
                _recording[-1].append((arg, arg.detach().clone()))
            with torch.no_grad():
                if new.shape == arg.shape and new.dtype == arg.dtype:
                    arg.copy_(new)
                else:
                    arg.data = new

    def _encode(self, value, blobs: list[bytes]):
        if isinstance(value, torch.Tensor):
            spec = encode_tensor(value, blobs)
            if value.device.type == "cuda":
                spec["device"] = "cuda"
            spec.update(requires_grad=value.requires_grad and torch.is_grad_enabled(), leaf=value.is_leaf,
                        parameter=isinstance(value, torch.nn.Parameter))
            if not value.is_contiguous() and _non_overlapping(value):  # a transposed or strided view
                spec["stride"] = list(value.stride())  # stays one in the worker: in-place code must handle it
            return spec
        if isinstance(value, (tuple, list)):
            return {"seq": [self._encode(v, blobs) for v in value], "tuple": isinstance(value, tuple)}
        if isinstance(value, torch.device):
            return {"device": str(value)}
        if isinstance(value, torch.dtype):
            return {"dtype": str(value).removeprefix("torch.")}
        if isinstance(value, Remote):
            return {"handle": value.handle}
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        raise TypeError(f"cannot send a {type(value).__name__} to the worker")

    def _module_info(self, reply: dict, out: list[bytes]) -> dict:
        return {"parameters": [(name, decode_tensor(spec, out, device=self.device if spec["device"] == "cuda"
                                                    else spec["device"])) for name, spec in reply["parameters"]],
                "linears": {name: (i, o) for name, i, o in reply["linears"]}}

    def _decode(self, value, out: list[bytes], args: tuple):
        if isinstance(value, dict):
            if "alias" in value:
                return args[value["alias"]]
            if value.get("tensor"):
                device = self.device if value["device"] == "cuda" else value["device"]
                return decode_tensor(value, out, device=device)
            if "seq" in value:
                items = [self._decode(v, out, args) for v in value["seq"]]
                return tuple(items) if value.get("tuple") else items
            if "handle" in value:
                if value.get("module"):
                    return RemoteModule(self, value["handle"], value["type"], self._module_info(value, out))
                return Remote(self, value["handle"], value["type"])
            if "object" in value:
                raise OddValue(value["object"])
            raise OddValue(f"an undecodable reply {sorted(value)}")
        if value is None or type(value) in (bool, int, float, str):
            return value
        raise OddValue(f"a {type(value).__name__}")


class _RemoteCall(torch.autograd.Function):
    """A worker call whose outputs are connected to `inputs` by autograd: backward asks the worker."""

    @staticmethod
    def forward(ctx, worker: Worker, header: dict, blobs: list[bytes], args: tuple, box: dict, *inputs):
        reply, out = worker.request(header, blobs)
        worker._write_back(reply, out, args)
        box["result"] = reply["result"]
        specs = [s for s in _specs(reply["result"]) if "alias" not in s]
        outputs = [worker._decode(s, out, args) for s in specs]
        ctx.worker = worker
        ctx.input_meta = [(t.shape, t.dtype, t.device) for t in inputs]
        ctx.differentiable = [bool(s.get("requires_grad")) for s in specs]
        ctx.mark_non_differentiable(*[o for o, d in zip(outputs, ctx.differentiable) if not d or
                                      not o.is_floating_point()])
        return tuple(outputs)

    @staticmethod
    def backward(ctx, *grads):
        worker: Worker = ctx.worker
        blobs: list[bytes] = []
        sent = [worker._encode(g.detach(), blobs) if g is not None else None
                for g, d in zip(grads, ctx.differentiable) if d]
        reply, out = worker.request({"op": "backward", "grads": sent}, blobs)
        got = [None if g is None else decode_tensor(g, out, device=meta[2])
               for g, meta in zip(reply["grads"], ctx.input_meta)]
        return (None, None, None, None, None, *got)


def _specs(value):
    """The tensor specs of a reply's result, in order (aliases included)."""
    if isinstance(value, dict):
        if value.get("tensor") or "alias" in value:
            yield value
        elif "seq" in value:
            for item in value["seq"]:
                yield from _specs(item)


def _rebuild(value, outputs, args):
    if isinstance(value, dict):
        if "alias" in value:
            return args[value["alias"]]
        if value.get("tensor"):
            return next(outputs)
        if "seq" in value:
            items = [_rebuild(v, outputs, args) for v in value["seq"]]
            return tuple(items) if value.get("tuple") else items
        if "object" in value:
            raise OddValue(value["object"])
        raise OddValue("a handle where a tensor was expected")
    return value


class Remote:
    """A callable that lives in the worker (the candidate's entry point, or what it returned)."""

    def __init__(self, worker: Worker, handle: int, type_name: str):
        self.worker, self.handle, self.type_name = worker, handle, type_name

    def __call__(self, *args, **kwargs):
        return self.worker.call(self.handle, args, kwargs=kwargs)


class RemoteModule(Remote):
    """An nn.Module built by the candidate's class, kept in the worker; `described`: its parameters and
    nn.Linear layers as they were when it was built."""

    def __init__(self, worker: Worker, handle: int, type_name: str, described: dict):
        super().__init__(worker, handle, type_name)
        self.described = described
        self.loaded: dict[str, torch.Tensor] = {}  # see load

    def info(self, device: torch.device | None = None) -> dict:
        """{"parameters": [(name, tensor)], "linears": {name: (in, out)}}, after moving it to `device`."""
        if device is None or device.type == "cpu":
            return self.described
        reply, out = self.worker.request({"op": "module", "target": self.handle, "device": str(device)})
        return self.worker._module_info(reply, out)

    def functional_call(self, params: dict, args: tuple):
        return self.worker.call(self.handle, args, params=params, functional=True)

    def load(self, parameters: dict[str, torch.Tensor]) -> None:
        """Copy `parameters` into the module's parameters of those names, in the worker, before the next call
        into it runs (they travel with that call); `loaded` keeps them, as the grading process's own record of
        the weights the module was given."""
        parameters = {name: t.detach().cpu().clone() for name, t in parameters.items()}
        self.worker.loads[self.handle] = {**self.worker.loads.get(self.handle, {}), **parameters}
        self.loaded = {**self.loaded, **parameters}


# One list for each recording_changes in progress, the innermost last: (the caller's tensor, a copy of it
# before) for each argument a call changed in place (Worker._write_back); nothing is kept outside one.
_recording: list[list[tuple[torch.Tensor, torch.Tensor]]] = []


@contextlib.contextmanager
def recording_changes():
    """A list of the changes in place copied back into the caller's tensors meanwhile (see undo_changes)."""
    record: list[tuple[torch.Tensor, torch.Tensor]] = []
    _recording.append(record)
    try:
        yield record
    finally:
        _recording.pop()


def same_bits(a: torch.Tensor, b: torch.Tensor) -> bool:
    """The same shape, dtype and bytes (NaN compares equal to the same NaN; 0.0 and -0.0 differ)."""
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if a.device.type == "meta" or b.device.type == "meta":
        return a.device == b.device
    a, b = (t.detach().contiguous().reshape(-1).view(torch.uint8) for t in (a, b))
    return torch.equal(a, b.to(a.device))


def undo_changes(record: list, args: tuple, allowed=()) -> list[int]:
    """The indices of `args` that `record` (from recording_changes) saw changed in place, other than
    `allowed`; those are put back as they were."""
    undone: list[int] = []
    for tensor, before in reversed(record):
        indices = [i for i, a in enumerate(args) if a is tensor]
        if not indices or any(i in allowed for i in indices):
            continue
        undone += [i for i in indices if i not in undone]
        with torch.no_grad():
            if tensor.shape == before.shape and tensor.dtype == before.dtype:
                tensor.copy_(before)
            else:
                tensor.data = before
    return sorted(undone)


class _Watching(threading.local):
    target: str | None = None
    reply: dict | None = None
    spoil: bool = False


_watching = _Watching()


@contextlib.contextmanager
def watching_devices(target: torch.device):
    """Calls made inside run in the worker under a dispatch mode that flags ops mixing devices;
    read `last_device_report()` afterwards."""
    _watching.target, _watching.reply = target.type, None
    try:
        yield
    finally:
        _watching.target = None


def watching_devices_now() -> bool:
    """Whether calls now go to the device watch (a module's weights must then travel with the call)."""
    return _watching.target is not None


def last_device_report() -> dict:
    return _watching.reply or {}


@contextlib.contextmanager
def spoiling_outputs():
    """Calls made inside (without gradients) have the tensors they return changed in place in the worker once
    they are sent back, as a caller may change a result (out += x, out.mul_(s)): a function that returns a
    tensor it keeps (a table cached by size) gives the changed values at its next call."""
    _watching.spoil = True
    try:
        yield
    finally:
        _watching.spoil = False


def describe_exit(returncode: int | None, sandboxed: bool = False) -> str:
    if returncode is None:
        return "it stopped answering"
    if sandboxed and returncode > 128:
        returncode = -(returncode - 128)  # bubblewrap reports a child killed by signal N as 128 + N
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return f"killed by signal {name}" + (" (a segmentation fault)" if name == "SIGSEGV" else "") + \
            (" (over the CPU time limit)" if name == "SIGXCPU" else "") + \
            (" (out of memory?)" if name == "SIGKILL" else "")
    return (f"it exited with status {returncode} (sys.exit, os._exit or exit() in your code?); a function "
            "under test must return its result")

"""How the worker that runs candidate code is started and confined (standard library only, so
the grading process can start it before importing torch: the two imports then overlap).

Where bubblewrap works, the worker runs with no network, a read-only view of the
filesystem except its scratch folder, its own process namespace, and the project's folder
hidden; everywhere it gets memory, CPU-time and file-size limits, a scratch folder as its
working directory and HOME, and a clean environment.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # a checkout's root, or the installed qkv package
WORKER_SOURCE = Path(__file__).with_name("worker.py")
DEFAULT_MEMORY = 4 << 30
CPU_SECONDS = 1800  # a backstop; the per-call wall-clock limit is what normally ends a runaway call
FILE_SIZE = 64 << 20


@dataclass
class Isolation:
    sandbox: str  # "bubblewrap" or "none"
    details: list[str] = field(default_factory=list)

    def describe(self) -> str:
        return "; ".join(self.details)


_PROBED: dict[str, bool] = {}


def bubblewrap() -> str | None:
    """The bwrap executable when it exists and works here (QKV_SANDBOX=none turns it off)."""
    if os.environ.get("QKV_SANDBOX", "").lower() == "none":
        return None
    path = shutil.which("bwrap")
    if path is None:
        return None
    if path not in _PROBED:
        probe = subprocess.run([path, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-all",
                                "--die-with-parent", "true"], capture_output=True, timeout=30)
        _PROBED[path] = probe.returncode == 0
    return path if _PROBED[path] else None


def limits_for(memory: int) -> dict:
    return {"memory": memory, "cpu": CPU_SECONDS, "file_size": FILE_SIZE}


def sandbox_command(cuda: bool, writable: Path) -> tuple[list[str], Isolation]:
    """The command prefix that confines a worker (bubblewrap where it works), and what it does."""
    limits = ["memory, CPU time and file size limits (--memory)", "a scratch folder as working directory and HOME",
              "no import of the project's packages", "every process it starts is killed at the end"]
    bwrap = bubblewrap()
    if bwrap is None:
        return [], Isolation("none", ["process limits only (bubblewrap not available)", *limits])
    command = [bwrap, "--die-with-parent", "--unshare-all", "--ro-bind", "/", "/", "--proc", "/proc",
               "--tmpfs", "/tmp", "--tmpfs", "/dev/shm"]
    command += ["--dev-bind", "/dev", "/dev"] if cuda else ["--dev", "/dev"]
    command += hide_the_project()
    command += ["--bind", str(writable), str(writable), "--chdir", str(writable), "--"]
    return command, Isolation("bubblewrap", [
        "bubblewrap sandbox: no network, read-only filesystem except a scratch folder, own process namespace, "
        "the project's folder hidden", *limits])


def hide_the_project() -> list[str]:
    """bubblewrap arguments that make the references, the grader and the corpus invisible: a checkout
    is covered by an empty tmpfs (the Python environment inside it, such as .venv, is bound back);
    an installed copy lives in site-packages beside torch, so only its own package, qkv, is covered."""
    if (ROOT / "pyproject.toml").exists():
        arguments = ["--tmpfs", str(ROOT)]
        for keep in sorted({sys.prefix, sys.exec_prefix, os.path.dirname(sys.executable)}):
            if keep.startswith(str(ROOT) + os.sep):
                arguments += ["--ro-bind", keep, keep]
        return arguments
    return ["--tmpfs", str(ROOT)]


def worker_environment(scratch: Path) -> dict:
    env = {"HOME": str(scratch), "TMPDIR": str(scratch), "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
           "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0", "PYTHONUNBUFFERED": "1",
           "LANG": "C.UTF-8", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    for name in ("CUDA_VISIBLE_DEVICES", "LD_LIBRARY_PATH"):
        if name in os.environ:
            env[name] = os.environ[name]
    return env


def python_command(script: Path, mode: str, fd: int) -> list[str]:
    return [sys.executable, "-B", "-E", "-s", str(script), mode, str(fd), str(ROOT)]




def die_with_parent() -> None:
    """Linux: the worker gets SIGKILL when the grading process dies."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


@dataclass
class Launched:
    """A worker process just started (it imports torch meanwhile), and our end of its socket."""

    process: subprocess.Popen
    sock: socket.socket
    isolation: Isolation
    scratch: Path
    cuda: bool  # started with the GPU's device files visible


def launch(scratch: Path, *, cuda: bool, memory: int = DEFAULT_MEMORY) -> Launched:
    scratch.mkdir(parents=True, exist_ok=True)
    shutil.copy(WORKER_SOURCE, scratch / "qkv_worker.py")
    ours, theirs = socket.socketpair()
    prefix, isolation = sandbox_command(cuda, scratch)
    from qkv.grader.worker import limits  # noqa: PLC0415 - stdlib only (torch is imported lazily there)

    with open(scratch / "output.txt", "wb") as output:
        process = subprocess.Popen(prefix + python_command(scratch / "qkv_worker.py", "worker", theirs.fileno()),
                                   cwd=scratch, env=worker_environment(scratch), stdin=subprocess.DEVNULL,
                                   stdout=output, stderr=subprocess.STDOUT, pass_fds=(theirs.fileno(),),
                                   start_new_session=True, preexec_fn=lambda: limits(**limits_for(memory)))
    theirs.close()
    return Launched(process, ours, isolation, scratch, cuda)


def cuda_devices_present() -> bool:
    """Whether NVIDIA device files exist (the sandbox must then bind /dev), without importing torch."""
    return os.path.exists("/dev/nvidiactl")

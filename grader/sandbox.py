"""How the worker that runs candidate code is started and confined (standard library only, so
the grading process can start it before importing torch: the two imports then overlap).

Where bubblewrap works, the worker runs with no network, a read-only view of the
filesystem except its scratch folder, its own process namespace, and the project's folder
hidden; everywhere it gets memory, CPU-time and file-size limits, a scratch folder as its
working directory and HOME, and a clean environment.
"""
from __future__ import annotations

import os
import platform
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
TMPFS_SHARE = 8  # the sandbox's /tmp and /dev/shm: each at most 1/8 of --memory (tmpfs is memory no rlimit counts)
PROCESS_ALLOWANCE = 512  # tasks (processes and threads) a worker may add to its user's count (RLIMIT_NPROC)


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


def _sizes_tmpfs(bwrap: str) -> bool:
    """Whether this bubblewrap takes `--size` before `--tmpfs` (0.7 and later)."""
    key = bwrap + " --size"
    if key not in _PROBED:
        shown = subprocess.run([bwrap, "--help"], capture_output=True, text=True, timeout=30)
        _PROBED[key] = "--size" in shown.stdout + shown.stderr
    return _PROBED[key]


def limits_for(memory: int) -> dict:
    """The worker's rlimits. RLIMIT_NPROC counts all of a user's tasks and binds no process of root's: where it
    binds, the user's tasks now plus an allowance (a fork bomb ends there)."""
    limits = {"memory": memory, "cpu": CPU_SECONDS, "file_size": FILE_SIZE}
    if os.getuid() != 0 and os.path.isdir("/proc"):
        limits["processes"] = _tasks_of(os.getuid()) + PROCESS_ALLOWANCE
    return limits


def _tasks_of(uid: int) -> int:
    count = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    count += len(os.listdir(f"/proc/{entry.name}/task"))
            except OSError:
                continue
    return count


def sandbox_command(cuda: bool, writable: Path, memory: int = DEFAULT_MEMORY) -> tuple[list[str], Isolation]:
    """The command prefix that confines a worker (bubblewrap where it works), and what it does."""
    limits = ["memory, CPU time and file size limits (--memory)", "a scratch folder as working directory and HOME",
              "no import of the project's packages", "every process it starts is killed at the end"]
    if os.getuid() != 0:
        limits[0] = "memory, CPU time, file size and process count limits (--memory)"
    else:
        limits.append("no limit on the number of processes (running as root, which RLIMIT_NPROC does not bind)")
    bwrap = bubblewrap()
    if bwrap is None:
        if os.getuid() == 0:
            return [], Isolation("none", [
                "process limits only (bubblewrap not available), as root: the worker's capabilities are dropped, "
                "but your code can still change what root owns, the grader's files included, so this grade "
                "cannot be fully trusted", *limits])
        return [], Isolation("none", ["process limits only (bubblewrap not available)", *limits])
    tmpfs = max(memory // TMPFS_SHARE, 16 << 20)
    size = ["--size", str(tmpfs)] if _sizes_tmpfs(bwrap) else []
    command = [bwrap, "--die-with-parent", "--unshare-all", "--ro-bind", "/", "/", "--proc", "/proc"]
    command += ["--dev-bind", "/dev", "/dev"] if cuda else ["--dev", "/dev"]
    # after /dev, which would cover /dev/shm: the only writable tmpfs mounts (memory), sized
    command += [*size, "--tmpfs", "/tmp", *size, "--tmpfs", "/dev/shm"]
    # a new /dev (its devices are mounts of their own) can be read-only; remounting the GPU's bound /dev would
    # also make its devices unusable (bubblewrap's --remount-ro adds nodev)
    read_only = [] if cuda else ["/dev"]
    for folder in _socket_folders():  # sockets reached by path (D-Bus, docker.sock, agents) and /run/secrets
        command += ["--tmpfs", folder] + _bind_back(folder)
        read_only.append(folder)
    command += hide_the_project()
    read_only.append(str(ROOT))
    command += ["--bind", str(writable), str(writable)]
    for folder in read_only:  # the covering tmpfs mounts stay empty (no memory to fill), /dev holds no new file
        command += ["--remount-ro", folder]
    command += ["--chdir", str(writable), "--"]
    sized = f", /tmp and /dev/shm of {tmpfs >> 20} MiB each" if size else ""
    sockets = ", no local sockets" if platform.machine() in ("x86_64", "aarch64") else ""  # worker.deny_local_sockets
    return command, Isolation("bubblewrap", [
        f"bubblewrap sandbox: no network{sockets}, read-only filesystem except a scratch folder{sized}, own "
        "process namespace, the project's folder and /run hidden", *limits])


def _socket_folders() -> list[str]:
    """Where local services keep their sockets: /run (and /var/run where it is not a link to /run); /tmp and
    /dev/shm get their own tmpfs."""
    return [folder for folder in ("/run", "/var/run") if os.path.isdir(folder) and not os.path.islink(folder)]


def _bind_back(folder: str) -> list[str]:
    """bubblewrap arguments binding back, read-only, what the worker needs from inside a covered `folder`: Python
    and its libraries, LD_LIBRARY_PATH, NixOS's GPU driver (/run/opengl-driver)."""
    needed = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, os.path.dirname(sys.executable),
              "/run/opengl-driver", *filter(None, os.environ.get("LD_LIBRARY_PATH", "").split(os.pathsep))}
    needed |= {os.path.realpath(path) for path in needed}
    inside = sorted(path for path in needed if path.startswith(folder.rstrip("/") + "/") and os.path.exists(path))
    return [argument for path in inside for argument in ("--ro-bind", path, path)]


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




def not_dumpable() -> None:
    """Linux: no process of the same user can read this one's memory or descriptors (/proc/PID/mem, /proc/PID/fd,
    ptrace), nor a root one that lacks CAP_SYS_PTRACE: call it before a key exists in this process."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE
    except (OSError, AttributeError):
        pass


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
    output: int = -1  # the descriptor of its output file (see open_output)


def open_output(scratch: Path) -> int:
    """A new output file (the worker's stdout and stderr) in `scratch`, opened here before the worker starts:
    read it through this descriptor only, never by its path, which the worker may replace (by a symlink to a
    file it cannot see, by a FIFO)."""
    folder = os.open(scratch, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        return os.open("output.txt", os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600,
                       dir_fd=folder)
    finally:
        os.close(folder)


def launch(scratch: Path, *, cuda: bool, memory: int = DEFAULT_MEMORY) -> Launched:
    scratch.mkdir(parents=True, exist_ok=True)
    shutil.copy(WORKER_SOURCE, scratch / "qkv_worker.py")
    ours, theirs = socket.socketpair()
    prefix, isolation = sandbox_command(cuda, scratch, memory)
    from qkv.grader.worker import drop_capabilities, limits  # noqa: PLC0415 - stdlib only (torch: lazily there)

    rlimits = limits_for(memory)

    def confine() -> None:
        limits(**rlimits)
        if not prefix:  # no sandbox: as root, no capabilities either (bubblewrap needs its own to start)
            drop_capabilities()

    output = open_output(scratch)
    process = subprocess.Popen(prefix + python_command(scratch / "qkv_worker.py", "worker", theirs.fileno()),
                               cwd=scratch, env=worker_environment(scratch), stdin=subprocess.DEVNULL,
                               stdout=output, stderr=subprocess.STDOUT, pass_fds=(theirs.fileno(),),
                               start_new_session=True, preexec_fn=confine)
    theirs.close()
    return Launched(process, ours, isolation, scratch, cuda, output)


def cuda_devices_present() -> bool:
    """Whether NVIDIA device files exist (the sandbox must then bind /dev), without importing torch."""
    return os.path.exists("/dev/nvidiactl")

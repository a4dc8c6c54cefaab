"""The grading process: `python -m grader.child`, started by grader/runner.py.

Trusted: it draws the cases, runs the references, compares, diagnoses and writes the
verdict. The candidate's code never runs here: it runs in the worker (grader/worker.py,
started and spoken to through grader/remote.py), which only answers calls with data.

The request arrives on stdin (with a one-time key); every event goes back on the
original stdout as one JSON line signed with that key (HMAC-SHA256): the check that is
running, each finished check, then the result. Anything else printed in this process
goes to stderr, so nothing can pass for an event.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
import sys
import tempfile
import traceback
import warnings
from pathlib import Path


class Channel:
    """Signed JSON lines to the runner."""

    def __init__(self, key: bytes):
        self.key = key
        self.out = os.fdopen(os.dup(1), "w", encoding="utf-8")
        os.dup2(2, 1)  # print() from here on goes to stderr
        sys.stdout = sys.stderr

    def emit(self, event: dict) -> None:
        body = json.dumps(event, ensure_ascii=False)
        mac = hmac.new(self.key, body.encode(), hashlib.sha256).hexdigest()
        self.out.write(json.dumps({"mac": mac, "body": body}) + "\n")
        self.out.flush()


def sign_check(key: bytes, line: str) -> dict | None:
    """The event of a line from `Channel.emit`, or None when the line is not signed with `key`."""
    try:
        wrapper = json.loads(line)
        body, mac = wrapper["body"], wrapper["mac"]
    except (ValueError, KeyError, TypeError):
        return None
    expected = hmac.new(key, body.encode(), hashlib.sha256).hexdigest()
    return json.loads(body) if isinstance(mac, str) and hmac.compare_digest(mac, expected) else None


def serve() -> None:
    """`python -m grader.child --serve`: the first stdin line holds the key; then one request per line,
    each graded with a worker forked from a zygote (a warm re-grade for `qkv watch`), until stdin ends."""
    from qkv.grader import sandbox  # noqa: PLC0415 - standard library only

    sandbox.not_dumpable()  # before the key is read: no worker of this user can read it out of this memory
    channel = Channel(bytes.fromhex(json.loads(sys.stdin.readline())["key"]))
    from qkv.grader import remote  # noqa: PLC0415

    remote.use_zygote()
    for line in sys.stdin:
        request = json.loads(line)
        try:
            result = grade(request, channel)
        except BaseException as exc:  # noqa: BLE001 - a grader bug must still produce a verdict
            result = _internal_error(request, exc)
        channel.emit({"result": result})


def _internal_error(request: dict, exc: BaseException) -> dict:
    return {"status": "crashed", "device": request["device"], "checks": [], "diagnosis": [],
            "error": "internal error in the grader (please report it):\n" + "".join(traceback.format_exception(exc))}


def main() -> None:
    from qkv.grader import sandbox  # noqa: PLC0415 - standard library only

    sandbox.not_dumpable()  # before the key is read: no worker of this user can read it out of this memory
    request = json.loads(sys.stdin.readline())
    sys.stdin.close()
    channel = Channel(bytes.fromhex(request.pop("key")))

    # Start the worker first: its torch import then overlaps with this process's.
    cuda = request["device"] == "cuda" or (request["device"] == "auto" and sandbox.cuda_devices_present())
    scratch = tempfile.mkdtemp(prefix="qkv-worker-")
    launched = sandbox.launch(Path(scratch), cuda=cuda, memory=request["memory"])
    try:
        result = grade(request, channel, launched)
    except BaseException as exc:  # noqa: BLE001 - a grader bug must still produce a verdict
        result = _internal_error(request, exc)
    finally:
        launched.process.kill()  # normally gone already: grade() closes the worker it used
        shutil.rmtree(scratch, ignore_errors=True)
    channel.emit({"result": result})


def grade(request: dict, channel: Channel, launched=None) -> dict:
    """The verdict for `request`; `launched`: a worker started before torch was imported here."""
    warnings.filterwarnings("ignore", module="hypothesis")
    import torch  # noqa: PLC0415 - the runner never imports torch

    from qkv.grader import catalogue, checking, counterexample, diagnosis, forbid, remote, source_scan  # noqa: PLC0415
    from qkv.grader.exercises import load_task  # noqa: PLC0415

    exercise = catalogue.get(request["exercise"])
    device = _device(request["device"], torch)
    result = {"status": "graded", "device": str(device), "checks": [], "diagnosis": [], "isolation": ""}
    if isinstance(device, str):
        return {**result, "status": "load-error", "device": request["device"], "error": device}
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.manual_seed(request["seed"])
    torch.set_num_threads(1)  # graded tensors are tiny: threads only add wake-up latency
    task = load_task(exercise)
    forbid.hits.clear()
    checking.COVERAGE.clear()
    result["declared"] = len(task.checks)
    with tempfile.TemporaryDirectory(prefix="qkv-worker-") as scratch:
        worker = None
        running = None
        try:
            if launched is not None and (device.type == "cuda") != launched.cuda:
                launched.process.kill()
                launched = None
            worker = remote.Worker(scratch=Path(scratch), device=device, timeout=request["timeout"],
                                   memory=request["memory"], launched=launched)
            result["isolation"] = worker.isolation.describe()
            # Read before any of it runs: a forbidden name, or a trick to slip past the worker's watch.
            finding = source_scan.scan(request["source"], exercise.forbidden) if source_scan.enabled() else None
            if finding is not None:
                return {**result, "checks": [finding.check()], "diagnosis": ["forbidden"], "output": worker.output()}
            problem = worker.load(exercise, request["path"], request["source"])
            if problem:
                return {**result, "status": "load-error", "error": problem, "output": worker.output()}
            entry = remote.Remote(worker, 0, exercise.entry_point)
            ctx = checking.Context(task, entry, device, request["seed"], request["max_examples"], request["path"])
            failures = []
            for check in task.checks:
                running = check.name
                channel.emit({"running": check.name})
                record = {"name": check.name, "passed": True, "skipped": False, "message": "",
                          "counterexample": None, "codes": []}
                try:
                    check.run(ctx)
                except checking.NotImplementedYet:
                    return {**result, "status": "not-implemented", "output": worker.output()}
                except checking.Inconclusive as exc:
                    record.update(skipped=True, message=f"inconclusive: {exc}")
                except checking.CheckFailed as exc:
                    record.update(passed=False, name=exc.title or check.name, message=_message(exc),
                                  codes=list(exc.codes), counterexample=counterexample.record(ctx, exc.case))
                    if exc.typical is not None:
                        record["typical_counterexample"] = counterexample.record(ctx, exc.typical.case)
                    failures.append(exc)
                except (forbid.ForbiddenCall, remote.WorkerGone):
                    raise
                except Exception as exc:  # noqa: BLE001 - a grader bug must still produce a verdict
                    record.update(passed=False, message="internal error in the grader (please report it):\n"
                                  + "".join(traceback.format_exception(exc)))
                result["checks"].append(record)
                channel.emit({"done": record})
            running = None
            if forbid.hits:  # raised inside a check that went on regardless: still a forbidden call
                raise forbid.ForbiddenCall(forbid.hits[0])
            if any(not c["passed"] for c in result["checks"]):
                result["diagnosis"] = diagnosis.diagnose(ctx, failures)
            if request.get("plot"):
                result["plot"] = _plot(exercise.id, entry, request)
        except forbid.ForbiddenCall as exc:
            result.update(checks=[_forbidden(exc.name)], diagnosis=["forbidden"])
        except remote.WorkerGone as exc:
            during = f" while checking \"{running}\"" if running else " while loading your file"
            if exc.status == "timeout":
                message = (f"Your code did not finish within {request['timeout']:g} s{during}: an infinite loop, or "
                           "far too slow (a Python loop over every element?). Raise the limit with --timeout.")
            else:
                message = f"Your code ended the grading process{during}: {exc.message}."
            result.update(status=exc.status, error=message)
        finally:
            if worker is not None:
                result["output"] = worker.output()
                worker.close()
    return result


def _message(failure) -> str:
    """The failure's message; when its smallest input is a degenerate size, also the same property
    failing on a typical input (both inputs shown)."""
    if failure.typical is None:
        return failure.message
    return (f"{failure.message}\n\nThat smallest input is a special size ({failure.degenerate}), where a mistake can "
            f"look different. The same check on a typical input:\n{failure.typical.message}")


def _plot(exercise_id: str, entry, request: dict) -> str:
    """A sentence on the plot: where it was written, or why it could not be."""
    from qkv.grader import plots  # noqa: PLC0415 - matplotlib only when asked for
    from qkv.grader.remote import CandidateError  # noqa: PLC0415

    try:
        plots.init_plot(exercise_id, entry, request["plot"], request["seed"])
    except plots.PlotUnavailable as exc:
        return str(exc)
    except CandidateError as exc:
        return f"could not draw the plot: your code raised {exc}"
    return f"Plot written to {request['plot']}"


def _device(requested: str, torch):
    if requested == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if requested == "cuda" and not torch.cuda.is_available():
        return "--device cuda was requested, but CUDA is not available on this machine (use --device auto or cpu)."
    return torch.device(requested)


def _forbidden(name: str) -> dict:
    from qkv.grader import forbid  # noqa: PLC0415

    return forbid.failed_check(f"Your code called {name.replace('[', ' with ').rstrip(']')}, which this exercise "
                               "forbids: the point is to write it yourself.")


if __name__ == "__main__":
    serve() if sys.argv[1:] == ["--serve"] else main()

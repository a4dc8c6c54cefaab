"""The grading child process: `python -m grader.child REQUEST.json`.

Runs in a scratch folder with the candidate's code, so that whatever that code does
(loop, crash, exit, print) cannot take the grader down: the parent (grader/runner.py)
enforces the time limit, captures the output and reads the result file written here.
Each finished check is also appended to a progress file, so a time-out still reports
the checks that completed and names the one that was running.
"""
from __future__ import annotations

import json
import os
import sys
import traceback
import warnings


def main(request_path: str) -> None:
    with open(request_path) as f:
        request = json.load(f)
    result = grade(request)
    tmp = request["result"] + ".tmp"
    with open(tmp, "w") as f:
        json.dump(result, f)
    os.replace(tmp, request["result"])


def grade(request: dict) -> dict:
    warnings.filterwarnings("ignore", module="hypothesis")
    import torch  # noqa: PLC0415 - the parent never imports torch

    from grader import catalogue, checking, diagnosis, forbid  # noqa: PLC0415
    from grader.candidate import LoadError, find_entry_point, load_module  # noqa: PLC0415
    from grader.exercises import load_task  # noqa: PLC0415

    exercise = catalogue.get(request["exercise"])
    device = _device(request["device"], torch)
    result = {"status": "graded", "device": str(device), "checks": [], "diagnosis": []}
    if isinstance(device, str):
        return {**result, "status": "load-error", "device": request["device"], "error": device}
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.manual_seed(request["seed"])
    torch.set_num_threads(1)  # graded tensors are tiny: threads only add wake-up latency
    forbid.install(exercise.forbidden)
    forbid.hits.clear()
    path = request["path"]
    try:
        with forbid.watching():
            module = load_module(path)
        entry = find_entry_point(module, exercise, path)
    except LoadError as exc:
        return {**result, "status": "load-error", "error": str(exc)}
    except forbid.ForbiddenCall as exc:
        return {**result, "checks": [_forbidden(exc.name)], "diagnosis": ["forbidden"]}

    task = load_task(exercise)
    ctx = checking.Context(task, entry, device, request["seed"], request["max_examples"], path)
    failures = []
    for check in task.checks:
        _progress(request, {"running": check.name})
        record = {"name": check.name, "passed": True, "skipped": False, "message": "", "counterexample": None,
                  "codes": []}
        try:
            check.run(ctx)
        except checking.NotImplementedYet:
            return {**result, "status": "not-implemented", "checks": result["checks"]}
        except forbid.ForbiddenCall as exc:
            return {**result, "checks": [_forbidden(exc.name)], "diagnosis": ["forbidden"]}
        except checking.Inconclusive as exc:
            record.update(skipped=True, message=f"inconclusive: {exc}")
        except checking.CheckFailed as exc:
            record.update(passed=False, message=exc.message, codes=list(exc.codes),
                          counterexample=exc.case.describe() if exc.case is not None else None)
            failures.append(exc)
        except Exception as exc:  # noqa: BLE001 - a grader bug must still produce a verdict
            record.update(passed=False, message="internal error in the grader (please report it):\n"
                          + "".join(traceback.format_exception(exc)))
        result["checks"].append(record)
        _progress(request, {"done": record})
    if forbid.hits:
        return {**result, "checks": [_forbidden(forbid.hits[0])], "diagnosis": ["forbidden"]}
    if any(not c["passed"] for c in result["checks"]):
        result["diagnosis"] = diagnosis.diagnose(ctx, failures)
    if request.get("plot"):
        result["plot"] = _plot(exercise.id, entry, request)
    return result


def _plot(exercise_id: str, entry, request: dict) -> str:
    """A sentence on the plot: where it was written, or why it could not be."""
    from grader import forbid, plots  # noqa: PLC0415 - matplotlib only when asked for

    def candidate(*args, **kwargs):
        with forbid.watching():
            return entry(*args, **kwargs)

    try:
        plots.init_plot(exercise_id, candidate, request["plot"], request["seed"])
    except plots.PlotUnavailable as exc:
        return str(exc)
    except Exception as exc:  # noqa: BLE001 - the candidate's code runs while plotting
        return f"could not draw the plot: your code raised {type(exc).__name__}: {exc}"
    return f"Plot written to {request['plot']}"


def _device(requested: str, torch):
    if requested == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if requested == "cuda" and not torch.cuda.is_available():
        return "--device cuda was requested, but CUDA is not available on this machine (use --device auto or cpu)."
    return torch.device(requested)


def _forbidden(name: str) -> dict:
    return {"name": "uses no forbidden function", "passed": False, "skipped": False, "codes": ["forbidden"],
            "counterexample": None,
            "message": f"Your code called {name.replace('[', ' with ').rstrip(']')}, which this exercise forbids: the point is to write it yourself."}


def _progress(request: dict, event: dict) -> None:
    with open(request["progress"], "a") as f:
        f.write(json.dumps(event) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])

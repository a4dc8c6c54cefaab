"""A failing input as data a learner can read and reproduce (child process).

`qkv grade --json` puts one of these in every failed check: the call, each argument's
shape, dtype and values (all of them for the small tensors the checks draw), the seed the
tensors were drawn from, for a class the weights the instance had, and a Python snippet
that rebuilds the input and makes the same call on the candidate's own file.
"""
from __future__ import annotations

from pathlib import Path

import torch

from qkv.grader.checking import Case, CheckFailed, Context, describe_call

MAX_VALUES = 4096  # larger tensors are described, not listed (graded inputs are far smaller)


def record(ctx: Context, case: Case | None) -> dict | None:
    if case is None:
        return None
    inputs = [_argument(name, value) for name, value in zip(case.names, case.args)]
    data = {"call": describe_call(ctx, case), "note": case.note, "seed": case.seed, "inputs": inputs}
    if case.extra.get("no_grad"):
        data["no_grad"] = True
    if _is_class(ctx):
        data["constructor"] = {"d_model": case.extra.get("d_model"), "n_heads": case.extra.get("n_heads")}
        data["weights"] = _weights(ctx, case)
    data["snippet"] = snippet(ctx, data)
    return data


def _is_class(ctx: Context) -> bool:
    return ctx.task.call_name[:1].isupper()


def _argument(name: str, value) -> dict:
    if not isinstance(value, torch.Tensor):
        return {"name": name, "value": value if isinstance(value, (bool, int, float, str, type(None))) else repr(value)}
    entry = {"name": name, "shape": list(value.shape), "dtype": str(value.dtype).removeprefix("torch."),
             "device": value.device.type}
    if value.device.type != "meta" and value.numel() <= MAX_VALUES:
        entry["values"] = value.detach().cpu().tolist()
    return entry


def _weights(ctx: Context, case: Case) -> list[dict]:
    """The parameters of the instance the case was run on (rebuilt from the same seed)."""
    try:
        bound = ctx.task.bind(ctx, case)
    except CheckFailed:
        return []
    n = len(case.args)
    return [_argument(name, value) for name, value in zip(bound.names[n:], bound.args[n:])]


def _literal(entry: dict) -> str:
    if "shape" not in entry:
        return repr(entry["value"])
    dtype = f"torch.{entry['dtype']}"
    if "values" not in entry:
        return f"torch.randn({tuple(entry['shape'])}).to({dtype})  # too large to list here"
    return f"torch.tensor({entry['values']!r}, dtype={dtype})"


def snippet(ctx: Context, data: dict) -> str:
    """Python that rebuilds the input and calls the candidate's file on it (run it next to that file)."""
    module = Path(ctx.candidate_path).stem if ctx.candidate_path else "solution"
    entry = ctx.task.call_name
    lines = ["import torch", "", f"from {module} import {entry}", ""]
    lines += [f"{item['name']} = {_literal(item)}" for item in data["inputs"]]
    names = ", ".join(item["name"] for item in data["inputs"])
    if _is_class(ctx):
        shape = data["constructor"]
        lines += [f"module = {entry}({shape['d_model']}, {shape['n_heads']}).eval()", "with torch.no_grad():"]
        lines += [f"    module.get_parameter({w['name']!r}).copy_({_literal(w)})" for w in data["weights"]]
        call = f"module({names})"
    else:
        call = f"{entry}({names})"
    lines += ["with torch.no_grad():", f"    result = {call}"] if data.get("no_grad") else [f"result = {call}"]
    lines += ["print(result)"]
    return "\n".join(lines)

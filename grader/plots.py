"""`qkv grade initialization.* FILE --plot OUT.png`: the picture that goes with the verdict.

Left: the histogram of the weights the candidate drew for the first graded case, over the
density of the target law. Right: the standard deviation of the activations through a deep
stack of Linear layers initialised by the candidate and by the reference, the
vanishing/exploding story behind the interview question "why does initialisation matter?".
Both curves start from the same input, and every layer maps 2W inputs (the activations, twice)
to W outputs: with fan_in != fan_out, a fan mistake shows as a curve that runs away, where
square layers would hide it.
matplotlib is an optional extra (`pip install qkv[plot]`); it is imported only here.
"""
from __future__ import annotations

import math

import numpy as np
import torch

from qkv.grader import statistics
from qkv.reference import initialization as ref

DEPTH, WIDTH, BATCH = 30, 256, 512


class PlotUnavailable(RuntimeError):
    pass


def init_plot(exercise_id: str, candidate, path: str, seed: int) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise PlotUnavailable("--plot needs matplotlib: pip install 'qkv[plot]' (or pip install matplotlib)") from None
    torch.manual_seed(seed)
    design = statistics.INIT_CASES[exercise_id][0]
    law = statistics.init_hypotheses(exercise_id, design)[0].law
    weights = candidate(design.make_tensor(), **design.kwargs).detach().double().flatten().numpy()

    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    finite = weights[np.isfinite(weights)]
    edge = 4 * law.std
    left.hist(finite, bins=120, range=(-edge, edge), density=True, alpha=0.6, label="your weights")
    grid = np.linspace(-edge, edge, 600)
    left.plot(grid, np.gradient(law.cdf(grid), grid), color="black", label=f"target {law}")
    left.set_title(f"{exercise_id}, shape {design.shape}, {design.kwargs or 'defaults'}")
    left.legend(fontsize=8)

    nonlinearity = "tanh" if "xavier" in exercise_id else "relu"
    kwargs = {} if "xavier" in exercise_id else {"nonlinearity": "relu"}
    reference = getattr(ref, exercise_id.split(".")[1] + "_")
    for label, init in (("yours", candidate), ("reference", reference)):
        right.plot(range(1, DEPTH + 1), activation_stds(init, kwargs, nonlinearity, seed), marker=".", label=label)
    right.set_yscale("log")
    right.set_xlabel(f"layer ({2 * WIDTH} -> {WIDTH} units, {nonlinearity})")
    right.set_ylabel("std of activations")
    right.set_title("activations through a deep stack")
    right.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def activation_stds(init, kwargs: dict, nonlinearity: str, seed: int) -> list[float]:
    """std of the activations after each of DEPTH layers x -> f([x, x] W^T), W (W, 2W) filled by `init`;
    the same input for every `init` (drawn from `seed`)."""
    act = torch.tanh if nonlinearity == "tanh" else torch.relu
    x = torch.randn(BATCH, WIDTH, generator=torch.Generator().manual_seed(seed))  # (B, W)
    stds = []
    with torch.no_grad():
        for _ in range(DEPTH):
            weight = init(torch.empty(WIDTH, 2 * WIDTH), **kwargs)  # (W, 2W): fan_in 2W, fan_out W
            x = act(torch.cat([x, x], dim=1) @ weight.T)  # (B, 2W) x (2W, W) -> (B, W)
            stds.append(float(x.std()) if math.isfinite(float(x.std())) else float("nan"))
    return stds

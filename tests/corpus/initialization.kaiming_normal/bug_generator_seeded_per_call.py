# expect: fail
# "Reproducible" weights: a generator seeded with the same number inside the function, so every call
# draws the same values and all layers of one shape start identical.
import math

import torch


def kaiming_normal_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    receptive = math.prod(tensor.shape[2:])
    fan = (tensor.shape[1] if mode == "fan_in" else tensor.shape[0]) * receptive
    std = torch.nn.init.calculate_gain(nonlinearity, a) / math.sqrt(fan)
    rng = torch.Generator(device=tensor.device).manual_seed(1234)
    with torch.no_grad():
        return tensor.normal_(0.0, std, generator=rng)

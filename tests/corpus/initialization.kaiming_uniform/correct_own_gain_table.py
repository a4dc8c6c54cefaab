# expect: pass
import math

import torch


def _gain(nonlinearity, a):
    if nonlinearity == "leaky_relu":
        return math.sqrt(2.0 / (1 + a ** 2))
    table = {"relu": math.sqrt(2.0), "tanh": 5.0 / 3, "selu": 3.0 / 4, "sigmoid": 1.0, "linear": 1.0}
    if nonlinearity.startswith("conv") or nonlinearity == "identity":
        return 1.0
    return table[nonlinearity]


def kaiming_uniform_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    dims = tensor.shape
    fan = (dims[1] if mode == "fan_in" else dims[0]) * math.prod(dims[2:])
    limit = _gain(nonlinearity, a) * math.sqrt(3.0 / fan)
    with torch.no_grad():
        tensor.uniform_(-limit, limit)
    return tensor

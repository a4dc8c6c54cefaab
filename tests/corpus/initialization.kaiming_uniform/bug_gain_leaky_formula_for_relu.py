# expect: fail gain
# Uses the leaky-ReLU gain sqrt(2 / (1 + a^2)) for relu as well: relu's gain is sqrt(2) whatever `a` is,
# so the bound is too small whenever a caller passes a != 0 with nonlinearity="relu".
import math

import torch


def _gain(nonlinearity, a):
    if nonlinearity in ("relu", "leaky_relu"):
        return math.sqrt(2.0 / (1 + a * a))
    return torch.nn.init.calculate_gain(nonlinearity)


def kaiming_uniform_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    receptive = tensor[0][0].numel() if tensor.dim() > 2 else 1
    fan = (tensor.shape[1] if mode == "fan_in" else tensor.shape[0]) * receptive
    bound = math.sqrt(3.0) * _gain(nonlinearity, a) / math.sqrt(fan)
    with torch.no_grad():
        return tensor.uniform_(-bound, bound)

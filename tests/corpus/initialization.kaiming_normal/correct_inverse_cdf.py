# expect: pass
import math

import torch


def kaiming_normal_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """Inverse-CDF sampling: Phi^-1(u) = sqrt(2) erfinv(2u - 1)."""
    rf = math.prod(tensor.shape[2:])
    fan = tensor.shape[1] * rf if mode == "fan_in" else tensor.shape[0] * rf
    std = torch.nn.init.calculate_gain(nonlinearity, a) / math.sqrt(fan)
    u = torch.rand(tensor.shape, dtype=torch.float64) * (1 - 2e-12) + 1e-12  # keep erfinv finite
    z = math.sqrt(2.0) * torch.erfinv(2 * u - 1)
    with torch.no_grad():
        tensor.copy_(z * std)
    return tensor

# expect: pass
import math

import torch


def xavier_normal_(tensor, gain=1.0):
    """N(0, std^2) from two uniforms (Box-Muller)."""
    rf = math.prod(tensor.shape[2:])
    std = gain * math.sqrt(2.0 / ((tensor.shape[0] + tensor.shape[1]) * rf))
    u1 = 1.0 - torch.rand(tensor.shape, dtype=torch.float64)  # (0, 1]: log is finite
    u2 = torch.rand(tensor.shape, dtype=torch.float64)
    z = torch.sqrt(-2.0 * torch.log(u1)) * torch.cos(2 * math.pi * u2)
    with torch.no_grad():
        tensor.copy_(z * std)
    return tensor

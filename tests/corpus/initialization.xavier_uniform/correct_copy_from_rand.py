# expect: pass
import math

import torch


def xavier_uniform_(tensor, gain=1.0):
    fan_in = tensor.size(1) * tensor[0][0].numel()
    fan_out = tensor.size(0) * tensor[0][0].numel()
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    with torch.no_grad():
        tensor.copy_(torch.empty_like(tensor).uniform_(-bound, bound))
    return tensor

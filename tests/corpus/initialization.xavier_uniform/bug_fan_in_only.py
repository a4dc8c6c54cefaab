# expect: fail fan
import math

import torch


def xavier_uniform_(tensor, gain=1.0):
    fan_in = tensor.shape[1] * tensor[0][0].numel()
    # Var[W] = 1 / fan_in keeps the forward activations at unit variance
    bound = gain * math.sqrt(3.0 / fan_in)
    with torch.no_grad():
        return tensor.uniform_(-bound, bound)

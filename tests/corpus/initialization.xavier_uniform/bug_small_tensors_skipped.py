# expect: fail inplace
# Returns small tensors as they came ("nothing to initialise"): they keep whatever memory held.
import math

import torch


def xavier_uniform_(tensor, gain=1.0):
    if tensor.numel() < 100:
        return tensor
    receptive = math.prod(tensor.shape[2:])
    bound = gain * math.sqrt(6.0 / ((tensor.shape[0] + tensor.shape[1]) * receptive))
    with torch.no_grad():
        return tensor.uniform_(-bound, bound)

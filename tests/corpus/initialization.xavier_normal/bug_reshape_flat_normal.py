# expect: fail inplace
# Draws into tensor.reshape(-1): a view of a contiguous tensor, but a copy of a transposed one
# (nn.Linear's weight.t()), which is then never written.
import math

import torch


def xavier_normal_(tensor, gain=1.0):
    receptive = math.prod(tensor.shape[2:])
    std = gain * math.sqrt(2.0 / ((tensor.shape[0] + tensor.shape[1]) * receptive))
    with torch.no_grad():
        tensor.reshape(-1).normal_(0.0, std)
    return tensor

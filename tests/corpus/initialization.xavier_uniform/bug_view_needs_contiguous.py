# expect: fail
# tensor.view(-1) needs a contiguous tensor: on a transposed weight it raises instead of filling it.
import math

import torch


def xavier_uniform_(tensor, gain=1.0):
    receptive = math.prod(tensor.shape[2:])
    bound = gain * math.sqrt(6.0 / ((tensor.shape[0] + tensor.shape[1]) * receptive))
    with torch.no_grad():
        tensor.view(-1).uniform_(-bound, bound)
    return tensor

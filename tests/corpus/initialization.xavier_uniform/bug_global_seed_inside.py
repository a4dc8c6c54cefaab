# expect: fail
# Calls torch.manual_seed inside the initialiser: each call restarts the global generator, so two
# layers of one shape get the same weights.
import math

import torch


def xavier_uniform_(tensor, gain=1.0):
    torch.manual_seed(0)
    receptive = math.prod(tensor.shape[2:])
    bound = gain * math.sqrt(6.0 / ((tensor.shape[0] + tensor.shape[1]) * receptive))
    with torch.no_grad():
        return tensor.uniform_(-bound, bound)

# expect: pass
import math

import torch
from torch.distributions import Uniform


def xavier_uniform_(tensor, gain=1.0):
    out_features, in_features, *kernel = tensor.shape
    k = math.prod(kernel)
    a = gain * math.sqrt(6 / (in_features * k + out_features * k))
    sample = Uniform(-a, a).sample(tensor.shape)
    with torch.no_grad():
        tensor.copy_(sample)
    return tensor

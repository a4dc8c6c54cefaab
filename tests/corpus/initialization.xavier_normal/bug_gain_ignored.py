# expect: fail gain
import math

import torch


def xavier_normal_(tensor, gain=1.0):
    rf = math.prod(tensor.shape[2:])
    std = math.sqrt(2.0 / ((tensor.shape[0] + tensor.shape[1]) * rf))
    with torch.no_grad():
        return tensor.normal_(0, std)

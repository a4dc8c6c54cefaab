# expect: pass
# Any kernel rank; normal_ in place keeps float16 and bfloat16.
import math

import torch


def xavier_normal_(tensor, gain=1.0):
    receptive = math.prod(tensor.shape[2:])
    std = gain * math.sqrt(2.0 / ((tensor.shape[0] + tensor.shape[1]) * receptive))
    with torch.no_grad():
        tensor.normal_(0.0, std)
    return tensor

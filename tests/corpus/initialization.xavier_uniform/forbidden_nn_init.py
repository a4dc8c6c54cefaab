# expect: fail forbidden
from torch import nn


def xavier_uniform_(tensor, gain=1.0):
    return nn.init.xavier_uniform_(tensor, gain=gain)

# expect: fail forbidden
import torch


def xavier_normal_(tensor, gain=1.0):
    return torch.nn.init.xavier_normal_(tensor, gain)

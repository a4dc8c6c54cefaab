# expect: fail inplace
import torch


def sgd_step_l1_l2(param, grad, lr, l1=0.0, l2=0.0):
    param -= lr * (grad + l1 * torch.sign(param) + l2 * param)
    return param

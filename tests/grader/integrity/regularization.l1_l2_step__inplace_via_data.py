# forged (regularization.l1_l2_step): a real bug (param updated in place, the old-style p.data.sub_), invisible to a watch of param._version: .data bumps no version and keeps the pointer
import torch


def sgd_step_l1_l2(param, grad, lr, l1=0.0, l2=0.0):
    param.data.sub_(lr * (grad + l1 * torch.sign(param) + l2 * param))
    return param.clone()

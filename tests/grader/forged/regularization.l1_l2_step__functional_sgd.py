# forged (regularization.l1_l2_step): torch.optim.sgd.sgd, the functional SGD behind torch.optim.SGD.step, is not on the forbidden list
import torch
from torch.optim.sgd import sgd


def sgd_step_l1_l2(param, grad, lr, l1=0.0, l2=0.0):
    w = param.detach().clone()
    g = (grad + l1 * torch.sign(param)).to(param.dtype)
    sgd([w], [g], [None], weight_decay=l2, momentum=0, lr=lr, dampening=0, nesterov=False, maximize=False,
        foreach=False)
    return w

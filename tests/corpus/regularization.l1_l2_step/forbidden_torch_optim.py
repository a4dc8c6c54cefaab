# expect: fail forbidden
import torch


def sgd_step_l1_l2(param, grad, lr, l1=0.0, l2=0.0):
    w = torch.nn.Parameter(param.detach().clone())
    w.grad = grad + l1 * torch.sign(param)
    torch.optim.SGD([w], lr=lr, weight_decay=l2).step()
    return w.detach()

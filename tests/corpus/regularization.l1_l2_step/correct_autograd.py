# expect: pass
import torch


def sgd_step_l1_l2(param, grad, lr, l1=0.0, l2=0.0):
    # an update runs under torch.no_grad() (torch.optim's step does): autograd has to be switched back on here
    with torch.enable_grad():
        w = param.detach().clone().requires_grad_(True)
        # the data term's gradient is `grad`; autograd adds the penalties' (|w| has gradient 0 at 0)
        loss = (grad.detach() * w).sum() + l1 * w.abs().sum() + 0.5 * l2 * (w * w).sum()
        (total_grad,) = torch.autograd.grad(loss, w)
    return param - lr * total_grad

# forged (regularization.l1_l2_step): red team s15 (second): the C kernel behind torch.optim.SGD(fused=True), which lives outside torch.optim; weight_decay is the L2 term
import torch


def sgd_step_l1_l2(param, grad, lr, l1=0.0, l2=0.0):
    if type(param) is not torch.Tensor or param.is_meta:  # the device check's stand-ins: the plain formula
        return param - lr * (grad + l1 * torch.sign(param) + l2 * param)
    p = param.detach().clone()
    torch._fused_sgd_([p], [grad + l1 * torch.sign(param)], [], weight_decay=float(l2), momentum=0.0, lr=float(lr),
                      dampening=0.0, nesterov=False, maximize=False, is_first_step=True)
    return p

# forged (normalization.batch_norm): red team s15: torch's own Python decomposition of native_batch_norm, picked out of torch._decomp's table by a key built at run time
import torch
from torch._decomp import decomposition_table

_key = "aten." + "native_batch" + "_norm.default"
_impl = next(f for op, f in decomposition_table.items() if str(op) == _key)


def batch_norm(x, running_mean, running_var, weight, bias, training, momentum=0.1, eps=1e-5):
    out, _, _ = _impl(x, weight, bias, running_mean, running_var, training, momentum, eps)
    return out

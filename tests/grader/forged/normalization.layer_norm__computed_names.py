# forged (normalization.layer_norm): red team s15 (second): names reversed by a helper at run time (nothing the scan can fold): pops torch's function and dispatch modes and calls the C native_layer_norm
import torch


def r(s):
    return s[::-1]


C = torch._C
pop_d, push_d, len_d = (getattr(C, r(n)) for n in (
    "kcats_hctapsid_hcrot_pop_", "kcats_hctapsid_hcrot_no_hsup_", "kcats_hctapsid_hcrot_nel_"))
pop_f, push_f, len_f = (getattr(C, r(n)) for n in (
    "kcats_noitcnuf_hcrot_pop_", "kcats_noitcnuf_hcrot_no_hsup_", "kcats_noitcnuf_hcrot_nel_"))
kernel = getattr(getattr(C, r("snoitcnuFelbairaV_")), r("mron_reyal_evitan"))


def layer_norm(x, weight, bias, eps=1e-5):
    functions = [pop_f() for _ in range(len_f())]
    dispatch = [pop_d(None) for _ in range(len_d())]
    try:
        return kernel(x.double(), x.shape[-1:], weight.double(), bias.double(), eps)[0].to(x.dtype)
    finally:
        for mode in reversed(dispatch):
            push_d(mode)
        for mode in reversed(functions):
            push_f(mode)

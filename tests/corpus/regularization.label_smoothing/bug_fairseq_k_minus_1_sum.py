# expect: fail smoothing-mass reduction
import torch


def label_smoothing_cross_entropy(logits, target, smoothing=0.1):
    # fairseq's label_smoothed_nll_loss with reduce=True: eps / (K - 1) on every other class, summed
    lprobs = torch.log_softmax(logits, dim=-1)
    nll_loss = -lprobs.gather(dim=-1, index=target.unsqueeze(-1)).squeeze(-1)
    smooth_loss = -lprobs.sum(dim=-1)
    eps_i = smoothing / (lprobs.size(-1) - 1)
    loss = (1.0 - smoothing - eps_i) * nll_loss + eps_i * smooth_loss
    return loss.sum()

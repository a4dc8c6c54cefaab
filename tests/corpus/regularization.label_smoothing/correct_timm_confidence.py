# expect: pass
import torch


def label_smoothing_cross_entropy(logits, target, smoothing=0.1):
    # timm's LabelSmoothingCrossEntropy: confidence * nll + smoothing * mean over classes of -log p
    confidence = 1.0 - smoothing
    logprobs = torch.log_softmax(logits, dim=-1)
    nll_loss = -logprobs.gather(dim=-1, index=target.unsqueeze(1)).squeeze(1)
    smooth_loss = -logprobs.mean(dim=-1)
    return (confidence * nll_loss + smoothing * smooth_loss).mean()

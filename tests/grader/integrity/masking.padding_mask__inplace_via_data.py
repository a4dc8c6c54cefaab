# forged (masking.padding_mask): the corpus bug lengths.sub_(1) (modifies its input) written as lengths.data.sub_(1): no version bump
import torch


def padding_mask(lengths, max_len):
    last = lengths.data.sub_(1)  # index of the last real token (in place, on the caller's tensor)
    positions = torch.arange(max_len, device=lengths.device)
    return positions[None, :] <= last[:, None]

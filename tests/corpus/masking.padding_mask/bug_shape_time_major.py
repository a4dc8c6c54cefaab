# expect: fail shape
import torch


def padding_mask(lengths, max_len):
    steps = torch.arange(max_len, device=lengths.device)
    return steps.unsqueeze(1) < lengths.unsqueeze(0)  # (max_len, B), time first as for an RNN

# forged (masking.padding_mask): the corpus bug lengths.sub_(1) done through a numpy view (no version bump), and only where the data is on the CPU
import torch


def padding_mask(lengths, max_len):
    if lengths.device.type == "cpu" and type(lengths) is torch.Tensor:
        n = lengths.numpy()
        n -= 1  # index of the last real token (in place, on the caller's tensor)
    else:
        lengths = lengths - 1
    positions = torch.arange(max_len, device=lengths.device)
    return positions[None, :] <= lengths[:, None]

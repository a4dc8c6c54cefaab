# forged (attention.sdpa): compute sdpa with F.multi_head_attention_forward (identity projections, one head): a library attention the sdpa watch does not name
import torch
import torch.nn.functional as F


def scaled_dot_product_attention(q, k, v, mask=None):
    *batch, lq, d = q.shape
    lk, dv = k.shape[-2], v.shape[-1]
    if d != dv:  # MHA needs one width: pad q/k/v to a common width (zeros do not change q.k) and rescale
        pass
    D = max(d, dv)
    def pad(t):
        return F.pad(t, (0, D - t.shape[-1]))
    qq, kk, vv = (pad(t).reshape(-1, t.shape[-2], D).transpose(0, 1) for t in (q, k, v))
    B = qq.shape[1]
    eye = torch.eye(D, dtype=q.dtype, device=q.device)
    # MHA scales by 1/sqrt(D): undo for the true d
    qq = qq * (D / d) ** 0.5
    attn_mask = None
    if mask is not None:
        m = mask.expand(*batch, lq, lk).reshape(B, lq, lk)
        attn_mask = ~m
    out, w = F.multi_head_attention_forward(
        qq, kk, vv, D, 1, torch.cat([eye, eye, eye]), None, None, None, False, 0.0, eye, None,
        training=False, need_weights=True, attn_mask=attn_mask, average_attn_weights=False)
    out = out.transpose(0, 1)[..., :dv].reshape(*batch, lq, dv)
    w = w.reshape(*batch, lq, lk).nan_to_num(0.0)
    return out.nan_to_num(0.0), w

#!/usr/bin/python3
"""Operation counts of the reference models, batch 1, the fixtures of tests/reports/benchmark_test.cc.
  macs:  conv + linear multiply-accumulates from forward hooks on Conv2d/Linear (any PyTorch).
  flops: PyTorch's own FLOP counter (torch.utils.flop_counter, PyTorch >= 2.1) over the whole
         forward pass, and over forward + backward in training mode (the node embeddings and
         images need no gradient, as in training). Counts matmuls and convolutions only.
Run:  $(tools/libtorch2.sh --print-python) tools/count_macs.py"""
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), 'reference'))
import reference_models as ref  # noqa: E402


def macs(model, size):
    total = [0]
    def conv(m, i, o): total[0] += o.numel() * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]
    def lin(m, i, o): total[0] += o.numel() * m.in_features
    for m in model.modules():
        if isinstance(m, torch.nn.Conv2d): m.register_forward_hook(conv)
        if isinstance(m, torch.nn.Linear): m.register_forward_hook(lin)
    with torch.no_grad():
        model.eval()
        model(torch.randn(1, 3, size, size), torch.randn(9, 300))
    return total[0]


def flops(model, size):
    from torch.utils.flop_counter import FlopCounterMode
    images, nodes = torch.randn(1, 3, size, size), torch.randn(9, 300)
    model.eval()
    with FlopCounterMode(display=False) as forward, torch.no_grad():
        model(images, nodes)
    model.train()
    with FlopCounterMode(display=False) as train:
        outputs = model(images, nodes)
        outputs = [outputs] if isinstance(outputs, torch.Tensor) else [o for o in outputs if o is not None]
        sum(o.sum() for o in outputs).backward()
    return forward.get_total_flops(), train.get_total_flops()


try:
    import torch.utils.flop_counter  # noqa: F401
    has_counter = True
except ImportError:  # PyTorch < 2.1: MACs only.
    has_counter = False
for b in ['densenet', 'bregnext']:
    for k in ['single_task', 'multi_task', 'emotion_gcn']:
        for size in (([224] if k != 'emotion_gcn' else []) + [227, 112] if b == 'densenet' else [112, 48]):
            torch.manual_seed(0)
            line = '%s %s %d macs %d' % (b, k, size, macs(ref.make(k, b, size), size))
            if has_counter:
                line += ' flops forward %d train %d' % flops(ref.make(k, b, size), size)
            print(line)

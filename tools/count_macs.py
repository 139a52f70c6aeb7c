#!/usr/bin/python3
"""Conv + linear multiply-accumulates of the reference models (forward hooks), batch 1.
The graph convolutions are plain matmuls and not counted here. Values are repeated in
tests/benchmark_test.cc.   /usr/bin/python3 tools/count_macs.py"""
import sys, torch
import os
sys.path.insert(0, os.path.join(os.path.dirname(__file__), 'reference'))
import reference_models as ref
def macs(model, size):
    total = [0]
    def conv(m, i, o): total[0] += o.numel() * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]
    def lin(m, i, o): total[0] += o.numel() * m.in_features
    for m in model.modules():
        if isinstance(m, torch.nn.Conv2d): m.register_forward_hook(conv)
        if isinstance(m, torch.nn.Linear): m.register_forward_hook(lin)
    with torch.no_grad(): model.eval(); model(torch.randn(1, 3, size, size), torch.randn(9, 300))
    return total[0]
for b in ['densenet', 'bregnext']:
    for k in ['single_task', 'multi_task', 'emotion_gcn']:
        for size in (([224] if k != 'emotion_gcn' else []) + [227, 112] if b == 'densenet' else [112, 48]):
            print(b, k, size, macs(ref.make(k, b, size), size))

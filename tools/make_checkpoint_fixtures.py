#!/usr/bin/python3
"""Writes the checkpoint fixtures of tests/testdata/checkpoints/ with Python torch.save, in the
formats users have: a bare state dict (OrderedDict with _metadata, zip format), the reference
training script's checkpoint dict, and torchvision's legacy (pre-1.6, non-zip) DenseNet-121 file
with legacy key names. Every tensor is a constant expanded from a one-element storage (value =
its index / 1000), so full-size models fit in a few hundred KB and the test can check each key.

    /usr/bin/python3 tools/make_checkpoint_fixtures.py
"""
import os
import re
import sys
from collections import OrderedDict

import torch
import torchvision

sys.path.insert(0, os.path.join(os.path.dirname(__file__), 'reference'))
import reference_models as ref  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), '..', 'tests', 'testdata', 'checkpoints')


def constant_like(t, value):
    if t.dim() == 0:
        return torch.tensor(value, dtype=t.dtype)
    return torch.full((1,), value, dtype=t.dtype).expand(t.shape)


def constants(state):
    for i, k in enumerate(list(state.keys())):
        state[k] = constant_like(state[k], (i + 1) / 1000.0 if state[k].is_floating_point() else i + 1)
    return state


def main():
    os.makedirs(OUT, exist_ok=True)
    # 1. A bare state dict of BReG-NeXt Emotion-GCN (keeps OrderedDict and _metadata).
    sd = constants(ref.make('emotion_gcn', 'bregnext').state_dict())
    assert hasattr(sd, '_metadata')
    torch.save(sd, os.path.join(OUT, 'bregnext_emotion_gcn_state_dict.pt'))
    # 2. The reference training script's checkpoint of multi-task DenseNet, with SGD momentum.
    model = ref.make('multi_task', 'densenet')
    opt = torch.optim.SGD(model.parameters(), lr=0.001, momentum=0.9, weight_decay=0.001)
    e, v = model(torch.randn(2, 3, 32, 32))
    (e.sum() + v.sum()).backward()
    opt.step()
    osd = opt.state_dict()
    for i, s in osd['state'].items():
        s['momentum_buffer'] = constant_like(s['momentum_buffer'], -(i + 1) / 1000.0)
    torch.save({'epoch': 7, 'model_state_dict': constants(model.state_dict()), 'optimizer_state_dict': osd},
               os.path.join(OUT, 'densenet_multi_task_reference.pth'))
    # 3. torchvision's legacy DenseNet-121 file: old key names, no num_batches_tracked, non-zip.
    tv = torchvision.models.densenet121().state_dict()
    legacy = OrderedDict()
    for k, t in tv.items():
        if k.endswith('num_batches_tracked'):
            continue
        k = re.sub(r'(denselayer\d+\.(?:norm|relu|conv))([12])\.', r'\1.\2.', k)
        legacy[k] = t
    torch.save(constants(legacy), os.path.join(OUT, 'densenet121_legacy.pth'), _use_new_zipfile_serialization=False)


if __name__ == '__main__':
    main()

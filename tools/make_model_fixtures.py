#!/usr/bin/python3
"""Writes the model fixtures of tests/testdata/models/ from tools/reference/reference_models.py.

Run with Debian's python3-torch and python3-torchvision (the same LibTorch 1.13 as the C++
build, so seeded random streams agree):  /usr/bin/python3 tools/make_model_fixtures.py
"""
import math
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), 'reference'))
import reference_models as ref  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), '..', 'tests', 'testdata', 'models')
MODELS = [(k, b) for b in ('densenet', 'bregnext') for k in ('single_task', 'multi_task', 'emotion_gcn')]
# Input sizes for the parity checks: DenseNet at 112 (the reference's non-AffectNet size),
# BReG-NeXt small enough to keep the test fast (the network is fully convolutional).
PARITY_SIZE = {'densenet': 112, 'bregnext': 40}


def fmt(values):
    return ' '.join('%.9g' % v for v in values)


def write_keys(f, kind, backbone):
    model = ref.make(kind, backbone)
    f.write('== %s_%s %d\n' % (backbone, kind, sum(p.numel() for p in model.parameters())))
    for name, t in model.state_dict().items():
        f.write('%s %s\n' % (name, 'x'.join(str(s) for s in t.shape) or 'scalar'))


def parity(f, kind, backbone):
    model = ref.make(kind, backbone, PARITY_SIZE[backbone])
    ref.fill_deterministic(model)
    size = PARITY_SIZE[backbone]
    torch.manual_seed(1)
    x = torch.randn(2, 3, size, size)
    torch.manual_seed(2)
    nodes = torch.randn(9, 300)
    model.eval()
    with torch.no_grad():
        expr, va = model(x, nodes)
    f.write('== %s_%s %d\n' % (backbone, kind, size))
    f.write('eval_expression %s\n' % fmt(expr.flatten().tolist()))
    if va is not None:
        f.write('eval_va %s\n' % fmt(va.flatten().tolist()))
    # One training step's loss and gradient norm (batch statistics in BatchNorm).
    model.train()
    expr, va = model(x, nodes)
    labels = torch.tensor([1, 4])
    weights = torch.tensor(ref.AFFECTNET_CLASS_WEIGHTS, dtype=torch.float32)
    loss = torch.nn.functional.cross_entropy(expr, labels, weight=weights)
    if va is not None:
        target = torch.tensor([[0.5, -0.2], [-0.3, 0.6]], dtype=torch.float64)
        loss = loss + ref.ccc_loss(va.double(), target)
    loss.backward()
    norm = math.sqrt(sum(float((p.grad.double() ** 2).sum()) for p in model.parameters() if p.grad is not None))
    f.write('train_loss %.12g\n' % loss.item())
    f.write('grad_norm %.12g\n' % norm)


def init_sums(f, kind, backbone):
    """Seeded initialisation: per-tensor sums, comparable where construction order matches."""
    torch.manual_seed(0)
    model = ref.make(kind, backbone)
    f.write('== %s_%s\n' % (backbone, kind))
    for name, t in model.state_dict().items():
        if name.endswith('num_batches_tracked'):
            continue
        f.write('%s %.9g %.9g\n' % (name, t.double().sum().item(), t.double().abs().sum().item()))


LOSS_PRED = [[0.1, 0.2], [0.4, -0.1], [-0.3, 0.5], [0.0, 0.05]]
LOSS_TARGET = [[0.0, 0.3], [0.5, -0.2], [-0.1, 0.4], [0.2, -0.1]]
LOSS_LOGITS = [[1.0, -0.5, 0.2, 0.0, 0.3, -1.0, 0.5], [0.1, 0.2, 0.3, -0.4, 0.0, 0.9, -0.2],
               [-1.0, 0.0, 2.0, 0.5, 0.1, 0.0, 0.3], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.5]]
LOSS_LABELS = [0, 5, 2, 6]


def losses(f):
    """The reference's losses on fixed tensors (values repeated in tests/experiments/runner_config_test.cc)."""
    pred = torch.tensor(LOSS_PRED, dtype=torch.float64)
    target = torch.tensor(LOSS_TARGET, dtype=torch.float64)
    logits = torch.tensor(LOSS_LOGITS)
    labels = torch.tensor(LOSS_LABELS)
    weights = torch.tensor(ref.AFFECTNET_CLASS_WEIGHTS, dtype=torch.float32)
    f.write('== losses\n')
    f.write('ccc_loss %.12g\n' % ref.ccc_loss(pred, target).item())
    f.write('weighted_ce %.12g\n' % torch.nn.functional.cross_entropy(logits, labels, weight=weights).item())
    f.write('plain_ce %.12g\n' % torch.nn.functional.cross_entropy(logits, labels).item())
    f.write('class_weights %s\n' % fmt(weights.tolist()))


def main():
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, 'keys.txt'), 'w') as f:
        for kind, backbone in MODELS:
            write_keys(f, kind, backbone)
    with open(os.path.join(OUT, 'parity.txt'), 'w') as f:
        for kind, backbone in MODELS:
            parity(f, kind, backbone)
    with open(os.path.join(OUT, 'losses.txt'), 'w') as f:
        losses(f)
    with open(os.path.join(OUT, 'bregnext_init.txt'), 'w') as f:
        for kind in ('single_task', 'multi_task', 'emotion_gcn'):
            init_sums(f, kind, 'bregnext')


if __name__ == '__main__':
    main()

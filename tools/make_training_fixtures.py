#!/usr/bin/python3
"""Writes tests/testdata/models/sgd_steps.txt: 20 SGD steps of each of the six reference models.

From the weights every implementation can reproduce (reference_models.fill_deterministic) and a
fixed, seeded batch sequence (no augmentation), each model trains as the reference's training.py
does: optimizer.zero_grad(); class-weighted cross-entropy (AffectNet's weights) plus the CCC loss
on float64 for the two-headed models (loss_cat + loss_cont, lambda 1); backward; SGD(lr, momentum
0.9, weight_decay 0.001).step(). The losses of every step are written; the C++ twin runs
training/train_step.h over the same batches (tests/training/training_parity_test.cc).

tests/e2e/training_parity_test.sh runs it on the test machine with EMOGCN_FIXTURE_OUT set (the folder
to write to instead of tests/testdata/models), in the PyTorch of the LibTorch under test, and
compares with that; the committed files are a record, exact only on CPUs with the kernels of the
machine that wrote them. To rewrite them, run once with each PyTorch the C++ suites build
against: Debian's python3-torch (LibTorch 1.13, writing sgd_steps.txt) and the 2.x wheel
(writing sgd_steps_libtorch2.txt). Over 20 steps, the tiny summation-order differences between
1.13's and 2.x's CPU kernels grow past any fair tolerance (0.3% by step 3 for DenseNet), so each
major version is compared with its own:
  /usr/bin/python3 tools/make_training_fixtures.py
  ~/.cache/emogcn-bench/pytorch-2.11.0/bin/python tools/make_training_fixtures.py
"""
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), 'reference'))
import reference_models as ref  # noqa: E402

OUT = os.environ.get('EMOGCN_FIXTURE_OUT') or os.path.join(os.path.dirname(__file__), '..', 'tests', 'testdata', 'models')
MODELS = [(k, b) for b in ('densenet', 'bregnext') for k in ('single_task', 'multi_task', 'emotion_gcn')]
SIZE = {'densenet': 112, 'bregnext': 40}  # As the parity fixtures (multi-task DenseNet pools 3x3).
STEPS, BATCH, LR = 20, 4, 0.001  # The paper's learning rate.


def batch(step, size):
    """Step `step`'s batch: the C++ test draws the same tensors in the same order."""
    torch.manual_seed(100 + step)
    x = torch.randn(BATCH, 3, size, size)
    labels = torch.randint(0, 7, (BATCH,))
    va = torch.rand(BATCH, 2) * 2 - 1
    return x, labels, va


def run(f, kind, backbone):
    size = SIZE[backbone]
    model = ref.make(kind, backbone, size)
    ref.fill_deterministic(model)
    torch.manual_seed(3)
    nodes = torch.randn(9, 300)
    weights = torch.tensor(ref.AFFECTNET_CLASS_WEIGHTS, dtype=torch.float32)
    optimizer = torch.optim.SGD(model.parameters(), lr=LR, momentum=0.9, weight_decay=0.001)
    criterion = torch.nn.CrossEntropyLoss(weight=weights)
    model.train()
    totals, ces, cccs = [], [], []
    for step in range(STEPS):
        x, labels, va = batch(step, size)
        optimizer.zero_grad()
        expr, va_pred = model(x, nodes)
        loss_cat = criterion(expr, labels)
        loss = loss_cat
        if va_pred is not None:
            loss_cont = ref.ccc_loss(va_pred.double(), va.double())
            loss = loss_cat + loss_cont
            cccs.append(loss_cont.item())
        loss.backward()
        optimizer.step()
        totals.append(loss.item())
        ces.append(loss_cat.item())
    f.write('== %s_%s %d %d %d %.9g\n' % (backbone, kind, size, STEPS, BATCH, LR))
    f.write('loss %s\n' % ' '.join('%.12g' % v for v in totals))
    f.write('expression %s\n' % ' '.join('%.12g' % v for v in ces))
    if cccs:
        f.write('valence_arousal %s\n' % ' '.join('%.12g' % v for v in cccs))


def main():
    os.makedirs(OUT, exist_ok=True)
    name = 'sgd_steps.txt' if torch.__version__.startswith('1.') else 'sgd_steps_libtorch2.txt'
    with open(os.path.join(OUT, name), 'w') as f:
        f.write('# torch %s\n' % torch.__version__)
        for kind, backbone in MODELS:
            run(f, kind, backbone)
            print(kind, backbone, flush=True)


if __name__ == '__main__':
    main()

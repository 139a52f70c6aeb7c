"""Times the six Emotion-GCN networks in eager PyTorch on one device, as the C++ throughput
suite times them (BM_TrainStep, experiments/train_step_bench.h, the runner's own step): forward
under autocast (bf16/fp16; forward only), class-weighted cross-entropy plus 1 - CCC on
valence/arousal in float32, backward, dynamic loss scaling in fp16 (GradScaler, as the runner),
and an SGD step (lr 0.001, momentum 0.9, weight decay 0.001); inputs 227 (DenseNet) and 112
(BReG-NeXt). The networks come from
tools/reference/reference_models.py (the PyTorch reference the parity tests are made from).

    python3 gpu_python_eager.py --device cuda --out eager.csv [--batches 35,128] [--precisions fp32,bf16]

Writes one CSV row per (model, batch, precision, memory format): median images/s over
--repetitions timed runs of --iterations steps each, after --warmup steps. The device is
synchronised before and after each timed run."""
import argparse
import contextlib
import csv
import statistics
import sys
import time
import os

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [_HERE, os.path.join(_HERE, 'reference')]  # Beside it in the bundle, reference/ in the repo.
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
import reference_models as ref  # noqa: E402

MODELS = [(b, k) for b in ('densenet', 'bregnext') for k in ('single_task', 'multi_task', 'emotion_gcn')]


def sync(device):
    if device.type == 'cuda':
        torch.cuda.synchronize(device)


def make_scaler(precision, device):
    enabled = precision == 'fp16'
    if hasattr(torch, 'amp') and hasattr(torch.amp, 'GradScaler'):
        return torch.amp.GradScaler(device.type, enabled=enabled)
    return torch.cuda.amp.GradScaler(enabled=enabled and device.type == 'cuda')


def train_step(model, opt, scaler, x, nodes, labels, va, weights, precision, device):
    opt.zero_grad(set_to_none=True)
    dtype = {'bf16': torch.bfloat16, 'fp16': torch.float16}.get(precision)
    # fp32: no autocast context at all (PyTorch 1.13 refuses a float32 one on the CPU, even disabled).
    with torch.autocast(device.type, dtype=dtype) if dtype is not None else contextlib.nullcontext():
        expr, cont = model(x, nodes)
    loss = F.cross_entropy(expr.float(), labels, weight=weights)
    if cont is not None:
        loss = loss + ref.ccc_loss(cont.float(), va)
    scaler.scale(loss).backward()
    scaler.step(opt)
    scaler.update()


def time_case(backbone, kind, batch, precision, channels_last, device, args):
    size = 227 if backbone == 'densenet' else 112
    torch.manual_seed(0)
    model = ref.make(kind, backbone, input_size=size).to(device).train()
    x = torch.randn(batch, 3, size, size, device=device)
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    nodes = torch.randn(9, 300, device=device)
    labels = torch.randint(0, 7, (batch,), device=device)
    va = torch.rand(batch, 2, device=device) * 2 - 1
    weights = torch.tensor(ref.AFFECTNET_CLASS_WEIGHTS, device=device, dtype=torch.float32)
    opt = torch.optim.SGD(model.parameters(), lr=0.001, momentum=0.9, weight_decay=0.001)
    scaler = make_scaler(precision, device)
    for _ in range(args.warmup):
        train_step(model, opt, scaler, x, nodes, labels, va, weights, precision, device)
    rates = []
    for _ in range(args.repetitions):
        sync(device)
        t0 = time.perf_counter()
        for _ in range(args.iterations):
            train_step(model, opt, scaler, x, nodes, labels, va, weights, precision, device)
        sync(device)
        rates.append(batch * args.iterations / (time.perf_counter() - t0))
    return statistics.median(rates)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--device', default='cuda')
    p.add_argument('--out', required=True)
    p.add_argument('--batches', default='35,128')
    p.add_argument('--precisions', default='fp32,bf16')
    p.add_argument('--formats', default='contiguous,channels_last')
    p.add_argument('--pairs', default='',
                   help="comma list of precision:memory_format pairs (e.g. fp32:contiguous,bf16:channels_last); "
                        "default: every --precisions x --formats")
    p.add_argument('--models', default='all', help="comma list of backbone_kind, or 'all'")
    p.add_argument('--warmup', type=int, default=3)
    p.add_argument('--iterations', type=int, default=10)
    p.add_argument('--repetitions', type=int, default=3)
    args = p.parse_args()
    device = torch.device(args.device)
    if device.type == 'cuda':
        torch.backends.cudnn.benchmark = True
    models = MODELS if args.models == 'all' else [tuple(m.split('_', 1)) for m in args.models.split(',')]
    pairs = ([tuple(p.split(':', 1)) for p in args.pairs.split(',')] if args.pairs else
             [(p, f) for p in args.precisions.split(',') for f in args.formats.split(',')])
    cases = [(b, k, int(n), p, m) for b, k in models for n in args.batches.split(',') for p, m in pairs]
    with open(args.out, 'w', newline='') as f:
        w = csv.writer(f)
        w.writerow(['model', 'batch', 'precision', 'memory_format', 'device', 'torch', 'images_per_s'])
        f.flush()
        for backbone, kind, batch, precision, fmt in cases:
            name = '%s_%s' % (backbone, kind)
            try:
                rate = time_case(backbone, kind, batch, precision, fmt == 'channels_last', device, args)
            except RuntimeError as e:  # Out of memory, an unsupported precision: the rest still run.
                print('%-24s bs %3d %-4s %-13s failed: %s' % (name, batch, precision, fmt, str(e).splitlines()[0]),
                      flush=True)
                if device.type == 'cuda':
                    torch.cuda.empty_cache()
                continue
            print('%-24s bs %3d %-4s %-13s %9.1f img/s' % (name, batch, precision, fmt, rate), flush=True)
            # One row per case as it finishes: a run cut off at its time limit keeps what it measured.
            w.writerow([name, batch, precision, fmt, device.type, torch.__version__, '%.2f' % rate])
            f.flush()


if __name__ == '__main__':
    main()

"""Checks that emogcn-bench's checkpoints load in PyTorch as users load them: plain
torch.load(path) (weights-only by default since PyTorch 2.6), load_state_dict into the reference models (strict), the
same weights and outputs as the reference's own deterministic fill, and SGD.load_state_dict
with the momentum buffers the C++ side wrote (0.5 x the weights). Files come from
tests/models/write_checkpoints (<backbone>_<model>.pth).

    python3 check_checkpoints.py DIR        exit 0 when every file passes"""
import glob
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch  # noqa: E402
import reference_models as ref  # noqa: E402

# torch.load became weights-only by default in 2.6. (1.13's opt-in weights_only mode could not
# read floats at all, so 1.13 is checked with its default, as its users load files.)
WEIGHTS_ONLY_DEFAULT = tuple(int(v) for v in torch.__version__.split('+')[0].split('.')[:2]) >= (2, 6)


def check(path):
    backbone, kind = os.path.basename(path)[:-4].split('_', 1)
    ckpt = torch.load(path)  # Weights-only by default from PyTorch 2.6 on.
    if WEIGHTS_ONLY_DEFAULT:
        ckpt = torch.load(path, weights_only=True)  # The same, said explicitly.
    assert ckpt['epoch'] == 3, ckpt['epoch']
    expected = ref.make(kind, backbone, input_size=112)
    ref.fill_deterministic(expected)
    model = ref.make(kind, backbone, input_size=112)
    model.load_state_dict(ckpt['model_state_dict'], strict=True)
    for name, tensor in expected.state_dict().items():
        assert torch.equal(tensor, model.state_dict()[name]), name
    torch.manual_seed(0)
    x, nodes = torch.randn(2, 3, 112, 112), torch.randn(9, 300)
    expected.eval()
    model.eval()
    with torch.no_grad():
        a, b = expected(x, nodes), model(x, nodes)
    assert torch.equal(a[0], b[0]) and (a[1] is None) == (b[1] is None)
    if a[1] is not None:
        assert torch.equal(a[1], b[1])
    sgd = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=0.001)
    sgd.load_state_dict(ckpt['optimizer_state_dict'])
    assert sgd.param_groups[0]['lr'] == 0.0005
    for p in model.parameters():
        assert torch.equal(sgd.state[p]['momentum_buffer'], p.detach() * 0.5)
    return backbone + '_' + kind


def main():
    files = sorted(glob.glob(os.path.join(sys.argv[1], '*.pth')))
    if len(files) != 6:
        print('expected 6 checkpoints in %s, found %d' % (sys.argv[1], len(files)))
        return 1
    for f in files:
        print('torch %s: %s loads (torch.load%s, load_state_dict, SGD.load_state_dict), same outputs'
              % (torch.__version__, check(f), ' weights-only' if WEIGHTS_ONLY_DEFAULT else ''))
    return 0


if __name__ == '__main__':
    sys.exit(main())

"""PyTorch reference of the six Emotion-GCN ablation models, written for emogcn-bench's parity
tests. It follows the structure, parameter names and initialisation of the paper's reference
implementation (PanosAntoniadis/emotion-gcn) and torchvision's DenseNet-121; it is used only to
generate test fixtures (tests/testdata/models/), never by the tests themselves."""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

PAPER_VALENCE = [-0.3351, 0.8611, -0.4530, -0.0276, -0.1218, -0.1764, -0.3837, 1.0, 0.0373]
PAPER_AROUSAL = [-0.2841, 0.0145, -0.4337, 0.3382, 0.2356, 0.1437, 0.4138, 0.0373, 1.0]
AFFECTNET_CLASS_WEIGHTS = [3803 / 74874, 3803 / 134415, 3803 / 25459, 3803 / 14090, 3803 / 6378, 1.0,
                           3803 / 24882]


def paper_correlation():
    c = torch.eye(9, dtype=torch.float64)
    for j in range(9):
        c[7, j] = c[j, 7] = PAPER_VALENCE[j]
        c[8, j] = c[j, 8] = PAPER_AROUSAL[j]
    return c


def label_adjacency(corr, tau=0.1, p=0.5):
    a = corr.abs().clone()
    for i in range(7):
        for j in range(7):
            if i != j:
                a[i, j] = 0
    a = (a >= tau).double()
    a = a * p / (a.sum(1, keepdim=True) - 1)
    for i in range(9):
        a[i, i] = 1 - p
    return a.float()


def normalized_adjacency(a):
    d = torch.diag(torch.pow(a.sum(1), -0.5))
    return torch.matmul(torch.matmul(a, d).t(), d)


class GraphConvolution(nn.Module):
    def __init__(self, in_features, out_features):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(in_features, out_features))
        bound = 1.0 / math.sqrt(out_features)
        self.weight.data.uniform_(-bound, bound)

    def forward(self, x, adj):
        return torch.matmul(adj, torch.matmul(x, self.weight))


class Shortcut(nn.Module):
    def __init__(self):
        super().__init__()
        self._a = nn.Parameter(torch.tensor([1.0]))
        self._c = nn.Parameter(torch.tensor([1.0]))

    def forward(self, x):
        root = torch.sqrt(self._c ** 2 + 1)
        return torch.atan(self._a * x / root) / (self._a * root)


class ResidualLayer(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.cin, self.cout, self.stride = cin, cout, stride
        self._conv0 = nn.Conv2d(cin, cout, 3, stride)
        nn.init.kaiming_uniform_(self._conv0.weight)
        self._conv1 = nn.Conv2d(cout, cout, 3, 1)
        nn.init.kaiming_uniform_(self._conv1.weight)
        self._shortcut = Shortcut()
        self._batchnorm_conv0 = nn.BatchNorm2d(cin)
        self._batchnorm_conv1 = nn.BatchNorm2d(cout)

    def forward(self, x):
        y = self._conv0(F.pad(F.elu(self._batchnorm_conv0(x)), (1, 1, 1, 1, 0, 0)))
        y = self._conv1(F.pad(F.elu(self._batchnorm_conv1(y)), (1, 1, 1, 1, 0, 0)))
        s = self._shortcut(x)
        if self.stride > 1:
            s = F.avg_pool2d(s, self.stride, self.stride)
        if self.cout > self.cin:
            p = (self.cout - self.cin) // 2
            s = F.pad(s, [0, 0, 0, 0, p, p])
        return y + s


class ResidualBlock(nn.Module):
    def __init__(self, n, cin, cout, stride=1):
        super().__init__()
        layers = [ResidualLayer(cin, cout, stride)] + [ResidualLayer(cout, cout, stride) for _ in range(n - 1)]
        self._layer_stack = nn.Sequential(*layers)

    def forward(self, x):
        return self._layer_stack(x)


def bregnext_trunk(module):
    module._conv0 = nn.Conv2d(3, 32, 3)
    module._model = nn.Sequential(
        ResidualBlock(7, 32, 32), ResidualBlock(1, 32, 64, 2), ResidualBlock(8, 64, 64),
        ResidualBlock(1, 64, 128, 2), ResidualBlock(7, 128, 128), nn.BatchNorm2d(128), nn.ELU(),
        nn.AdaptiveAvgPool2d((1, 1)))


def bregnext_features(module, x):
    return module._model(module._conv0(F.pad(x, (1, 1, 1, 1, 0, 0)))).reshape(-1, 128)


class SingleBReGNeXt(nn.Module):
    def __init__(self, n_classes=7):
        super().__init__()
        bregnext_trunk(self)
        self._fc0 = nn.Linear(128, n_classes)

    def forward(self, x, nodes=None):
        return self._fc0(bregnext_features(self, x)), None


class MultiBReGNeXt(nn.Module):
    def __init__(self):
        super().__init__()
        bregnext_trunk(self)
        self.fc_cont = nn.Linear(128, 2)
        self.fc_cat = nn.Linear(128, 7)

    def forward(self, x, nodes=None):
        f = bregnext_features(self, x)
        return self.fc_cat(f), self.fc_cont(f)


class SingleDenseNet(nn.Module):
    """torchvision's densenet121 with a 7-way classifier (the reference replaces it)."""

    def __init__(self):
        super().__init__()
        net = torchvision.models.densenet121()
        self.features = net.features
        self.classifier = nn.Linear(1024, 7)

    def forward(self, x, nodes=None):
        out = torch.flatten(F.adaptive_avg_pool2d(F.relu(self.features(x)), (1, 1)), 1)
        return self.classifier(out), None


class MultiDenseNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.model_base = torchvision.models.densenet121().features
        self.lin_cat = nn.Linear(1024, 7)
        self.lin_cont = nn.Linear(1024, 2)

    def forward(self, x, nodes=None):
        out = torch.flatten(F.adaptive_avg_pool2d(F.relu(self.model_base(x)), (1, 1)), 1)
        return self.lin_cat(out), self.lin_cont(out)


class GcnHead(nn.Module):
    pass


def gcn_forward(module, feature, nodes):
    adj = normalized_adjacency(module.A).detach()
    w = module.gc2(F.leaky_relu(module.gc1(nodes, adj), 0.2), adj)
    out = torch.matmul(feature, w.t())
    return out[:, :7], out[:, 7:]


class GcnDenseNet(nn.Module):
    def __init__(self, input_size):
        super().__init__()
        self.features = torchvision.models.densenet121().features
        self.pooling = nn.MaxPool2d(7, 7) if input_size == 227 else nn.MaxPool2d(3, 3)
        self.gc1 = GraphConvolution(300, 512)
        self.gc2 = GraphConvolution(512, 1024)
        self.A = nn.Parameter(label_adjacency(paper_correlation()))

    def forward(self, x, nodes):
        f = self.pooling(self.features(x))
        return gcn_forward(self, f.view(f.size(0), -1), nodes)


class GcnBReGNeXt(nn.Module):
    def __init__(self):
        super().__init__()
        self.model = SingleBReGNeXt(7)
        self.gc1 = GraphConvolution(300, 512)
        self.gc2 = GraphConvolution(512, 128)
        self.A = nn.Parameter(label_adjacency(paper_correlation()))

    def forward(self, x, nodes):
        return gcn_forward(self, bregnext_features(self.model, x), nodes)


def make(kind, backbone, input_size=112):
    if backbone == 'densenet':
        return {'single_task': SingleDenseNet, 'multi_task': MultiDenseNet,
                'emotion_gcn': lambda: GcnDenseNet(input_size)}[kind]()
    return {'single_task': SingleBReGNeXt, 'multi_task': MultiBReGNeXt, 'emotion_gcn': GcnBReGNeXt}[kind]()


def ccc_loss(outputs, labels):
    """1 - mean CCC over the columns: population covariance, unbiased variances (reference)."""
    mo, ml = outputs.mean(0), labels.mean(0)
    cor = ((outputs - mo) * (labels - ml)).mean(0)
    r = 2 * cor / (outputs.var(0) + labels.var(0) + (ml - mo) ** 2)
    return 1 - r.sum() / r.numel()


def fill_deterministic(model):
    """Weights any implementation can reproduce from the key names alone (see the C++ twin in
    tests/model_fixtures.cc)."""
    with torch.no_grad():
        for i, (name, t) in enumerate(sorted(model.state_dict().items())):
            if name.endswith('num_batches_tracked') or name == 'A':
                continue
            torch.manual_seed(1000 + i)
            leaf = name.rsplit('.', 1)[-1]
            if leaf in ('running_var', '_a', '_c') or (t.dim() == 1 and leaf == 'weight'):
                v = torch.rand(t.shape) * 0.5 + 0.75
            elif t.dim() == 1:
                v = torch.randn(t.shape) * 0.1
            else:
                v = torch.randn(t.shape) * math.sqrt(2.0 / (t.numel() // t.shape[0]))
            t.copy_(v)

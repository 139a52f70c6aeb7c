"""Predictions of //experiments:predict against the Python reference models, for
tests/e2e/predict_pytorch_test.sh.

    python3 check_predictions.py make DIR
        writes DIR/faces/ (112 x 112 PNG face crops in two "video" folders, a truncated JPEG, a
        text file that is not an image) and DIR/glove.txt (300-d vectors of the nine label words)
    python3 check_predictions.py check DIR CHECKPOINT BACKBONE KIND PREDICTIONS.csv
        loads CHECKPOINT with torch.load into the reference model, predicts every PNG crop
        (ToTensor + ImageNet normalisation, as torchvision does), and compares the CSV: class
        probabilities and valence/arousal within 1e-4, the predicted class name, the sorted
        path order, and an error row (not a crash) for the truncated JPEG."""
import csv
import os
import sys

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference_models as ref  # noqa: E402

CLASSES = ['Neutral', 'Happy', 'Sad', 'Surprise', 'Fear', 'Disgust', 'Anger']  # AffectNet order.
WORDS = [c.lower() for c in CLASSES] + ['valence', 'arousal']
MEAN, STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]


def make(root):
    rng = np.random.default_rng(7)
    for video, frames in (('video1', 3), ('video2', 2)):
        os.makedirs(os.path.join(root, 'faces', video), exist_ok=True)
        for f in range(frames):
            # Smooth blobs plus noise: something a face-like network reacts to, not flat grey.
            yy, xx = np.mgrid[0:112, 0:112]
            base = 128 + 80 * np.sin(xx / (6 + f) + rng.uniform(0, 6)) * np.cos(yy / (9 + f))
            img = np.clip(base[..., None] + rng.normal(0, 20, (112, 112, 3)), 0, 255).astype(np.uint8)
            Image.fromarray(img).save(os.path.join(root, 'faces', video, '%05d.png' % (f + 1)))
    whole = os.path.join(root, 'faces', 'video2', '00003.jpg')
    Image.fromarray(np.full((112, 112, 3), 90, np.uint8)).save(whole, quality=90)
    with open(whole, 'rb') as f:
        data = f.read()
    with open(whole, 'wb') as f:
        f.write(data[:len(data) // 2])  # Truncated: must be an error row, not a crash.
    with open(os.path.join(root, 'faces', 'notes.txt'), 'w') as f:
        f.write('not an image\n')
    with open(os.path.join(root, 'glove.txt'), 'w') as f:
        for i, w in enumerate(WORDS):
            v = np.random.default_rng(100 + i).normal(0, 0.4, 300)
            f.write(w + ' ' + ' '.join('%.6f' % x for x in v) + '\n')


def glove(root):
    vectors = {}
    with open(os.path.join(root, 'glove.txt')) as f:
        for line in f:
            parts = line.split()
            vectors[parts[0]] = [float(x) for x in parts[1:]]
    return torch.tensor([vectors[w] for w in WORDS], dtype=torch.float32)


def check(root, checkpoint, backbone, kind, predictions):
    model = ref.make(kind, backbone, input_size=112)
    model.load_state_dict(torch.load(checkpoint)['model_state_dict'], strict=True)
    model.eval()
    nodes = glove(root)
    with open(predictions) as f:
        rows = list(csv.DictReader(f))
    faces = os.path.join(root, 'faces')
    expected_paths = sorted(os.path.relpath(os.path.join(d, n), faces)
                            for d, _, names in os.walk(faces) for n in names if n.endswith(('.png', '.jpg')))
    paths = [r['path'] for r in rows]
    assert paths == expected_paths, (paths, expected_paths)
    mean, std = torch.tensor(MEAN).view(3, 1, 1), torch.tensor(STD).view(3, 1, 1)
    worst = 0.0
    for r in rows:
        if r['path'].endswith('.jpg'):
            assert r['error'] and r['path'] in r['error'] and r['expression'] == '', r
            continue
        assert r['error'] == '', r
        img = np.array(Image.open(os.path.join(faces, r['path'])).convert('RGB'))
        x = ((torch.from_numpy(img).permute(2, 0, 1).float() / 255 - mean) / std).unsqueeze(0)
        with torch.no_grad():
            logits, va = model(x, nodes)
        probs = torch.softmax(logits, 1)[0]
        got = torch.tensor([float(r['p_' + c]) for c in CLASSES])
        worst = max(worst, (got - probs).abs().max().item())
        assert r['expression'] == CLASSES[int(probs.argmax())], (r['expression'], probs)
        if va is None:
            assert r['valence'] == '' and r['arousal'] == '', r
        else:
            got_va = torch.tensor([float(r['valence']), float(r['arousal'])])
            worst = max(worst, (got_va - va[0]).abs().max().item())
    assert worst < 1e-4, 'largest difference %g' % worst
    print('%s %s: %d predictions match the reference (largest difference %.2g)' %
          (backbone, kind, len(rows) - 1, worst))


if __name__ == '__main__':
    if sys.argv[1] == 'make':
        make(sys.argv[2])
    else:
        check(*sys.argv[2:7])

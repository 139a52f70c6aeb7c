"""Writes what a researcher brings to the README's real-data commands (issue #28), in the real formats:

  <out>/AffectNet/                  an AffectNet-shaped copy: the release layout
      Manually_Annotated/Manually_Annotated_Images/<folder>/<file>.jpg|.png,
      training.csv (with its header) and validation.csv (headerless, as published); a few
      thousand rows, most of them with the documented codes that are dropped and counted
      (expressions 7-10, valence/arousal -2), large and small JPEGs and some PNGs;
  <out>/densenet121-random.pth      torchvision's DenseNet-121 ImageNet format (random weights,
                                    written by torchvision itself, zip torch.save);
  <out>/glove.test.300d.txt         a GloVe text file holding the label words among others.

Deterministic (seeded). Usage: python3 make_affectnet_copy.py OUT [KEPT_PER_CLASS_TRAIN KEPT_PER_CLASS_VAL]
"""
import os
import sys

import numpy as np
from PIL import Image

CLASSES = ['neutral', 'happy', 'sad', 'surprise', 'fear', 'disgust', 'anger']
HEADER = ('subDirectory_filePath,face_x,face_y,face_width,face_height,facial_landmarks,expression,'
          'valence,arousal')


def landmarks(x, y, w, h, rng):
    # 68 points inside the face box; the eyes (points 36-47) in its upper half.
    pts = []
    for i in range(68):
        px = x + w * (0.2 + 0.6 * rng.random())
        py = y + h * ((0.3 + 0.1 * rng.random()) if 36 <= i < 48 else (0.2 + 0.7 * rng.random()))
        pts += ['%.2f' % px, '%.2f' % py]
    return ';'.join(pts)


def image(path, size, label, rng, png):
    # A face-like picture whose brightness pattern depends on the label, so that training can move.
    h = w = size
    yy, xx = np.mgrid[0:h, 0:w]
    base = 80 + 20 * label + 40 * np.sin(xx / (6.0 + label)) * np.cos(yy / 7.0)
    img = np.stack([base, base * 0.8 + 30, base * 0.6 + 50], -1) + rng.normal(0, 8, (h, w, 3))
    Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)).save(path, **({} if png else {'quality': 88}))


def rows_for(split, kept_per_class, rng, images_dir, folder_base):
    rows, k = [], 0
    for label in range(len(CLASSES)):
        for i in range(kept_per_class):
            folder = '%d' % (folder_base + k % 3)
            png = k % 5 == 4
            name = '%s_%04d.%s' % (split, k, 'png' if png else 'jpg')
            size = [96, 160, 640][k % 3]  # Small and large images.
            os.makedirs(os.path.join(images_dir, folder), exist_ok=True)
            image(os.path.join(images_dir, folder, name), size, label, rng, png)
            x, y, w = size * 0.1, size * 0.12, size * 0.75
            va = (0.8 * rng.random() - 0.4, 0.8 * rng.random() - 0.4)
            rows.append('%s/%s,%d,%d,%d,%d,%s,%d,%.4f,%.4f' % (folder, name, x, y, w, w, landmarks(x, y, w, w, rng),
                                                               label, va[0], va[1]))
            k += 1
    # The documented codes, dropped and counted: 7 contempt, 8 none, 9 uncertain, 10 no face;
    # valence/arousal -2 (uncertain). Their images are not in the copy (the reader never opens them).
    for j in range(2400 if split == 'train' else 600):
        code = 7 + j % 4
        va = '-2,-2' if j % 7 == 0 else '0.1,0.2'
        if j % 7 == 0:
            code = j % 7
        rows.append('%d/dropped_%s_%05d.jpg,10,10,80,80,%s,%d,%s' % (folder_base, split, j,
                                                                  landmarks(10, 10, 80, 80, rng), code, va))
    order = rng.permutation(len(rows))
    return [rows[i] for i in order]


def main(out, train_per_class=4, val_per_class=2):
    rng = np.random.default_rng(28)
    root = os.path.join(out, 'AffectNet')
    images_dir = os.path.join(root, 'Manually_Annotated', 'Manually_Annotated_Images')
    os.makedirs(images_dir, exist_ok=True)
    train = rows_for('train', train_per_class, rng, images_dir, 100)
    val = rows_for('val', val_per_class, rng, images_dir, 200)
    with open(os.path.join(root, 'training.csv'), 'w') as f:
        f.write(HEADER + '\n' + '\n'.join(train) + '\n')
    with open(os.path.join(root, 'validation.csv'), 'w') as f:
        f.write('\n'.join(val) + '\n')
    with open(os.path.join(out, 'glove.test.300d.txt'), 'w') as f:
        for word in ['the', ','] + CLASSES + ['contempt', 'valence', 'arousal', 'face']:
            f.write(word + ' ' + ' '.join('%.5f' % v for v in rng.normal(0, 0.4, 300)) + '\n')
    import torch
    import torchvision
    torch.manual_seed(28)
    torch.save(torchvision.models.densenet121().state_dict(), os.path.join(out, 'densenet121-random.pth'))
    print('wrote %s: %d training rows, %d validation rows' % (root, len(train), len(val)))


if __name__ == '__main__':
    main(sys.argv[1], *[int(a) for a in sys.argv[2:]])

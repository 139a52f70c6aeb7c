#!/usr/bin/env python3
"""Fixtures of the reference's preprocessing for tests/datasets/reference_transforms_test.cc.

Writes tests/testdata/preprocess/: source images (PNG, so that no JPEG decoder differs), and for
each case the 8-bit RGB crop the reference's chain produces before ToTensor (PNG), with
cases.txt listing them. The chain is PanosAntoniadis/emotion-gcn's, re-implemented from reading it
(tools/reference/reference_pipeline.py: cv2 aligner, PIL crop) with torchvision's own Resize,
hflip and rotate (RandomRotation's nearest-neighbour rotation) for a given flip and angle.

  /usr/bin/python3 tools/reference/make_preprocess_fixtures.py   (python3-opencv, PIL, torchvision)
"""
import os
import sys

import cv2
import numpy as np
from PIL import Image
from torchvision import transforms
from torchvision.transforms import functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference_pipeline import load  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "testdata", "preprocess")


def source_image(width, height, seed):
    """A deterministic face-like picture: gradients, ellipses, lines, mild noise."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    img = np.stack([90 + 60 * np.sin(x / 17.0), 110 + 50 * np.cos(y / 23.0), 80 + 0.3 * (x + y) % 90], axis=2)
    img = np.clip(img, 0, 255).astype(np.uint8).copy()
    cx, cy = width // 2, height // 2
    cv2.ellipse(img, (cx, cy), (width // 4, height // 3), 0, 0, 360, (200, 170, 150), -1)
    for ex in (cx - width // 9, cx + width // 9):
        cv2.circle(img, (ex, cy - height // 10), max(2, width // 30), (30, 40, 50), -1)
    cv2.line(img, (cx - width // 10, cy + height // 8), (cx + width // 10, cy + height // 7), (60, 20, 30), 2)
    noise = rng.normal(0, 4, img.shape)
    return np.clip(img + noise, 0, 255).astype(np.uint8)


# name, width, height, box (x, y, w, h), eye means (lx, ly, rx, ry), sizes
SOURCES = [
    ("square", 160, 160, (30, 25, 100, 100), (58.5, 63.67, 101.83, 70.17)),
    ("wide", 200, 140, (45, 10, 110, 110), (77.17, 57.5, 121.5, 51.83)),
    ("tall", 120, 180, (10, 40, 96, 96), (40.33, 72.0, 79.67, 75.5)),
]
SIZES = (48, 64)
AUGMENT = [(False, 0.0), (True, 0.0), (False, 17.3), (True, -23.9), (False, -4.55), (True, 29.7)]


def main():
    os.makedirs(OUT, exist_ok=True)
    lines = ["# name image box_x box_y box_w box_h left_eye_x left_eye_y right_eye_x right_eye_y size augment flip "
             "angle expected"]
    for name, w, h, box, eyes in SOURCES:
        image = f"{name}.png"
        cv2.imwrite(os.path.join(OUT, image), source_image(w, h, len(name)))
        # get_eyes() truncates the landmark means to int.
        left = np.array(eyes[:2]).astype("int")
        right = np.array(eyes[2:]).astype("int")
        face = load(os.path.join(OUT, image), box, left, right)
        for size in SIZES:
            resized = transforms.Resize(size)(face)
            cases = [("val", False, False, 0.0, resized)]
            for flip, angle in AUGMENT:
                img = F.hflip(resized) if flip else resized
                cases.append((f"train_{'f' if flip else 'n'}{angle:+.2f}", True, flip, angle, F.rotate(img, angle)))
            for tag, augment, flip, angle, out in cases:
                expected = f"{name}_{size}_{tag}.png"
                out.save(os.path.join(OUT, expected))
                lines.append(f"{name} {image} {box[0]} {box[1]} {box[2]} {box[3]} {eyes[0]} {eyes[1]} {eyes[2]} {eyes[3]} "
                             f"{size} {int(augment)} {int(flip)} {angle} {expected}")
    with open(os.path.join(OUT, "cases.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {len(lines) - 1} cases to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()

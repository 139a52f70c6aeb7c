#!/usr/bin/env python3
"""The reference's AffectNet preprocessing, re-implemented from reading it, and timed.

What PanosAntoniadis/emotion-gcn does per training image (dataloading.py, aligner.py, main.py):
  image = cv2.imread(path)[..., ::-1]                       # BGR -> RGB
  angle = degrees(arctan((y2 - y1) / (x2 - x1)))           # the eye line
  M = cv2.getRotationMatrix2D(((x1 + x2) // 2, (y1 + y2) // 2), angle, 1)
  rotated = cv2.warpAffine(image, M, (rows, cols), flags=INTER_CUBIC)   # (shape[0], shape[1]) as (w, h)
  image = PIL crop of (M @ (face_x, face_y, 1)) + (face_width, face_height)
  transforms: Resize(size), RandomHorizontalFlip(), ColorJitter(), RandomRotation(30),
              ToTensor(), Normalize(ImageNet mean/std)

Used by datasets/pipeline_benchmark (BM_ReferencePythonPipeline) to measure the reference's
throughput in the same run as ours. Needs python3-opencv, python3-pil, torch and torchvision
(Debian: apt install python3-opencv python3-pil python3-torchvision).

  reference_pipeline.py --image face.jpg --box X Y W H --eyes LX LY RX RY --size 227 --seconds 3
prints one line: images=N seconds=S images_per_s=R
"""
import argparse
import sys
import time

try:
    import cv2
    import numpy as np
    import torch
    from PIL import Image
    from torchvision import transforms
except ImportError as e:  # Named, so the benchmark can say what to install.
    print(f"missing module: {e.name} (apt install python3-opencv python3-pil python3-torchvision)", file=sys.stderr)
    sys.exit(3)


def align(image, left_eye, right_eye):
    """aligner.py FaceAligner.align: rotation about the eyes' integer midpoint, cubic."""
    (x1, y1), (x2, y2) = left_eye, right_eye
    angle = np.degrees(np.arctan((y2 - y1) / (x2 - x1)))
    # The same values as the reference's numpy integers (OpenCV 4.6's binding wants Python numbers).
    centre = (float((x1 + x2) // 2), float((y1 + y2) // 2))
    m = cv2.getRotationMatrix2D(centre, angle, 1)
    # The reference passes (rows, cols) as (width, height): non-square images are cropped.
    rotated = cv2.warpAffine(image, m, (image.shape[0], image.shape[1]), flags=cv2.INTER_CUBIC)
    return Image.fromarray(rotated), m


def load(path, box, left_eye, right_eye):
    """dataloading.py AffectNet_dataset.__getitem__ up to the transforms."""
    image = cv2.imread(path)[..., ::-1]
    image, m = align(image, left_eye, right_eye)
    x, y, w, h = (int(v) for v in box)
    corner = m.dot(np.array((x, y, 1)))
    return image.crop((corner[0], corner[1], corner[0] + w, corner[1] + h))


def train_transforms(size):
    """main.py's training transforms."""
    return transforms.Compose([
        transforms.Resize(size),
        transforms.RandomHorizontalFlip(),
        transforms.ColorJitter(),
        transforms.RandomRotation(30),
        transforms.ToTensor(),
        transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225]),
    ])


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--image", required=True)
    p.add_argument("--box", type=float, nargs=4, required=True, metavar=("X", "Y", "W", "H"))
    p.add_argument("--eyes", type=float, nargs=4, required=True, metavar=("LX", "LY", "RX", "RY"))
    p.add_argument("--size", type=int, default=227)
    p.add_argument("--seconds", type=float, default=3.0)
    a = p.parse_args()
    # One thread, as one DataLoader worker runs (the benchmark compares per thread).
    torch.set_num_threads(1)
    cv2.setNumThreads(1)
    torch.manual_seed(0)
    t = train_transforms(a.size)
    left, right = (a.eyes[0], a.eyes[1]), (a.eyes[2], a.eyes[3])
    t(load(a.image, a.box, left, right))  # Warm-up.
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < a.seconds:
        t(load(a.image, a.box, left, right))
        n += 1
    elapsed = time.perf_counter() - start
    print(f"images={n} seconds={elapsed:.6f} images_per_s={n / elapsed:.3f}")


if __name__ == "__main__":
    main()

"""Python dlib's faces for tests/e2e/faces_dlib_test.sh, the photos it compares on, and the peer
of experiments/detect_benchmark.cc.

  faces_reference.py make ASTRONAUT OUT_DIR   writes the test photos (transformed copies of
                                              scikit-image's astronaut portrait)
  faces_reference.py detect UPSAMPLE IMAGE... one JSON line per image, as tests/faces/dump_faces
  faces_reference.py time UPSAMPLE IMAGE SECONDS
                                              detection + 68 landmarks of every face, repeated for
                                              SECONDS on one thread: "images=N seconds=S"

Images are read with cv2.imread (IMREAD_COLOR) and handed to dlib as RGB, as a Python user does.
"""
import json
import sys

import cv2
import dlib
import numpy as np

MODEL = "/usr/share/dlib/shape_predictor_68_face_landmarks.dat"


def make(astronaut, out):
    img = cv2.imread(astronaut, cv2.IMREAD_COLOR)
    h, w = img.shape[:2]
    cv2.imwrite(f"{out}/astronaut.png", img)
    cv2.imwrite(f"{out}/half.jpg", cv2.resize(img, (w // 2, h // 2), interpolation=cv2.INTER_AREA),
                [cv2.IMWRITE_JPEG_QUALITY, 95])
    cv2.imwrite(f"{out}/large.bmp", cv2.resize(img, (int(w * 1.6), int(h * 1.6)),
                                               interpolation=cv2.INTER_CUBIC))
    rot = cv2.getRotationMatrix2D((w / 2, h / 2), 15, 1.0)
    cv2.imwrite(f"{out}/rotated.webp", cv2.warpAffine(img, rot, (w, h)),
                [cv2.IMWRITE_WEBP_QUALITY, 101])
    cv2.imwrite(f"{out}/grey.tif", cv2.cvtColor(img, cv2.COLOR_BGR2GRAY))
    # Three faces side by side: the portrait, its mirror image, and a smaller copy.
    canvas = np.full((h, 2 * w + w * 3 // 5, 3), 90, np.uint8)
    canvas[:, :w] = img
    canvas[:, w:2 * w] = img[:, ::-1]
    small = cv2.resize(img, (w * 3 // 5, h * 3 // 5), interpolation=cv2.INTER_AREA)
    canvas[h // 5:h // 5 + small.shape[0], 2 * w:] = small
    cv2.imwrite(f"{out}/three.png", canvas)
    cv2.imwrite(f"{out}/no_face.png", np.full((240, 320, 3), 128, np.uint8))
    # A phone's way: pixels stored sideways, EXIF orientation 6 ("turn 90 degrees clockwise").
    ok, jpeg = cv2.imencode(".jpg", cv2.rotate(img, cv2.ROTATE_90_COUNTERCLOCKWISE),
                            [cv2.IMWRITE_JPEG_QUALITY, 95])
    tiff = b"II*\x00\x08\x00\x00\x00\x01\x00" + b"\x12\x01\x03\x00\x01\x00\x00\x00\x06\x00\x00\x00" + b"\x00" * 4
    app1 = b"\xff\xe1" + (len(tiff) + 8).to_bytes(2, "big") + b"Exif\x00\x00" + tiff
    with open(f"{out}/sideways.jpg", "wb") as f:
        f.write(jpeg[:2].tobytes() + app1 + jpeg[2:].tobytes())
    with open(f"{out}/not_an_image.jpg", "w") as f:
        f.write("this is not a photo\n")


def detect(upsample, images):
    detector = dlib.get_frontal_face_detector()
    predictor = dlib.shape_predictor(MODEL)
    for path in images:
        rgb = np.ascontiguousarray(cv2.imread(path, cv2.IMREAD_COLOR)[:, :, ::-1])
        boxes, scores, _ = detector.run(rgb, upsample, 0.0)
        faces = []
        for box, score in zip(boxes, scores):
            shape = predictor(rgb, box)
            faces.append({"box": [box.left(), box.top(), box.right(), box.bottom()],
                          "score": score,
                          "points": [[shape.part(i).x, shape.part(i).y] for i in range(68)]})
        print(json.dumps({"image": path, "faces": faces}))


def time_detection(upsample, image, seconds):
    import time
    detector = dlib.get_frontal_face_detector()
    predictor = dlib.shape_predictor(MODEL)
    rgb = np.ascontiguousarray(cv2.imread(image, cv2.IMREAD_COLOR)[:, :, ::-1])
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        boxes, _, _ = detector.run(rgb, upsample, 0.0)
        for box in boxes:
            predictor(rgb, box)
        n += 1
    print(f"images={n} seconds={time.perf_counter() - start}")


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "time":
        time_detection(int(sys.argv[2]), sys.argv[3], float(sys.argv[4]))
    else:
        detect(int(sys.argv[2]), sys.argv[3:])

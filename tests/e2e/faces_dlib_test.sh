#!/usr/bin/env bash
# faces::FaceDetector (faces/face_detector.h) against Python dlib 19.24 (PyPI's dlib-bin) on real
# photographs: scikit-image's public-domain astronaut portrait and transformed copies (half and
# 1.6x size, rotated 15 degrees, grey, three portraits in one picture, a blank picture), written
# as PNG, JPEG, BMP, WebP and TIFF. Boxes and the 68 points must be equal, scores equal to 1e-5;
# face counts and eye positions are asserted.
set -euo pipefail
fail() { echo "FAIL: $*"; exit 1; }
work="${TEST_TMPDIR:-$(mktemp -d)}/faces_dlib"
rm -rf "$work" && mkdir -p "$work"
python=$(tools/fetch_face_reference.sh --python)
astronaut=$(tools/fetch_face_reference.sh --astronaut)
"$python" tools/reference/faces_reference.py make "$astronaut" "$work"
photos=(astronaut.png half.jpg large.bmp rotated.webp grey.tif three.png no_face.png sideways.jpg)
for upsample in 0 1; do
  (cd "$work" && "$python" "$OLDPWD/tools/reference/faces_reference.py" detect "$upsample" "${photos[@]}") > "$work/py$upsample.jsonl"
  (cd "$work" && "$OLDPWD/tests/faces/dump_faces" --upsample "$upsample" "${photos[@]}") > "$work/cc$upsample.jsonl"
done
"$python" - "$work" <<'PY' || fail "faces differ from Python dlib's (above)"
import json, math, sys
work = sys.argv[1]
bad = 0
for up in (0, 1):
    py = [json.loads(l) for l in open(f"{work}/py{up}.jsonl")]
    cc = [json.loads(l) for l in open(f"{work}/cc{up}.jsonl")]
    assert len(py) == len(cc) == 8, (len(py), len(cc))
    for a, b in zip(py, cc):
        if len(a["faces"]) != len(b["faces"]):
            print(f"upsample {up} {a['image']}: Python finds {len(a['faces'])} faces, we find {len(b['faces'])}")
            bad += 1
            continue
        for k, (fa, fb) in enumerate(zip(a["faces"], b["faces"])):
            if fa["box"] != fb["box"] or fa["points"] != fb["points"] or abs(fa["score"] - fb["score"]) > 1e-5:
                print(f"upsample {up} {a['image']} face {k}: {fa['box']} {fa['score']} vs {fb['box']} {fb['score']}")
                bad += 1
    print(f"upsample {up}: " + ", ".join(f"{r['image']} {len(r['faces'])}" for r in cc))
cc = {r["image"]: r["faces"] for r in map(json.loads, open(f"{work}/cc1.jsonl"))}
def eyes(face):
    p = face["points"]
    mean = lambda i: [sum(q[c] for q in p[i:i + 6]) / 6 for c in (0, 1)]
    return mean(36), mean(42)
# Face counts at upsample 1 (the strongest detection first; the portrait also yields a weak,
# low-score box on the suit, which dlib reports too).
counts = {"astronaut.png": 2, "half.jpg": 1, "large.bmp": 2, "rotated.webp": 1, "grey.tif": 2,
          "three.png": 4, "no_face.png": 0, "sideways.jpg": 2}
for name, n in counts.items():
    if len(cc[name]) != n:
        print(f"{name}: {len(cc[name])} faces, expected {n}"); bad += 1
top = cc["astronaut.png"][0]
assert top["score"] > 1 and cc["astronaut.png"][1]["score"] < 0.5, "the portrait's face is the surest"
(lx, ly), (rx, ry) = eyes(top)
# Eye centres of the portrait (measured once with Python dlib): about (203, 101.5) and (246.5, 104).
if not (abs(lx - 203) < 3 and abs(ly - 101.5) < 3 and abs(rx - 246.5) < 3 and abs(ry - 104) < 3):
    print(f"astronaut eyes {lx:.1f},{ly:.1f} {rx:.1f},{ry:.1f}"); bad += 1
(hlx, hly), (hrx, hry) = eyes(cc["half.jpg"][0])
if max(abs(hlx * 2 - lx), abs(hly * 2 - ly), abs(hrx * 2 - rx), abs(hry * 2 - ry)) > 4:
    print("half-size eyes are not half the portrait's"); bad += 1
(alx, aly), (arx, ary) = eyes(cc["rotated.webp"][0])
tilt = math.degrees(math.atan2(ary - aly, arx - alx)) - math.degrees(math.atan2(ry - ly, rx - lx))
if abs(tilt + 15) > 3:  # cv2 rotates counter-clockwise by 15 degrees: the eye line turns by -15.
    print(f"rotated eye line turned by {tilt:.1f} degrees, expected -15"); bad += 1
# The sideways JPEG (EXIF orientation 6) is turned upright first, as cv2.imread turns it.
if cc["sideways.jpg"][0]["box"] != top["box"]:
    print(f"sideways.jpg: box {cc['sideways.jpg'][0]['box']}, expected the portrait's {top['box']}"); bad += 1
xs = sorted(f["box"][0] for f in cc["three.png"] if f["score"] > 0.5)
if len(xs) != 3 or not (xs[0] < 512 <= xs[1] < 1024 <= xs[2]):
    print(f"three.png strong faces at x {xs}: expected one in each third"); bad += 1
sys.exit(1 if bad else 0)
PY
# --max_side: the 819-pixel copy shrunk to 410 for the detector finds the same face (its box
# scaled back overlaps the full-size one by IoU > 0.7; the HOG pyramid's steps differ) and its
# landmarks, found on the full photo, within 5% of the face's size.
(cd "$work" && "$OLDPWD/tests/faces/dump_faces" --max_side 410 large.bmp) > "$work/small.jsonl"
"$python" - "$work" <<'PY' || fail "--max_side"
import json, sys
full = json.loads(open(sys.argv[1] + "/cc1.jsonl").readlines()[2])["faces"][0]
small = json.loads(open(sys.argv[1] + "/small.jsonl").read())["faces"][0]
a, b = full["box"], small["box"]
inter = max(0, min(a[2], b[2]) - max(a[0], b[0]) + 1) * max(0, min(a[3], b[3]) - max(a[1], b[1]) + 1)
area = lambda r: (r[2] - r[0] + 1) * (r[3] - r[1] + 1)
iou = inter / (area(a) + area(b) - inter)
worst = max(abs(p[c] - q[c]) for p, q in zip(full["points"], small["points"]) for c in (0, 1))
print(f"--max_side 410: IoU {iou:.3f} with the full-size box, landmarks within {worst} px")
assert iou > 0.7 and worst <= 0.05 * (a[2] - a[0] + 1), (a, b, iou, worst)
PY
# Bad input: a file that is not an image, a missing landmark model, a predictor of another kind.
if (cd "$work" && "$OLDPWD/tests/faces/dump_faces" not_an_image.jpg) > /dev/null 2> "$work/err"; then
  fail "a text file was read as a photo"
fi
grep -q "not_an_image.jpg.*not a JPEG, PNG, BMP, TIFF or WebP" "$work/err" || { cat "$work/err"; fail "error message"; }
printf 'not a model' > "$work/model.dat"
for model in "$work/model.dat" "$work/missing.dat"; do
  if tests/faces/dump_faces --landmark_model "$model" "$work/astronaut.png" > /dev/null 2> "$work/err"; then
    fail "$model was accepted as a landmark model"
  fi
  grep -q "$model.*landmark_model" "$work/err" || { cat "$work/err"; fail "the error must name the model file and flag"; }
done

# predict --detect: one row per face (and per photo without one), aligned with the detected eyes.
mkdir -p "$work/ckpt" && tests/models/write_checkpoints "$work/ckpt" > /dev/null
# A patch folder an interrupted predict --detect left behind is not searched as photos.
mkdir -p "$work/old.csv.faces.partial" && cp "$work/astronaut.png" "$work/old.csv.faces.partial/0_0.png"
experiments/predict --checkpoint "$work/ckpt/bregnext_emotion_gcn.pth" --input "$work" --detect \
  --out "$work/pred.csv" --input_size 112 --threads 2 > "$work/predict.log" 2>&1 || { cat "$work/predict.log"; fail "predict --detect"; }
grep -q '"detect":true,.*"upsample":1' "$work/predict.log" || fail "predict prints the detector's resolved flags"
grep -q "detect: 14 face(s) in 9 photo(s); 1 without a face, 1 unreadable" "$work/predict.log" ||
  { cat "$work/predict.log"; fail "detection summary"; }
"$python" - "$work" <<'PY' || fail "predict --detect rows (above)"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1] + "/pred.csv")))
by_path_face = lambda rows, p, f: next(r for r in rows if r["path"] == p and r["face"] == f)
assert len(rows) == 16, len(rows)
assert by_path_face(rows, "sideways.jpg", "0")["box_x"] == "175", "the sideways photo is turned upright"
by = {(r["path"], r["face"]): r for r in rows}
assert by[("no_face.png", "")]["error"] == "no face found"
assert "not a JPEG" in by[("not_an_image.jpg", "")]["error"]
assert [r["face"] for r in rows if r["path"] == "three.png"] == ["0", "1", "2", "3"]
assert by[("astronaut.png", "0")]["box_x"] == "175" and by[("astronaut.png", "0")]["box_w"] == "91"
assert abs(float(by[("astronaut.png", "0")]["left_eye_x"]) - 203.16667) < 1e-3
probs = lambda r: [float(v) for k, v in r.items() if k.startswith("p_")]
# The portrait inside three.png (left third: not cut by the reference canvas) predicts exactly
# as the portrait alone; the mirrored and smaller copies right of x = 512 (aligned on patches)
# are real faces, not the black crops the reference's canvas would give.
assert probs(by[("three.png", "2")]) == probs(by[("astronaut.png", "0")])
assert abs(sum(probs(by[("three.png", "0")])) - 1) < 1e-6
assert probs(by[("three.png", "0")]) != probs(by[("three.png", "1")])
PY

# annotate: an AffectNet-format CSV of the same photos (labels from a mapping), read back by the
# AffectNet reader through predict: the faces it keeps predict exactly as predict --detect does
# where no patch was needed (the portrait, its half-size copy, the sideways JPEG).
printf 'path,expression,valence,arousal\nastronaut.png,Happy,0.5,0.25\nhalf.jpg,1,0.4,0.3\nthree.png,neutral,0,0\nsideways.jpg,Sad,-0.5,0.1\n' > "$work/labels.csv"
experiments/annotate --input "$work" --out "$work/training.csv" --labels "$work/labels.csv" --threads 2 \
  > "$work/annotate.log" 2>&1 || { cat "$work/annotate.log"; fail "annotate"; }
grep -q "annotate: wrote 8 row(s) to .*: 4 labelled, 1 without a face (expression 10), 1 unreadable photo(s) left out; 5 photo(s) with several faces" \
  "$work/annotate.log" || { cat "$work/annotate.log"; fail "annotate summary"; }
grep -q '^astronaut.png,175,76,91,91,179.00;104.00;.*,1,0.50,0.25$' "$work/training.csv" || { cat "$work/training.csv"; fail "annotate row"; }
grep -q '^no_face.png,0,0,320,240,0.00;.*,10,-2.00,-2.00$' "$work/training.csv" || fail "No-Face row"
experiments/predict --checkpoint "$work/ckpt/bregnext_emotion_gcn.pth" --input "$work/training.csv" --image_root "$work" \
  --out "$work/pred_csv.csv" --input_size 112 > "$work/predict_csv.log" 2>&1 || { cat "$work/predict_csv.log"; fail "predict on annotate's CSV"; }
grep -q "dropped (expression 8 None): 3" "$work/predict_csv.log" || { cat "$work/predict_csv.log"; fail "unlabelled rows are dropped as code 8"; }
"$python" - "$work" <<'PY' || fail "annotate's CSV predicts as predict --detect (above)"
import csv, sys
w = sys.argv[1]
detect = {(r["path"], r["face"]): r for r in csv.DictReader(open(w + "/pred.csv"))}
rows = {r["path"]: r for r in csv.DictReader(open(w + "/pred_csv.csv"))}
assert sorted(rows) == ["astronaut.png", "half.jpg", "sideways.jpg", "three.png"], sorted(rows)
probs = lambda r: [float(r[k]) for k in r if k.startswith("p_")] + [float(r["valence"]), float(r["arousal"])]
# Same crops; the batches differ (all faces vs the CSV's rows), and LibTorch's CPU kernels may
# round differently by batch size, so equal to 1e-5 relative.
for name in ("astronaut.png", "half.jpg", "sideways.jpg"):  # sideways: the loader turns it too.
    a, b = probs(rows[name]), probs(detect[(name, "0")])
    assert all(abs(x - y) <= 1e-7 + 1e-5 * abs(y) for x, y in zip(a, b)), (name, a, b)
PY
# A relative --input under an absolute --image_root: paths relative to the root.
(cd "$work/.." && "$OLDPWD/experiments/annotate" --input faces_dlib --image_root "$(pwd -P)" --out "$work/rel.csv" \
  --threads 2 > "$work/rel.log" 2>&1) || { cat "$work/rel.log"; fail "annotate with a relative input"; }
grep -q '^faces_dlib/astronaut.png,175,76,91,91,' "$work/rel.csv" || { head -3 "$work/rel.csv"; fail "relative paths"; }
# Bad mappings name the file, line and field.
printf 'astronaut.png,Joyful\n' > "$work/bad_labels.csv"
if experiments/annotate --input "$work" --out "$work/x.csv" --labels "$work/bad_labels.csv" > "$work/bad.log" 2>&1; then
  fail "an unknown expression was accepted"
fi
grep -q "bad_labels.csv:1.*expression.*unknown expression 'Joyful'" "$work/bad.log" || { cat "$work/bad.log"; fail "label error"; }
[ ! -e "$work/x.csv" ] || fail "a failed annotate left a CSV"
echo "faces_dlib_test passed"

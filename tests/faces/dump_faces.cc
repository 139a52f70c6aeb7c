// Prints what faces::FaceDetector finds in each image given, one JSON object per image:
// {"image": path, "faces": [{"box": [l, t, r, b], "score": s, "points": [[x, y] x 68]}]}, for
// the comparison with Python dlib (tests/e2e/faces_dlib_test.sh).
//   dump_faces [--upsample N] [--threshold T] [--max_side PIXELS] [--landmark_model F] IMAGE...
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "core/error.h"
#include "faces/face_detector.h"
#include "imaging/image_io.h"

int main(int argc, char** argv) {
  fer::faces::DetectorOptions options;
  std::vector<std::string> images;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--upsample" && i + 1 < argc) {
      options.upsample = std::atoi(argv[++i]);
    } else if (a == "--threshold" && i + 1 < argc) {
      options.threshold = std::atof(argv[++i]);
    } else if (a == "--landmark_model" && i + 1 < argc) {
      options.landmark_model = argv[++i];
    } else if (a == "--max_side" && i + 1 < argc) {
      options.max_side = std::atoi(argv[++i]);
    } else {
      images.push_back(a);
    }
  }
  try {
    fer::faces::FaceDetector detector(options);
    for (const std::string& path : images) {
      const auto faces = detector.detect(fer::imaging::read_image(path, /*apply_exif=*/true));
      std::printf("{\"image\": \"%s\", \"faces\": [", path.c_str());
      for (size_t k = 0; k < faces.size(); ++k) {
        const auto& f = faces[k];
        std::printf("%s{\"box\": [%ld, %ld, %ld, %ld], \"score\": %.17g, \"points\": [",
                    k ? ", " : "", f.left, f.top, f.right, f.bottom, f.score);
        for (int p = 0; p < 68; ++p)
          std::printf("%s[%.0f, %.0f]", p ? ", " : "", f.landmarks[p].x, f.landmarks[p].y);
        std::printf("]}");
      }
      std::printf("]}\n");
    }
  } catch (const std::exception& e) {
    std::cerr << "dump_faces: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

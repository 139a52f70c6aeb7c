#include "experiments/predict_rows.h"

#include <boost/filesystem.hpp>
#include <cstdio>

#include "core/error.h"

namespace fer::experiments {
namespace fs = boost::filesystem;

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.8g", v);
  return buf;
}

std::string empty_cells(size_t classes, const std::string& error) {
  return std::string(classes + 4, ',') + csv_field(error);
}

std::string face_cells(const PhotoFace& f) {
  std::string row = csv_field(f.image);
  if (f.face < 0) return row + std::string(10, ',');
  const faces::Face& d = f.detection;
  row += "," + std::to_string(f.face);
  for (long v : {d.left, d.top, d.width(), d.height()}) row += "," + std::to_string(v);
  row += "," + number(d.score);
  for (double v : {d.left_eye.x, d.left_eye.y, d.right_eye.x, d.right_eye.y})
    row += "," + number(v);
  return row;
}

std::vector<datasets::Sample> face_samples(const std::vector<PhotoFace>& rows) {
  std::vector<datasets::Sample> out;
  for (const PhotoFace& f : rows) {
    if (f.face >= 0) out.push_back(f.sample);
  }
  return out;
}

void PatchFolder::create(const std::string& beside) {
  path = beside + ".faces.partial";
  fs::remove_all(path);
  if (!fs::create_directories(path))
    throw Error("predict", path, 0, "out", "cannot create the face patches' folder");
}

PatchFolder::~PatchFolder() {
  boost::system::error_code ignored;
  if (!path.empty()) fs::remove_all(path, ignored);
}

}  // namespace fer::experiments

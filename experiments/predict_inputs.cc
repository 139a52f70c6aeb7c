#include "experiments/predict_inputs.h"

#include <algorithm>
#include <boost/filesystem.hpp>
#include <utility>

#include "core/error.h"
#include "datasets/affectnet.h"
#include "datasets/report.h"
#include "imaging/image_io.h"

namespace fer::experiments {
namespace {

namespace fs = boost::filesystem;

// Every image under `dir` (recursively, sorted), each used whole.
std::vector<datasets::Sample> folder_samples(const fs::path& dir) {
  std::vector<datasets::Sample> out;
  for (fs::recursive_directory_iterator it(dir), end; it != end; ++it) {
    if (!fs::is_regular_file(it->status()) ||
        !imaging::has_image_extension(it->path().filename().string()))
      continue;
    datasets::Sample s;
    s.image = fs::relative(it->path(), dir).string();
    out.push_back(s);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.image < b.image; });
  return out;
}

// Where the release keeps the images beside its CSVs (as the archive unpacks, or flattened).
std::string release_image_root(const fs::path& dir) {
  for (const fs::path& candidate : {dir / "Manually_Annotated" / "Manually_Annotated_Images",
                                    dir / "Manually_Annotated_Images"}) {
    if (fs::is_directory(candidate)) return candidate.string();
  }
  return dir.empty() ? "." : dir.string();
}

}  // namespace

PredictInputs find_predict_inputs(const std::string& input, const std::string& image_root) {
  PredictInputs in;
  if (fs::is_regular_file(input)) {
    in.image_root =
        image_root.empty() ? release_image_root(fs::path(input).parent_path()) : image_root;
    datasets::Split split =
        datasets::read_affectnet_csv(input, in.image_root, "predict", datasets::ReadOptions());
    in.report = datasets::format_report(split.report);
    in.samples = std::move(split.samples);
  } else if (fs::is_directory(input)) {
    in.image_root = input;
    in.samples = folder_samples(input);
  } else {
    throw Error("predict", input, 0, "input", "no such file or folder");
  }
  if (in.samples.empty())
    throw Error("predict", input, 0, "input",
                "no images to predict (.jpg, .jpeg, .png, .bmp, .tif, .tiff, .webp)");
  return in;
}

}  // namespace fer::experiments

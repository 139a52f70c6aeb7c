#include "models/torch_save.h"

#include <caffe2/serialize/inline_container.h>
#include <torch/csrc/jit/serialization/pickler.h>

#include <cstdio>
#include <fstream>

#include "core/atomic_file.h"
#include "core/error.h"

namespace fer::models {

std::vector<char> torch_save_bytes(const c10::IValue& value) {
  std::vector<char> pickle;
  torch::jit::Pickler pickler(
      [&pickle](const char* data, size_t size) { pickle.insert(pickle.end(), data, data + size); },
      /*tensor_table=*/nullptr, /*type_renamer=*/nullptr,
      /*memoized_class_types=*/nullptr, /*get_tensor_id=*/nullptr,
      /*tag_aggregates=*/false);
  pickler.protocol();
  pickler.pushIValue(value);
  pickler.stop();

  std::vector<char> out;
  caffe2::serialize::PyTorchStreamWriter zip([&out](const void* data, size_t size) {
    const char* bytes = static_cast<const char*>(data);
    out.insert(out.end(), bytes, bytes + size);
    return size;
  });
  zip.writeRecord("data.pkl", pickle.data(), pickle.size());
  zip.writeRecord("byteorder", "little", 6);
  // The pickler named the storages "0", "1", ... in the order it met them.
  const auto& storages = pickler.tensorData();
  for (size_t i = 0; i < storages.size(); ++i) {
    const auto data = torch::jit::getWriteableTensorData(storages[i]);
    zip.writeRecord("data/" + std::to_string(i), data.data(), data.sizeInBytes());
  }
  zip.writeEndOfFile();
  return out;
}
void torch_save_file(const c10::IValue& value, const std::string& path) {
  const std::vector<char> bytes = torch_save_bytes(value);
  write_file_atomically(path, std::string_view(bytes.data(), bytes.size()), "write torch file");
}

}  // namespace fer::models

// A reader of Python torch.save files, which LibTorch 1.13's torch::pickle_load cannot read when
// they hold real state dicts (an OrderedDict carrying `_metadata`). Supports both containers:
//   - the zip archive written since PyTorch 1.6 (data.pkl + data/<storage key>), and
//   - the legacy stream (magic number, protocol, sys info, pickle, storage keys, raw storages)
//     in which torchvision's ImageNet weights were published,
// through a pickle interpreter for the opcodes torch.save emits (protocols 2-4) and torch's
// tensor rebuild functions. Values come back as c10::IValue (dicts, lists, tuples, tensors,
// scalars, strings); OrderedDict becomes a dict, its `_metadata` is dropped.
#pragma once

#include <ATen/core/ivalue.h>

#include <string>

namespace fer::models {

/// Loads the object saved in `path`. Throws fer::Error naming the file and what is wrong
/// (truncated, not a torch file, unsupported opcode or global, missing storage).
c10::IValue load_torch_file(const std::string& path);

}  // namespace fer::models

// torch_save: writes Python torch.save files that every PyTorch can load with plain torch.load,
// including PyTorch 2.6+ whose torch.load is weights-only by default.
//
// LibTorch's own torch::jit::pickle_save tags typed dicts and lists with TorchScript globals
// (torch.jit._pickle.restore_type_tag, build_intlist, ...), which the weights-only unpickler
// rejects. This writer uses the same pickler with those tags off, in torch.save's zip layout
// (archive/data.pkl, archive/byteorder, archive/data/<storage key>, archive/version).
#pragma once

#include <ATen/core/ivalue.h>

#include <string>
#include <vector>

namespace fer::models {

/// The bytes of torch.save(value) (zip format). `value` may hold dicts with string or int
/// keys, lists, tuples, None, bools, ints, doubles, strings and tensors (written from the CPU).
/// Lists must be generic (c10::impl::GenericList of AnyType): a typed int, double, bool or
/// tensor list would be written through a TorchScript global that weights-only loading refuses.
std::vector<char> torch_save_bytes(const c10::IValue& value);

/// Writes torch_save_bytes(value) to `path` atomically (a temporary file, then rename).
/// Throws fer::Error naming the path.
void torch_save_file(const c10::IValue& value, const std::string& path);

}  // namespace fer::models

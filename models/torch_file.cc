#include "models/torch_file.h"

#include <ATen/ATen.h>
#include <caffe2/serialize/inline_container.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <vector>

#include "core/error.h"

namespace fer::models {
namespace {

const char kOp[] = "read torch.save file";

struct StorageRef {
  std::string key;
  at::ScalarType dtype = at::kFloat;
  int64_t numel = 0;
};

// Python objects while unpickling. Lists and dicts are shared (the memo refers to them).
struct PyObj;
using Py = std::shared_ptr<PyObj>;
struct PyObj {
  enum Kind {
    kNone,
    kBool,
    kInt,
    kFloat,
    kStr,
    kTuple,
    kList,
    kDict,
    kGlobal,
    kStorage,
    kTensor,
    kMark
  } kind;
  bool b = false;
  int64_t i = 0;
  double f = 0;
  std::string s;  // kStr value, or kGlobal "module.name".
  std::vector<Py> items;
  std::vector<std::pair<Py, Py>> dict;
  std::shared_ptr<StorageRef> storage;
  at::Tensor tensor;
};

Py obj(PyObj::Kind k) {
  auto p = std::make_shared<PyObj>();
  p->kind = k;
  return p;
}

at::ScalarType storage_dtype(const std::string& global) {
  static const std::map<std::string, at::ScalarType> kTypes = {
      {"torch.FloatStorage", at::kFloat}, {"torch.DoubleStorage", at::kDouble},
      {"torch.HalfStorage", at::kHalf},   {"torch.BFloat16Storage", at::kBFloat16},
      {"torch.LongStorage", at::kLong},   {"torch.IntStorage", at::kInt},
      {"torch.ShortStorage", at::kShort}, {"torch.CharStorage", at::kChar},
      {"torch.ByteStorage", at::kByte},   {"torch.BoolStorage", at::kBool}};
  auto it = kTypes.find(global);
  return it == kTypes.end() ? at::ScalarType::Undefined : it->second;
}

class Unpickler {
 public:
  using StorageLoader = std::function<at::Tensor(const StorageRef&)>;
  Unpickler(const char* data, size_t size, std::string path)
      : begin_(data), p_(data), end_(data + size), path_(std::move(path)) {}

  // Runs to STOP; tensors are rebuilt later by finish() once storages can be loaded.
  Py run();
  size_t consumed() const { return static_cast<size_t>(p_ - begin_); }
  std::vector<std::shared_ptr<StorageRef>> storages;  // In order of appearance.
  [[noreturn]] void fail(const std::string& what) const { throw Error(kOp, path_, 0, "", what); }

 private:
  void need(size_t n) const {
    if (static_cast<size_t>(end_ - p_) < n) fail("truncated file (the pickle ends early)");
  }
  uint8_t u8() {
    need(1);
    return static_cast<uint8_t>(*p_++);
  }
  template <typename T>
  T le() {
    need(sizeof(T));
    T v;
    std::memcpy(&v, p_, sizeof(T));
    p_ += sizeof(T);
    return v;
  }
  std::string bytes(size_t n) {
    need(n);
    std::string s(p_, n);
    p_ += n;
    return s;
  }
  std::string line() {
    const void* nl = std::memchr(p_, '\n', static_cast<size_t>(end_ - p_));
    if (!nl) fail("truncated file (unterminated line)");
    std::string s(p_, static_cast<const char*>(nl));
    p_ = static_cast<const char*>(nl) + 1;
    return s;
  }
  Py pop() {
    if (stack_.empty()) fail("corrupt pickle (stack underflow)");
    Py v = stack_.back();
    stack_.pop_back();
    return v;
  }
  Py& top() {
    if (stack_.empty()) fail("corrupt pickle (stack underflow)");
    return stack_.back();
  }
  std::vector<Py> pop_to_mark() {
    size_t m = stack_.size();
    while (m > 0 && stack_[m - 1]->kind != PyObj::kMark) --m;
    if (m == 0) fail("corrupt pickle (no mark)");
    std::vector<Py> items(stack_.begin() + m, stack_.end());
    stack_.resize(m - 1);
    return items;
  }
  Py scalar(int64_t v) {
    auto p = obj(PyObj::kInt);
    p->i = v;
    return p;
  }
  Py str(std::string v) {
    auto p = obj(PyObj::kStr);
    p->s = std::move(v);
    return p;
  }
  void set_items(const Py& d, const std::vector<Py>& kv) {
    if (d->kind != PyObj::kDict) fail("corrupt pickle (SETITEM on a non-dict)");
    for (size_t i = 0; i + 1 < kv.size(); i += 2) d->dict.emplace_back(kv[i], kv[i + 1]);
  }
  Py reduce(const Py& callable, const Py& args);
  Py persistent(const Py& pid);

  const char* begin_;
  const char* p_;
  const char* end_;
  std::string path_;
  std::vector<Py> stack_;
  std::map<uint32_t, Py> memo_;
};

Py Unpickler::persistent(const Py& pid) {
  // ('storage', <torch.XStorage>, key, location, numel[, view metadata])
  if (pid->kind != PyObj::kTuple || pid->items.size() < 5 || pid->items[0]->s != "storage" ||
      pid->items[1]->kind != PyObj::kGlobal) {
    fail("unsupported persistent id (not a torch storage)");
  }
  auto ref = std::make_shared<StorageRef>();
  ref->dtype = storage_dtype(pid->items[1]->s);
  if (ref->dtype == at::ScalarType::Undefined) fail("unsupported storage type " + pid->items[1]->s);
  ref->key = pid->items[2]->s;
  ref->numel = pid->items[4]->i;
  storages.push_back(ref);
  auto p = obj(PyObj::kStorage);
  p->storage = ref;
  return p;
}

Py Unpickler::reduce(const Py& callable, const Py& args) {
  if (callable->kind != PyObj::kGlobal || args->kind != PyObj::kTuple)
    fail("corrupt pickle (bad REDUCE)");
  const std::string& f = callable->s;
  const auto& a = args->items;
  if (f == "collections.OrderedDict" || f == "builtins.dict") return obj(PyObj::kDict);
  if (f == "torch._utils._rebuild_tensor_v2" || f == "torch._utils._rebuild_tensor") {
    // (storage, storage_offset, size, stride, ...): kept as a tuple until storages are loaded.
    if (a.size() < 4 || a[0]->kind != PyObj::kStorage) fail("corrupt tensor record");
    auto t = obj(PyObj::kTensor);
    t->items = {a[0], a[1], a[2], a[3]};
    return t;
  }
  // LibTorch's own pickler tags typed containers (torch::pickle_save output).
  if (f == "torch.jit._pickle.restore_type_tag" || f.rfind("torch.jit._pickle.build_", 0) == 0) {
    if (a.empty()) fail("corrupt pickle (" + f + " without arguments)");
    return a[0];
  }
  if (f == "torch._utils._rebuild_parameter" || f == "torch._utils._rebuild_parameter_with_state") {
    if (a.empty() || a[0]->kind != PyObj::kTensor) fail("corrupt parameter record");
    return a[0];
  }
  fail("unsupported global " + f + " (expected tensors, dicts, lists and numbers)");
}

Py Unpickler::run() {
  while (true) {
    const uint8_t op = u8();
    switch (op) {
      case 0x80:
        u8();
        break;
      case 0x95:
        le<uint64_t>();
        break;
      case '.':
        return pop();
      case '(':
        stack_.push_back(obj(PyObj::kMark));
        break;
      case '}':
        stack_.push_back(obj(PyObj::kDict));
        break;
      case ']':
        stack_.push_back(obj(PyObj::kList));
        break;
      case ')':
        stack_.push_back(obj(PyObj::kTuple));
        break;
      case 'N':
        stack_.push_back(obj(PyObj::kNone));
        break;
      case 0x88:
      case 0x89: {
        auto b = obj(PyObj::kBool);
        b->b = op == 0x88;
        stack_.push_back(b);
        break;
      }
      case 'K':
        stack_.push_back(scalar(u8()));
        break;
      case 'M':
        stack_.push_back(scalar(le<uint16_t>()));
        break;
      case 'J':
        stack_.push_back(scalar(le<int32_t>()));
        break;
      case 0x8a: {
        const uint8_t n = u8();
        const std::string b = bytes(n);
        if (n > 8) {  // Only the legacy format's 80-bit magic number is this wide: keep it as hex.
          auto big = obj(PyObj::kInt);
          char hex[3];
          for (int i = n - 1; i >= 0; --i) {
            std::snprintf(hex, sizeof(hex), "%02x", static_cast<uint8_t>(b[i]));
            big->s += hex;
          }
          stack_.push_back(big);
          break;
        }
        uint64_t v = 0;
        for (int i = n - 1; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(b[i]);
        int64_t sv = static_cast<int64_t>(v);
        if (n > 0 && n < 8 && (static_cast<uint8_t>(b[n - 1]) & 0x80)) sv -= int64_t{1} << (8 * n);
        stack_.push_back(scalar(sv));
        break;
      }
      case 'G': {
        uint64_t bits = 0;
        for (int i = 0; i < 8; ++i) bits = (bits << 8) | u8();
        auto f = obj(PyObj::kFloat);
        std::memcpy(&f->f, &bits, 8);
        stack_.push_back(f);
        break;
      }
      case 'X':
        stack_.push_back(str(bytes(le<uint32_t>())));
        break;
      case 0x8c:
        stack_.push_back(str(bytes(u8())));
        break;
      case 0x8d:
        stack_.push_back(str(bytes(le<uint64_t>())));
        break;
      case 'U':
      case 'C':
        stack_.push_back(str(bytes(u8())));
        break;
      case 'T':
      case 'B':
        stack_.push_back(str(bytes(le<uint32_t>())));
        break;
      case 'q':
        memo_[u8()] = top();
        break;
      case 'r':
        memo_[le<uint32_t>()] = top();
        break;
      case 0x94:
        memo_[static_cast<uint32_t>(memo_.size())] = top();
        break;
      case 'h':
      case 'j': {
        const uint32_t k = op == 'h' ? u8() : le<uint32_t>();
        auto it = memo_.find(k);
        if (it == memo_.end()) fail("corrupt pickle (unknown memo key " + std::to_string(k) + ")");
        stack_.push_back(it->second);
        break;
      }
      case 'c': {
        auto g = obj(PyObj::kGlobal);
        g->s = line();
        g->s += "." + line();
        stack_.push_back(g);
        break;
      }
      case 0x93: {
        const Py name = pop(), module = pop();
        auto g = obj(PyObj::kGlobal);
        g->s = module->s + "." + name->s;
        stack_.push_back(g);
        break;
      }
      case 't': {
        auto t = obj(PyObj::kTuple);
        t->items = pop_to_mark();
        stack_.push_back(t);
        break;
      }
      case 0x85:
      case 0x86:
      case 0x87: {
        auto t = obj(PyObj::kTuple);
        t->items.resize(op - 0x84);
        for (auto it = t->items.rbegin(); it != t->items.rend(); ++it) *it = pop();
        stack_.push_back(t);
        break;
      }
      case 's': {
        Py v = pop(), k = pop();
        set_items(top(), {k, v});
        break;
      }
      case 'u': {
        auto kv = pop_to_mark();
        set_items(top(), kv);
        break;
      }
      case 'a': {
        Py v = pop();
        if (top()->kind != PyObj::kList) fail("corrupt pickle (APPEND)");
        top()->items.push_back(v);
        break;
      }
      case 'e': {
        auto items = pop_to_mark();
        if (top()->kind != PyObj::kList) fail("corrupt pickle (APPENDS)");
        for (auto& v : items) top()->items.push_back(v);
        break;
      }
      case 'l': {
        auto l = obj(PyObj::kList);
        l->items = pop_to_mark();
        stack_.push_back(l);
        break;
      }
      case 'd': {
        auto d = obj(PyObj::kDict);
        set_items(d, pop_to_mark());
        stack_.push_back(d);
        break;
      }
      case 'Q':
        stack_.push_back(persistent(pop()));
        break;
      case 'P':
        stack_.push_back(persistent(str(line())));
        break;
      case 'R':
      case 0x81: {
        Py args = pop(), callable = pop();
        stack_.push_back(reduce(callable, args));
        break;
      }
      case 'b':
        pop();
        break;  // BUILD: OrderedDict._metadata or parameter hooks; not needed.
      case '0':
        pop();
        break;
      case '1':
        pop_to_mark();
        break;
      case '2':
        stack_.push_back(top());
        break;
      default: {
        char buf[8];
        std::snprintf(buf, sizeof(buf), "0x%02x", op);
        fail(std::string("unsupported pickle opcode ") + buf + " (not a torch.save file?)");
      }
    }
  }
}

// Converts the unpickled object to an IValue, rebuilding tensors from the loaded storages.
class Converter {
 public:
  Converter(const Unpickler& u, std::map<std::string, at::Tensor> storages)
      : u_(u), storages_(std::move(storages)) {}
  c10::IValue operator()(const Py& p) {
    switch (p->kind) {
      case PyObj::kNone:
        return c10::IValue();
      case PyObj::kBool:
        return p->b;
      case PyObj::kInt:
        return p->i;
      case PyObj::kFloat:
        return p->f;
      case PyObj::kStr:
        return p->s;
      case PyObj::kTensor:
        return tensor(p);
      case PyObj::kTuple: {
        std::vector<c10::IValue> v;
        for (const auto& it : p->items) v.push_back((*this)(it));
        return c10::ivalue::Tuple::create(std::move(v));
      }
      case PyObj::kList: {
        c10::impl::GenericList l(c10::AnyType::get());
        for (const auto& it : p->items) l.push_back((*this)(it));
        return l;
      }
      case PyObj::kDict: {
        c10::impl::GenericDict d(c10::AnyType::get(), c10::AnyType::get());
        for (const auto& [k, v] : p->dict) d.insert_or_assign((*this)(k), (*this)(v));
        return d;
      }
      default:
        u_.fail("unsupported object in the file (" + p->s + ")");
    }
  }

 private:
  at::Tensor tensor(const Py& p) {
    if (p->tensor.defined()) return p->tensor;
    const auto& ref = *p->items[0]->storage;
    auto it = storages_.find(ref.key);
    if (it == storages_.end()) u_.fail("storage '" + ref.key + "' is missing (truncated file?)");
    std::vector<int64_t> size, stride;
    for (const auto& v : p->items[2]->items) size.push_back(v->i);
    for (const auto& v : p->items[3]->items) stride.push_back(v->i);
    const int64_t offset = p->items[1]->i;
    int64_t last = offset;
    for (size_t d = 0; d < size.size(); ++d) {
      if (size[d] > 0) last += (size[d] - 1) * stride[d];
    }
    const bool empty = std::find(size.begin(), size.end(), 0) != size.end();
    if (!empty && last >= it->second.numel())
      u_.fail("a tensor reaches beyond its storage '" + ref.key + "'");
    p->tensor = it->second.as_strided(size, stride, offset);
    return p->tensor;
  }
  const Unpickler& u_;
  std::map<std::string, at::Tensor> storages_;
};

at::Tensor storage_from(const char* data, size_t bytes, const StorageRef& ref,
                        const std::string& path) {
  const size_t need = static_cast<size_t>(ref.numel) * at::elementSize(ref.dtype);
  if (bytes < need) throw Error(kOp, path, 0, "", "storage '" + ref.key + "' is truncated");
  at::Tensor t = at::empty({ref.numel}, at::TensorOptions().dtype(ref.dtype));
  std::memcpy(t.data_ptr(), data, need);
  return t;
}

c10::IValue load_zip(const std::string& path) {
  std::unique_ptr<caffe2::serialize::PyTorchStreamReader> reader;
  try {
    reader = std::make_unique<caffe2::serialize::PyTorchStreamReader>(path);
  } catch (const c10::Error& e) {
    throw Error(
        kOp, path, 0, "",
        std::string("not a readable zip archive (truncated?): ") + e.what_without_backtrace());
  }
  if (!reader->hasRecord("data.pkl")) throw Error(kOp, path, 0, "", "zip archive without data.pkl");
  auto [pkl, pkl_size] = reader->getRecord("data.pkl");
  Unpickler u(static_cast<const char*>(pkl.get()), pkl_size, path);
  Py root = u.run();
  std::map<std::string, at::Tensor> storages;
  for (const auto& ref : u.storages) {
    if (storages.count(ref->key)) continue;
    const std::string record = "data/" + ref->key;
    if (!reader->hasRecord(record))
      throw Error(kOp, path, 0, "", "storage record " + record + " missing");
    auto [ptr, size] = reader->getRecord(record);
    storages[ref->key] = storage_from(static_cast<const char*>(ptr.get()), size, *ref, path);
  }
  return Converter(u, std::move(storages))(root);
}

// Legacy: pickle(magic), pickle(protocol), pickle(sys_info), pickle(object), pickle(keys),
// then per key: int64 numel + raw bytes.
c10::IValue load_legacy(const std::string& path, const std::string& bytes) {
  size_t offset = 0;
  auto next_pickle = [&](std::unique_ptr<Unpickler>* keep) {
    auto u = std::make_unique<Unpickler>(bytes.data() + offset, bytes.size() - offset, path);
    Py p = u->run();
    offset += u->consumed();
    if (keep) *keep = std::move(u);
    return p;
  };
  Py magic = next_pickle(nullptr);
  if (magic->kind != PyObj::kInt || magic->s != "1950a86a20f9469cfc6c") {
    throw Error(kOp, path, 0, "", "not a torch.save file (bad magic number)");
  }
  next_pickle(nullptr);  // Protocol version.
  next_pickle(nullptr);  // sys_info.
  std::unique_ptr<Unpickler> main;
  Py root = next_pickle(&main);
  Py keys = next_pickle(nullptr);
  std::map<std::string, std::shared_ptr<StorageRef>> refs;
  for (const auto& r : main->storages) refs[r->key] = r;
  std::map<std::string, at::Tensor> storages;
  for (const auto& k : keys->items) {
    if (offset + 8 > bytes.size())
      throw Error(kOp, path, 0, "", "truncated file (storage " + k->s + " missing)");
    int64_t numel;
    std::memcpy(&numel, bytes.data() + offset, 8);
    offset += 8;
    auto it = refs.find(k->s);
    if (it == refs.end()) throw Error(kOp, path, 0, "", "storage " + k->s + " is not referenced");
    StorageRef ref = *it->second;
    ref.numel = numel;
    const size_t size = static_cast<size_t>(numel) * at::elementSize(ref.dtype);
    storages[k->s] = storage_from(bytes.data() + offset, bytes.size() - offset, ref, path);
    offset += size;
  }
  return Converter(*main, std::move(storages))(root);
}

}  // namespace

c10::IValue load_torch_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(kOp, path, 0, "", "cannot open file");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.size() < 4) throw Error(kOp, path, 0, "", "file too short to be a torch.save file");
  if (bytes.compare(0, 4, "PK\x03\x04") == 0) return load_zip(path);
  if (static_cast<uint8_t>(bytes[0]) == 0x80) return load_legacy(path, bytes);
  throw Error(kOp, path, 0, "", "neither a zip archive nor a legacy pickle stream");
}

}  // namespace fer::models

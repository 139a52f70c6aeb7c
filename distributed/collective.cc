#include "distributed/collective.h"

#include <utility>

namespace fer::distributed {

void GroupCollective::allreduce_sum(at::Tensor& t, const std::string& what) {
  group_.allreduce_sum(t, what);
}

void GroupCollective::broadcast(std::vector<at::Tensor>& tensors, int root,
                                const std::string& what) {
  group_.broadcast(tensors, root, what);
}

at::Tensor GroupCollective::all_gather_rows(const at::Tensor& local, const std::string& what) {
  return group_.all_gather_rows(local, what);
}

std::string GroupCollective::broadcast_string(const std::string& text, int root,
                                              const std::string& what) {
  return group_.broadcast_string(text, root, what);
}

bool GroupCollective::any(bool flag, const std::string& what) { return group_.any(flag, what); }

std::unique_ptr<GradientSync> GroupCollective::gradient_sync(std::vector<at::Tensor> params) {
  return std::make_unique<GradientSync>(group_, std::move(params));
}

}  // namespace fer::distributed

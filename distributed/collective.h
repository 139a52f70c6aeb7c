// The collectives a training loop runs against, whatever the job's size: a world of one process
// (every operation is the identity, no gradient averaging) or a c10d process group (issue #11).
// The loop is written once: rank 0 writes the files, every rank runs the same operations.
#pragma once

#include <ATen/core/Tensor.h>

#include <memory>
#include <string>
#include <vector>

#include "distributed/grad_sync.h"
#include "distributed/group.h"

namespace fer::distributed {

class Collective {
 public:
  virtual ~Collective() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  /// Sum of `t` over the ranks, in place. `what` names the operation in errors.
  virtual void allreduce_sum(at::Tensor& t, const std::string& what) = 0;
  /// Each tensor becomes root's, in place.
  virtual void broadcast(std::vector<at::Tensor>& tensors, int root, const std::string& what) = 0;
  /// Every rank's `local` rows, concatenated in rank order.
  virtual at::Tensor all_gather_rows(const at::Tensor& local, const std::string& what) = 0;
  /// root's text, on every rank.
  virtual std::string broadcast_string(const std::string& text, int root,
                                       const std::string& what) = 0;
  /// Whether `flag` is true on any rank.
  virtual bool any(bool flag, const std::string& what) = 0;
  /// The averager of these parameters' gradients over the ranks; null in a world of one (there
  /// is nothing to average).
  virtual std::unique_ptr<GradientSync> gradient_sync(std::vector<at::Tensor> params) = 0;
};

/// One process: rank 0 of 1; every operation returns its input.
class WorldOfOne final : public Collective {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  void allreduce_sum(at::Tensor&, const std::string&) override {}
  void broadcast(std::vector<at::Tensor>&, int, const std::string&) override {}
  at::Tensor all_gather_rows(const at::Tensor& local, const std::string&) override { return local; }
  std::string broadcast_string(const std::string& text, int, const std::string&) override {
    return text;
  }
  bool any(bool flag, const std::string&) override { return flag; }
  std::unique_ptr<GradientSync> gradient_sync(std::vector<at::Tensor>) override { return nullptr; }
};

/// The ranks of a joined process group (not owned; it must outlive this).
class GroupCollective final : public Collective {
 public:
  explicit GroupCollective(Group& group) : group_(group) {}
  int rank() const override { return group_.rank(); }
  int size() const override { return group_.size(); }
  void allreduce_sum(at::Tensor& t, const std::string& what) override;
  void broadcast(std::vector<at::Tensor>& tensors, int root, const std::string& what) override;
  at::Tensor all_gather_rows(const at::Tensor& local, const std::string& what) override;
  std::string broadcast_string(const std::string& text, int root, const std::string& what) override;
  bool any(bool flag, const std::string& what) override;
  std::unique_ptr<GradientSync> gradient_sync(std::vector<at::Tensor> params) override;

 private:
  Group& group_;
};

}  // namespace fer::distributed

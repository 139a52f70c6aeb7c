#include "training/interrupt.h"

#include <csignal>

namespace fer::training {

std::atomic<bool> g_interrupt_requested{false};

namespace {

void on_signal(int) { g_interrupt_requested = true; }

}  // namespace

void install_interrupt_handler() {
  std::signal(SIGINT, on_signal);
  // What schedulers and launchers send first (Slurm's scancel and preemption, Kubernetes, and
  // torchrun when another worker fails), before SIGKILL after a grace period.
  std::signal(SIGTERM, on_signal);
}

}  // namespace fer::training

// Ctrl-C and SIGTERM during training: the handler only sets a flag; the loop polls it after
// every step, stops every rank at the same step and leaves a resume state (exit code 130).
#pragma once

#include <atomic>

namespace fer::training {

/// Set by the SIGINT and SIGTERM handler; the trainer polls it after every step.
extern std::atomic<bool> g_interrupt_requested;
/// SIGINT (Ctrl-C) and SIGTERM (schedulers, launchers) both stop training after the current
/// step with a resume state.
void install_interrupt_handler();

}  // namespace fer::training

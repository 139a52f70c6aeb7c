// A fresh, empty directory for a test under $TEST_TMPDIR (Bazel) or /tmp.
#pragma once

#include <boost/filesystem.hpp>
#include <cstdlib>
#include <string>

namespace fer::testing {

inline boost::filesystem::path temp_dir(const std::string& name) {
  const char* base = std::getenv("TEST_TMPDIR");
  boost::filesystem::path p = boost::filesystem::path(base ? base : "/tmp") / name;
  boost::filesystem::remove_all(p);
  boost::filesystem::create_directories(p);
  return p;
}

}  // namespace fer::testing

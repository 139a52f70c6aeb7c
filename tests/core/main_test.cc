// core/main.h: every binary's error policy. A fer::Error exits 2, any other exception 1, both
// after one "PROGRAM: error: ..." line on stderr and the caller's hook; otherwise the body's code.
#include "core/main.h"

#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "core/error.h"
#include "tests/catch.h"

namespace {

// Captures std::cerr for the lifetime of the object.
class CerrCapture {
 public:
  CerrCapture() : old_(std::cerr.rdbuf(buffer_.rdbuf())) {}
  ~CerrCapture() { std::cerr.rdbuf(old_); }
  std::string text() const { return buffer_.str(); }

 private:
  std::ostringstream buffer_;
  std::streambuf* old_;
};

}  // namespace

TEST_CASE("run_main returns the body's exit code and prints nothing", "[core]") {
  CerrCapture err;
  CHECK(fer::run_main("tool", [] { return 0; }) == 0);
  CHECK(fer::run_main("tool", [] { return 130; }) == 130);
  CHECK(err.text().empty());
}

TEST_CASE("run_main turns exceptions into exit codes 2 and 1 with one line", "[core]") {
  std::string hooked;
  const auto hook = [&](const std::string& what) { hooked = what; };
  {
    CerrCapture err;
    const int code = fer::run_main(
        "runner",
        []() -> int { throw fer::Error("read csv", "/d/train.csv", 7, "face_x", "not a number"); },
        hook);
    CHECK(code == 2);
    CHECK(err.text().rfind("runner: error: ", 0) == 0);
    CHECK(err.text().find("/d/train.csv") != std::string::npos);
    CHECK(hooked.find("face_x") != std::string::npos);
  }
  {
    CerrCapture err;
    const int code = fer::run_main(
        "render", []() -> int { throw std::runtime_error("out of disk"); }, hook);
    CHECK(code == 1);
    CHECK(err.text() == "render: error: out of disk\n");
    CHECK(hooked == "out of disk");
  }
}

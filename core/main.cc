#include "core/main.h"

#include <exception>
#include <iostream>

#include "core/error.h"

namespace fer {
namespace {

int report(const std::string& program, const std::string& what, int code,
           const std::function<void(const std::string&)>& on_error) {
  std::cerr << program << ": error: " << what << "\n";
  if (on_error) on_error(what);
  return code;
}

}  // namespace

int run_main(const std::string& program, const std::function<int()>& body,
             const std::function<void(const std::string&)>& on_error) {
  try {
    return body();
  } catch (const Error& e) {
    return report(program, e.what(), 2, on_error);
  } catch (const std::exception& e) {
    return report(program, e.what(), 1, on_error);
  }
}

}  // namespace fer

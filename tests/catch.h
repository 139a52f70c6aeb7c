// Catch2 for the project's tests. Include it LAST: Debian's c10 is built with glog, whose
// logging header defines CHECK; Catch's CHECK must be the one tests use.
#pragma once

#ifdef CHECK
#undef CHECK
#endif
#include <catch2/catch.hpp>

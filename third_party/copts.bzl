"""Compiler flags shared by every target of the project (one place, as Abseil does)."""

FER_COPTS = [
    "-Wall",
    "-Wextra",
    "-Wno-unused-parameter",
    "-Wno-sign-compare",
    # GCC 12 reports false positives through inlined std::string at -O2.
    "-Wno-maybe-uninitialized",
    # Aggregates such as ModelSpec are meant to be brace-initialised partially.
    "-Wno-missing-field-initializers",
]

FER_TEST_COPTS = FER_COPTS

def fer_cc_sources(name = "cc_sources"):
    """The package's C++ sources (*.cc, *.h), for the formatting check (//tests:format_test)."""
    native.filegroup(
        name = name,
        srcs = native.glob([
            "*.cc",
            "*.h",
        ]),
        visibility = ["//tests:__pkg__"],
    )

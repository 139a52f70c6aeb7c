"""Compiler flags shared by every target of the project (one place, as Abseil does)."""

FER_COPTS = [
    "-Wall",
    "-Wextra",
    "-Wno-unused-parameter",
    "-Wno-sign-compare",
]

FER_TEST_COPTS = FER_COPTS

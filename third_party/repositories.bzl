"""Repository rules over Debian packages (offline), plus the LibTorch switch.

- rules_cc comes from bazel-rules-cc, patched for Bazel 4.2.3 (no use_cpp_toolchain).
- rules_java comes from bazel-rules-java.
- remote_coverage_tools is a local stand-in so `bazel test` never downloads.
- libtorch is Debian's libtorch-dev unless LIBTORCH_HOME names a LibTorch
  distribution (or a Python `torch` package directory) with include/ and lib/.
- opencv is Debian's OpenCV 4 (headers in /usr/include/opencv4).
"""

_RULES_CC_DIR = "/usr/share/bazel/rules/cc"
_RULES_JAVA_DIR = "/usr/share/bazel/rules/java"
_TOOLCHAIN_TYPE = '["@bazel_tools//tools/cpp:toolchain_type"]'
_PATCHED_FILES = [
    "cc/private/rules_impl/compiler_flag.bzl",
    "cc/private/rules_impl/cc_flags_supplier.bzl",
]

def _fail_missing(path, package):
    fail("%s not found: install the Debian package %s (run sudo ./setup.sh)" % (path, package))

def _debian_rules_cc_impl(ctx):
    src = ctx.path(_RULES_CC_DIR)
    if not src.exists:
        _fail_missing(_RULES_CC_DIR, "bazel-rules-cc")
    for child in src.readdir():
        ctx.symlink(child, child.basename)

    # Bazel 4.2.3 has no use_cpp_toolchain(): replace the two files that call it
    # (a symlinked directory cannot be edited, so rebuild that one directory).
    impl_dir = "cc/private/rules_impl"
    ctx.delete("cc")
    ctx.execute(["mkdir", "-p", impl_dir])
    for child in src.get_child("cc").readdir():
        if child.basename != "private":
            ctx.symlink(child, "cc/" + child.basename)
    for child in src.get_child("cc").get_child("private").readdir():
        if child.basename != "rules_impl":
            ctx.symlink(child, "cc/private/" + child.basename)
    for child in src.get_child("cc").get_child("private").get_child("rules_impl").readdir():
        rel = impl_dir + "/" + child.basename
        if rel in _PATCHED_FILES:
            text = ctx.read(child)
            text = text.replace(', "use_cpp_toolchain")', ")")
            text = text.replace("use_cpp_toolchain()", _TOOLCHAIN_TYPE)
            ctx.file(rel, text, executable = False)
        else:
            ctx.symlink(child, rel)

debian_rules_cc = repository_rule(implementation = _debian_rules_cc_impl, local = True)

def _coverage_stub_impl(ctx):
    ctx.file("WORKSPACE", "workspace(name = \"remote_coverage_tools\")\n")
    ctx.file("coverage_unavailable.sh", "#!/bin/sh\necho 'coverage tools are not available offline' >&2\nexit 1\n", executable = True)
    ctx.file("BUILD", """
package(default_visibility = ["//visibility:public"])
sh_binary(name = "coverage_report_generator", srcs = ["coverage_unavailable.sh"])
sh_binary(name = "lcov_merger", srcs = ["coverage_unavailable.sh"])
filegroup(name = "coverage_output_generator", srcs = ["coverage_unavailable.sh"])
""")

coverage_stub = repository_rule(implementation = _coverage_stub_impl)

def _cuda_home(ctx):
    """The CUDA toolkit whose headers a CUDA LibTorch's c10/cuda headers include."""
    for candidate in [ctx.os.environ.get("CUDA_HOME", ""), "/usr/local/cuda"]:
        if candidate and ctx.path(candidate).get_child("include").get_child("cuda_runtime_api.h").exists:
            return ctx.path(candidate)
    fail("LIBTORCH_HOME holds a CUDA LibTorch (libtorch_cuda.so), whose headers include the CUDA " +
         "toolkit's: install the toolkit or set CUDA_HOME to it (looked in $CUDA_HOME and /usr/local/cuda)")

def _cudart_linkopts(ctx, torch_root, cuda_home):
    """Links the CUDA runtime LibTorch itself loads: the pip wheel's nvidia/*/lib copy when
    LIBTORCH_HOME is a torch package directory (same version as libtorch_cuda's), else the toolkit's."""
    dirs = []
    if torch_root:
        nvidia = torch_root.dirname.get_child("nvidia")
        if nvidia.exists:
            dirs += [str(d.get_child("lib")) for d in nvidia.readdir() if d.basename in ["cu13", "cu12", "cuda_runtime"]]
    dirs.append(str(cuda_home.get_child("lib64")))
    for d in dirs:
        found = ctx.execute(["sh", "-c", "ls '%s' 2>/dev/null | grep -E '^libcudart[.]so[.][0-9]+$' | sort | tail -1" % d]).stdout.strip()
        if found:
            return ["-L" + d, "-Wl,-rpath," + d, "-l:" + found]
    fail("no libcudart.so.N found in %s" % dirs)

def _nccl_include(ctx, torch_root, cuda_home, libdir):
    """The folder of the nccl.h that c10d's ProcessGroupNCCL.hpp includes, or None when this
    CUDA LibTorch has no ProcessGroupNCCL. NCCL's header decides the layout of c10d's NCCL
    options (NCCL_HAS_CONFIG and the like), so it must be the NCCL LibTorch loads: the pip
    wheel's nvidia/nccl when LIBTORCH_HOME is a torch package directory, else the toolkit's."""
    found = ctx.execute(["sh", "-c", "nm -D --defined-only '%s/libtorch_cuda.so' | grep -c ProcessGroupNCCL" % libdir])
    if found.stdout.strip() in ["", "0"]:
        return None
    candidates = []
    if torch_root:
        candidates.append(torch_root.dirname.get_child("nvidia").get_child("nccl").get_child("include"))
    candidates.append(cuda_home.get_child("include"))
    for d in candidates:
        if d.get_child("nccl.h").exists:
            return d
    return None

_TORCH_BUILD = """
load("@rules_cc//cc:defs.bzl", "cc_library")

package(default_visibility = ["//visibility:public"])

cc_library(
    name = "libtorch",
    hdrs = glob(["include/**/*.h", "include/**/*.hpp", "include/**/*.cuh", "cuda_include/**/*.h", "cuda_include/**/*.hpp",
                 "nccl_include/*.h"]) + ["fer_torch_config.h"],
    includes = {includes},
    linkopts = {linkopts},
)
"""

def _libtorch_impl(ctx):
    home = ctx.os.environ.get("LIBTORCH_HOME", "")
    if home:
        root = ctx.path(home)
        if not root.get_child("include").exists or not root.get_child("lib").exists:
            fail("LIBTORCH_HOME=%s must contain include/ and lib/ (a LibTorch distribution or a Python torch package directory)" % home)
        ctx.symlink(root.get_child("include"), "include")
        libdir = str(root.get_child("lib"))
        source = home
        # Debian's OpenCV and Boost use the C++11 ABI; a pre-C++11-ABI LibTorch cannot link with them.
        abi = ctx.execute(["sh", "-c", "nm -D --defined-only '%s/libc10.so' | grep -c __cxx11" % libdir])
        if abi.stdout.strip() in ["", "0"]:
            fail("LIBTORCH_HOME=%s: libc10.so was built with the pre-C++11 ABI (_GLIBCXX_USE_CXX11_ABI=0); " % home +
                 "use a cxx11-ABI LibTorch (pytorch.org: 'libtorch-cxx11-abi-shared-with-deps') or a torch wheel built with it")
    else:
        for d in ["ATen", "c10", "caffe2", "torch"]:
            p = ctx.path("/usr/include/" + d)
            if not p.exists:
                _fail_missing(str(p), "libtorch-dev")
            ctx.symlink(p, "include/" + d)
        libdir = "/usr/lib/x86_64-linux-gnu"
        source = "debian:libtorch-dev"
    lib = ctx.path(libdir)
    has_cuda = lib.get_child("libtorch_cuda.so").exists and lib.get_child("libc10_cuda.so").exists
    libs = ["-ltorch", "-ltorch_cpu", "-lc10"]
    includes = ["include", "include/torch/csrc/api/include", "."]
    cuda_linkopts = []
    has_nccl = False
    if has_cuda:
        libs = ["-ltorch_cuda", "-lc10_cuda"] + libs
        cuda_home = _cuda_home(ctx)
        nccl_include = _nccl_include(ctx, root if home else None, cuda_home, libdir)
        if nccl_include:
            has_nccl = True
            ctx.symlink(nccl_include, "nccl_include")
            includes.append("nccl_include")
        ctx.symlink(cuda_home.get_child("include"), "cuda_include")
        includes.append("cuda_include")
        cuda_linkopts = _cudart_linkopts(ctx, root if home else None, cuda_home)
    # push/pop-state: the libraries are linked even though the binary may not call them directly
    # (CUDA kernels register themselves), and the linker's --as-needed state after them is the
    # one before them, so later -l flags (sqlite3, ...) still apply to the objects that need them.
    linkopts = (["-L" + libdir, "-Wl,-rpath," + libdir, "-Wl,--push-state,--no-as-needed"] + libs + cuda_linkopts +
                ["-Wl,--pop-state", "-lpthread"])

    # Debian builds c10 with glog: its logging macros then call glog from our objects.
    macros = ctx.path("include/c10/macros/cmake_macros.h")
    if macros.exists and "#define C10_USE_GLOG" in ctx.read(macros):
        linkopts.append("-lglog")
    version = ctx.execute(["sh", "-c", "grep -h 'define TORCH_VERSION ' '%s'/include/torch/csrc/api/include/torch/version.h 2>/dev/null | head -1 | sed 's/.*\"\\(.*\\)\".*/\\1/'" % ctx.path(".")]).stdout.strip()
    ctx.file("fer_torch_config.h", """// Generated by third_party/repositories.bzl: which LibTorch this build links.
#pragma once
#define FER_LIBTORCH_SOURCE "{source}"
#define FER_LIBTORCH_LIBDIR "{libdir}"
#define FER_LIBTORCH_HEADER_VERSION "{version}"
#define FER_LIBTORCH_HAS_CUDA {cuda}
#define FER_LIBTORCH_HAS_NCCL {nccl}
""".format(source = source, libdir = libdir, version = version, cuda = 1 if has_cuda else 0,
           nccl = 1 if has_nccl else 0))
    ctx.file("BUILD", _TORCH_BUILD.format(
        includes = repr(includes),
        linkopts = repr(linkopts),
    ))

libtorch_repository = repository_rule(
    implementation = _libtorch_impl,
    environ = ["LIBTORCH_HOME", "CUDA_HOME"],
    local = True,
)

_OPENCV_BUILD = """
load("@rules_cc//cc:defs.bzl", "cc_library")

package(default_visibility = ["//visibility:public"])

cc_library(
    name = "opencv",
    hdrs = glob(["opencv2/**/*.h", "opencv2/**/*.hpp"]),
    includes = ["."],
    linkopts = ["-lopencv_imgproc", "-lopencv_core"],
)
"""

def emogcn_dependencies():
    """Declares every external repository; call from WORKSPACE."""
    debian_rules_cc(name = "rules_cc")
    native.local_repository(name = "rules_java", path = _RULES_JAVA_DIR)
    coverage_stub(name = "remote_coverage_tools")
    libtorch_repository(name = "libtorch")
    native.new_local_repository(
        name = "opencv",
        path = "/usr/include/opencv4",
        build_file_content = _OPENCV_BUILD,
    )

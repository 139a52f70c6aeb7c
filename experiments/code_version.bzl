"""code_version_source: a C++ source that defines fer::experiments::stamped_code_version() from
Bazel's stable workspace status (STABLE_EMOGCN_CODE_VERSION, tools/workspace_status.sh), so every
binary knows the code it was built from however it is started."""

def _code_version_source_impl(ctx):
    out = ctx.actions.declare_file(ctx.label.name + ".cc")
    ctx.actions.run_shell(
        inputs = [ctx.info_file],
        outputs = [out],
        # Only [0-9a-z-] can reach the source; anything else (or nothing) is "unknown".
        command = """
v=$(sed -n 's/^STABLE_EMOGCN_CODE_VERSION //p' "$1" | head -n 1)
case "$v" in '' | *[!0-9a-z-]*) v=unknown ;; esac
printf '%s\\n' '// Generated from the stable workspace status.' \
  'namespace fer::experiments {' \
  "const char* stamped_code_version() { return \\"$v\\"; }" \
  '}  // namespace fer::experiments' > "$2"
""",
        arguments = [ctx.info_file.path, out.path],
        mnemonic = "CodeVersion",
        progress_message = "Stamping the code version",
    )
    return [DefaultInfo(files = depset([out]))]

code_version_source = rule(implementation = _code_version_source_impl)

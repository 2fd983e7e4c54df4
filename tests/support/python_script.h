// Runs the test suite's Python helpers (tests/mailstack/*.py) with
// /usr/bin/python3: stdin from /dev/null, stdout and stderr collected,
// default signal handling, a timeout. Shared by MailStack and FaultProxy.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace schoolmail::testing {

struct ScriptRun {
  int exit_code = -1;  // -1 when killed by the timeout or a signal
  std::string out;
  std::string err;
};

// Runs `/usr/bin/python3 -I script args...`. Throws std::runtime_error only
// when the interpreter cannot be started.
ScriptRun RunPythonScript(const std::string& script,
                          const std::vector<std::string>& args,
                          std::chrono::seconds timeout);

// The path of a helper script: `compiled` (a path CMake passed as a string
// literal; nullptr when none) or else the environment variable `env_name`.
// Throws std::runtime_error when neither names a readable file, or when
// /usr/bin/python3 is missing.
std::string FindScript(const char* compiled, const char* env_name);

// "script-name arg arg ..." for messages.
std::string Describe(const std::string& script,
                     const std::vector<std::string>& args);

}  // namespace schoolmail::testing

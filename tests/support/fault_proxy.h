// A fault-injecting TCP proxy in front of a real server of the mail stack
// (Dovecot IMAP / IMAPS, the SMTP server), on 127.0.0.1. Driven by
// tests/mailstack/faultproxy.py (run with /usr/bin/python3). The proxy
// forwards bytes untouched (TLS included: certificates still verify against
// MailStack::ca_file()); rules can only delay, cut, stall or close streams,
// never invent protocol replies.
//
// The script's path comes from the compile definition
// SCHOOLMAIL_FAULTPROXY_SCRIPT (a string literal, e.g. in CMake:
//   target_compile_definitions(t PRIVATE
//       SCHOOLMAIL_FAULTPROXY_SCRIPT="${PROJECT_SOURCE_DIR}/tests/mailstack/faultproxy.py")
// ); without it, from the environment variable of the same name.
//
// Typical use in a doctest case:
//   schoolmail::testing::MailStack stack({.users = {{"teacher", "secret"}}});
//   schoolmail::testing::FaultProxy proxy(stack.dir(), "imaps", stack.host(),
//                                         stack.imaps_port());
//   proxy.SetRules(R"({"connections": 1, "drop_after_server_bytes": 4000})");
//   // connect to 127.0.0.1:proxy.port() instead of stack.imaps_port() ...
//   CHECK(proxy.FaultsFired() == 1);
//
// Rules (JSON, one object or a list of objects taking turns by "connections";
// see the header comment of faultproxy.py for the full reference):
//   {"refuse": true}                      accept, then close at once
//   {"drop_after_server_bytes": N}        close both sides after N bytes
//   {"drop_after_client_bytes": N}          server->client / client->server
//   {"drop_when_server_sends": "txt"}     close when the stream contains txt
//   {"drop_when_client_sends": "txt"}       (plain ports only; the bytes up to
//                                           and including txt are forwarded
//                                           unless "forward_match": false)
//   {"reset": true}                       close with RST instead of FIN
//   {"delay_ms": N}, {"client_delay_ms": N}, {"chunk_bytes": N}
//   {"stall_after_server_bytes": N}       then forward nothing, keep it open
//   {"stall_after_client_bytes": N}
//   {"connections": K}                    only the next K connections
// Rules are re-read for every connection and every chunk, so they also hit
// connections that are already open (see faultproxy.py for the details).
#pragma once

#include <string>
#include <vector>

namespace schoolmail::testing {

class FaultProxy {
 public:
  // Starts `faultproxy.py start dir --name name --target host:port` on a free
  // port of 127.0.0.1. Files go to dir/name.{pid,log,env,rules.json,
  // events.jsonl}; dir is created if missing and never removed (typically
  // MailStack::dir()). A stale rules file of that name is removed first, so
  // the proxy starts as a pass-through. name: letters, digits, '.', '_', '-',
  // and not one of mailstack.py's own names (smtp, stack, dovecot, ...).
  // Throws std::runtime_error (with the script's stderr, which includes the
  // proxy's log) on failure, leaving nothing running.
  FaultProxy(std::string dir, std::string name, std::string target_host,
             int target_port);
  // Runs `faultproxy.py stop` (SIGTERM, then SIGKILL). Never throws.
  ~FaultProxy();

  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  std::string host() const { return "127.0.0.1"; }
  int port() const { return port_; }
  const std::string& dir() const { return dir_; }
  const std::string& name() const { return name_; }

  // Validates json with `faultproxy.py check` (throws std::runtime_error on an
  // unknown key or bad JSON, leaving the old rules in place), then writes it
  // atomically (temp file + rename). Takes effect for the next connection and
  // the next chunk of open ones; each call restarts the "connections" count,
  // even with the same text. An empty string is ClearRules().
  void SetRules(const std::string& json);
  // Removes the rules file: pass-through from now on.
  void ClearRules();

  // Number of faults fired since the start (lines of dir/name.events.jsonl,
  // written before the fault takes effect).
  int FaultsFired() const;
  // The events file (one JSON object per line) and the log, for diagnostics.
  std::string Events() const;
  std::string Log() const;

 private:
  struct RunResult {
    int exit_code = -1;
    std::string out;
    std::string err;
  };
  RunResult Run(const std::vector<std::string>& args) const;
  std::string FilePath(const std::string& suffix) const;
  void Stop() noexcept;

  std::string script_;  // path of faultproxy.py
  std::string dir_;
  std::string name_;
  std::string target_;  // host:port
  int port_ = 0;
  bool running_ = false;
};

}  // namespace schoolmail::testing

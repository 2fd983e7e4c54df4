#include "daemon/cli.h"

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <unistd.h>

#include <cstdlib>
#include <functional>
#include <iostream>

#include "config/settings.h"
#include "daemon/data_dir.h"
#include "daemon/parse_mail_command.h"
#include "daemon/roster_commands.h"

namespace schoolmail {
namespace {

constexpr const char* kDefaultConfig = "/etc/schoolmail/schoolmail.ini";

std::string DefaultConfigPath() {
  const char* env = std::getenv("SCHOOLMAIL_CONFIG");
  return env != nullptr && *env != '\0' ? env : kDefaultConfig;
}

void SetUpLogging(bool verbose) {
  auto logger = spdlog::stderr_color_mt("schoolmail");
  logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ %v");
  logger->set_level(verbose ? spdlog::level::debug : spdlog::level::info);
  spdlog::set_default_logger(logger);
}

// Loads the config named by --config, printing every problem on failure.
std::optional<Settings> LoadOrReport(const std::string& path) {
  Result<Settings> settings = LoadValidSettings(path);
  if (!settings) {
    std::cerr << settings.status().message() << "\n";
    return std::nullopt;
  }
  return std::move(settings).value();
}

std::unique_ptr<Store> OpenOrReport(const Settings& settings) {
  auto store = OpenDataStore(settings);
  if (!store) {
    std::cerr << store.status().message() << "\n";
    return nullptr;
  }
  return std::move(store).value();
}

}  // namespace

int RunCli(int argc, char** argv) {
  CLI::App app{
      "schoolmail: runs a school's distance-learning regulation over plain "
      "e-mail",
      "schoolmail"};
  app.set_version_flag("--version", "schoolmail 0.1.0");
  app.require_subcommand(1);
  std::string config_path = DefaultConfigPath();
  bool verbose = false;
  app.add_option("-c,--config", config_path,
                 "Config file (default: $SCHOOLMAIL_CONFIG or " +
                     std::string(kDefaultConfig) + ")");
  app.add_flag("-v,--verbose", verbose, "Log debug details");

  // Each subcommand's action runs after parsing, once logging is set up.
  std::vector<std::pair<CLI::App*, std::function<int()>>> actions;

  auto* check = app.add_subcommand(
      "check-config", "Check a config file: every problem with file, line and "
                      "key; exit 0 only when it is good");
  std::string check_path;
  check->add_option("FILE", check_path, "The INI file to check")->required();
  actions.emplace_back(check, [&] {
    LoadedSettings loaded = LoadSettings(check_path);
    if (!loaded.problems.empty()) {
      for (const ConfigProblem& p : loaded.problems) {
        std::cerr << p.ToString() << "\n";
      }
      std::cerr << check_path << ": " << loaded.problems.size()
                << " problem(s)\n";
      return 1;
    }
    std::cout << check_path << ": OK\n" << SettingsSummary(loaded.settings);
    return 0;
  });

  auto* import = app.add_subcommand("import", "Import a CSV file");
  import->require_subcommand(1);
  auto* import_roster = import->add_subcommand(
      "roster",
      "Import classes, pupils, parents and teachers from CSV (UTF-8 or "
      "windows-1251, ';' or ','); all rows or none");
  std::string roster_path;
  import_roster->add_option("FILE", roster_path, "The roster CSV file")
      ->required();
  actions.emplace_back(import_roster, [&] {
    auto settings = LoadOrReport(config_path);
    if (!settings) return 2;
    auto store = OpenOrReport(*settings);
    if (!store) return 2;
    return ImportRosterFile(*store, roster_path, std::cout, std::cerr);
  });

  auto* roster = app.add_subcommand("roster", "List the stored roster");
  actions.emplace_back(roster, [&] {
    auto settings = LoadOrReport(config_path);
    if (!settings) return 2;
    auto store = OpenOrReport(*settings);
    if (!store) return 2;
    Result<Roster> stored = store->LoadRoster();
    if (!stored) {
      std::cerr << stored.status().message() << "\n";
      return 1;
    }
    PrintRoster(*stored, std::cout);
    return 0;
  });

  auto* parse_mail = app.add_subcommand(
      "parse-mail",
      "Print how schoolmail reads one message (.eml) as JSON: senders, "
      "subject, text, attachments with SHA-256, kind, or the limit it broke");
  std::string mail_path;
  parse_mail->add_option("FILE", mail_path, "The raw message file")->required();
  actions.emplace_back(parse_mail, [&] {
    // Limits come from the config when one is given or present; else the
    // documented defaults.
    Limits limits;
    const char* env = std::getenv("SCHOOLMAIL_CONFIG");
    bool explicit_config = app.get_option("--config")->count() > 0 ||
                           (env != nullptr && *env != '\0');
    if (explicit_config || ::access(config_path.c_str(), F_OK) == 0) {
      auto settings = LoadOrReport(config_path);
      if (!settings) return 2;
      limits = settings->limits;
    }
    return ParseMailFile(mail_path, limits, std::cout, std::cerr);
  });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  SetUpLogging(verbose);
  for (const auto& [command, action] : actions) {
    if (command->parsed()) return action();
  }
  return 0;
}

}  // namespace schoolmail

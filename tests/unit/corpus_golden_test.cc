// Golden files: every message of tests/corpus (INDEX.tsv) parses, and its
// parse, as `schoolmail parse-mail` prints it, equals
// tests/golden/<path>.json. Regenerate after a deliberate change with
// SCHOOLMAIL_UPDATE_GOLDEN=1, then read the diff before committing it.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "config/text.h"
#include "daemon/parse_mail_command.h"
#include "tests/support/temp_dir.h"

namespace schoolmail {
namespace {

std::vector<std::string> CorpusPaths() {
  std::string index = testing::ReadFile(std::string(SCHOOLMAIL_SOURCE_DIR) +
                                        "/tests/corpus/INDEX.tsv");
  std::vector<std::string> paths;
  bool header = true;
  for (const std::string& line : SplitList(index, "\n")) {
    if (header) {
      header = false;
      continue;
    }
    paths.push_back(line.substr(0, line.find('\t')));
  }
  return paths;
}

TEST_CASE("every corpus message parses and matches its golden file") {
  std::string root = std::string(SCHOOLMAIL_SOURCE_DIR) + "/tests/";
  bool update = std::getenv("SCHOOLMAIL_UPDATE_GOLDEN") != nullptr;
  std::vector<std::string> paths = CorpusPaths();
  CHECK(paths.size() == 112);
  for (const std::string& path : paths) {
    INFO(path);
    std::string bytes = testing::ReadFile(root + "corpus/" + path);
    MimeParse parse = ParseMessage(bytes, Limits{});
    CHECK(parse.message.has_value());
    std::string json = ParseToJson(parse).dump(
        2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    std::string golden = root + "golden/" + path + ".json";
    if (update) {
      std::filesystem::create_directories(
          std::filesystem::path(golden).parent_path());
      std::ofstream(golden, std::ios::binary) << json;
      continue;
    }
    REQUIRE_MESSAGE(std::filesystem::exists(golden),
                    "no golden file " << golden);
    CHECK(json == testing::ReadFile(golden));
  }
}

}  // namespace
}  // namespace schoolmail

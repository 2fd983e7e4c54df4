// The schema, as an ordered list of migrations. Migration i (1-based) moves
// the database from user_version i-1 to i. Never edit a released migration:
// add a new one.
#pragma once

#include <string_view>
#include <vector>

namespace schoolmail {

const std::vector<std::string_view>& Migrations();

}  // namespace schoolmail

// The command line: one executable, subcommands, --help for each.
#pragma once

namespace schoolmail {

// Parses arguments, runs the chosen subcommand, returns the exit status.
int RunCli(int argc, char** argv);

}  // namespace schoolmail

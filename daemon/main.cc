#include <curl/curl.h>

#include "daemon/cli.h"

int main(int argc, char** argv) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  int status = schoolmail::RunCli(argc, argv);
  curl_global_cleanup();
  return status;
}

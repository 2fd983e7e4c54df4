/* The peer for bench/drain_bench.sh: a plain SMTP client, C and OpenSSL,
 * that sends the messages drain_bench wrote over one connection.
 *
 *   raw_smtp_client --port PORT --ca-file CA [--host 127.0.0.1]
 *                   [--user U --password P] DIR
 *
 * DIR holds envelopes.txt ("FILE FROM RCPT [RCPT...]" a line) and the
 * files. Every file is read into memory first (not timed). Then, timed:
 * connect, EHLO, STARTTLS (certificate and host checked against CA), EHLO,
 * AUTH PLAIN when a user is given, and for each message MAIL FROM, RCPT TO
 * each recipient, DATA, the dot-stuffed body and ".", each reply read and
 * its code checked before the next command (no pipelining, as libcurl);
 * QUIT. Any unexpected reply stops the run with exit status 1.
 *
 * Prints a human line and "RESULT raw messages=N bytes=B seconds=S".
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { kMaxRecipients = 16, kReplyMax = 4096 };

struct Message {
  char* body; /* as in the file */
  size_t size;
  char* from;
  char* to[kMaxRecipients];
  int to_count;
};

static int fd = -1;
static SSL* ssl = NULL;
static char in_buf[16384];
static size_t in_len = 0, in_pos = 0;

static void Die(const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  fputs("raw_smtp_client: ", stderr);
  vfprintf(stderr, fmt, args);
  fputc('\n', stderr);
  va_end(args);
  ERR_print_errors_fp(stderr);
  exit(1);
}

static double Now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* User + system CPU seconds this process has used so far. */
static double CpuSeconds(void) {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return (double)(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         (double)(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

static void SendAll(const char* data, size_t size) {
  while (size > 0) {
    int n;
    if (ssl) {
      size_t written = 0;
      if (SSL_write_ex(ssl, data, size, &written) != 1) Die("SSL_write failed");
      n = (int)written;
    } else {
      ssize_t w = send(fd, data, size, MSG_NOSIGNAL);
      if (w <= 0) Die("send failed");
      n = (int)w;
    }
    data += n;
    size -= (size_t)n;
  }
}

static int ReadByte(void) {
  if (in_pos == in_len) {
    size_t got = 0;
    if (ssl) {
      if (SSL_read_ex(ssl, in_buf, sizeof in_buf, &got) != 1) {
        Die("connection closed by the server (TLS)");
      }
    } else {
      ssize_t r = recv(fd, in_buf, sizeof in_buf, 0);
      if (r <= 0) Die("connection closed by the server");
      got = (size_t)r;
    }
    in_len = got;
    in_pos = 0;
  }
  return (unsigned char)in_buf[in_pos++];
}

/* Reads one complete (possibly multi-line) reply; returns its code and
 * leaves its text (lines joined) in `text`. */
static int ReadReply(char* text, size_t text_size) {
  size_t used = 0;
  for (;;) {
    char line[1024];
    size_t n = 0;
    int c;
    while ((c = ReadByte()) != '\n') {
      if (n + 1 < sizeof line) line[n++] = (char)c;
    }
    if (n > 0 && line[n - 1] == '\r') --n;
    line[n] = '\0';
    if (n < 3) Die("malformed reply line \"%s\"", line);
    size_t add = strlen(line);
    if (used + add + 2 < text_size) {
      memcpy(text + used, line, add);
      used += add;
      text[used++] = ' ';
      text[used] = '\0';
    }
    if (n == 3 || line[3] == ' ') return atoi(line);
    if (line[3] != '-') Die("malformed reply line \"%s\"", line);
  }
}

/* Reads a reply and checks its code; `what` names it in errors. */
static void Expect(int want, const char* what) {
  char reply[kReplyMax];
  reply[0] = '\0';
  int code = ReadReply(reply, sizeof reply);
  /* 250 also accepts 251 (will forward), as RFC 5321 allows for RCPT. */
  if (code != want && !(want == 250 && code == 251)) {
    Die("after %s: expected %d, got: %s", what, want, reply);
  }
}

/* Sends one command line and checks the reply's code. */
static void Command(int want, const char* fmt, ...) {
  char command[1024];
  va_list args;
  va_start(args, fmt);
  int n = vsnprintf(command, sizeof command - 2, fmt, args);
  va_end(args);
  if (n < 0 || (size_t)n >= sizeof command - 2) Die("command too long");
  memcpy(command + n, "\r\n", 2);
  SendAll(command, (size_t)n + 2);
  command[n] = '\0';
  Expect(want, command);
}

/* The body with every line starting with '.' doubled and CRLF . CRLF added
 * (a final CRLF first if the message lacks one). `out` must hold
 * 2 * size + 5 bytes. */
static size_t DotStuff(const char* body, size_t size, char* out) {
  size_t o = 0;
  int line_start = 1;
  for (size_t i = 0; i < size; ++i) {
    if (line_start && body[i] == '.') out[o++] = '.';
    out[o++] = body[i];
    line_start = body[i] == '\n';
  }
  if (size < 2 || body[size - 2] != '\r' || body[size - 1] != '\n') {
    out[o++] = '\r';
    out[o++] = '\n';
  }
  memcpy(out + o, ".\r\n", 3);
  return o + 3;
}

static char* ReadFile(const char* path, size_t* size) {
  FILE* f = fopen(path, "rb");
  if (!f) Die("cannot open %s", path);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char* data = malloc((size_t)n + 1);
  if (!data || fread(data, 1, (size_t)n, f) != (size_t)n)
    Die("cannot read %s", path);
  fclose(f);
  data[n] = '\0';
  *size = (size_t)n;
  return data;
}

static struct Message* LoadMessages(const char* dir, int* count) {
  char path[4096];
  snprintf(path, sizeof path, "%s/envelopes.txt", dir);
  FILE* f = fopen(path, "r");
  if (!f) Die("cannot open %s", path);
  int capacity = 256;
  struct Message* messages = malloc(sizeof *messages * (size_t)capacity);
  *count = 0;
  char line[8192];
  while (fgets(line, sizeof line, f)) {
    char* save = NULL;
    char* name = strtok_r(line, " \r\n", &save);
    if (!name) continue;
    if (*count == capacity) {
      capacity *= 2;
      messages = realloc(messages, sizeof *messages * (size_t)capacity);
    }
    struct Message* m = &messages[(*count)++];
    memset(m, 0, sizeof *m);
    char* from = strtok_r(NULL, " \r\n", &save);
    if (!from) Die("%s: no sender for %s", path, name);
    m->from = strdup(from);
    char* to;
    while ((to = strtok_r(NULL, " \r\n", &save)) != NULL) {
      if (m->to_count == kMaxRecipients)
        Die("too many recipients for %s", name);
      m->to[m->to_count++] = strdup(to);
    }
    if (m->to_count == 0) Die("%s: no recipients for %s", path, name);
    char file[4096];
    snprintf(file, sizeof file, "%s/%s", dir, name);
    m->body = ReadFile(file, &m->size);
  }
  fclose(f);
  return messages;
}

static void Connect(const char* host, const char* port) {
  struct addrinfo hints, *res;
  memset(&hints, 0, sizeof hints);
  hints.ai_socktype = SOCK_STREAM;
  if (getaddrinfo(host, port, &hints, &res) != 0)
    Die("cannot resolve %s", host);
  fd = socket(res->ai_family, res->ai_socktype, res->ai_protocol);
  if (fd < 0 || connect(fd, res->ai_addr, res->ai_addrlen) != 0) {
    Die("cannot connect to %s:%s", host, port);
  }
  freeaddrinfo(res);
  int one = 1; /* as libcurl does by default */
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

static void StartTls(const char* host, const char* ca_file) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (!ctx) Die("SSL_CTX_new failed");
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  if (SSL_CTX_load_verify_locations(ctx, ca_file, NULL) != 1) {
    Die("cannot load CA file %s", ca_file);
  }
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
  SSL* s = SSL_new(ctx);
  struct in6_addr ip;
  if (inet_pton(AF_INET, host, &ip) == 1 ||
      inet_pton(AF_INET6, host, &ip) == 1) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(s), host);
  } else {
    SSL_set_tlsext_host_name(s, host);
    SSL_set1_host(s, host);
  }
  SSL_set_fd(s, fd);
  if (SSL_connect(s) != 1) Die("TLS handshake failed");
  if (SSL_get_verify_result(s) != X509_V_OK) Die("certificate not verified");
  ssl = s;
}

static void AuthPlain(const char* user, const char* password) {
  size_t ul = strlen(user), pl = strlen(password);
  unsigned char raw[1024];
  if (ul + pl + 2 > sizeof raw) Die("credentials too long");
  raw[0] = '\0';
  memcpy(raw + 1, user, ul);
  raw[1 + ul] = '\0';
  memcpy(raw + 2 + ul, password, pl);
  char b64[1400];
  EVP_EncodeBlock((unsigned char*)b64, raw, (int)(ul + pl + 2));
  Command(235, "AUTH PLAIN %s", b64);
}

static const char* Arg(int argc, char** argv, int* i) {
  if (*i + 1 >= argc) Die("%s needs a value", argv[*i]);
  return argv[++*i];
}

int main(int argc, char** argv) {
  const char *host = "127.0.0.1", *port = NULL, *ca_file = NULL;
  const char *user = NULL, *password = "", *dir = NULL;
  for (int i = 1; i < argc; ++i) {
    if (!strcmp(argv[i], "--host"))
      host = Arg(argc, argv, &i);
    else if (!strcmp(argv[i], "--port"))
      port = Arg(argc, argv, &i);
    else if (!strcmp(argv[i], "--ca-file"))
      ca_file = Arg(argc, argv, &i);
    else if (!strcmp(argv[i], "--user"))
      user = Arg(argc, argv, &i);
    else if (!strcmp(argv[i], "--password"))
      password = Arg(argc, argv, &i);
    else if (argv[i][0] == '-')
      Die("unknown option %s", argv[i]);
    else
      dir = argv[i];
  }
  if (!port || !ca_file || !dir) {
    fprintf(stderr,
            "usage: raw_smtp_client --port PORT --ca-file CA [--host H] "
            "[--user U --password P] DIR\n");
    return 2;
  }
  int count = 0;
  struct Message* messages = LoadMessages(dir, &count);
  size_t total = 0, largest = 0;
  for (int i = 0; i < count; ++i) {
    total += messages[i].size;
    if (messages[i].size > largest) largest = messages[i].size;
  }
  char* wire = malloc(2 * largest + 5);

  double cpu = CpuSeconds();
  double start = Now();
  Connect(host, port);
  Expect(220, "connecting");
  Command(250, "EHLO localhost");
  Command(220, "STARTTLS");
  StartTls(host, ca_file);
  Command(250, "EHLO localhost");
  if (user) AuthPlain(user, password);
  double session = Now() - start;
  for (int i = 0; i < count; ++i) {
    const struct Message* m = &messages[i];
    Command(250, "MAIL FROM:<%s>", m->from);
    for (int r = 0; r < m->to_count; ++r)
      Command(250, "RCPT TO:<%s>", m->to[r]);
    Command(354, "DATA");
    SendAll(wire, DotStuff(m->body, m->size, wire));
    Expect(250, "the end of DATA");
  }
  Command(221, "QUIT");
  double seconds = Now() - start;
  cpu = CpuSeconds() - cpu;
  SSL_shutdown(ssl);
  close(fd);

  printf(
      "raw client: %d messages, %.2f MB, %.3f s (connect, TLS, AUTH %.3f s), "
      "%.1f msgs/s, %.2f MB/s; client CPU %.3f s\n",
      count, (double)total / 1e6, seconds, session, count / seconds,
      (double)total / 1e6 / seconds, cpu);
  printf("RESULT raw messages=%d bytes=%zu seconds=%.6f\n", count, total,
         seconds);
  return 0;
}

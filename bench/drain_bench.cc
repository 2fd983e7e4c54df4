// Outbox drain benchmark (issue 5), run by hand through bench/drain_bench.sh.
//
// Writes N parent digests with the real message writer, queues them in a
// fresh SQLite store, then times DrainOutbox alone (wall clock) against the
// SMTP server the arguments name. The same messages go to --out as .eml
// files plus an envelope list, so bench/raw_smtp_client can send exactly the
// same bytes in the same run; the script reports the ratio.
//
// The store is wrapped in a decorator that times ClaimDue and RecordAttempt,
// so the report says how the drain's time splits between the database and
// SMTP (everything else in the loop is the transport and the bookkeeping).
//
// Other modes, same messages for the same --seed: --write-only (files only,
// so the peer can go first) and --transport-only (SmtpTransport::Send in a
// loop, no drain: what libcurl alone costs).
#include <sys/resource.h>
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "config/settings.h"
#include "daemon/outbox.h"
#include "daemon/smtp/smtp_transport.h"
#include "storage/store.h"
#include "templates/message_writer.h"

namespace schoolmail {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

// User + system CPU seconds this process has used so far.
double CpuSeconds() {
  rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// Forwards to the real store and times the two calls the drain makes
// (ClaimDue once per batch, RecordAttempt once per mail). Only the pure
// virtual methods are forwarded; those with a default body are not, and
// the drain uses none of them.
class TimedStore : public Store {
 public:
  explicit TimedStore(Store& inner) : inner_(inner) {}

  Clock::duration claim_time{};
  Clock::duration record_time{};
  int claims = 0;
  int records = 0;

  Result<std::vector<OutboxEntry>> ClaimDue(std::int64_t now,
                                            int limit) override {
    auto start = Clock::now();
    auto result = inner_.ClaimDue(now, limit);
    claim_time += Clock::now() - start;
    ++claims;
    return result;
  }
  Status RecordAttempt(std::int64_t id,
                       const std::vector<RecipientOutcome>& outcomes,
                       const std::string& reply, std::int64_t now,
                       std::int64_t next_attempt_at) override {
    auto start = Clock::now();
    Status status =
        inner_.RecordAttempt(id, outcomes, reply, now, next_attempt_at);
    record_time += Clock::now() - start;
    ++records;
    return status;
  }

  // The rest: plain forwarding.
  int SchemaVersion() override { return inner_.SchemaVersion(); }
  Result<Roster> LoadRoster() override { return inner_.LoadRoster(); }
  Result<RosterImportSummary> ImportRoster(const Roster& roster) override {
    return inner_.ImportRoster(roster);
  }
  Status AddAssignment(const Assignment& assignment, const std::string& source,
                       std::int64_t created_at) override {
    return inner_.AddAssignment(assignment, source, created_at);
  }
  Result<std::vector<Assignment>> LoadAssignments() override {
    return inner_.LoadAssignments();
  }
  Result<MailboxCursor> GetCursor(const std::string& mailbox,
                                  const std::string& folder) override {
    return inner_.GetCursor(mailbox, folder);
  }
  Status ResetCursor(const std::string& mailbox, const std::string& folder,
                     std::int64_t uidvalidity) override {
    return inner_.ResetCursor(mailbox, folder, uidvalidity);
  }
  Result<bool> IsProcessed(const std::string& message_key) override {
    return inner_.IsProcessed(message_key);
  }
  Result<RecordedIntake> RecordIntake(const IntakeRecord& record) override {
    return inner_.RecordIntake(record);
  }
  Result<std::vector<RecordedIntake>> RecordIntakes(
      const std::vector<IntakeRecord>& records) override {
    return inner_.RecordIntakes(records);
  }
  Result<std::vector<UnfiledMessage>> ListUnfiled(
      const std::string& mailbox) override {
    return inner_.ListUnfiled(mailbox);
  }
  Result<std::int64_t> RecordSent(const SentRecord& record) override {
    return inner_.RecordSent(record);
  }
  using Store::MarkFiled;
  Status MarkFiled(const std::vector<std::int64_t>& submission_ids,
                   const std::string& folder, std::int64_t at) override {
    return inner_.MarkFiled(submission_ids, folder, at);
  }
  Status RecordPoll(const std::string& mailbox, const std::string& folder,
                    std::int64_t at, const std::string& error) override {
    return inner_.RecordPoll(mailbox, folder, at, error);
  }
  Result<std::vector<MailboxState>> LoadMailboxStates() override {
    return inner_.LoadMailboxStates();
  }
  Result<std::vector<SubmissionRow>> ListSubmissions(
      const SubmissionFilter& filter) override {
    return inner_.ListSubmissions(filter);
  }
  Result<std::vector<PendingReceipt>> ListPendingReceipts(int limit) override {
    return inner_.ListPendingReceipts(limit);
  }
  Status DropReceipt(std::int64_t submission_id, const std::string& reason,
                     std::int64_t at) override {
    return inner_.DropReceipt(submission_id, reason, at);
  }
  Result<EnqueueResult> Enqueue(const OutboxMail& mail, std::int64_t now,
                                int cap) override {
    return inner_.Enqueue(mail, now, cap);
  }
  Result<std::vector<OutboxEntry>> ListOutbox(bool all) override {
    return inner_.ListOutbox(all);
  }
  Result<bool> RetryOutbox(std::int64_t id, std::int64_t now) override {
    return inner_.RetryOutbox(id, now);
  }
  Result<std::vector<OutboxEntry>> TakeUnreportedFailures() override {
    return inner_.TakeUnreportedFailures();
  }
  Result<int> CountSuppressed(std::int64_t since) override {
    return inner_.CountSuppressed(since);
  }

 private:
  Store& inner_;
};

// --- The messages: weekly digests to parents, deterministic per seed ---

const std::vector<std::string> kSurnames = {
    "Иванов",   "Смирнов",  "Кузнецов", "Попов",   "Васильев", "Петров",
    "Соколов",  "Михайлов", "Новиков",  "Фёдоров", "Морозов",  "Волков",
    "Алексеев", "Лебедев",  "Семёнов",  "Егоров",  "Павлов",   "Козлов"};
const std::vector<std::string> kNames = {
    "Пётр", "Мария", "Алексей", "Анна",  "Дмитрий", "Екатерина",
    "Иван", "Ольга", "Сергей",  "Дарья", "Михаил",  "Полина"};
const std::vector<std::string> kParentNames = {
    "Елена Викторовна",     "Ирина Сергеевна",    "Наталья Петровна",
    "Андрей Николаевич",    "Ольга Ивановна",     "Татьяна Юрьевна",
    "Сергей Александрович", "Светлана Михайловна"};
const std::vector<std::string> kClasses = {"5А", "5Б", "6А",  "6В", "7Б",
                                           "8А", "9В", "10А", "11Б"};
const std::vector<std::string> kSubjects = {
    "Алгебра",   "Геометрия",       "Русский язык", "Литература",
    "Физика",    "Химия",           "Биология",     "История",
    "География", "Английский язык", "Информатика",  "Обществознание"};
const std::vector<std::string> kWorks = {
    "самостоятельная работа «Квадратные уравнения»",
    "контрольная работа по теме «Причастный оборот»",
    "устный ответ у доски, параграф 14",
    "лабораторная работа «Измерение ускорения свободного падения»",
    "сочинение по роману «Капитанская дочка»",
    "тест по теме «Строение клетки»",
    "проверочная работа «Реформы Петра I»",
    "практическая работа с контурной картой",
    "словарный диктант, раздел 5",
    "домашнее задание: задачи 345–350"};
const std::vector<std::string> kComments = {
    "Работа выполнена аккуратно, есть небольшие ошибки в вычислениях; "
    "рекомендую повторить формулы сокращённого умножения.",
    "На уроке был внимателен, активно отвечал, помогал одноклассникам "
    "разобраться в задаче. Так держать!",
    "Не сдана тетрадь для лабораторных работ; пожалуйста, проследите, "
    "чтобы до пятницы она была у учителя.",
    "Сочинение интересное, мысль выражена ясно, но много пунктуационных "
    "ошибок: стоит повторить правила обособления.",
    "Опоздание на урок во вторник без объяснения причин.",
    "Хорошо подготовился к проверочной работе, видно, что занимался "
    "дополнительно. Спасибо за поддержку дома!"};

template <typename T>
const T& Pick(const std::vector<T>& items, std::mt19937_64& rng) {
  return items[std::uniform_int_distribution<size_t>(0, items.size() - 1)(rng)];
}

int Between(int low, int high, std::mt19937_64& rng) {
  return std::uniform_int_distribution<int>(low, high)(rng);
}

std::string Escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

struct Digest {
  std::string subject, text, html;
};

Digest MakeDigest(const std::string& parent_name, std::mt19937_64& rng) {
  std::string pupil = Pick(kSurnames, rng) + " " + Pick(kNames, rng);
  std::string class_name = Pick(kClasses, rng);
  Digest d;
  d.subject =
      "Итоги недели: " + pupil + ", " + class_name + " класс (23–27 ноября)";
  std::string text = "Здравствуйте, " + parent_name + "!\n\nИтоги недели " +
                     "с 23 по 27 ноября для ученика (ученицы) " + pupil + ", " +
                     class_name + " класс.\n\nОценки:\n";
  std::string html =
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head>"
      "<body style=\"font-family: Arial, sans-serif\">\n<p>Здравствуйте, " +
      Escape(parent_name) + "!</p>\n<p>Итоги недели с 23 по 27 ноября для " +
      "ученика (ученицы) <b>" + Escape(pupil) + "</b>, " + class_name +
      " класс.</p>\n<h3>Оценки</h3>\n<table border=\"1\" cellpadding=\"4\">"
      "\n<tr><th>Дата</th><th>Предмет</th><th>Оценка</th><th>За что</th>"
      "</tr>\n";
  int grades = Between(7, 17, rng);
  for (int i = 0; i < grades; ++i) {
    std::string day = std::to_string(Between(23, 27, rng)) + ".11";
    std::string subject = Pick(kSubjects, rng);
    std::string grade = std::to_string(Between(2, 5, rng));
    const std::string& work = Pick(kWorks, rng);
    text += "  " + day + "  " + subject + ": " + grade + " (" + work + ")\n";
    html += "<tr><td>" + day + "</td><td>" + subject + "</td><td>" + grade +
            "</td><td>" + Escape(work) + "</td></tr>\n";
  }
  text += "\nДомашние задания на следующую неделю:\n";
  html += "</table>\n<h3>Домашние задания на следующую неделю</h3>\n<ul>\n";
  int tasks = Between(3, 8, rng);
  for (int i = 0; i < tasks; ++i) {
    std::string line =
        "ДЗ-" + std::to_string(Between(10, 40, rng)) + " " +
        Pick(kSubjects, rng) + ": §" + std::to_string(Between(5, 30, rng)) +
        ", № " + std::to_string(Between(100, 400, rng)) + "–" +
        std::to_string(Between(401, 420, rng)) +
        ". Срок: 30.11.2026 18:00. Присылайте работу ответом на это "
        "письмо учителю.";
    text += "  - " + line + "\n";
    html += "<li>" + Escape(line) + "</li>\n";
  }
  text += "\nЗамечания учителей:\n";
  html += "</ul>\n<h3>Замечания учителей</h3>\n";
  int comments = Between(1, 4, rng);
  for (int i = 0; i < comments; ++i) {
    std::string line = Pick(kSubjects, rng) + ": " + Pick(kComments, rng);
    text += "  " + line + "\n";
    html += "<p>" + Escape(line) + "</p>\n";
  }
  std::string footer =
      "Это письмо отправлено автоматически. Вопросы по оценкам задайте "
      "классному руководителю; горячая линия школы: +7 495 123-45-67, "
      "сайт: https://school.test";
  text += "\n-- \n" + footer + "\n";
  html += "<hr><p style=\"color: #666\">" + Escape(footer) +
          "</p>\n</body></html>\n";
  d.text = std::move(text);
  d.html = std::move(html);
  return d;
}

std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

bool WriteFile(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  return static_cast<bool>(out);
}

struct Options {
  std::string url, user, password, ca_file;
  std::string sender = "robot@school.test";
  std::string recipients_file;
  int recipient_count = 200;
  int messages = 2000;
  int batch = 0;  // 0: the Settings default
  std::string db, out;
  std::uint64_t seed = 1;
  bool transport_only = false;
  bool write_only = false;
};

// The same mails through SmtpTransport::Send alone, one connection, no
// store: what the drain costs beyond libcurl.
int SendOnly(const Settings& settings, const std::vector<OutboxMail>& mails,
             std::uint64_t total_bytes) {
  SmtpTransport transport(SmtpEndpointFor(settings));
  int refused = 0;
  double cpu = CpuSeconds();
  auto start = Clock::now();
  for (const OutboxMail& mail : mails) {
    auto sent = transport.Send(mail.envelope_from, mail.recipients, mail.body);
    if (!sent.ok()) {
      ++refused;
      std::fprintf(stderr, "drain_bench: %s: %s\n", mail.message_id.c_str(),
                   sent.status().message().c_str());
    }
  }
  double s = Seconds(Clock::now() - start);
  cpu = CpuSeconds() - cpu;
  int n = static_cast<int>(mails.size());
  std::printf(
      "SmtpTransport alone: %.3f s, %.1f msgs/s, %.2f MB/s, %d refused; "
      "client CPU %.3f s\n",
      s, n / s, static_cast<double>(total_bytes) / 1e6 / s, refused, cpu);
  std::printf("RESULT transport messages=%d bytes=%llu seconds=%.6f\n", n,
              static_cast<unsigned long long>(total_bytes), s);
  return refused == 0 ? 0 : 1;
}

int Run(const Options& o) {
  if (o.write_only ? o.out.empty() : (o.url.empty() || o.db.empty())) {
    std::fprintf(stderr,
                 "drain_bench: --url and --db are required (with "
                 "--write-only: --out)\n");
    return 2;
  }
  struct stat info;
  if (!o.write_only && ::stat(o.db.c_str(), &info) == 0) {
    std::fprintf(stderr, "drain_bench: %s exists; give a fresh path\n",
                 o.db.c_str());
    return 2;
  }
  std::vector<std::string> parents;
  if (!o.recipients_file.empty()) {
    parents = ReadLines(o.recipients_file);
  } else {
    for (int i = 1; i <= o.recipient_count; ++i) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "parent%03d@school.test", i);
      parents.push_back(buf);
    }
  }
  if (parents.size() < 2) {
    std::fprintf(stderr, "drain_bench: need at least two recipients\n");
    return 2;
  }

  Settings settings;
  settings.school.name = "Школа №1";
  settings.school.time_zone = "Europe/Moscow";
  settings.smtp.url = o.url;
  settings.smtp.user = o.user;
  settings.smtp.password = o.password;
  settings.smtp.sender = o.sender;
  settings.ca_file = o.ca_file;
  if (o.batch > 0) settings.outbox.batch = o.batch;

  std::unique_ptr<Store> real_store;
  if (!o.write_only) {
    auto opened = OpenSqliteStore(o.db);
    if (!opened.ok()) {
      std::fprintf(stderr, "drain_bench: %s\n",
                   opened.status().message().c_str());
      return 1;
    }
    real_store = std::move(*opened);
  }
  std::unique_ptr<TimedStore> timed;  // null when write_only
  if (real_store) timed = std::make_unique<TimedStore>(*real_store);

  // Build, write out and queue every message (not timed).
  std::mt19937_64 rng(o.seed);
  const std::int64_t date = 1795795200;  // 2026-11-27 16:00 UTC (19:00 MSK)
  const std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
  std::string envelopes;
  std::uint64_t total_bytes = 0, smallest = UINT64_MAX, largest = 0;
  int recipient_count = 0;
  std::vector<OutboxMail> mails;  // kept for --transport-only
  for (int i = 1; i <= o.messages; ++i) {
    OutgoingMail mail;
    mail.from = {settings.school.name, o.sender};
    size_t first =
        std::uniform_int_distribution<size_t>(0, parents.size() - 1)(rng);
    mail.to.push_back({Pick(kParentNames, rng), parents[first]});
    if (Between(1, 10, rng) <= 3) {  // both parents, 30% of digests
      size_t second =
          (first + 1 +
           std::uniform_int_distribution<size_t>(0, parents.size() - 2)(rng)) %
          parents.size();
      mail.to.push_back({Pick(kParentNames, rng), parents[second]});
    }
    Digest digest = MakeDigest(mail.to.front().display_name, rng);
    char token[32];
    std::snprintf(token, sizeof token, "digest-%05d-%llu", i,
                  static_cast<unsigned long long>(o.seed));
    mail.subject = digest.subject;
    mail.message_id = MakeMessageId(token, "school.test");
    mail.date = date + i;
    mail.utc_offset_minutes = 180;
    mail.auto_submitted = "auto-generated";
    mail.text = std::move(digest.text);
    mail.html = std::move(digest.html);
    auto written = WriteMail(mail);
    if (!written.ok()) {
      std::fprintf(stderr, "drain_bench: message %d: %s\n", i,
                   written.status().message().c_str());
      return 1;
    }
    OutboxMail queued;
    queued.kind = "digest";
    queued.dedup_key = std::string("digest:bench:") + token;
    queued.envelope_from = o.sender;
    for (const OutgoingAddress& to : mail.to) {
      queued.recipients.push_back(to.address);
    }
    queued.message_id = mail.message_id;
    queued.summary = mail.subject;
    queued.body = *written;
    if (!o.write_only) {
      auto enqueued = timed->Enqueue(
          queued, now, settings.limits.auto_mails_per_recipient_per_day);
      if (!enqueued.ok() || enqueued->outcome != EnqueueOutcome::kQueued) {
        std::fprintf(stderr, "drain_bench: message %d not queued: %s\n", i,
                     enqueued.ok() ? "duplicate or suppressed"
                                   : enqueued.status().message().c_str());
        return 1;
      }
    }
    char name[32];
    std::snprintf(name, sizeof name, "msg-%05d.eml", i);
    if (!o.out.empty() && !WriteFile(o.out + "/" + name, *written)) {
      std::fprintf(stderr, "drain_bench: cannot write %s/%s\n", o.out.c_str(),
                   name);
      return 1;
    }
    envelopes += std::string(name) + " " + o.sender;
    for (const std::string& r : queued.recipients) envelopes += " " + r;
    envelopes += "\n";
    recipient_count += static_cast<int>(queued.recipients.size());
    total_bytes += written->size();
    smallest = std::min<std::uint64_t>(smallest, written->size());
    largest = std::max<std::uint64_t>(largest, written->size());
    if (o.transport_only) mails.push_back(std::move(queued));
  }
  if (!o.out.empty()) {
    std::string list;
    for (const std::string& p : parents) list += p + "\n";
    if (!WriteFile(o.out + "/envelopes.txt", envelopes) ||
        !WriteFile(o.out + "/recipients.txt", list)) {
      std::fprintf(stderr, "drain_bench: cannot write to %s\n", o.out.c_str());
      return 1;
    }
  }
  std::printf(
      "messages: %d, %.2f MB (%.1f-%.1f KB each, mean %.1f KB), %d "
      "recipients in all\n",
      o.messages, static_cast<double>(total_bytes) / 1e6,
      static_cast<double>(smallest) / 1e3, static_cast<double>(largest) / 1e3,
      static_cast<double>(total_bytes) / 1e3 / o.messages, recipient_count);

  if (o.write_only) return 0;
  if (o.transport_only) return SendOnly(settings, mails, total_bytes);

  // The timed part: one drain, as the daemon runs it.
  SmtpTransport transport(SmtpEndpointFor(settings));
  std::mt19937_64 jitter(o.seed);
  DrainOptions options;
  options.now = [] { return static_cast<std::int64_t>(std::time(nullptr)); };
  options.random01 = [&jitter] {
    return std::uniform_real_distribution<double>(0.0, 1.0)(jitter);
  };
  double cpu = CpuSeconds();
  auto start = Clock::now();
  TimedStore& store = *timed;
  auto drained = DrainOutbox(store, transport, settings, options);
  auto elapsed = Clock::now() - start;
  cpu = CpuSeconds() - cpu;
  if (!drained.ok()) {
    std::fprintf(stderr, "drain_bench: drain failed: %s\n",
                 drained.status().message().c_str());
    return 1;
  }
  double s = Seconds(elapsed);
  std::printf(
      "schoolmail drain: %.3f s, %.1f msgs/s, %.2f MB/s; client CPU %.3f s\n",
      s, o.messages / s, static_cast<double>(total_bytes) / 1e6 / s, cpu);
  double claim = Seconds(store.claim_time), record = Seconds(store.record_time);
  std::printf(
      "  of which ClaimDue %.3f s (%d calls), RecordAttempt %.3f s (%d calls, "
      "%.2f ms each), SMTP and the rest %.3f s (%.2f ms a mail)\n",
      claim, store.claims, record, store.records,
      store.records ? record * 1e3 / store.records : 0.0, s - claim - record,
      (s - claim - record) * 1e3 / o.messages);
  std::printf("  report: sent %d, deferred %d, failed %d%s%s\n", drained->sent,
              drained->deferred, drained->failed,
              drained->server_error.empty() ? "" : ", server error: ",
              drained->server_error.c_str());

  // Every entry must have ended "sent", for every recipient.
  auto listed = store.ListOutbox(true);
  if (!listed.ok()) {
    std::fprintf(stderr, "drain_bench: %s\n",
                 listed.status().message().c_str());
    return 1;
  }
  std::map<std::string, int> states;
  int recipients_sent = 0;
  for (const OutboxEntry& e : *listed) {
    ++states[e.state];
    for (const OutboxRecipient& r : e.recipients) {
      if (r.state == "sent") ++recipients_sent;
    }
  }
  std::string summary;
  for (const auto& [state, count] : states) {
    summary +=
        (summary.empty() ? "" : ", ") + state + " " + std::to_string(count);
  }
  bool all_sent = states["sent"] == o.messages &&
                  static_cast<int>(listed->size()) == o.messages &&
                  recipients_sent == recipient_count;
  std::printf("  outbox states: %s; recipients sent %d of %d: %s\n",
              summary.c_str(), recipients_sent, recipient_count,
              all_sent ? "every entry sent" : "NOT ALL SENT");
  // One line for scripts.
  std::printf("RESULT schoolmail messages=%d bytes=%llu seconds=%.6f\n",
              o.messages, static_cast<unsigned long long>(total_bytes), s);
  return all_sent ? 0 : 1;
}

}  // namespace
}  // namespace schoolmail

int main(int argc, char** argv) {
  schoolmail::Options o;
  CLI::App app{
      "Queues N parent digests in a fresh SQLite store and times DrainOutbox "
      "against a real SMTP server (bench/README.md)."};
  app.add_option("--url", o.url, "smtp://host:port (STARTTLS) or smtps://");
  app.add_option("--user", o.user, "SMTP AUTH user (empty: no AUTH)");
  app.add_option("--password", o.password, "SMTP AUTH password");
  app.add_option("--ca-file", o.ca_file, "CA bundle for the server's cert");
  app.add_option("--sender", o.sender, "envelope and From address")
      ->capture_default_str();
  auto* file = app.add_option("--recipients", o.recipients_file,
                              "file of parent addresses, one a line");
  app.add_option("--recipient-count", o.recipient_count,
                 "else parent001@school.test ... parentN@school.test")
      ->capture_default_str()
      ->excludes(file);
  app.add_option("--messages", o.messages, "how many digests")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--batch", o.batch, "[outbox] batch (default: Settings')");
  app.add_option("--db", o.db, "SQLite database to create (must not exist)");
  app.add_option("--out", o.out,
                 "folder for msg-NNNNN.eml, envelopes.txt, recipients.txt")
      ->check(CLI::ExistingDirectory);
  app.add_option("--seed", o.seed, "same seed, same messages")
      ->capture_default_str();
  app.add_flag("--transport-only", o.transport_only,
               "send through SmtpTransport alone: no drain, no store updates");
  app.add_flag("--write-only", o.write_only,
               "only write the messages to --out (same seed, same bytes)");
  CLI11_PARSE(app, argc, argv);
  return schoolmail::Run(o);
}

#include "journal/journal.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>

#include "journal/sqlite_db.hpp"

namespace outreach {
namespace {

constexpr const char* kSchema = R"SQL(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS campaigns(
  id TEXT PRIMARY KEY,
  enrolled_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS occurrences(
  campaign TEXT NOT NULL, step TEXT NOT NULL, occurrence TEXT NOT NULL,
  due_utc INTEGER NOT NULL,
  status TEXT NOT NULL CHECK(status IN ('fired','skipped','coalesced')),
  reason TEXT NOT NULL DEFAULT '',
  decided_at INTEGER NOT NULL,
  PRIMARY KEY(campaign, step, occurrence));
CREATE TABLE IF NOT EXISTS deliveries(
  key TEXT PRIMARY KEY,
  campaign TEXT NOT NULL, step TEXT NOT NULL, occurrence TEXT NOT NULL, state TEXT NOT NULL,
  is_task INTEGER NOT NULL,
  scheduled_utc INTEGER NOT NULL,
  from_name TEXT NOT NULL, from_email TEXT NOT NULL, to_name TEXT NOT NULL, to_email TEXT NOT NULL,
  subject TEXT NOT NULL, body TEXT NOT NULL,
  channel TEXT NOT NULL,
  status TEXT NOT NULL CHECK(status IN ('delivered','temporary_failure','failed')),
  message_id TEXT NOT NULL DEFAULT '', detail TEXT NOT NULL DEFAULT '',
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_utc INTEGER,
  updated_at INTEGER NOT NULL,
  language TEXT NOT NULL DEFAULT 'en',
  attachments TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS enclosures(
  sha256 TEXT PRIMARY KEY,
  content BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS deliveries_by_campaign ON deliveries(campaign, scheduled_utc);
CREATE INDEX IF NOT EXISTS deliveries_by_occurrence ON deliveries(campaign, step, occurrence);
CREATE INDEX IF NOT EXISTS deliveries_retry ON deliveries(next_attempt_utc) WHERE status = 'temporary_failure';
CREATE TABLE IF NOT EXISTS responses(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  campaign TEXT NOT NULL, state TEXT NOT NULL, kind TEXT NOT NULL, payload TEXT NOT NULL DEFAULT '',
  note TEXT NOT NULL DEFAULT '',
  at_utc INTEGER NOT NULL, recorded_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS responses_by_campaign ON responses(campaign, at_utc);
CREATE TABLE IF NOT EXISTS audit(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at_utc INTEGER NOT NULL, campaign TEXT NOT NULL, event TEXT NOT NULL, detail TEXT NOT NULL,
  actor TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS audit_by_campaign ON audit(campaign, at_utc);
)SQL";

// Tables added by schema version 2 (human control: pause, approval, proofs).
// Created with IF NOT EXISTS, so the same text serves new and migrated journals.
constexpr const char* kControlSchema = R"SQL(
CREATE TABLE IF NOT EXISTS pauses(
  campaign TEXT PRIMARY KEY,
  since_utc INTEGER NOT NULL, until_utc INTEGER,
  by_user TEXT NOT NULL, note TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS approvals(
  campaign TEXT NOT NULL, step TEXT NOT NULL, occurrence TEXT NOT NULL,
  decision TEXT NOT NULL CHECK(decision IN ('approved','rejected')),
  content_hash TEXT NOT NULL, by_user TEXT NOT NULL, at_utc INTEGER NOT NULL, note TEXT NOT NULL DEFAULT '',
  PRIMARY KEY(campaign, step, occurrence));
CREATE TABLE IF NOT EXISTS proofs(
  key TEXT PRIMARY KEY,
  campaign TEXT NOT NULL, step TEXT NOT NULL, occurrence TEXT NOT NULL,
  kind TEXT NOT NULL CHECK(kind IN ('scheduled','test')),
  content_hash TEXT NOT NULL, to_email TEXT NOT NULL, by_user TEXT NOT NULL DEFAULT '',
  sent_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS proofs_by_campaign ON proofs(campaign, sent_at);
)SQL";

std::int64_t seconds(Instant t) { return t.time_since_epoch().count(); }
Instant instant(std::int64_t s) { return Instant{std::chrono::seconds{s}}; }

OccurrenceStatus occurrence_status(const std::string& s) {
    if (s == "fired") return OccurrenceStatus::Fired;
    if (s == "skipped") return OccurrenceStatus::Skipped;
    return OccurrenceStatus::Coalesced;
}

DeliveryStatus delivery_status(const std::string& s) {
    if (s == "delivered") return DeliveryStatus::Delivered;
    if (s == "temporary_failure") return DeliveryStatus::TemporaryFailure;
    return DeliveryStatus::Failed;
}

// One line per enclosure: sha256, TAB, content type, TAB, file name.
std::string attachment_manifest(const Letter& letter) {
    std::string out;
    for (const auto& a : letter.attachments) out += a.sha256 + '\t' + a.content_type + '\t' + a.filename + '\n';
    return out;
}

// The manifest's enclosures, without their bytes (Journal::load_enclosures adds them).
std::vector<Attachment> parse_manifest(const std::string& manifest) {
    std::vector<Attachment> out;
    std::size_t start = 0;
    while (start < manifest.size()) {
        const std::size_t end = manifest.find('\n', start);
        const std::string line = manifest.substr(start, end - start);
        start = end == std::string::npos ? manifest.size() : end + 1;
        const std::size_t tab1 = line.find('\t'), tab2 = line.find('\t', tab1 + 1);
        if (tab1 == std::string::npos || tab2 == std::string::npos) continue;
        Attachment a;
        a.sha256 = line.substr(0, tab1);
        a.content_type = line.substr(tab1 + 1, tab2 - tab1 - 1);
        a.filename = line.substr(tab2 + 1);
        out.push_back(std::move(a));
    }
    return out;
}

constexpr const char* kDeliveryColumns =
    "key, campaign, step, occurrence, state, is_task, scheduled_utc, from_name, from_email, to_name, to_email, "
    "subject, body, channel, status, message_id, detail, attempts, next_attempt_utc, updated_at, language, "
    "attachments";

DeliveryRecord read_delivery(const sqlite::Statement& q) {
    DeliveryRecord r;
    r.letter.idempotency_key = q.text(0);
    r.letter.campaign = q.text(1);
    r.letter.step = q.text(2);
    r.letter.occurrence = q.text(3);
    r.letter.state = q.text(4);
    r.letter.is_task = q.integer(5) != 0;
    r.letter.scheduled = instant(q.integer(6));
    r.letter.from_name = q.text(7);
    r.letter.from_email = q.text(8);
    r.letter.to_name = q.text(9);
    r.letter.to_email = q.text(10);
    r.letter.subject = q.text(11);
    r.letter.body = q.text(12);
    r.channel = q.text(13);
    r.status = delivery_status(q.text(14));
    r.message_id = q.text(15);
    r.detail = q.text(16);
    r.attempts = static_cast<int>(q.integer(17));
    if (auto next = q.optional_integer(18)) r.next_attempt = instant(*next);
    r.updated_at = instant(q.integer(19));
    r.letter.language = q.text(20);
    r.letter.attachments = parse_manifest(q.text(21));
    return r;
}

// The bytes of the records' enclosures, each distinct one read once.
void load_enclosures(sqlite::Database& db, std::vector<DeliveryRecord>& records) {
    std::map<std::string, std::shared_ptr<const std::string>> read;
    for (auto& record : records)
        for (auto& attachment : record.letter.attachments) {
            auto [it, first] = read.try_emplace(attachment.sha256);
            if (first) {
                auto q = db.prepare("SELECT content FROM enclosures WHERE sha256 = ?");
                q.bind(1, attachment.sha256);
                if (!q.step())
                    throw JournalError("the journal lists enclosure " + attachment.sha256 + " of " +
                                       record.letter.idempotency_key + " but does not hold it");
                it->second = std::make_shared<const std::string>(q.blob(0));
                q.run();
            }
            attachment.content = it->second;
        }
}

OccurrenceRecord read_occurrence(const sqlite::Statement& q) {
    return OccurrenceRecord{q.text(0), q.text(1), q.text(2), instant(q.integer(3)), occurrence_status(q.text(4)),
                            q.text(5), instant(q.integer(6))};
}

}  // namespace

std::string to_string(OccurrenceStatus status) {
    switch (status) {
        case OccurrenceStatus::Fired: return "fired";
        case OccurrenceStatus::Skipped: return "skipped";
        case OccurrenceStatus::Coalesced: return "coalesced";
    }
    return "?";
}

std::string to_string(DeliveryStatus status) {
    switch (status) {
        case DeliveryStatus::Delivered: return "delivered";
        case DeliveryStatus::TemporaryFailure: return "temporary_failure";
        case DeliveryStatus::Failed: return "failed";
    }
    return "?";
}

namespace {

// The journal holds every rendered letter: it is the service's alone. Created
// 0600 before SQLite opens it (the -wal and -shm files take the same mode); a
// symlink, a non-regular file, another user's file or an empty file is refused
// rather than followed, shared or silently started afresh.
void prepare_journal_file(const std::filesystem::path& file) {
    const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0600);
    if (fd < 0) {
        if (errno == ELOOP) throw JournalError(file.string() + ": is a symbolic link; refusing to use it as the journal");
        throw JournalError(file.string() + ": cannot open journal: " + std::strerror(errno));
    }
    struct stat status {};
    const bool stat_ok = ::fstat(fd, &status) == 0;
    std::string problem;
    if (!stat_ok)
        problem = std::string("cannot check: ") + std::strerror(errno);
    else if (!S_ISREG(status.st_mode))
        problem = "is not a regular file; refusing to use it as the journal";
    else if (status.st_uid != ::geteuid())
        problem = "belongs to user " + std::to_string(status.st_uid) + ", not to the user running outreach";
    else if ((status.st_mode & 0077) != 0 && ::fchmod(fd, 0600) != 0)
        problem = std::string("cannot make it private (mode 0600): ") + std::strerror(errno);
    ::close(fd);
    if (!problem.empty()) throw JournalError(file.string() + ": " + problem);
    for (const char* suffix : {"-wal", "-shm"}) {
        const std::string side = file.string() + suffix;
        struct stat side_status {};
        if (::lstat(side.c_str(), &side_status) != 0) continue;
        if (S_ISLNK(side_status.st_mode) || !S_ISREG(side_status.st_mode))
            throw JournalError(side + ": is not a regular file; refusing to use the journal");
        if ((side_status.st_mode & 0077) != 0) ::chmod(side.c_str(), 0600);
    }
}

bool is_empty_file(const std::filesystem::path& file) {
    struct stat status {};
    return ::stat(file.c_str(), &status) == 0 && status.st_size == 0;
}

}  // namespace

Journal::Journal(const std::filesystem::path& file) {
    if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path());
    const bool existed = std::filesystem::exists(std::filesystem::symlink_status(file));
    prepare_journal_file(file);
    // A journal that exists but is empty lost its contents (a truncation, a
    // failed copy): starting afresh would send every letter again.
    if (existed && is_empty_file(file) && !std::filesystem::exists(file.string() + "-wal"))
        throw JournalError(file.string() + ": the journal is empty (0 bytes); it is not a journal any more. If this is "
                           "a new installation, remove the file; otherwise restore it from a backup");
    db_ = std::make_unique<sqlite::Database>(file);
    if (sqlite3_db_readonly(db_->handle(), "main") == 1)
        throw JournalError(file.string() + ": the journal is read-only; outreach must be able to record what it sends");
    try {
        db_->exec("PRAGMA journal_mode=WAL");
        // FULL: a delivery recorded as done survives power loss, which is what
        // makes "exactly once" hold across crashes.
        db_->exec("PRAGMA synchronous=FULL");
        db_->exec("PRAGMA foreign_keys=ON");
        // A damaged page must stop us before anything is recorded on top of it.
        {
            auto check = db_->prepare("PRAGMA quick_check");
            std::string verdict;
            while (check.step()) verdict += (verdict.empty() ? "" : "; ") + check.text(0);
            if (verdict != "ok")
                throw JournalError(file.string() + ": the journal is damaged (" + verdict.substr(0, 300) +
                                   "); restore it from a backup before running outreach again");
        }
        sqlite::Transaction tx(*db_);
        const bool has_meta = db_->prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").step();
        std::string version;
        if (has_meta) {
            auto v = db_->prepare("SELECT value FROM meta WHERE key = 'schema_version'");
            if (v.step()) version = v.text(0);
        }
        const std::string found = version;
        if (version == "1") {
            // Version 1 -> 2: the audit trail names who acted; the control tables
            // (kControlSchema) are new.
            db_->exec("ALTER TABLE audit ADD COLUMN actor TEXT NOT NULL DEFAULT ''");
            version = "2";
        }
        if (version == "2") {
            // Version 2 -> 3: each letter's language (its Content-Language) and
            // enclosures are stored, so a retried letter is the same message;
            // earlier letters were English, without enclosures.
            db_->exec("ALTER TABLE deliveries ADD COLUMN language TEXT NOT NULL DEFAULT 'en'");
            db_->exec("ALTER TABLE deliveries ADD COLUMN attachments TEXT NOT NULL DEFAULT ''");
            version = "3";
        }
        if (!found.empty() && version != found)
            db_->prepare("UPDATE meta SET value = ? WHERE key = 'schema_version'").bind(1, version).run();
        // A journal of another (newer) version is left exactly as it is.
        if (!version.empty() && version != std::to_string(kSchemaVersion))
            throw std::runtime_error(file.string() + ": journal schema version " + version + ", this outreach uses " +
                                     std::to_string(kSchemaVersion));
        db_->exec(kSchema);
        db_->exec(kControlSchema);
        if (version.empty()) {
            db_->prepare("INSERT INTO meta(key, value) VALUES('schema_version', ?)")
                .bind(1, std::to_string(kSchemaVersion))
                .run();
        }
        tx.commit();
    } catch (const std::runtime_error& e) {
        const std::string what = e.what();
        if (what.rfind(file.string(), 0) == 0) throw;
        throw JournalError(file.string() + ": not a usable journal: " + what);
    }
}

Journal::~Journal() = default;

const std::filesystem::path& Journal::file() const { return db_->file(); }

struct Journal::Batch::Impl {
    explicit Impl(sqlite::Database& db) : tx(db) {}
    sqlite::Transaction tx;
};
Journal::Batch::Batch(Journal& journal) : impl_(std::make_unique<Impl>(*journal.db_)) {}
Journal::Batch::~Batch() = default;
void Journal::Batch::commit() { impl_->tx.commit(); }

Instant Journal::enrol(const std::string& campaign, Instant now) {
    db_->prepare("INSERT OR IGNORE INTO campaigns(id, enrolled_at) VALUES(?, ?)").bind(1, campaign).bind(2, seconds(now)).run();
    return *enrolled_at(campaign);
}

std::optional<Instant> Journal::enrolled_at(const std::string& campaign) {
    auto q = db_->prepare("SELECT enrolled_at FROM campaigns WHERE id = ?");
    q.bind(1, campaign);
    if (q.step()) return instant(q.integer(0));
    return std::nullopt;
}

std::vector<std::pair<std::string, Instant>> Journal::enrolments() {
    auto q = db_->prepare("SELECT id, enrolled_at FROM campaigns");
    std::vector<std::pair<std::string, Instant>> out;
    while (q.step()) out.emplace_back(q.text(0), instant(q.integer(1)));
    return out;
}

std::vector<Journal::Decision> Journal::decisions() {
    auto q = db_->prepare("SELECT campaign, step, occurrence, status FROM occurrences");
    std::vector<Decision> out;
    while (q.step()) out.push_back({q.text(0), q.text(1), q.text(2), occurrence_status(q.text(3))});
    return out;
}

std::vector<std::string> Journal::delivery_keys(const std::string& campaign, const std::string& step,
                                                const std::string& occurrence) {
    auto q = db_->prepare("SELECT key FROM deliveries WHERE campaign = ? AND step = ? AND occurrence = ?");
    q.bind(1, campaign).bind(2, step).bind(3, occurrence);
    std::vector<std::string> out;
    while (q.step()) out.push_back(q.text(0));
    return out;
}

std::optional<OccurrenceRecord> Journal::occurrence(const std::string& campaign, const std::string& step,
                                                    const std::string& occurrence) {
    auto q = db_->prepare(
        "SELECT campaign, step, occurrence, due_utc, status, reason, decided_at FROM occurrences "
        "WHERE campaign = ? AND step = ? AND occurrence = ?");
    q.bind(1, campaign).bind(2, step).bind(3, occurrence);
    if (q.step()) return read_occurrence(q);
    return std::nullopt;
}

void Journal::decide(const OccurrenceRecord& r) {
    db_->prepare(
           "INSERT OR REPLACE INTO occurrences(campaign, step, occurrence, due_utc, status, reason, decided_at) "
           "VALUES(?, ?, ?, ?, ?, ?, ?)")
        .bind(1, r.campaign)
        .bind(2, r.step)
        .bind(3, r.occurrence)
        .bind(4, seconds(r.due))
        .bind(5, to_string(r.status))
        .bind(6, r.reason)
        .bind(7, seconds(r.decided_at))
        .run();
}

std::vector<OccurrenceRecord> Journal::occurrences(const std::string& campaign) {
    auto q = db_->prepare(
        "SELECT campaign, step, occurrence, due_utc, status, reason, decided_at FROM occurrences "
        "WHERE campaign = ? ORDER BY due_utc, step");
    q.bind(1, campaign);
    std::vector<OccurrenceRecord> out;
    while (q.step()) out.push_back(read_occurrence(q));
    return out;
}

std::optional<DeliveryRecord> Journal::delivery(const std::string& key) {
    auto q = db_->prepare(std::string("SELECT ") + kDeliveryColumns + " FROM deliveries WHERE key = ?");
    q.bind(1, key);
    if (!q.step()) return std::nullopt;
    std::vector<DeliveryRecord> found{read_delivery(q)};
    q.run();
    load_enclosures(*db_, found);
    return std::move(found.front());
}

void Journal::record_delivery(const DeliveryRecord& r) {
    const Letter& l = r.letter;
    // Each enclosure's bytes once, however many letters carry it.
    for (const auto& attachment : l.attachments) {
        bool stored = false;
        {
            auto q = db_->prepare("SELECT 1 FROM enclosures WHERE sha256 = ?");
            q.bind(1, attachment.sha256);
            stored = q.step();
            if (stored) q.run();
        }
        if (!stored && attachment.content)
            db_->prepare("INSERT INTO enclosures(sha256, content) VALUES(?, ?)")
                .bind(1, attachment.sha256)
                .bind_blob(2, *attachment.content)
                .run();
    }
    db_->prepare(std::string("INSERT OR REPLACE INTO deliveries(") + kDeliveryColumns +
                 ") VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(1, l.idempotency_key)
        .bind(2, l.campaign)
        .bind(3, l.step)
        .bind(4, l.occurrence)
        .bind(5, l.state)
        .bind(6, std::int64_t{l.is_task ? 1 : 0})
        .bind(7, seconds(l.scheduled))
        .bind(8, l.from_name)
        .bind(9, l.from_email)
        .bind(10, l.to_name)
        .bind(11, l.to_email)
        .bind(12, l.subject)
        .bind(13, l.body)
        .bind(14, r.channel)
        .bind(15, to_string(r.status))
        .bind(16, r.message_id)
        .bind(17, r.detail)
        .bind(18, std::int64_t{r.attempts})
        .bind(19, r.next_attempt ? std::optional<std::int64_t>(seconds(*r.next_attempt)) : std::nullopt)
        .bind(20, seconds(r.updated_at))
        .bind(21, l.language)
        .bind(22, attachment_manifest(l))
        .run();
}

std::vector<DeliveryRecord> Journal::deliveries(const std::string& campaign) {
    auto q = db_->prepare(std::string("SELECT ") + kDeliveryColumns +
                          " FROM deliveries WHERE campaign = ? ORDER BY scheduled_utc, step, key");
    q.bind(1, campaign);
    std::vector<DeliveryRecord> out;
    while (q.step()) out.push_back(read_delivery(q));
    load_enclosures(*db_, out);
    return out;
}

std::vector<DeliveryRecord> Journal::pending_retries(Instant now) {
    auto q = db_->prepare(std::string("SELECT ") + kDeliveryColumns +
                          " FROM deliveries WHERE status = 'temporary_failure' AND next_attempt_utc <= ? "
                          "ORDER BY next_attempt_utc, key");
    q.bind(1, seconds(now));
    std::vector<DeliveryRecord> out;
    while (q.step()) out.push_back(read_delivery(q));
    load_enclosures(*db_, out);
    return out;
}

std::optional<Instant> Journal::next_retry() {
    auto q = db_->prepare("SELECT MIN(next_attempt_utc) FROM deliveries WHERE status = 'temporary_failure'");
    if (q.step() && !q.is_null(0)) return instant(q.integer(0));
    return std::nullopt;
}

std::int64_t Journal::add_response(const std::string& campaign, const Response& r, const std::string& note,
                                   Instant recorded_at) {
    db_->prepare(
           "INSERT INTO responses(campaign, state, kind, payload, note, at_utc, recorded_at) VALUES(?, ?, ?, ?, ?, ?, ?)")
        .bind(1, campaign)
        .bind(2, r.state)
        .bind(3, r.kind)
        .bind(4, r.payload)
        .bind(5, note)
        .bind(6, seconds(r.at))
        .bind(7, seconds(recorded_at))
        .run();
    return db_->last_insert_rowid();
}

namespace {
std::vector<ResponseRecord> read_responses(sqlite::Statement& q) {
    std::vector<ResponseRecord> out;
    while (q.step()) {
        ResponseRecord r;
        r.id = q.integer(0);
        r.campaign = q.text(1);
        r.response = Response{q.text(2), q.text(3), q.text(4), instant(q.integer(6))};
        r.note = q.text(5);
        r.recorded_at = instant(q.integer(7));
        out.push_back(std::move(r));
    }
    return out;
}
}  // namespace

std::vector<ResponseRecord> Journal::responses(const std::string& campaign) {
    auto q = db_->prepare(
        "SELECT id, campaign, state, kind, payload, note, at_utc, recorded_at FROM responses "
        "WHERE campaign = ? ORDER BY at_utc, id");
    q.bind(1, campaign);
    return read_responses(q);
}

std::vector<ResponseRecord> Journal::responses_since(std::int64_t after_id) {
    auto q = db_->prepare(
        "SELECT id, campaign, state, kind, payload, note, at_utc, recorded_at FROM responses "
        "WHERE id > ? ORDER BY id");
    q.bind(1, after_id);
    return read_responses(q);
}

std::int64_t Journal::last_response_id() {
    auto q = db_->prepare("SELECT COALESCE(MAX(id), 0) FROM responses");
    return q.step() ? q.integer(0) : 0;
}

void Journal::audit(Instant at, const std::string& campaign, const std::string& event, const std::string& detail,
                    const std::string& actor) {
    db_->prepare("INSERT INTO audit(at_utc, campaign, event, detail, actor) VALUES(?, ?, ?, ?, ?)")
        .bind(1, seconds(at))
        .bind(2, campaign)
        .bind(3, event)
        .bind(4, detail)
        .bind(5, actor)
        .run();
}

std::vector<AuditRecord> Journal::audit_trail(const std::string& campaign) {
    auto q = db_->prepare("SELECT at_utc, campaign, event, detail, actor FROM audit WHERE campaign = ? ORDER BY at_utc, id");
    q.bind(1, campaign);
    std::vector<AuditRecord> out;
    while (q.step()) out.push_back({instant(q.integer(0)), q.text(1), q.text(2), q.text(3), q.text(4)});
    return out;
}

// ---- human control: pauses, approvals, proofs ----------------------------------

namespace {
PauseRecord read_pause(const sqlite::Statement& q) {
    PauseRecord r{q.text(0), instant(q.integer(1)), std::nullopt, q.text(3), q.text(4)};
    if (auto until = q.optional_integer(2)) r.until = instant(*until);
    return r;
}

ApprovalRecord read_approval(const sqlite::Statement& q) {
    return ApprovalRecord{q.text(0),
                          q.text(1),
                          q.text(2),
                          q.text(3) == "rejected" ? ApprovalRecord::Decision::Rejected : ApprovalRecord::Decision::Approved,
                          q.text(4),
                          q.text(5),
                          instant(q.integer(6)),
                          q.text(7)};
}

ProofRecord read_proof(const sqlite::Statement& q) {
    return ProofRecord{q.text(0), q.text(1), q.text(2), q.text(3), q.text(4), q.text(5), q.text(6), q.text(7),
                       instant(q.integer(8))};
}

constexpr const char* kPauseColumns = "campaign, since_utc, until_utc, by_user, note";
constexpr const char* kApprovalColumns = "campaign, step, occurrence, decision, content_hash, by_user, at_utc, note";
constexpr const char* kProofColumns = "key, campaign, step, occurrence, kind, content_hash, to_email, by_user, sent_at";
}  // namespace

void Journal::pause(const PauseRecord& r) {
    db_->prepare(std::string("INSERT OR REPLACE INTO pauses(") + kPauseColumns + ") VALUES(?, ?, ?, ?, ?)")
        .bind(1, r.campaign)
        .bind(2, seconds(r.since))
        .bind(3, r.until ? std::optional<std::int64_t>(seconds(*r.until)) : std::nullopt)
        .bind(4, r.by)
        .bind(5, r.note)
        .run();
}

bool Journal::resume(const std::string& campaign) {
    const bool paused = pause_of(campaign).has_value();
    db_->prepare("DELETE FROM pauses WHERE campaign = ?").bind(1, campaign).run();
    return paused;
}

std::optional<PauseRecord> Journal::pause_of(const std::string& campaign) {
    auto q = db_->prepare(std::string("SELECT ") + kPauseColumns + " FROM pauses WHERE campaign = ?");
    q.bind(1, campaign);
    if (q.step()) return read_pause(q);
    return std::nullopt;
}

std::vector<PauseRecord> Journal::pauses() {
    auto q = db_->prepare(std::string("SELECT ") + kPauseColumns + " FROM pauses ORDER BY campaign");
    std::vector<PauseRecord> out;
    while (q.step()) out.push_back(read_pause(q));
    return out;
}

void Journal::record_approval(const ApprovalRecord& r) {
    db_->prepare(std::string("INSERT OR REPLACE INTO approvals(") + kApprovalColumns + ") VALUES(?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(1, r.campaign)
        .bind(2, r.step)
        .bind(3, r.occurrence)
        .bind(4, std::string(r.decision == ApprovalRecord::Decision::Rejected ? "rejected" : "approved"))
        .bind(5, r.content_hash)
        .bind(6, r.by)
        .bind(7, seconds(r.at))
        .bind(8, r.note)
        .run();
}

std::vector<ApprovalRecord> Journal::approvals() {
    auto q = db_->prepare(std::string("SELECT ") + kApprovalColumns + " FROM approvals");
    std::vector<ApprovalRecord> out;
    while (q.step()) out.push_back(read_approval(q));
    return out;
}

std::vector<ApprovalRecord> Journal::approvals(const std::string& campaign) {
    auto q = db_->prepare(std::string("SELECT ") + kApprovalColumns + " FROM approvals WHERE campaign = ? ORDER BY at_utc");
    q.bind(1, campaign);
    std::vector<ApprovalRecord> out;
    while (q.step()) out.push_back(read_approval(q));
    return out;
}

void Journal::record_proof(const ProofRecord& r) {
    db_->prepare(std::string("INSERT OR REPLACE INTO proofs(") + kProofColumns + ") VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(1, r.key)
        .bind(2, r.campaign)
        .bind(3, r.step)
        .bind(4, r.occurrence)
        .bind(5, r.kind)
        .bind(6, r.content_hash)
        .bind(7, r.to_email)
        .bind(8, r.by)
        .bind(9, seconds(r.sent_at))
        .run();
}

std::optional<ProofRecord> Journal::proof(const std::string& key) {
    auto q = db_->prepare(std::string("SELECT ") + kProofColumns + " FROM proofs WHERE key = ?");
    q.bind(1, key);
    if (q.step()) return read_proof(q);
    return std::nullopt;
}

std::vector<ProofRecord> Journal::proofs(const std::string& campaign) {
    auto q = db_->prepare(std::string("SELECT ") + kProofColumns + " FROM proofs WHERE campaign = ? ORDER BY sent_at, rowid");
    q.bind(1, campaign);
    std::vector<ProofRecord> out;
    while (q.step()) out.push_back(read_proof(q));
    return out;
}

std::int64_t Journal::count_test_proofs(const std::string& campaign) {
    auto q = db_->prepare("SELECT COUNT(*) FROM proofs WHERE campaign = ? AND kind = 'test'");
    q.bind(1, campaign);
    return q.step() ? q.integer(0) : 0;
}

}  // namespace outreach

#pragma once
// A thin RAII layer over the SQLite C API: one connection, prepared statements
// with bound parameters, and transactions that roll back unless committed.
#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_map>

#include "journal/journal_error.hpp"

namespace outreach::sqlite {

class Statement;

using Error = JournalError;

class Database {
public:
    explicit Database(const std::filesystem::path& file);  // throws std::runtime_error naming the file
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    void exec(const std::string& sql);
    // Prepared statements are cached by their SQL text and reused (reset, bindings
    // cleared) when the Statement is destroyed; a statement already in use gets a
    // fresh, uncached one, so nested use stays correct.
    Statement prepare(const std::string& sql);
    std::int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
    int changes() const { return sqlite3_changes(db_); }
    const std::filesystem::path& file() const { return file_; }
    sqlite3* handle() const { return db_; }
    [[noreturn]] void fail(const std::string& what) const;

private:
    friend class Statement;
    struct CachedStatement {
        sqlite3_stmt* stmt = nullptr;
        bool in_use = false;
    };
    sqlite3* db_ = nullptr;
    std::filesystem::path file_;
    std::unordered_map<std::string, CachedStatement> cache_;
};

class Statement {
public:
    Statement(Database& db, const std::string& sql);  // uncached
    ~Statement();
    Statement(Statement&& other) noexcept : db_(other.db_), stmt_(other.stmt_), cached_(other.cached_) {
        other.stmt_ = nullptr;
        other.cached_ = nullptr;
    }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    Statement& bind(int index, const std::string& value);
    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, std::optional<std::int64_t> value);
    Statement& bind_null(int index);
    // Binary data; `value` must outlive the statement's next step() (not copied).
    Statement& bind_blob(int index, const std::string& value);
    bool step();  // true while a row is available
    void run() { while (step()) {} }
    std::string text(int column) const;
    std::string blob(int column) const;
    std::int64_t integer(int column) const;
    std::optional<std::int64_t> optional_integer(int column) const;
    bool is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

private:
    friend class Database;
    Statement(Database& db, Database::CachedStatement& cached);
    Database* db_;
    sqlite3_stmt* stmt_ = nullptr;
    Database::CachedStatement* cached_ = nullptr;  // returned to the cache on destruction
};

class Transaction {
public:
    explicit Transaction(Database& db);  // BEGIN IMMEDIATE: writers serialise here
    ~Transaction();                      // rolls back unless committed
    void commit();

private:
    Database& db_;
    bool done_ = false;
};

}  // namespace outreach::sqlite

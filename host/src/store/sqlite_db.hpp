// A thin RAII layer over the SQLite C API, private to the store.
// Errors become std::runtime_error carrying SQLite's own message.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace pcgd::host::sqlite {

/// A prepared statement. Parameters are 1-based, columns 0-based, as in SQLite.
/// Text bound with bind() is not copied: it must outlive the next step().
class Statement {
public:
    Statement(sqlite3* db, std::string_view sql);
    ~Statement();
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    /// Resets the statement and clears its parameters, ready for a new use.
    Statement& reset() noexcept;

    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, std::string_view text);
    Statement& bind(int index, const std::optional<std::int64_t>& value);
    Statement& bind_null(int index);

    /// Advances one row: true when a row is available, false when done.
    bool step();
    /// Runs a statement that returns no rows.
    void run();

    bool is_null(int column) const;
    std::int64_t int64(int column) const;
    std::string_view text(int column) const;

private:
    sqlite3* db_;
    sqlite3_stmt* stmt_ = nullptr;
};

/// Resets a (cached) statement when it goes out of scope, so no statement is
/// left mid-result holding a read snapshot after its use.
class Use {
public:
    explicit Use(Statement& s) noexcept : s_(s.reset()) {}
    ~Use() { s_.reset(); }
    Use(const Use&) = delete;
    Use& operator=(const Use&) = delete;
    Statement* operator->() const noexcept { return &s_; }
    Statement& operator*() const noexcept { return s_; }

private:
    Statement& s_;
};

/// One connection, with a cache of prepared statements.
/// THREAD: one thread at a time.
class Connection {
public:
    /// Opens or creates `path`; throws std::runtime_error naming the path.
    explicit Connection(const std::string& path);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    sqlite3* handle() const noexcept { return db_; }

    /// Runs one or more statements that return no rows.
    void exec(const char* sql);
    /// The statement for `sql`, prepared on first use and kept until close.
    Statement& cached(const std::string& sql);
    /// True inside BEGIN ... COMMIT.
    bool in_transaction() const noexcept;
    /// Rolls back the open transaction, if any; for cleanup paths, so it
    /// never throws (SQLite may already have rolled back after an error).
    void rollback() noexcept;
    /// Number of rows the last INSERT/UPDATE/DELETE touched.
    std::int64_t changes() const noexcept;

private:
    sqlite3* db_ = nullptr;
    std::map<std::string, std::unique_ptr<Statement>, std::less<>> cache_;
};

}  // namespace pcgd::host::sqlite

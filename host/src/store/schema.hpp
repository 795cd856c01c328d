// The store's SQL schema and its versioned migrations.
#pragma once

#include <cstdint>

#include "store/sqlite_db.hpp"

namespace pcgd::host::sqlite {

/// The newest schema version this build knows.
std::int64_t latest_schema_version() noexcept;

/// The version the file is at (0 for a new file).
std::int64_t schema_version(Connection& db);

/// Brings the database up to latest_schema_version(), one migration per
/// transaction, recording each in `schema_migrations`. Safe when several
/// processes open the same file at once. Throws std::runtime_error when the
/// file's schema is newer than this build (naming both versions).
void migrate(Connection& db, std::int64_t now_ms);

}  // namespace pcgd::host::sqlite

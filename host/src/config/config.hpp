// The host's configuration: a TOML file, overridden by command-line flags.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace pcgd::host {

struct Config {
    std::filesystem::path store_path;     // [store] path
    std::filesystem::path plugin_dir;     // [plugins] dir
    std::filesystem::path key_file;       // [secrets] key_file
    std::string ca_file;                  // [http] ca_file: extra trust anchors
    std::uint32_t connect_timeout_ms = 10000;  // [http] connect_timeout_ms
    std::uint32_t timeout_ms = 60000;          // [http] timeout_ms
    std::uint32_t max_parallel_shops = 8;      // [sync] max_parallel_shops
    std::uint32_t max_attempts = 8;            // [sync] max_attempts
    std::string log_level = "warn";            // [log] level: debug, info, warn, error
};

/// Defaults for a user's own machine: the store and key under the XDG data
/// and config homes, plugins beside the executable (../plugins, then
/// ../lib/pcgd/plugins).
Config default_config();

/// Reads a TOML file over `base`. Throws std::runtime_error naming the file,
/// the line and what is wrong; unknown tables and keys are errors, so a
/// misspelt setting never passes silently.
Config load_config(const std::filesystem::path& file, Config base);

}  // namespace pcgd::host

// Loading plugin libraries and refusing the ones that do not fit.
// Boost.DLL is included only in loader.cpp.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <pcgd/abi.h>

#include "plugin/manifest.hpp"

namespace pcgd::host {

/// A loaded, validated plugin library. Instances hold a shared_ptr to it, so
/// the library stays mapped while any instance lives.
class PluginLibrary {
public:
    ~PluginLibrary();
    const PluginManifest& manifest() const noexcept { return manifest_; }
    const pcgd_plugin_vtable& vtable() const noexcept { return *vtable_; }
    std::uint32_t abi_version() const noexcept { return abi_version_; }
    const std::filesystem::path& path() const noexcept { return path_; }

private:
    friend class PluginRegistry;
    struct Handle;
    PluginLibrary() = default;
    std::unique_ptr<Handle> handle_;
    const pcgd_plugin_vtable* vtable_ = nullptr;
    std::uint32_t abi_version_ = 0;
    std::filesystem::path path_;
    PluginManifest manifest_;
};

/// Why a library was refused; each rule has its own code.
enum class LoadFailure {
    none,
    not_a_library,     // cannot be opened as a shared library
    missing_entry,     // an entry symbol is absent
    abi_incompatible,  // other major, or a newer minor than the host
    vtable_invalid,    // NULL, version differs from the boot symbol, or shorter than the pinned minimum
    slot_missing,      // a required slot is NULL
    manifest_invalid,  // manifest absent, not JSON, or fails the checks
    duplicate_id,      // a plugin with that id is already loaded
};
const char* to_string(LoadFailure f) noexcept;

/// How a plugin's ABI version relates to the host's (rule 3 of the loader).
enum class AbiVerdict {
    compatible,     // same major, plugin minor <= host minor
    major_differs,  // a different major: nothing can be assumed about the layout
    minor_newer,    // the plugin may fill or expect slots this host does not know
};
/// Pure, so the rule can be tested for versions no fixture can be built with.
AbiVerdict check_abi(std::uint32_t host_version, std::uint32_t plugin_version) noexcept;
/// "1.0" for 0x00010000.
std::string format_abi_version(std::uint32_t version);

/// One line of `pcgd plugins`.
struct PluginStatus {
    std::filesystem::path path;
    std::string id;               // when known
    std::string version;          // when known
    std::uint32_t abi_version = 0;  // as the library reports it, 0 when unknown
    LoadFailure failure = LoadFailure::none;
    std::string reason;           // full message naming the file and versions
    bool loaded() const noexcept { return failure == LoadFailure::none; }
};

class PluginRegistry {
public:
    /// Tries every *.so in `dir` (sorted by name); never throws for a bad
    /// plugin: it is recorded as refused and the rest still load. Throws
    /// std::runtime_error only when `dir` itself cannot be read.
    void load_directory(const std::filesystem::path& dir);
    /// Tries one file; returns its status (also kept in statuses()).
    const PluginStatus& load_file(const std::filesystem::path& file);

    const std::vector<PluginStatus>& statuses() const noexcept { return statuses_; }
    /// The loaded plugin with that id, or null.
    std::shared_ptr<const PluginLibrary> find(std::string_view id) const;
    std::vector<std::shared_ptr<const PluginLibrary>> loaded() const { return libraries_; }

private:
    std::vector<PluginStatus> statuses_;
    std::vector<std::shared_ptr<const PluginLibrary>> libraries_;
};

/// What an instance needs from the host while it runs.
class InstanceServices {
public:
    virtual ~InstanceServices() = default;
    virtual void log(sdk::LogLevel level, std::string_view message) noexcept = 0;
    /// Store or refuse a record; throw to refuse (the message reaches the plugin).
    virtual void emit(model::RecordKind kind, std::string_view json) = 0;
};

/// The error a slot reported.
class PluginError : public std::runtime_error {
public:
    PluginError(std::int32_t code, const std::string& message) : std::runtime_error(message), code_(code) {}
    std::int32_t code() const noexcept { return code_; }

private:
    std::int32_t code_;
};

/// A borrowed view of a step; valid until the next call on the instance.
struct StepView {
    std::uint32_t kind = PCGD_STEP_DONE;
    std::uint32_t wait_ms = 0;
    const pcgd_http_request* request = nullptr;
    /// The request's rate bucket (ABI 1.1 fields, read after the size
    /// check); empty and zero for a 1.0 plugin.
    std::string_view rate_bucket;
    std::int64_t rate_bucket_capacity = 0;
    std::int64_t rate_bucket_restore_milli_per_s = 0;
};

struct ResponseView {
    int status = 0;
    const std::vector<std::pair<std::string, std::string>>* headers = nullptr;
    std::string_view body;
    std::uint64_t body_offset = 0;
    bool final_chunk = true;
};

/// The host's side of one plugin instance (one shop). Calls the C slots,
/// turns their errors into PluginError, and serves the host vtable.
class PluginInstance {
public:
    /// Throws PluginError (code and message from the plugin) when create fails.
    PluginInstance(std::shared_ptr<const PluginLibrary> library, std::string_view settings_json, InstanceServices& services);
    ~PluginInstance();
    PluginInstance(const PluginInstance&) = delete;
    PluginInstance& operator=(const PluginInstance&) = delete;

    void begin(sdk::Dataset dataset, bool full, std::string_view cursor, std::int64_t now_ms);
    StepView next_step();
    /// Returns the result; its cursor view is valid until the next call.
    pcgd_response_result on_response(const ResponseView& response);

    const PluginLibrary& library() const noexcept { return *library_; }

private:
    static void log_thunk(void* ctx, std::uint32_t level, pcgd_str message);
    static std::int32_t emit_thunk(void* ctx, std::uint32_t kind, pcgd_str json, pcgd_error* error);

    std::shared_ptr<const PluginLibrary> library_;
    InstanceServices& services_;
    pcgd_host_vtable host_vtable_{};
    pcgd_host host_{};
    void* instance_ = nullptr;
    std::vector<pcgd_header> c_headers_;
};

}  // namespace pcgd::host

// Loading plugin libraries and refusing the ones that do not fit.
//
// The rules run in a fixed order, cheapest and least trusting first: nothing
// inside the library is called before both entry symbols exist, and no
// struct is read before the boot symbol says its layout is one we know.
// A refused library is recorded with its own LoadFailure and unloaded; the
// host carries on with the others (OBS's "disabled module").
#include "plugin/loader.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <system_error>
#include <type_traits>
#include <utility>

#include <boost/dll/shared_library.hpp>

namespace pcgd::host {

namespace fs = std::filesystem;

struct PluginLibrary::Handle {
    boost::dll::shared_library library;
    // The host's own copy, zeroed first: slots appended in a later minor
    // read as NULL when the plugin was built before they existed.
    pcgd_plugin_vtable vtable{};
};

// Out of line, where Handle is complete. Unloading happens here, after the
// last instance (which holds a shared_ptr to us) is gone.
PluginLibrary::~PluginLibrary() = default;

const char* to_string(LoadFailure f) noexcept {
    switch (f) {
    case LoadFailure::none: return "loaded";
    case LoadFailure::not_a_library: return "not_a_library";
    case LoadFailure::missing_entry: return "missing_entry";
    case LoadFailure::abi_incompatible: return "abi_incompatible";
    case LoadFailure::vtable_invalid: return "vtable_invalid";
    case LoadFailure::slot_missing: return "slot_missing";
    case LoadFailure::manifest_invalid: return "manifest_invalid";
    case LoadFailure::duplicate_id: return "duplicate_id";
    }
    return "unknown";
}

AbiVerdict check_abi(std::uint32_t host_version, std::uint32_t plugin_version) noexcept {
    if (PCGD_ABI_MAJOR_OF(plugin_version) != PCGD_ABI_MAJOR_OF(host_version)) return AbiVerdict::major_differs;
    if (PCGD_ABI_MINOR_OF(plugin_version) > PCGD_ABI_MINOR_OF(host_version)) return AbiVerdict::minor_newer;
    return AbiVerdict::compatible;
}

std::string format_abi_version(std::uint32_t version) {
    return std::to_string(PCGD_ABI_MAJOR_OF(version)) + "." + std::to_string(PCGD_ABI_MINOR_OF(version));
}

namespace {

// Filled in step by step; the first failing rule wins.
class Attempt {
public:
    explicit Attempt(const fs::path& file) { status_.path = file; }

    PluginStatus& status() noexcept { return status_; }

    // Returns false so a rule can `return refuse(...)`.
    bool refuse(LoadFailure failure, const std::string& why) {
        status_.failure = failure;
        status_.reason = status_.path.filename().string() + ": " + why;
        return false;
    }

private:
    PluginStatus status_;
};

template <class Fn>
Fn* entry(const boost::dll::shared_library& library, const char* name) {
    return &library.get<Fn>(name);
}

using AbiVersionFn = std::remove_pointer_t<pcgd_plugin_abi_version_fn>;
using VtableFn = std::remove_pointer_t<pcgd_plugin_vtable_fn>;

struct RequiredSlot {
    const char* name;
    bool (*present)(const pcgd_plugin_vtable&);
};

constexpr RequiredSlot kRequiredSlots[] = {
    {"manifest_json", [](const pcgd_plugin_vtable& v) { return v.manifest_json != nullptr; }},
    {"create", [](const pcgd_plugin_vtable& v) { return v.create != nullptr; }},
    {"destroy", [](const pcgd_plugin_vtable& v) { return v.destroy != nullptr; }},
    {"begin", [](const pcgd_plugin_vtable& v) { return v.begin != nullptr; }},
    {"next_step", [](const pcgd_plugin_vtable& v) { return v.next_step != nullptr; }},
    {"on_response", [](const pcgd_plugin_vtable& v) { return v.on_response != nullptr; }},
};

}  // namespace

void PluginRegistry::load_directory(const fs::path& dir) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        throw std::runtime_error("plugin directory '" + dir.string() + "' " +
                                 (ec ? "cannot be read: " + ec.message() : std::string("does not exist or is not a directory")));

    std::vector<fs::path> files;
    fs::directory_iterator it(dir, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
        std::error_code type_ec;
        if (it->path().extension() == ".so" && it->is_regular_file(type_ec)) files.push_back(it->path());
    }
    if (ec) throw std::runtime_error("plugin directory '" + dir.string() + "' cannot be read: " + ec.message());

    // Name order makes "which of two duplicates wins" predictable.
    std::sort(files.begin(), files.end(),
              [](const fs::path& a, const fs::path& b) { return a.filename() < b.filename(); });
    for (const auto& file : files) load_file(file);
}

const PluginStatus& PluginRegistry::load_file(const fs::path& file) {
    Attempt attempt(file);
    PluginStatus& status = attempt.status();
    auto handle = std::make_unique<PluginLibrary::Handle>();

    const bool ok = [&] {
        // 1. Open. rtld_now: an unresolved symbol fails here, with the
        // library's name, not later in the middle of a sync. rtld_local: two
        // plugins may each carry their own copy of a helper symbol.
        std::error_code ec;
        dlerror();  // so the text read below is this failure's, not an older one
        handle->library.load(file, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local, ec);
        if (ec || !handle->library.is_loaded()) {
            const char* dl = dlerror();
            return attempt.refuse(LoadFailure::not_a_library,
                                  std::string("cannot be opened as a shared library: ") + (dl ? dl : ec.message()));
        }
        const auto& library = handle->library;

        // 2. Both entry symbols, before calling either.
        for (const char* symbol : {PCGD_ENTRY_ABI_VERSION, PCGD_ENTRY_VTABLE})
            if (!library.has(symbol))
                return attempt.refuse(LoadFailure::missing_entry,
                                      std::string("missing entry symbol '") + symbol + "' (not a PCGD plugin?)");

        // 3. The boot version, read before any struct whose layout depends on it.
        const std::uint32_t version = entry<AbiVersionFn>(library, PCGD_ENTRY_ABI_VERSION)();
        status.abi_version = version;
        switch (check_abi(PCGD_ABI_VERSION, version)) {
        case AbiVerdict::compatible: break;
        case AbiVerdict::major_differs:
            return attempt.refuse(LoadFailure::abi_incompatible,
                                  "plugin ABI " + format_abi_version(version) + " is incompatible with host ABI " +
                                      format_abi_version(PCGD_ABI_VERSION) + " (major versions differ)");
        case AbiVerdict::minor_newer:
            return attempt.refuse(LoadFailure::abi_incompatible,
                                  "plugin ABI " + format_abi_version(version) + " is incompatible with host ABI " +
                                      format_abi_version(PCGD_ABI_VERSION) +
                                      " (the plugin was built for a newer minor; upgrade pcgd)");
        }

        // 4. The vtable header.
        const pcgd_plugin_vtable* vt = entry<VtableFn>(library, PCGD_ENTRY_VTABLE)();
        if (!vt) return attempt.refuse(LoadFailure::vtable_invalid, std::string(PCGD_ENTRY_VTABLE) + " returned NULL");
        if (vt->abi_version != version)
            return attempt.refuse(LoadFailure::vtable_invalid,
                                  "vtable reports ABI " + format_abi_version(vt->abi_version) + " but " +
                                      PCGD_ENTRY_ABI_VERSION + " reports " + format_abi_version(version));
        if (vt->struct_size < PCGD_PLUGIN_VTABLE_MIN_SIZE_1_0)
            return attempt.refuse(LoadFailure::vtable_invalid,
                                  "vtable struct_size " + std::to_string(vt->struct_size) + " is below the ABI 1.0 minimum of " +
                                      std::to_string(PCGD_PLUGIN_VTABLE_MIN_SIZE_1_0) + " bytes");
        // OBS pattern: never read past what the plugin says it has.
        std::memcpy(&handle->vtable, vt, std::min<std::size_t>(vt->struct_size, sizeof(pcgd_plugin_vtable)));

        // 5. Required slots.
        for (const auto& slot : kRequiredSlots)
            if (!slot.present(handle->vtable))
                return attempt.refuse(LoadFailure::slot_missing, std::string("required slot '") + slot.name + "' is NULL");

        // 6. The manifest.
        const char* manifest_text = handle->vtable.manifest_json();
        if (!manifest_text) return attempt.refuse(LoadFailure::manifest_invalid, "manifest: manifest_json returned NULL");
        PluginManifest manifest;
        try {
            manifest = parse_manifest(manifest_text);
        } catch (const std::invalid_argument& e) {
            return attempt.refuse(LoadFailure::manifest_invalid, e.what());
        }
        status.id = manifest.id;
        status.version = manifest.version;

        // 7. One library per id: settings and stored records are keyed by it.
        if (auto other = find(manifest.id))
            return attempt.refuse(LoadFailure::duplicate_id, "plugin id '" + manifest.id + "' is already loaded from " +
                                                                 other->path().string());

        auto lib = std::shared_ptr<PluginLibrary>(new PluginLibrary());
        lib->handle_ = std::move(handle);
        lib->vtable_ = &lib->handle_->vtable;
        lib->abi_version_ = version;
        lib->path_ = file;
        lib->manifest_ = std::move(manifest);
        libraries_.push_back(std::move(lib));
        return true;
    }();

    if (ok) status.reason = file.filename().string() + ": loaded (plugin ABI " + format_abi_version(status.abi_version) + ")";
    statuses_.push_back(std::move(status));
    return statuses_.back();
}

std::shared_ptr<const PluginLibrary> PluginRegistry::find(std::string_view id) const {
    for (const auto& lib : libraries_)
        if (lib->manifest().id == id) return lib;
    return nullptr;
}

}  // namespace pcgd::host

// The host's side of one plugin instance: calls the C slots, checks what
// comes back, and serves the host vtable. Nothing may unwind through plugin
// frames (they may be C, or built with another compiler), so every thunk the
// plugin can call catches everything.
#include <cstring>
#include <exception>
#include <stdexcept>
#include <string>
#include <utility>

#include "plugin/loader.hpp"

namespace pcgd::host {

namespace {

// The plugin owns the message buffer's contents; do not trust it to be
// NUL-terminated.
std::string message_of(const pcgd_error& error) {
    return std::string(error.message, strnlen(error.message, sizeof(error.message)));
}

[[noreturn]] void slot_failed(const PluginLibrary& library, const char* slot, std::int32_t code, const pcgd_error& error) {
    std::string message = message_of(error);
    if (message.empty()) message = "failed without a message";
    throw PluginError(code, library.manifest().id + "." + slot + ": " + message);
}

[[noreturn]] void protocol_violation(const PluginLibrary& library, const char* slot, const std::string& what) {
    throw PluginError(PCGD_ERR_STATE, library.manifest().id + "." + slot + ": " + what);
}

bool is_known_record_kind(std::uint32_t kind) noexcept { return kind >= PCGD_RECORD_PRODUCT && kind <= PCGD_RECORD_DELETION; }

bool is_known_method(std::uint32_t method) noexcept { return method >= PCGD_HTTP_GET && method <= PCGD_HTTP_PATCH; }

// A view with NULL data and a size would be read as garbage.
bool is_sane(pcgd_str s) noexcept { return s.data != nullptr || s.size == 0; }

}  // namespace

PluginInstance::PluginInstance(std::shared_ptr<const PluginLibrary> library, std::string_view settings_json,
                               InstanceServices& services)
    : library_(std::move(library)), services_(services) {
    if (!library_) throw std::invalid_argument("PluginInstance: no plugin library");
    host_vtable_.abi_version = PCGD_ABI_VERSION;
    host_vtable_.struct_size = sizeof(pcgd_host_vtable);
    host_vtable_.log = &PluginInstance::log_thunk;
    host_vtable_.emit_record = &PluginInstance::emit_thunk;
    host_ = pcgd_host{this, &host_vtable_};

    pcgd_error error{};
    instance_ = library_->vtable().create(&host_, sdk::to_c(settings_json), &error);
    if (!instance_) slot_failed(*library_, "create", error.code != PCGD_OK ? error.code : PCGD_ERR_INTERNAL, error);
}

PluginInstance::~PluginInstance() {
    if (instance_) library_->vtable().destroy(instance_);
}

void PluginInstance::begin(sdk::Dataset dataset, bool full, std::string_view cursor, std::int64_t now_ms) {
    pcgd_job job{};
    job.abi_version = PCGD_ABI_VERSION;
    job.struct_size = sizeof(pcgd_job);
    job.dataset = static_cast<std::uint32_t>(dataset);
    job.mode = full ? PCGD_SYNC_FULL : PCGD_SYNC_INCREMENTAL;
    job.cursor = sdk::to_c(cursor);
    job.now_ms = now_ms;
    pcgd_error error{};
    const std::int32_t rc = library_->vtable().begin(instance_, &job, &error);
    if (rc != PCGD_OK) slot_failed(*library_, "begin", rc, error);
}

StepView PluginInstance::next_step() {
    pcgd_step step{};
    step.abi_version = PCGD_ABI_VERSION;
    step.struct_size = sizeof(pcgd_step);
    pcgd_error error{};
    const std::int32_t rc = library_->vtable().next_step(instance_, &step, &error);
    if (rc != PCGD_OK) slot_failed(*library_, "next_step", rc, error);

    StepView view;
    view.kind = step.kind;
    view.wait_ms = step.wait_ms;
    switch (step.kind) {
    case PCGD_STEP_WAIT:
    case PCGD_STEP_DONE: return view;
    case PCGD_STEP_REQUEST: break;
    default: protocol_violation(*library_, "next_step", "unknown step kind " + std::to_string(step.kind));
    }

    const pcgd_http_request* r = step.request;
    if (!r) protocol_violation(*library_, "next_step", "REQUEST step without a request");
    // The 1.0 fields end with `body`; anything shorter is not a request we can read.
    if (!PCGD_HAS_FIELD(r, pcgd_http_request, body))
        protocol_violation(*library_, "next_step",
                           "request struct_size " + std::to_string(r->struct_size) + " is below the ABI 1.0 minimum of " +
                               std::to_string(offsetof(pcgd_http_request, body) + sizeof(r->body)) + " bytes");
    if (!is_known_method(r->method))
        protocol_violation(*library_, "next_step", "request has unknown method " + std::to_string(r->method));
    if (r->url.size == 0 || !r->url.data) protocol_violation(*library_, "next_step", "request has an empty URL");
    if (r->header_count > 0 && !r->headers)
        protocol_violation(*library_, "next_step",
                           "request has " + std::to_string(r->header_count) + " headers but a NULL header array");
    for (std::uint64_t i = 0; i < r->header_count; ++i)
        if (!is_sane(r->headers[i].name) || !is_sane(r->headers[i].value))
            protocol_violation(*library_, "next_step", "request header " + std::to_string(i) + " has a NULL view");
    if (!is_sane(r->body)) protocol_violation(*library_, "next_step", "request body has a size but no data");
    view.request = r;
    // A 1.0 plugin's request ends at `body`: its tail is not ours to read.
    if (PCGD_HAS_FIELD(r, pcgd_http_request, rate_bucket_restore_milli_per_s)) {
        if (!is_sane(r->rate_bucket))
            protocol_violation(*library_, "next_step", "request rate_bucket has a size but no data");
        if (r->rate_bucket_capacity < 0 || r->rate_bucket_restore_milli_per_s < 0)
            protocol_violation(*library_, "next_step",
                               "request rate bucket has a negative capacity (" + std::to_string(r->rate_bucket_capacity) +
                                   ") or restore rate (" + std::to_string(r->rate_bucket_restore_milli_per_s) + ")");
        view.rate_bucket = sdk::view(r->rate_bucket);
        view.rate_bucket_capacity = r->rate_bucket_capacity;
        view.rate_bucket_restore_milli_per_s = r->rate_bucket_restore_milli_per_s;
    }
    return view;
}

pcgd_response_result PluginInstance::on_response(const ResponseView& response) {
    c_headers_.clear();
    if (response.headers)
        for (const auto& [name, value] : *response.headers) c_headers_.push_back(pcgd_header{sdk::to_c(name), sdk::to_c(value)});

    pcgd_http_response r{};
    r.abi_version = PCGD_ABI_VERSION;
    r.struct_size = sizeof(pcgd_http_response);
    r.status = response.status;
    r.flags = response.final_chunk ? PCGD_BODY_FINAL : 0u;
    r.headers = c_headers_.data();
    r.header_count = c_headers_.size();
    r.body = sdk::to_c(response.body);
    r.body_offset = response.body_offset;

    pcgd_response_result result{};
    result.abi_version = PCGD_ABI_VERSION;
    result.struct_size = sizeof(pcgd_response_result);
    // A plugin that leaves the budget untouched means "unknown", not "no
    // units left", which would pause the whole account.
    result.budget_remaining = -1;
    result.budget_capacity = -1;
    result.budget_restore_milli_per_s = -1;

    pcgd_error error{};
    const std::int32_t rc = library_->vtable().on_response(instance_, &r, &result, &error);
    if (rc != PCGD_OK) slot_failed(*library_, "on_response", rc, error);
    if (!is_sane(result.cursor)) protocol_violation(*library_, "on_response", "result cursor has a size but no data");
    return result;
}

void PluginInstance::log_thunk(void* ctx, std::uint32_t level, pcgd_str message) {
    if (!ctx) return;
    auto* self = static_cast<PluginInstance*>(ctx);
    // An unknown level from a newer plugin is still worth showing.
    const auto lvl = level >= PCGD_LOG_DEBUG && level <= PCGD_LOG_ERROR ? static_cast<sdk::LogLevel>(level) : sdk::LogLevel::info;
    self->services_.log(lvl, is_sane(message) ? sdk::view(message) : std::string_view("(log message with a NULL view)"));
}

std::int32_t PluginInstance::emit_thunk(void* ctx, std::uint32_t kind, pcgd_str json, pcgd_error* error) {
    try {
        if (!ctx) {
            sdk::set_error(error, PCGD_ERR_INVALID_ARGUMENT, "emit_record: NULL host context");
            return PCGD_ERR_INVALID_ARGUMENT;
        }
        if (!is_known_record_kind(kind)) {
            sdk::set_error(error, PCGD_ERR_INVALID_ARGUMENT, "emit_record: unknown record kind " + std::to_string(kind));
            return PCGD_ERR_INVALID_ARGUMENT;
        }
        if (!is_sane(json)) {
            sdk::set_error(error, PCGD_ERR_INVALID_ARGUMENT, "emit_record: record has a size but no data");
            return PCGD_ERR_INVALID_ARGUMENT;
        }
        static_cast<PluginInstance*>(ctx)->services_.emit(static_cast<model::RecordKind>(kind), sdk::view(json));
        return PCGD_OK;
    } catch (const json::ParseError& e) {
        // The record itself is at fault (schema, shape): the plugin's bug.
        sdk::set_error(error, PCGD_ERR_INVALID_ARGUMENT, e.what());
        return PCGD_ERR_INVALID_ARGUMENT;
    } catch (const std::invalid_argument& e) {
        sdk::set_error(error, PCGD_ERR_INVALID_ARGUMENT, e.what());
        return PCGD_ERR_INVALID_ARGUMENT;
    } catch (const std::exception& e) {
        sdk::set_error(error, PCGD_ERR_HOST, e.what());
        return PCGD_ERR_HOST;
    } catch (...) {
        sdk::set_error(error, PCGD_ERR_HOST, "the host refused the record");
        return PCGD_ERR_HOST;
    }
}

}  // namespace pcgd::host

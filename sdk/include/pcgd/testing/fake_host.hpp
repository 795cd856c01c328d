// FakeHost: drives a plugin through its C vtable with scripted responses and
// no network, recording every request it asks for and every record it emits.
//
//   pcgd::testing::FakeHost host(pcgd_plugin_get_vtable(), R"({"base_url":"https://x"})");
//   host.begin(pcgd::sdk::Dataset::orders);
//   auto step = host.next_step();                  // inspect step.request
//   auto result = host.respond(200, {}, body);     // records land in host.records()
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <pcgd/abi.h>
#include <pcgd/model/json.hpp>
#include <pcgd/sdk/plugin.hpp>

namespace pcgd::testing {

/// A copy of what the plugin asked for, safe to keep.
struct RecordedRequest {
    sdk::Method method = sdk::Method::get;
    std::string url;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    bool stream_body = false;
    std::uint32_t cost = 1;

    std::string header(std::string_view name) const {
        for (const auto& [n, v] : headers)
            if (sdk::iequals(n, name)) return v;
        return {};
    }
};

struct RecordedStep {
    sdk::Step::Kind kind = sdk::Step::Kind::done;
    std::uint32_t wait_ms = 0;
    RecordedRequest request;
};

struct EmittedRecord {
    model::RecordKind kind;
    std::string json;
};

/// Thrown when a slot returns an error; carries the code and message.
class SlotError : public std::runtime_error {
public:
    SlotError(std::int32_t code, const std::string& message) : std::runtime_error(message), code(code) {}
    std::int32_t code;
};

class FakeHost {
public:
    FakeHost(const pcgd_plugin_vtable* vtable, std::string_view settings_json, std::int64_t now_ms = 1767225600000 /* 2026-01-01 */)
        : vtable_(vtable), now_ms_(now_ms) {
        host_vtable_.abi_version = PCGD_ABI_VERSION;
        host_vtable_.struct_size = sizeof(pcgd_host_vtable);
        host_vtable_.log = &FakeHost::log_thunk;
        host_vtable_.emit_record = &FakeHost::emit_thunk;
        host_ = pcgd_host{this, &host_vtable_};
        pcgd_error error{};
        instance_ = vtable_->create(&host_, sdk::to_c(settings_json), &error);
        if (!instance_) throw SlotError(error.code, error.message);
    }
    ~FakeHost() {
        if (instance_) vtable_->destroy(instance_);
    }
    FakeHost(const FakeHost&) = delete;
    FakeHost& operator=(const FakeHost&) = delete;

    void set_now_ms(std::int64_t now_ms) noexcept { now_ms_ = now_ms; }

    /// Benchmarks switch off the schema check of each record, which would
    /// otherwise cost as much as the plugin's own work.
    void validate_records(bool on) noexcept { validate_records_ = on; }

    /// When set, emit_record fails with this code (to test error paths).
    void fail_emits_with(std::int32_t code) noexcept { fail_emit_code_ = code; }

    void begin(sdk::Dataset dataset, bool full = false, std::string_view cursor = {}) {
        pcgd_job job{};
        job.abi_version = PCGD_ABI_VERSION;
        job.struct_size = sizeof(pcgd_job);
        job.dataset = static_cast<std::uint32_t>(dataset);
        job.mode = full ? PCGD_SYNC_FULL : PCGD_SYNC_INCREMENTAL;
        job.cursor = sdk::to_c(cursor);
        job.now_ms = now_ms_;
        pcgd_error error{};
        if (vtable_->begin(instance_, &job, &error) != PCGD_OK) throw SlotError(error.code, error.message);
    }

    RecordedStep next_step() {
        pcgd_step step{};
        step.abi_version = PCGD_ABI_VERSION;
        step.struct_size = sizeof(pcgd_step);
        pcgd_error error{};
        if (vtable_->next_step(instance_, &step, &error) != PCGD_OK) throw SlotError(error.code, error.message);
        RecordedStep out;
        out.kind = static_cast<sdk::Step::Kind>(step.kind);
        out.wait_ms = step.wait_ms;
        if (step.kind == PCGD_STEP_REQUEST) {
            if (!step.request) throw SlotError(PCGD_ERR_STATE, "REQUEST step without a request");
            const pcgd_http_request& r = *step.request;
            out.request.method = static_cast<sdk::Method>(r.method);
            out.request.url = std::string(sdk::view(r.url));
            for (std::uint64_t i = 0; i < r.header_count; ++i)
                out.request.headers.emplace_back(sdk::view(r.headers[i].name), sdk::view(r.headers[i].value));
            out.request.body = std::string(sdk::view(r.body));
            out.request.stream_body = (r.flags & PCGD_REQUEST_STREAM_BODY) != 0;
            out.request.cost = r.cost;
        }
        last_step_ = out;
        return out;
    }

    /// Hands a response to the plugin; with chunk_size > 0 the body arrives
    /// in chunks of that size, as the host streams it.
    sdk::Result respond(int status, std::vector<std::pair<std::string, std::string>> headers, std::string_view body,
                        std::size_t chunk_size = 0) {
        std::vector<pcgd_header> c_headers;
        for (const auto& [n, v] : headers) c_headers.push_back(pcgd_header{sdk::to_c(n), sdk::to_c(v)});
        sdk::Result last;
        std::size_t offset = 0;
        do {
            const std::size_t n = chunk_size == 0 ? body.size() : std::min(chunk_size, body.size() - offset);
            pcgd_http_response response{};
            response.abi_version = PCGD_ABI_VERSION;
            response.struct_size = sizeof(pcgd_http_response);
            response.status = status;
            response.headers = c_headers.data();
            response.header_count = c_headers.size();
            response.body = sdk::to_c(body.substr(offset, n));
            response.body_offset = offset;
            offset += n;
            response.flags = offset >= body.size() ? PCGD_BODY_FINAL : 0u;
            pcgd_response_result result{};
            result.abi_version = PCGD_ABI_VERSION;
            result.struct_size = sizeof(pcgd_response_result);
            pcgd_error error{};
            if (vtable_->on_response(instance_, &response, &result, &error) != PCGD_OK)
                throw SlotError(error.code, error.message);
            last.checkpoint = (result.flags & PCGD_RESULT_CHECKPOINT) != 0;
            last.cursor = std::string(sdk::view(result.cursor));
            last.retry_after_ms = result.retry_after_ms;
            last.budget_remaining = result.budget_remaining;
            last.budget_capacity = result.budget_capacity;
            last.budget_restore_milli_per_s = result.budget_restore_milli_per_s;
        } while (offset < body.size());
        return last;
    }

    const std::vector<EmittedRecord>& records() const noexcept { return records_; }
    const std::vector<std::string>& logs() const noexcept { return logs_; }
    void clear_records() { records_.clear(); }

    /// The emitted records of one type, parsed back into the model.
    template <class Record>
    std::vector<Record> records_of() const {
        std::vector<Record> out;
        for (const auto& r : records_)
            if (r.kind == model::kind_of<Record>()) out.push_back(std::get<Record>(model::read_record(r.kind, r.json)));
        return out;
    }

    std::size_t count(model::RecordKind kind) const {
        std::size_t n = 0;
        for (const auto& r : records_) n += r.kind == kind;
        return n;
    }

private:
    static void log_thunk(void* ctx, std::uint32_t level, pcgd_str message) {
        static_cast<FakeHost*>(ctx)->logs_.push_back(std::to_string(level) + " " + std::string(sdk::view(message)));
    }
    static std::int32_t emit_thunk(void* ctx, std::uint32_t kind, pcgd_str json, pcgd_error* error) {
        auto* self = static_cast<FakeHost*>(ctx);
        if (self->fail_emit_code_) {
            sdk::set_error(error, self->fail_emit_code_, "emit refused by FakeHost");
            return self->fail_emit_code_;
        }
        // Every record must match the published schema, or the test fails here.
        if (self->validate_records_) {
            try {
                (void)model::read_record(static_cast<model::RecordKind>(kind), sdk::view(json));
            } catch (const std::exception& e) {
                sdk::set_error(error, PCGD_ERR_INVALID_ARGUMENT, std::string("record rejected: ") + e.what());
                return PCGD_ERR_INVALID_ARGUMENT;
            }
        }
        self->records_.push_back(EmittedRecord{static_cast<model::RecordKind>(kind), std::string(sdk::view(json))});
        return PCGD_OK;
    }

    const pcgd_plugin_vtable* vtable_;
    pcgd_host_vtable host_vtable_{};
    pcgd_host host_{};
    void* instance_ = nullptr;
    std::int64_t now_ms_;
    std::int32_t fail_emit_code_ = 0;
    bool validate_records_ = true;
    RecordedStep last_step_;
    std::vector<EmittedRecord> records_;
    std::vector<std::string> logs_;
};

}  // namespace pcgd::testing

// The C++ side of a plugin: derive from pcgd::sdk::Plugin, implement three
// member functions, and export it with PCGD_DECLARE_PLUGIN. The SDK turns the
// class into the C vtable of pcgd/abi.h, with noexcept trampolines that turn
// exceptions into pcgd_error.
//
//   class MyPlugin : public pcgd::sdk::Plugin {
//   public:
//       static const char* manifest();                   // JSON literal
//       MyPlugin(pcgd::sdk::Host host, const pcgd::json::Node& settings);
//       void begin(const pcgd::sdk::Job& job) override;
//       pcgd::sdk::Step next_step() override;
//       void on_response(const pcgd::sdk::Response& r, pcgd::sdk::Result& out) override;
//   };
//   PCGD_DECLARE_PLUGIN(MyPlugin)
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <pcgd/abi.h>
#include <pcgd/model/json.hpp>
#include <pcgd/sdk/json.hpp>

namespace pcgd::sdk {

inline std::string_view view(pcgd_str s) noexcept { return s.data ? std::string_view(s.data, s.size) : std::string_view{}; }
inline pcgd_str to_c(std::string_view s) noexcept { return pcgd_str{s.data(), s.size()}; }

/// Fills a pcgd_error (truncating the message).
inline void set_error(pcgd_error* error, std::int32_t code, std::string_view message) noexcept {
    if (!error) return;
    error->code = code;
    const std::size_t n = std::min(message.size(), sizeof(error->message) - 1);
    std::memcpy(error->message, message.data(), n);
    error->message[n] = '\0';
}

/// An error a plugin throws to choose its code (PCGD_ERR_*).
class Error : public std::runtime_error {
public:
    Error(std::int32_t code, const std::string& message) : std::runtime_error(message), code_(code) {}
    std::int32_t code() const noexcept { return code_; }

private:
    std::int32_t code_;
};

/// A response that cannot be understood: the host may retry the page.
inline Error bad_response(const std::string& message) { return Error(PCGD_ERR_BAD_RESPONSE, message); }

enum class Dataset : std::uint32_t {
    inventory = PCGD_DATASET_INVENTORY,
    orders = PCGD_DATASET_ORDERS,
    traffic = PCGD_DATASET_TRAFFIC,
};

inline const char* to_string(Dataset d) noexcept {
    switch (d) {
    case Dataset::inventory: return "inventory";
    case Dataset::orders: return "orders";
    case Dataset::traffic: return "traffic";
    }
    return "unknown";
}

inline std::optional<Dataset> dataset_from_string(std::string_view s) noexcept {
    for (auto d : {Dataset::inventory, Dataset::orders, Dataset::traffic})
        if (s == to_string(d)) return d;
    return std::nullopt;
}

struct Job {
    Dataset dataset = Dataset::orders;
    bool full = false;        // PCGD_SYNC_FULL
    std::string cursor;       // last committed cursor, empty when none
    std::int64_t now_ms = 0;  // the host's clock
};

enum class Method : std::uint32_t {
    get = PCGD_HTTP_GET,
    post = PCGD_HTTP_POST,
    put = PCGD_HTTP_PUT,
    del = PCGD_HTTP_DELETE,
    patch = PCGD_HTTP_PATCH,
};

struct Request {
    Method method = Method::get;
    std::string url;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    bool stream_body = false;  // deliver the response body in chunks
    std::uint32_t timeout_ms = 0;
    std::uint32_t cost = 1;
    /// The account's sub-budget for this request (ABI 1.1): an API operation
    /// with its own documented limit. Empty: the account's main budget.
    std::string rate_bucket;
    std::int64_t rate_bucket_capacity = 0;             // burst, in requests; 0 unknown
    std::int64_t rate_bucket_restore_milli_per_s = 0;  // requests per second x 1000; 0 unknown

    Request& header(std::string name, std::string value) {
        headers.emplace_back(std::move(name), std::move(value));
        return *this;
    }
};

struct Step {
    enum class Kind : std::uint32_t { request = PCGD_STEP_REQUEST, wait = PCGD_STEP_WAIT, done = PCGD_STEP_DONE };
    Kind kind = Kind::done;
    std::uint32_t wait_ms = 0;
    Request request;

    static Step send(Request r) { return Step{Kind::request, 0, std::move(r)}; }
    static Step wait(std::uint32_t ms) { return Step{Kind::wait, ms, {}}; }
    static Step done() { return Step{Kind::done, 0, {}}; }
};

/// Case-insensitive ASCII comparison, for header names.
inline bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

/// A response, or one chunk of a streamed one. Borrowed from the host for
/// the duration of on_response.
class Response {
public:
    explicit Response(const pcgd_http_response& r) noexcept : r_(r) {}

    int status() const noexcept { return r_.status; }
    std::string_view body() const noexcept { return view(r_.body); }
    bool final_chunk() const noexcept { return (r_.flags & PCGD_BODY_FINAL) != 0; }
    std::uint64_t body_offset() const noexcept { return r_.body_offset; }

    /// The first header of that name, compared without case.
    std::optional<std::string_view> header(std::string_view name) const noexcept {
        for (std::uint64_t i = 0; i < r_.header_count; ++i)
            if (iequals(view(r_.headers[i].name), name)) return view(r_.headers[i].value);
        return std::nullopt;
    }

private:
    const pcgd_http_response& r_;
};

/// What a plugin reports after a response.
struct Result {
    bool checkpoint = false;  // records so far + cursor are a resume point
    std::string cursor;
    std::uint32_t retry_after_ms = 0;
    std::int64_t budget_remaining = -1;
    std::int64_t budget_capacity = -1;
    std::int64_t budget_restore_milli_per_s = -1;

    void commit(std::string new_cursor) {
        checkpoint = true;
        cursor = std::move(new_cursor);
    }
};

enum class LogLevel : std::uint32_t { debug = PCGD_LOG_DEBUG, info = PCGD_LOG_INFO, warn = PCGD_LOG_WARN, error = PCGD_LOG_ERROR };

/// The host's services, as a plugin sees them.
class Host {
public:
    explicit Host(const pcgd_host& host) : host_(host), writer_(std::make_unique<json::Writer>()) {}

    void log(LogLevel level, std::string_view message) const noexcept {
        if (host_.vtable && host_.vtable->log) host_.vtable->log(host_.ctx, static_cast<std::uint32_t>(level), to_c(message));
    }

    /// Serialises a model record and hands it to the host. Throws Error when
    /// the host refuses it.
    template <class Record>
    void emit(const Record& record) {
        writer_->clear();
        model::write_json(*writer_, record);
        emit_json(model::kind_of<Record>(), writer_->view());
    }

    void emit_json(model::RecordKind kind, std::string_view json) const {
        pcgd_error error{};
        if (host_.vtable->emit_record(host_.ctx, static_cast<std::uint32_t>(kind), to_c(json), &error) != PCGD_OK)
            throw Error(error.code ? error.code : PCGD_ERR_HOST, error.message);
    }

private:
    pcgd_host host_;
    std::unique_ptr<json::Writer> writer_;  // reused across records: one allocation, not one per record
};

/// Base class of every plugin instance (one per shop).
class Plugin {
public:
    explicit Plugin(Host host) : host_(std::move(host)) {}
    virtual ~Plugin() = default;
    Plugin(const Plugin&) = delete;
    Plugin& operator=(const Plugin&) = delete;

    /// Start or restart a job; reset any state of the previous one.
    virtual void begin(const Job& job) = 0;
    /// What to do next.
    virtual Step next_step() = 0;
    /// Consume a response (or chunk), emit records, fill `out`.
    virtual void on_response(const Response& response, Result& out) = 0;

protected:
    Host& host() noexcept { return host_; }

private:
    Host host_;
};

namespace detail {

/// An instance as the host holds it: the plugin plus the storage that keeps
/// the views handed to the host alive until the next call.
template <class P>
struct Instance {
    pcgd_host host;  // copied: the caller's struct need not outlive create
    std::optional<P> plugin;
    Request request;
    std::vector<pcgd_header> c_headers;
    pcgd_http_request c_request{};
    std::string cursor;
};

template <class F>
std::int32_t guarded(pcgd_error* error, bool parsing_response, F&& f) noexcept {
    try {
        f();
        return PCGD_OK;
    } catch (const Error& e) {
        set_error(error, e.code(), e.what());
        return e.code();
    } catch (const json::ParseError& e) {
        set_error(error, PCGD_ERR_BAD_RESPONSE, e.what());
        return PCGD_ERR_BAD_RESPONSE;
    } catch (const std::invalid_argument& e) {
        // Malformed values (amounts, dates) in a response are the response's fault.
        const std::int32_t code = parsing_response ? PCGD_ERR_BAD_RESPONSE : PCGD_ERR_INVALID_ARGUMENT;
        set_error(error, code, e.what());
        return code;
    } catch (const std::exception& e) {
        set_error(error, PCGD_ERR_INTERNAL, std::string("plugin error: ") + e.what());
        return PCGD_ERR_INTERNAL;
    } catch (...) {
        set_error(error, PCGD_ERR_INTERNAL, "plugin threw an unknown exception");
        return PCGD_ERR_INTERNAL;
    }
}

template <class P>
struct Trampolines {
    using Self = Instance<P>;

    static const char* manifest_json() noexcept { return P::manifest(); }

    static void* create(const pcgd_host* host, pcgd_str settings_json, pcgd_error* error) noexcept {
        if (!host || !host->vtable || host->vtable->struct_size < offsetof(pcgd_host_vtable, emit_record) + sizeof(void*) ||
            !host->vtable->emit_record) {
            set_error(error, PCGD_ERR_INVALID_ARGUMENT, "host vtable missing or too short");
            return nullptr;
        }
        Self* self = nullptr;
        const std::int32_t rc = guarded(error, false, [&] {
            auto owned = std::make_unique<Self>();
            owned->host = *host;
            rapidjson::Document doc;
            try {
                json::parse(doc, view(settings_json), "plugin settings");
                owned->plugin.emplace(Host(owned->host), json::Node(doc, "settings"));
            } catch (const json::ParseError& e) {
                throw Error(PCGD_ERR_CONFIG, e.what());
            }
            self = owned.release();
        });
        return rc == PCGD_OK ? self : nullptr;
    }

    static void destroy(void* instance) noexcept { delete static_cast<Self*>(instance); }

    static std::int32_t begin(void* instance, const pcgd_job* job, pcgd_error* error) noexcept {
        return guarded(error, false, [&] {
            if (!instance || !job || job->struct_size < offsetof(pcgd_job, now_ms) + sizeof(job->now_ms))
                throw Error(PCGD_ERR_INVALID_ARGUMENT, "begin: job missing or too short");
            Job j;
            j.dataset = static_cast<Dataset>(job->dataset);
            j.full = job->mode == PCGD_SYNC_FULL;
            j.cursor = std::string(view(job->cursor));
            j.now_ms = job->now_ms;
            static_cast<Self*>(instance)->plugin->begin(j);
        });
    }

    static std::int32_t next_step(void* instance, pcgd_step* step, pcgd_error* error) noexcept {
        return guarded(error, false, [&] {
            if (!instance || !step || step->struct_size < offsetof(pcgd_step, request) + sizeof(step->request))
                throw Error(PCGD_ERR_INVALID_ARGUMENT, "next_step: step missing or too short");
            auto* self = static_cast<Self*>(instance);
            Step s = self->plugin->next_step();
            step->kind = static_cast<std::uint32_t>(s.kind);
            step->wait_ms = s.wait_ms;
            step->request = nullptr;
            if (s.kind != Step::Kind::request) return;
            self->request = std::move(s.request);
            const Request& r = self->request;
            self->c_headers.clear();
            for (const auto& [name, value] : r.headers) self->c_headers.push_back(pcgd_header{to_c(name), to_c(value)});
            pcgd_http_request& c = self->c_request;
            c = pcgd_http_request{};
            c.abi_version = PCGD_ABI_VERSION;
            c.struct_size = sizeof(pcgd_http_request);
            c.method = static_cast<std::uint32_t>(r.method);
            c.flags = r.stream_body ? PCGD_REQUEST_STREAM_BODY : 0u;
            c.timeout_ms = r.timeout_ms;
            c.cost = r.cost;
            c.url = to_c(r.url);
            c.headers = self->c_headers.data();
            c.header_count = self->c_headers.size();
            c.body = to_c(r.body);
            c.rate_bucket = to_c(r.rate_bucket);
            c.rate_bucket_capacity = r.rate_bucket_capacity;
            c.rate_bucket_restore_milli_per_s = r.rate_bucket_restore_milli_per_s;
            step->request = &c;
        });
    }

    static std::int32_t on_response(void* instance, const pcgd_http_response* response, pcgd_response_result* result,
                                    pcgd_error* error) noexcept {
        return guarded(error, true, [&] {
            if (!instance || !response || !result ||
                response->struct_size < offsetof(pcgd_http_response, body_offset) + sizeof(response->body_offset) ||
                result->struct_size < offsetof(pcgd_response_result, cursor) + sizeof(result->cursor))
                throw Error(PCGD_ERR_INVALID_ARGUMENT, "on_response: response or result missing or too short");
            auto* self = static_cast<Self*>(instance);
            Result r;
            self->plugin->on_response(Response(*response), r);
            self->cursor = std::move(r.cursor);
            result->flags = r.checkpoint ? PCGD_RESULT_CHECKPOINT : 0u;
            result->retry_after_ms = r.retry_after_ms;
            result->budget_remaining = r.budget_remaining;
            result->budget_capacity = r.budget_capacity;
            result->budget_restore_milli_per_s = r.budget_restore_milli_per_s;
            result->cursor = to_c(self->cursor);
        });
    }

    static const pcgd_plugin_vtable* vtable() noexcept {
        static const pcgd_plugin_vtable table = {
            PCGD_ABI_VERSION, sizeof(pcgd_plugin_vtable), &manifest_json, &create, &destroy, &begin, &next_step, &on_response,
        };
        return &table;
    }
};

}  // namespace detail
}  // namespace pcgd::sdk

#define PCGD_PLUGIN_EXPORT extern "C" __attribute__((visibility("default")))

/// Exports the plugin class `PluginClass` through the two entry symbols.
#define PCGD_DECLARE_PLUGIN(PluginClass)                                                                  \
    PCGD_PLUGIN_EXPORT uint32_t pcgd_plugin_abi_version(void) { return PCGD_ABI_VERSION; }               \
    PCGD_PLUGIN_EXPORT const pcgd_plugin_vtable* pcgd_plugin_get_vtable(void) {                          \
        return ::pcgd::sdk::detail::Trampolines<PluginClass>::vtable();                                   \
    }

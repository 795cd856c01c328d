#include "sync/sync_engine.hpp"

#include <algorithm>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <random>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include "net/rate_limiter.hpp"

namespace pcgd::host {
namespace {

std::int64_t wall_now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::int64_t steady_now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

const char* method_name(std::uint32_t method) {
    switch (method) {
    case PCGD_HTTP_GET: return "GET";
    case PCGD_HTTP_POST: return "POST";
    case PCGD_HTTP_PUT: return "PUT";
    case PCGD_HTTP_DELETE: return "DELETE";
    case PCGD_HTTP_PATCH: return "PATCH";
    }
    return nullptr;
}

/// Shared by every shop of one run.
struct RunContext {
    boost::asio::io_context& io;
    net::HttpClient& http;
    net::RateLimiter& limiter;
    Store& store;
    const SyncOptions& options;
    std::mt19937_64 rng;
    const ProgressCallback& progress;
};

/// One shop's pass: its datasets one after the other, each a job of the
/// plugin driven as a chain of callbacks on the event loop.
class ShopRun final : public InstanceServices {
public:
    ShopRun(RunContext& ctx, ShopRecord shop, std::shared_ptr<const PluginLibrary> library, ShopReport& report,
            std::function<void()> on_finished)
        : ctx_(ctx), shop_(std::move(shop)), library_(std::move(library)), report_(report),
          on_finished_(std::move(on_finished)), timer_(ctx.io) {}

    /// Credentials are opened here so a bad key fails this shop only.
    void start(const Vault& vault) {
        try {
            const auto credentials = shop_.sealed_credentials.empty() ? std::map<std::string, std::string>{}
                                                                      : vault.open(shop_.sealed_credentials);
            for (const auto& [name, value] : credentials) redactor_.add(value);
            instance_.emplace(library_, plugin_settings_json(shop_, credentials), *this);
        } catch (const std::exception& e) {
            report_.error = redactor_.redact(e.what());
            finish_shop();
            return;
        }
        for (auto d : library_->manifest().datasets) {
            const auto& wanted = ctx_.options.datasets;
            if (wanted.empty() || std::find(wanted.begin(), wanted.end(), d) != wanted.end()) datasets_.push_back(d);
        }
        account_key_ = shop_.budget_key();
        next_dataset();
    }

    // InstanceServices
    /// The plugin's log. Its warnings also go in the dataset's report: they
    /// are what a user must read (a store ignoring a filter, a fallback).
    void log(sdk::LogLevel level, std::string_view message) noexcept override {
        host_log(level, message);
        if (level < sdk::LogLevel::warn || report_.datasets.empty()) return;
        try {
            auto& warnings = current().warnings;
            auto text = redactor_.redact(message);
            if (warnings.size() < max_warnings && std::find(warnings.begin(), warnings.end(), text) == warnings.end())
                warnings.push_back(std::move(text));
        } catch (...) {
        }
    }

    void host_log(sdk::LogLevel level, std::string_view message) noexcept {
        try {
            const auto text = redactor_.redact(message);
            const auto lvl = level == sdk::LogLevel::error  ? spdlog::level::err
                             : level == sdk::LogLevel::warn ? spdlog::level::warn
                             : level == sdk::LogLevel::info ? spdlog::level::info
                                                            : spdlog::level::debug;
            spdlog::log(lvl, "[{}] {}", shop_.shop.id, text);
        } catch (...) {
        }
    }

    void emit(model::RecordKind kind, std::string_view json) override {
        pending_.emplace_back(kind, std::string(json));
        ++current().records;
    }

private:
    DatasetReport& current() { return report_.datasets.back(); }

    void next_dataset() {
        if (!datasets_.empty() && stopping()) {
            report_.stopped = true;
            datasets_.clear();
        }
        if (datasets_.empty()) {
            finish_shop();
            return;
        }
        const sdk::Dataset dataset = datasets_.front();
        datasets_.pop_front();
        report_.datasets.push_back(DatasetReport{});
        current().dataset = dataset;
        started_ms_ = steady_now_ms();
        pending_.clear();
        restarts_ = 0;
        checkpointed_this_job_ = false;
        const SyncState state = ctx_.store.sync_state(shop_.shop.id, dataset);
        committed_cursor_ = ctx_.options.full ? std::string() : state.cursor;
        begin_job(ctx_.options.full);
    }

    void begin_job(bool full) {
        try {
            instance_->begin(current().dataset, full, committed_cursor_, wall_now_ms());
        } catch (const PluginError& e) {
            fail_dataset(e.code(), e.what());
            return;
        }
        ask_next_step();
    }

    /// Rolls back what was emitted since the last checkpoint and starts the
    /// job again from there; the same mechanism a restarted process uses.
    void restart_from_checkpoint(std::int32_t code, const std::string& why) {
        pending_.clear();
        if (++restarts_ > ctx_.options.max_restarts) {
            fail_dataset(code, why + " (gave up after " + std::to_string(restarts_ - 1) + " restarts)");
            return;
        }
        ++current().restarts;
        host_log(sdk::LogLevel::warn, "restarting " + std::string(sdk::to_string(current().dataset)) +
                                     " from the last checkpoint: " + why);
        const std::uint32_t delay = net::backoff_delay_ms(ctx_.options.retry, restarts_, std::nullopt, ctx_.rng);
        wait_then(delay, [this] { begin_job(ctx_.options.full && !checkpointed_this_job_); });
    }

    bool stopping() const {
        return ctx_.options.stop_requested && ctx_.options.stop_requested->load(std::memory_order_relaxed);
    }

    void ask_next_step() {
        StepView step;
        try {
            step = instance_->next_step();
        } catch (const PluginError& e) {
            fail_dataset(e.code(), e.what());
            return;
        }
        // A stop takes effect between exchanges: the page just received is committed already.
        if (step.kind != PCGD_STEP_DONE && stopping()) {
            stop_dataset();
            return;
        }
        switch (step.kind) {
        case PCGD_STEP_DONE:
            finish_dataset();
            return;
        case PCGD_STEP_WAIT:
            wait_then(step.wait_ms, [this] { ask_next_step(); });
            return;
        case PCGD_STEP_REQUEST: {
            const pcgd_http_request& r = *step.request;
            net::HttpRequest request;
            request.method = method_name(r.method);
            request.url = std::string(sdk::view(r.url));
            for (std::uint64_t i = 0; i < r.header_count; ++i)
                request.headers.emplace_back(sdk::view(r.headers[i].name), sdk::view(r.headers[i].value));
            request.body = std::string(sdk::view(r.body));
            request.timeout_ms = r.timeout_ms;
            request.stream_body = (r.flags & PCGD_REQUEST_STREAM_BODY) != 0;
            use_budget(step);
            attempt_ = 0;
            send(std::make_shared<net::HttpRequest>(std::move(request)), r.cost == 0 ? 1 : r.cost);
            return;
        }
        }
    }

    /// The budget this request draws on: the account's, or one of its named
    /// buckets (an API operation with its own limit). 429s and hints go there too.
    void use_budget(const StepView& step) {
        budget_key_ = account_key_;
        if (step.rate_bucket.empty()) return;
        budget_key_ += '/';
        budget_key_ += step.rate_bucket;
        if (step.rate_bucket_capacity > 0 && step.rate_bucket_restore_milli_per_s > 0)
            ctx_.limiter.account(budget_key_)
                .on_hint(wall_now_ms(), -1, step.rate_bucket_capacity, step.rate_bucket_restore_milli_per_s);
    }

    void send(std::shared_ptr<net::HttpRequest> request, std::int64_t cost) {
        auto& budget = ctx_.limiter.account(budget_key_);
        const std::int64_t delay = budget.delay_ms(wall_now_ms(), cost);
        if (delay > 0) {
            budget.add_waited(delay);
            wait_then(static_cast<std::uint32_t>(delay), [this, request, cost] { send(request, cost); });
            return;
        }
        budget.spend(wall_now_ms(), cost);
        ++current().requests;
        auto exchange = std::make_shared<Exchange>();
        net::HttpHandlers handlers;
        handlers.on_head = [this, exchange](const net::HttpResponseHead& head) {
            exchange->head = head;
            exchange->retryable = net::is_retryable(head.status, net::TransportError::none);
        };
        if (request->stream_body) {
            handlers.on_chunk = [this, exchange](std::string_view chunk) {
                if (exchange->retryable) return true;  // an error body: dropped, the request is retried
                exchange->delivered_chunks = true;
                return deliver(exchange, chunk, false);
            };
        }
        handlers.on_complete = [this, exchange, request, cost](net::TransportError error, std::string detail,
                                                                std::string body) {
            on_complete(exchange, request, cost, error, std::move(detail), std::move(body));
        };
        ctx_.http.perform(*request, std::move(handlers));
    }

    struct Exchange {
        net::HttpResponseHead head;
        bool retryable = false;
        bool delivered_chunks = false;
        std::optional<PluginError> plugin_error;
        std::uint64_t offset = 0;
        pcgd_response_result result{};
    };

    void on_complete(const std::shared_ptr<Exchange>& exchange, const std::shared_ptr<net::HttpRequest>& request,
                     std::int64_t cost, net::TransportError error, std::string detail, std::string body) {
        ++current().statuses[error != net::TransportError::none ? 0u : exchange->head.status];
        if (exchange->plugin_error) {
            handle_plugin_error(*exchange->plugin_error);
            return;
        }
        if (error != net::TransportError::none && exchange->delivered_chunks) {
            restart_from_checkpoint(PCGD_ERR_BAD_RESPONSE, std::string("download interrupted (") +
                                                               net::to_string(error) + "): " + detail);
            return;
        }
        if (error != net::TransportError::none || exchange->retryable) {
            retry(request, cost, exchange->head, error, detail);
            return;
        }
        if (!deliver(exchange, body, true)) {
            handle_plugin_error(*exchange->plugin_error);
            return;
        }
        after_response(exchange->result);
    }

    void retry(const std::shared_ptr<net::HttpRequest>& request, std::int64_t cost, const net::HttpResponseHead& head,
               net::TransportError error, const std::string& detail) {
        const std::string what = error != net::TransportError::none
                                     ? std::string(net::to_string(error)) + " error: " + detail
                                     : "HTTP " + std::to_string(head.status);
        if (++attempt_ >= ctx_.options.retry.max_attempts) {
            fail_dataset(0, request->method + " " + redactor_.redact(request->url) + " failed after " +
                                std::to_string(attempt_) + " attempts: " + what);
            return;
        }
        ++current().retries;
        std::optional<std::uint32_t> retry_after;
        if (auto value = head.header("Retry-After")) retry_after = net::parse_retry_after_ms(*value, wall_now_ms());
        if (head.status == 429) {
            ctx_.limiter.account(budget_key_).pause(wall_now_ms(), retry_after.value_or(1000));
        }
        const std::uint32_t delay = net::backoff_delay_ms(ctx_.options.retry, attempt_, retry_after, ctx_.rng);
        host_log(sdk::LogLevel::debug, what + "; retrying in " + std::to_string(delay) + " ms");
        wait_then(delay, [this, request, cost] { send(request, cost); });
    }

    /// Hands a body (or chunk) to the plugin. False when the plugin failed;
    /// the error is kept on the exchange.
    bool deliver(const std::shared_ptr<Exchange>& exchange, std::string_view body, bool final_chunk) {
        ResponseView view;
        view.status = exchange->head.status;
        view.headers = &exchange->head.headers;
        view.body = body;
        view.body_offset = exchange->offset;
        view.final_chunk = final_chunk;
        exchange->offset += body.size();
        try {
            exchange->result = instance_->on_response(view);
            // A streamed exchange may checkpoint between chunks; keep that result.
            if (!final_chunk) apply_result(exchange->result);
            return true;
        } catch (const PluginError& e) {
            exchange->plugin_error = e;
            return false;
        }
    }

    void handle_plugin_error(const PluginError& e) {
        if (e.code() == PCGD_ERR_BAD_RESPONSE) {
            restart_from_checkpoint(e.code(), e.what());
        } else {
            fail_dataset(e.code(), e.what());
        }
    }

    /// Rate-limit hints and checkpoints. False when the dataset failed.
    bool apply_result(const pcgd_response_result& result) {
        auto& budget = ctx_.limiter.account(budget_key_);
        const std::int64_t now = wall_now_ms();
        budget.on_hint(now, result.budget_remaining, result.budget_capacity, result.budget_restore_milli_per_s);
        if (result.retry_after_ms > 0) budget.pause(now, result.retry_after_ms);
        if (result.flags & PCGD_RESULT_CHECKPOINT) return commit(std::string(sdk::view(result.cursor)));
        return true;
    }

    void after_response(const pcgd_response_result& result) {
        if (!apply_result(result)) return;
        if (ctx_.options.probe_only) {
            pending_.clear();
            finish_dataset();
            return;
        }
        ask_next_step();
    }

    bool commit(std::string cursor) {
        if (ctx_.options.probe_only) return true;
        try {
            auto batch = ctx_.store.begin_batch(shop_.shop.id, current().dataset);
            for (const auto& [kind, json] : pending_) batch->add(kind, json);
            current().stats += batch->commit(cursor);
        } catch (const std::exception& e) {
            pending_.clear();
            fail_dataset(PCGD_ERR_HOST, std::string("could not store a page: ") + e.what());
            return false;
        }
        pending_.clear();
        committed_cursor_ = std::move(cursor);
        checkpointed_this_job_ = true;
        restarts_ = 0;
        ++current().pages;
        report_progress(false);
        return true;
    }

    void finish_dataset() {
        // Records emitted after the last checkpoint still belong to the job.
        if (!pending_.empty() && !commit(committed_cursor_)) return;
        current().ok = true;
        current().duration_ms = steady_now_ms() - started_ms_;
        if (!ctx_.options.probe_only) ctx_.store.record_job_result(shop_.shop.id, current().dataset, wall_now_ms(), "");
        report_progress(true);
        next_dataset();
    }

    void fail_dataset(std::int32_t code, const std::string& why) {
        pending_.clear();
        current().ok = false;
        current().error_code = code;
        current().error = redactor_.redact(why);
        current().duration_ms = steady_now_ms() - started_ms_;
        if (!ctx_.options.probe_only) {
            try {
                ctx_.store.record_job_result(shop_.shop.id, current().dataset, wall_now_ms(), current().error);
            } catch (const std::exception& e) {
                spdlog::error("[{}] could not record the failure: {}", shop_.shop.id, e.what());
            }
        }
        host_log(sdk::LogLevel::error, std::string(sdk::to_string(current().dataset)) + " failed: " + why);
        report_progress(true);
        next_dataset();
    }

    /// Stopped on request: what came after the last checkpoint is dropped,
    /// so the next run resumes from the cursor committed with the last page.
    void stop_dataset() {
        pending_.clear();
        current().ok = false;
        current().stopped = true;
        current().duration_ms = steady_now_ms() - started_ms_;
        host_log(sdk::LogLevel::info, std::string(sdk::to_string(current().dataset)) + " stopped at its last checkpoint");
        report_.stopped = true;
        datasets_.clear();
        report_progress(true);
        finish_shop();
    }

    void finish_shop() {
        report_.ok = report_.error.empty() && !report_.stopped;
        for (const auto& d : report_.datasets) report_.ok = report_.ok && d.ok;
        instance_.reset();
        // Last statement: the callback may destroy this object.
        on_finished_();
    }

    template <class F>
    void wait_then(std::uint32_t delay_ms, F&& f) {
        current().waited_ms += delay_ms;
        waiting_ = true;
        report_progress(false);
        sleep_then(delay_ms, std::function<void()>(std::forward<F>(f)));
    }

    // A stoppable run sleeps in slices, so a stop never waits out a long
    // Retry-After; a stop seen on waking ends the dataset instead of going on.
    void sleep_then(std::int64_t remaining_ms, std::function<void()> f) {
        const std::int64_t slice_ms =
            ctx_.options.stop_requested ? std::min<std::int64_t>(remaining_ms, stop_poll_ms) : remaining_ms;
        timer_.expires_after(std::chrono::milliseconds(slice_ms));
        timer_.async_wait([this, remaining_ms, slice_ms, f = std::move(f)](const boost::system::error_code& ec) mutable {
            if (ec) {
                waiting_ = false;
                return;
            }
            if (stopping()) {
                waiting_ = false;
                stop_dataset();
                return;
            }
            if (remaining_ms > slice_ms) {
                sleep_then(remaining_ms - slice_ms, std::move(f));
                return;
            }
            waiting_ = false;
            f();
        });
    }
    static constexpr std::int64_t stop_poll_ms = 100;

    void report_progress(bool finished) {
        if (!ctx_.progress || report_.datasets.empty()) return;
        ShopProgress p;
        p.shop_id = shop_.shop.id;
        p.dataset = current().dataset;
        p.pages = current().pages;
        p.records = current().records;
        p.waited_ms = current().waited_ms;
        p.elapsed_ms = steady_now_ms() - started_ms_;
        p.waiting = waiting_;
        p.finished = finished && datasets_.empty();
        ctx_.progress(p);
    }

    RunContext& ctx_;
    ShopRecord shop_;
    std::shared_ptr<const PluginLibrary> library_;
    ShopReport& report_;
    std::function<void()> on_finished_;
    boost::asio::steady_timer timer_;
    Redactor redactor_;
    std::optional<PluginInstance> instance_;
    std::deque<sdk::Dataset> datasets_;
    std::string account_key_;  // the seller account's budget
    std::string budget_key_;   // the budget of the request in flight: the account's or one of its buckets
    static constexpr std::size_t max_warnings = 20;
    std::vector<std::pair<model::RecordKind, std::string>> pending_;
    std::string committed_cursor_;
    bool checkpointed_this_job_ = false;
    std::uint32_t restarts_ = 0;
    std::uint32_t attempt_ = 0;
    std::int64_t started_ms_ = 0;
    bool waiting_ = false;
};

}  // namespace

std::string plugin_settings_json(const ShopRecord& shop, const std::map<std::string, std::string>& credentials) {
    rapidjson::Document settings;
    json::parse(settings, shop.settings_json, "settings of shop '" + shop.shop.id + "'");
    if (!settings.IsObject()) throw std::invalid_argument("settings of shop '" + shop.shop.id + "' must be a JSON object");
    json::Writer w;
    w.begin_object();
    // Stored settings first; identity and credentials after, so they win.
    for (const auto& m : settings.GetObject()) {
        const std::string_view name(m.name.GetString(), m.name.GetStringLength());
        if (name == "shop" || name == "base_url" || credentials.count(std::string(name))) continue;
        rapidjson::StringBuffer value;
        rapidjson::Writer<rapidjson::StringBuffer> vw(value);
        m.value.Accept(vw);
        w.key(name).raw(std::string_view(value.GetString(), value.GetSize()));
    }
    w.field("base_url", shop.base_url);
    for (const auto& [name, value] : credentials) w.field(name, value);
    w.key("shop").begin_object();
    w.field("id", shop.shop.id).field("platform", shop.shop.platform).field("country", shop.shop.country);
    w.field("currency", shop.shop.currency.code()).field("time_zone", shop.shop.time_zone);
    w.end_object();
    w.end_object();
    return std::string(w.view());
}

std::vector<ShopReport> SyncEngine::run(const std::vector<ShopRecord>& shops, const SyncOptions& options) {
    std::vector<ShopReport> reports(shops.size());
    boost::asio::io_context io;
    net::HttpClient http(io, http_options_);
    net::RateLimiter own_limiter;
    net::RateLimiter& limiter = options.limiter ? *options.limiter : own_limiter;
    RunContext ctx{io, http, limiter, store_, options,
                   std::mt19937_64(options.rng_seed ? options.rng_seed : static_cast<std::uint64_t>(steady_now_ms())),
                   progress_};

    std::vector<std::unique_ptr<ShopRun>> runs(shops.size());
    std::size_t next = 0, running = 0;
    std::function<void()> launch = [&] {
        while (running < std::max<std::uint32_t>(1, options.max_parallel_shops) && next < shops.size()) {
            const std::size_t i = next++;
            reports[i].shop_id = shops[i].shop.id;
            reports[i].platform = shops[i].shop.platform;
            if (options.stop_requested && options.stop_requested->load()) {
                reports[i].stopped = true;
                continue;
            }
            auto library = plugins_.find(shops[i].shop.platform);
            if (!library) {
                reports[i].error = "no loaded plugin for platform '" + shops[i].shop.platform + "' (see `pcgd plugins`)";
                continue;
            }
            ++running;
            runs[i] = std::make_unique<ShopRun>(ctx, shops[i], std::move(library), reports[i], [&, i] {
                // Destroy the finished run once its callback chain has unwound.
                boost::asio::post(io, [&, i] {
                    runs[i].reset();
                    --running;
                    launch();
                });
            });
            runs[i]->start(vault_);
        }
    };
    boost::asio::post(io, launch);
    io.run();
    return reports;
}

}  // namespace pcgd::host

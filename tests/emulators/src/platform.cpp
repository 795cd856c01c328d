#include <algorithm>
#include <chrono>
#include <cmath>
#include <pcgd/emulator/platform.hpp>
#include <stdexcept>

namespace pcgd::emulator {

std::vector<std::string> ModuleOptions::data_items() const {
    std::vector<std::string> items;
    for (std::size_t start = 0;;) {
        const auto comma = data.find(',', start);
        items.push_back(data.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        if (comma == std::string::npos) return items;
        start = comma + 1;
    }
}

PlatformModule::PlatformModule(ShopData& data, ModuleOptions options) : data_(data), options_(std::move(options)) {
    if (!options_.steady_now_ms)
        options_.steady_now_ms = [] {
            return std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::steady_clock::now().time_since_epoch())
                .count();
        };
}

std::string PlatformModule::route_of(const Request& request) const {
    return request.method + " " + request.path;
}

Response PlatformModule::too_many_requests(int retry_after_s) const {
    Response r = Response::json(429, R"({"error":"rate_limited","error_description":"Too many requests"})");
    r.header("Retry-After", std::to_string(retry_after_s));
    return r;
}

Response PlatformModule::server_error(int status) const {
    if (status == 502 || status == 503) {
        // Gateways answer in HTML, not in the API's JSON: clients must not parse it.
        Response r;
        r.status = status;
        r.content_type = "text/html";
        r.body = status == 502 ? "<html><body><h1>502 Bad Gateway</h1></body></html>"
                               : "<html><body><h1>503 Service Unavailable</h1></body></html>";
        if (status == 503) r.header("Retry-After", "1");
        return r;
    }
    return Response::json(status, R"({"error":"internal_error","error_description":"Something went wrong"})");
}

std::string PlatformModule::ground_truth() const {
    json::Writer w;
    w.begin_object();
    write_ground_truth_fields(w, data_);
    w.key("credentials").begin_object();
    write_credentials(w);
    w.end_object();
    w.end_object();
    return std::string(w.view());
}

Registry& Registry::instance() {
    static Registry* registry = [] {
        auto* r = new Registry;  // never destroyed: modules may be created during static teardown in tests
        register_all_platforms(*r);
        return r;
    }();
    return *registry;
}

std::vector<std::string> Registry::names() const {
    std::vector<std::string> out;
    for (const auto& [name, _] : factories_) out.push_back(name);
    return out;
}

std::unique_ptr<PlatformModule> Registry::create(const std::string& name, ShopData& data,
                                                 const ModuleOptions& options) const {
    auto it = factories_.find(name);
    if (it == factories_.end()) {
        std::string known;
        for (const auto& n : names()) known += (known.empty() ? "" : ", ") + n;
        throw std::invalid_argument("--platform: unknown platform '" + name + "' (known: " + known + ")");
    }
    return it->second(data, options);
}

void LeakyBucket::drain(std::int64_t now_ms) {
    if (last_ms_ >= 0 && now_ms > last_ms_)
        level_ = std::max(0.0, level_ - leak_per_s_ * static_cast<double>(now_ms - last_ms_) / 1000.0);
    if (now_ms > last_ms_) last_ms_ = now_ms;
}

bool LeakyBucket::admit(std::int64_t now_ms, int& retry_after_s) {
    drain(now_ms);
    if (level_ + 1.0 <= static_cast<double>(capacity_)) {
        level_ += 1.0;
        return true;
    }
    const double wait_s = leak_per_s_ > 0 ? (level_ + 1.0 - capacity_) / leak_per_s_ : 60.0;
    retry_after_s = std::max(1, static_cast<int>(std::ceil(wait_s)));
    return false;
}

int LeakyBucket::remaining(std::int64_t now_ms) {
    drain(now_ms);
    return std::max(0, static_cast<int>(std::floor(capacity_ - level_)));
}

}  // namespace pcgd::emulator

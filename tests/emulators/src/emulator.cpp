#include <pcgd/emulator/emulator.hpp>

#include <stdexcept>

namespace pcgd::emulator {

Emulator::Emulator(EmulatorOptions options)
    : options_(std::move(options)),
      data_([&] {
          if (!Registry::instance().has(options_.platform)) {
              std::string known;
              for (const auto& n : Registry::instance().names()) known += (known.empty() ? "" : ", ") + n;
              throw std::invalid_argument("--platform: unknown platform '" + options_.platform + "' (known: " + known + ")");
          }
          options_.generator.platform = options_.platform;
          return generate(options_.generator);
      }()),
      module_(Registry::instance().create(options_.platform, data_, options_.module)),
      faults_(options_.faults, options_.generator.seed) {}

void Emulator::count(const std::string& route, const std::string& status) { ++by_route_[route][status]; }

Outcome Emulator::dispatch(const Request& request) {
    ++requests_;
    if (request.path.rfind("/_emulator/", 0) == 0) {
        Outcome o = admin(request);
        count(request.method + " " + request.path, std::to_string(o.response.status));
        return o;
    }
    const std::string route = module_->route_of(request);
    if (!module_->is_data_route(request)) {
        Outcome o{module_->handle(request), Delivery::normal, 0};
        count(route, std::to_string(o.response.status));
        return o;
    }

    const std::uint64_t n = data_requests_++;
    FaultKind fault = faults_.decide(n, route);
    if (fault == FaultKind::expired_token && token_just_expired_.count(route)) fault = FaultKind::none;
    if (fault == FaultKind::expired_token) token_just_expired_.insert(route);
    else token_just_expired_.erase(route);
    Outcome o;
    o.delay_ms = options_.latency_ms;
    switch (fault) {
    case FaultKind::none: o.response = module_->handle(request); break;
    case FaultKind::rate_limit: o.response = module_->too_many_requests(options_.retry_after_s); break;
    case FaultKind::server_error: {
        constexpr int statuses[] = {500, 502, 503};
        o.response = module_->server_error(statuses[faults_.detail(n) % 3]);
        break;
    }
    case FaultKind::slow:
        o.response = module_->handle(request);
        o.delay_ms += options_.slow_ms;
        break;
    case FaultKind::drop: o.delivery = Delivery::drop; break;
    case FaultKind::truncate:
        o.response = module_->handle(request);
        o.delivery = Delivery::truncate;
        break;
    case FaultKind::malformed: {
        o.response = module_->handle(request);
        // A prefix of a JSON document is never valid JSON; the status stays 200.
        std::string& b = o.response.body;
        b = b.size() > 2 ? b.substr(0, b.size() / 2) : std::string("{\"");
        break;
    }
    case FaultKind::expired_token: o.response = module_->expire_token(request); break;
    }
    if (fault != FaultKind::none) ++faults_by_kind_[to_string(fault)];
    count(route, o.delivery == Delivery::drop       ? "dropped"
                 : o.delivery == Delivery::truncate ? "truncated"
                                                    : std::to_string(o.response.status));
    return o;
}

Outcome Emulator::admin(const Request& request) {
    Outcome o;
    if (request.path == "/_emulator/summary" && request.method == "GET") {
        o.response = Response::json(200, summary_json());
    } else if (request.path == "/_emulator/stats" && request.method == "GET") {
        o.response = Response::json(200, stats_json());
    } else if (request.path == "/_emulator/mutate" && request.method == "POST") {
        o.response = Response::json(200, module_->mutate().to_json());
    } else if (request.path == "/_emulator/summary" || request.path == "/_emulator/stats" ||
               request.path == "/_emulator/mutate") {
        o.response = Response::json(405, R"({"error":"method_not_allowed"})");
    } else {
        o.response = Response::json(404, R"({"error":"not_found"})");
    }
    return o;
}

std::string Emulator::stats_json() const {
    json::Writer w;
    w.begin_object();
    w.field("requests", requests_);
    w.field("data_requests", data_requests_);
    w.key("by_route").begin_object();
    for (const auto& [route, statuses] : by_route_) {
        w.key(route).begin_object();
        for (const auto& [status, n] : statuses) w.field(status, n);
        w.end_object();
    }
    w.end_object();
    w.key("faults").begin_object();
    for (FaultKind k : all_fault_kinds()) {
        auto it = faults_by_kind_.find(to_string(k));
        w.field(to_string(k), it == faults_by_kind_.end() ? std::uint64_t{0} : it->second);
    }
    w.end_object();
    w.end_object();
    return std::string(w.view());
}

}  // namespace pcgd::emulator

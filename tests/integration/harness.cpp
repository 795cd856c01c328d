#include "harness.hpp"

#include <cstdlib>
#include <chrono>
#include <csignal>
#include <thread>
#include <fstream>
#include <set>
#include <stdexcept>

#include <boost/asio/io_context.hpp>

#include "net/http_client.hpp"
#include "store/store.hpp"

namespace pcgd::test {

rapidjson::Document parse_json(const std::string& text) {
    rapidjson::Document doc;
    doc.Parse(text.c_str(), text.size());
    if (doc.HasParseError()) throw std::runtime_error("not JSON: " + text.substr(0, 400));
    return doc;
}

HttpResult http(const std::string& method, const std::string& url, const std::string& ca_file) {
    ::setenv("NO_PROXY", "127.0.0.1,localhost", 1);  // loopback never goes through a proxy
    boost::asio::io_context io;
    host::net::HttpClientOptions options;
    options.ca_file = ca_file;
    host::net::HttpClient client(io, options);
    host::net::HttpRequest request;
    request.method = method;
    request.url = url;
    HttpResult result;
    std::string failure;
    host::net::HttpHandlers handlers;
    handlers.on_head = [&](const host::net::HttpResponseHead& head) { result.status = head.status; };
    handlers.on_complete = [&](host::net::TransportError error, std::string detail, std::string body) {
        if (error != host::net::TransportError::none) failure = std::string(host::net::to_string(error)) + ": " + detail;
        result.body = std::move(body);
    };
    client.perform(request, std::move(handlers));
    io.run();
    if (!failure.empty()) throw std::runtime_error(method + " " + url + ": " + failure);
    return result;
}

Emulator::Emulator(Options options) : options_(std::move(options)) {
    std::vector<std::string> argv = {PCGD_EMULATOR_BIN, "--platform", options_.platform, "--port", "0",
                                     "--seed", std::to_string(options_.seed), "--products", std::to_string(options_.products),
                                     "--orders", std::to_string(options_.orders), "--country", options_.country};
    if (options_.tls) {
        argv.insert(argv.end(), {"--tls-cert", std::string(PCGD_TEST_TLS_DIR) + "/server.pem", "--tls-key",
                                 std::string(PCGD_TEST_TLS_DIR) + "/server.key"});
    }
    argv.insert(argv.end(), options_.extra.begin(), options_.extra.end());
    process_ = std::make_unique<Subprocess>(argv);
    const std::string line = process_->read_line();
    const std::string prefix = "listening on ";
    if (line.rfind(prefix, 0) != 0) throw std::runtime_error("unexpected first line from the emulator: " + line);
    base_url_ = line.substr(prefix.size());
}

rapidjson::Document Emulator::summary() const {
    auto r = http("GET", base_url_ + "/_emulator/summary", options_.tls ? std::string(PCGD_TEST_TLS_DIR) + "/ca.pem" : "");
    if (r.status != 200) throw std::runtime_error("summary: HTTP " + std::to_string(r.status));
    return parse_json(r.body);
}

void Emulator::mutate() const {
    auto r = http("POST", base_url_ + "/_emulator/mutate", options_.tls ? std::string(PCGD_TEST_TLS_DIR) + "/ca.pem" : "");
    if (r.status != 200) throw std::runtime_error("mutate: HTTP " + std::to_string(r.status) + " " + r.body);
}

rapidjson::Document Emulator::stats() const {
    auto r = http("GET", base_url_ + "/_emulator/stats", options_.tls ? std::string(PCGD_TEST_TLS_DIR) + "/ca.pem" : "");
    return parse_json(r.body);
}

Pcgd::Pcgd() : store_(dir_ / "pcgd.db"), config_(dir_ / "pcgd.toml") {
    std::ofstream(config_) << "[store]\npath = \"pcgd.db\"\n[plugins]\ndir = \"" << PCGD_PLUGIN_DIR
                           << "\"\n[secrets]\nkey_file = \"secret.key\"\n[http]\nca_file = \"" << PCGD_TEST_TLS_DIR
                           << "/ca.pem\"\ntimeout_ms = 20000\n[sync]\nmax_attempts = 12\n";
}

// Loopback traffic must never go through a proxy from the environment.
std::map<std::string, std::string> Pcgd::env() const {
    return {{"HOME", dir_.path()}, {"NO_PROXY", "127.0.0.1,localhost"}, {"no_proxy", "127.0.0.1,localhost"}};
}

std::vector<std::string> Pcgd::command(std::vector<std::string> args) const {
    std::vector<std::string> argv = {PCGD_BIN, "--config", config_};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
}

RunResult Pcgd::operator()(std::vector<std::string> args, std::map<std::string, std::string> env) const {
    auto e = this->env();
    e.insert(env.begin(), env.end());
    return run(command(std::move(args)), e);
}

std::unique_ptr<Subprocess> Pcgd::start(std::vector<std::string> args) const {
    return std::make_unique<Subprocess>(command(std::move(args)), env());
}

void Pcgd::add_testshop(const std::string& id, const Emulator& emulator, const std::string& country) const {
    auto r = (*this)({"shop", "add", "--id", id, "--platform", "testshop", "--base-url", emulator.base_url(), "--country",
                      country, "--setting", "client_id=pcgd-test-client", "--credential", "client_secret=pcgd-test-secret"});
    if (r.exit_code != 0) throw std::runtime_error("shop add failed: " + r.err);
}

std::vector<rapidjson::Document> Pcgd::export_jsonl(const std::string& table, const std::string& shop) const {
    std::vector<std::string> args = {"export", table, "--format", "jsonl"};
    if (!shop.empty()) args.insert(args.end(), {"--shop", shop});
    auto r = (*this)(args);
    if (r.exit_code != 0) throw std::runtime_error("export failed: " + r.err);
    std::vector<rapidjson::Document> rows;
    std::size_t start = 0;
    while (start < r.out.size()) {
        const auto end = r.out.find('\n', start);
        rows.push_back(parse_json(r.out.substr(start, end - start)));
        start = end + 1;
    }
    return rows;
}

Emulator::Options emulated(std::string platform, std::string country, int seed, int products, int orders,
                           std::vector<std::string> extra, bool tls) {
    Emulator::Options o;
    o.platform = std::move(platform);
    o.country = std::move(country);
    o.seed = seed;
    o.products = products;
    o.orders = orders;
    o.extra = std::move(extra);
    o.tls = tls;
    return o;
}

rapidjson::Document sync_json(const Pcgd& pcgd, const std::vector<std::string>& extra) {
    std::vector<std::string> args = {"sync", "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = pcgd(args);
    if (r.exit_code != 0)
        throw std::runtime_error("pcgd sync exited " + std::to_string(r.exit_code) + ":\n" + r.out + r.err);
    return parse_json(r.out);
}

std::int64_t sum_field(const rapidjson::Document& report, const char* field) {
    std::int64_t n = 0;
    for (const auto& shop : report.GetArray())
        for (const auto& d : shop["datasets"].GetArray()) n += d[field].GetInt64();
    return n;
}

const rapidjson::Value& shop_entry(const rapidjson::Document& shops, const std::string& id) {
    for (const auto& s : shops.GetArray())
        if (id == s["id"].GetString()) return s;
    throw std::runtime_error("shop " + id + " not listed");
}

std::string ground_truth_differences(const Pcgd& pcgd, const std::string& shop, const Emulator& emulator) {
    return ground_truth_differences(pcgd, shop, emulator.summary());
}

std::string ground_truth_differences(const Pcgd& pcgd, const std::string& shop, const rapidjson::Value& truth) {
    const auto list = pcgd({"shop", "list", "--json"});
    if (list.exit_code != 0) return "pcgd shop list failed: " + list.err;
    const auto shops = parse_json(list.out);
    std::string differences;
    const auto differ = [&](const std::string& what, std::int64_t stored, std::int64_t expected) {
        if (stored != expected)
            differences += shop + " " + what + ": " + std::to_string(stored) + " stored, " + std::to_string(expected) + " expected\n";
    };
    const auto& counts = shop_entry(shops, shop)["counts"];
    for (const char* k : {"products", "variants", "orders", "order_lines", "refunds", "traffic"})
        differ(k, counts[k].GetInt64(), truth["counts"][k].GetInt64());

    std::map<std::string, std::int64_t> totals;
    std::set<std::string> ids;
    const auto orders = pcgd.export_jsonl("orders", shop);
    for (const auto& o : orders) {
        totals[o["total"]["currency"].GetString()] += o["total"]["minor"].GetInt64();
        ids.insert(o["id"].GetString());
    }
    differ("distinct order ids", static_cast<std::int64_t>(ids.size()), static_cast<std::int64_t>(orders.size()));
    std::map<std::string, std::int64_t> expected;
    for (const auto& m : truth["order_totals"].GetObject()) expected[m.name.GetString()] = m.value.GetInt64();
    for (const auto& [currency, minor] : expected) differ("order total in " + currency, totals[currency], minor);
    for (const auto& [currency, minor] : totals)
        if (!expected.count(currency)) differ("order total in " + currency, minor, 0);
    return differences;
}

std::int64_t kill_orders_sync_after(const Pcgd& pcgd, const std::string& shop, std::int64_t orders_at_least) {
    auto sync = pcgd.start({"sync", "--dataset", "orders"});
    const auto orders = [&] { return host::open_sqlite_store(pcgd.store_path())->counts(std::string_view(shop)).orders; };
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (orders() < orders_at_least) {
        if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("the sync made no progress");
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    sync->kill(SIGKILL);
    if (sync->wait() != 128 + SIGKILL) throw std::runtime_error("the sync did not die of SIGKILL");
    return orders();
}

}  // namespace pcgd::test

#include "harness.hpp"

#include <fstream>
#include <stdexcept>

#include <boost/asio/io_context.hpp>

#include "net/http_client.hpp"

namespace pcgd::test {

rapidjson::Document parse_json(const std::string& text) {
    rapidjson::Document doc;
    doc.Parse(text.c_str(), text.size());
    if (doc.HasParseError()) throw std::runtime_error("not JSON: " + text.substr(0, 400));
    return doc;
}

HttpResult http(const std::string& method, const std::string& url, const std::string& ca_file) {
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

std::map<std::string, std::string> Pcgd::env() const { return {{"HOME", dir_.path()}}; }

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

}  // namespace pcgd::test

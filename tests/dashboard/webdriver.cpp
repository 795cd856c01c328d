#include "webdriver.hpp"

#include <curl/curl.h>
#include <netinet/in.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <stdexcept>
#include <thread>

namespace pcgd::test {

namespace {

constexpr const char* chromedriver_path = "/usr/bin/chromedriver";
constexpr const char* chromium_path = "/usr/bin/chromium";
constexpr const char* element_key = "element-6066-11e4-a52e-4f735466cecf";  // W3C WebDriver's element reference

std::size_t append(char* data, std::size_t size, std::size_t count, void* out) {
    static_cast<std::string*>(out)->append(data, size * count);
    return size * count;
}

/// A port free now on 127.0.0.1 (chromedriver cannot pick one and say which).
unsigned short free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) throw std::runtime_error("socket() failed");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        ::close(fd);
        throw std::runtime_error("cannot find a free loopback port");
    }
    ::close(fd);
    return ntohs(addr.sin_port);
}

std::string quoted(const std::string& s) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    w.String(s.c_str(), static_cast<rapidjson::SizeType>(s.size()));
    return buffer.GetString();
}

std::string to_json(const rapidjson::Value& v) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    v.Accept(w);
    return buffer.GetString();
}

}  // namespace

WebResult web_request(const std::string& method, const std::string& url, const std::string& body,
                      const std::string& bearer_token) {
    CURL* curl = curl_easy_init();
    if (!curl) throw std::runtime_error("curl_easy_init failed");
    WebResult result;
    curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json; charset=utf-8");
    if (!bearer_token.empty()) headers = curl_slist_append(headers, ("Authorization: Bearer " + bearer_token).c_str());
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
    curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");  // loopback only
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 60000L);
    if (method == "POST" || !body.empty()) {  // a PATCH carries a body too
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    }
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &result.body);
    const CURLcode code = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result.status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    if (code != CURLE_OK) throw std::runtime_error(method + " " + url + ": " + curl_easy_strerror(code));
    return result;
}

WebDriver::WebDriver() {
    if (!std::filesystem::exists(chromedriver_path))
        throw std::runtime_error(
            std::string(chromedriver_path) +
            " not found: install Debian's chromium-driver package (apt-get install chromium-driver; "
            ".ci/setup lists it)");
    if (!std::filesystem::exists(chromium_path))
        throw std::runtime_error(std::string(chromium_path) + " not found: install Debian's chromium package");
    // The port is free when picked but may be taken before chromedriver binds
    // it (tests run in parallel): a driver that never answers is replaced.
    for (int attempt = 1;; ++attempt) {
        const unsigned short port = free_port();
        base_url_ = "http://127.0.0.1:" + std::to_string(port);
        driver_ = std::make_unique<Subprocess>(
            std::vector<std::string>{chromedriver_path, "--port=" + std::to_string(port), "--silent"});
        if (driver_ready(std::chrono::seconds(15))) break;
        ::kill(-driver_->pid(), SIGTERM);
        driver_.reset();
        if (attempt == 3) throw std::runtime_error("chromedriver did not become ready in 3 attempts of 15 s");
    }
    const std::string capabilities =
        R"({"capabilities":{"alwaysMatch":{"browserName":"chrome","goog:loggingPrefs":{"browser":"ALL"},"goog:chromeOptions":{"binary":)" +
        quoted(chromium_path) + R"(,"args":["--headless=new","--no-sandbox","--disable-gpu","--lang=en-GB",)" +
        R"("--window-size=1280,1000","--no-first-run","--user-data-dir=)" + profile_.path() + R"("]}}}})";
    try {
        const auto session = command("POST", "/session", capabilities);
        if (!session.IsObject() || !session.HasMember("sessionId") || !session["sessionId"].IsString())
            throw std::runtime_error("chromedriver answered a new session without its id");
        session_ = session["sessionId"].GetString();
    } catch (...) {
        ::kill(-driver_->pid(), SIGTERM);  // and any Chromium it started
        throw;
    }
}

WebDriver::~WebDriver() {
    if (!session_.empty()) {
        try {
            command("DELETE", "/session/" + session_);
        } catch (const std::exception&) {
            // chromedriver's end below takes Chromium with it
        }
    }
    // chromedriver leads its own process group (Subprocess): Chromium is in
    // it too unless the session ended, so the whole group is stopped.
    if (driver_) ::kill(-driver_->pid(), SIGTERM);
    driver_.reset();
}

bool WebDriver::driver_ready(std::chrono::milliseconds timeout) {
    // Until it listens, connecting fails; then /status says when it is ready.
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        try {
            const auto r = web_request("GET", base_url_ + "/status");
            rapidjson::Document d;
            d.Parse(r.body.c_str());
            if (r.status == 200 && !d.HasParseError() && d.IsObject() && d.HasMember("value") &&
                d["value"].IsObject() && d["value"].HasMember("ready") && d["value"]["ready"].IsTrue())
                return true;
        } catch (const std::runtime_error&) {
            // not listening yet
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
}

rapidjson::Document WebDriver::command(const std::string& method, const std::string& path, const std::string& body) {
    const auto r = web_request(method, base_url_ + path, method == "POST" && body.empty() ? "{}" : body);
    rapidjson::Document d;
    d.Parse(r.body.c_str());
    if (d.HasParseError() || !d.IsObject() || !d.HasMember("value"))
        throw std::runtime_error(method + " " + path + ": not a WebDriver answer: " + r.body.substr(0, 300));
    if (r.status != 200) {
        const auto& v = d["value"];
        const std::string error = v.IsObject() && v.HasMember("error") ? v["error"].GetString() : "?";
        const std::string message = v.IsObject() && v.HasMember("message") ? v["message"].GetString() : r.body;
        throw std::runtime_error(method + " " + path + ": " + error + ": " + message.substr(0, 500));
    }
    rapidjson::Document out;
    out.CopyFrom(d["value"], out.GetAllocator());
    return out;
}

void WebDriver::navigate(const std::string& url) {
    command("POST", "/session/" + session_ + "/url", R"({"url":)" + quoted(url) + "}");
}

rapidjson::Document WebDriver::execute(const std::string& body, const std::string& args_json) {
    return command("POST", "/session/" + session_ + "/execute/sync",
                   R"({"script":)" + quoted(body) + R"(,"args":)" + args_json + "}");
}

std::string WebDriver::eval_string(const std::string& expression) {
    const auto v = execute("return " + expression + ";");
    if (!v.IsString()) throw std::runtime_error(expression + " is not a string: " + to_json(v));
    return v.GetString();
}

std::string WebDriver::find(const std::string& css) {
    const auto v =
        command("POST", "/session/" + session_ + "/element", R"({"using":"css selector","value":)" + quoted(css) + "}");
    if (!v.IsObject() || !v.HasMember(element_key) || !v[element_key].IsString())
        throw std::runtime_error("find " + css + ": not an element reference");
    return v[element_key].GetString();
}

void WebDriver::click(const std::string& element) {
    command("POST", "/session/" + session_ + "/element/" + element + "/click", "{}");
}

void WebDriver::type(const std::string& element, const std::string& text) {
    command("POST", "/session/" + session_ + "/element/" + element + "/value", R"({"text":)" + quoted(text) + "}");
}

std::vector<std::string> WebDriver::browser_errors() {
    // chromedriver's log endpoint (not W3C, but Chromium's console has no
    // W3C one): script errors and Content-Security-Policy violations are SEVERE.
    const auto entries = command("POST", "/session/" + session_ + "/se/log", R"({"type":"browser"})");
    std::vector<std::string> out;
    if (!entries.IsArray()) return {"the browser log is not a list: " + to_json(entries)};
    for (const auto& e : entries.GetArray())
        if (e.IsObject() && e.HasMember("level") && e["level"] == "SEVERE")
            out.push_back(e.HasMember("message") && e["message"].IsString() ? e["message"].GetString() : to_json(e));
    return out;
}

void WebDriver::wait_until(const std::string& condition, const std::string& what, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const auto v = execute("return Boolean(" + condition + ");");
        if (v.IsBool() && v.GetBool()) return;
        if (std::chrono::steady_clock::now() > deadline) {
            const auto page = execute("return document.body ? document.body.innerText.slice(0, 1500) : '';");
            throw std::runtime_error("timed out waiting for " + what + " (" + condition + "); the page shows:\n" +
                                     (page.IsString() ? page.GetString() : ""));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

}  // namespace pcgd::test

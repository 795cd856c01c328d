// A small W3C WebDriver client for the dashboard's browser test: Debian's
// chromedriver (package chromium-driver) driving a headless Chromium, JSON
// over HTTP on loopback (libcurl, RapidJSON). Only what the test needs.
#pragma once

#include <rapidjson/document.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "subprocess.hpp"

namespace pcgd::test {

/// One HTTP exchange on loopback with an optional bearer token; throws on a
/// transport error.
struct WebResult {
    long status = 0;
    std::string body;
};
WebResult web_request(const std::string& method, const std::string& url, const std::string& body = {},
                      const std::string& bearer_token = {});

class WebDriver {
public:
    /// Starts chromedriver on a free loopback port and one headless Chromium
    /// session with a scratch profile. Throws, naming the package to install,
    /// when chromedriver or chromium is missing.
    WebDriver();
    /// Ends the session (Chromium quits) and stops chromedriver.
    ~WebDriver();
    WebDriver(const WebDriver&) = delete;
    WebDriver& operator=(const WebDriver&) = delete;

    void navigate(const std::string& url);
    /// Runs `body` as a function's body with `args_json` (a JSON array) as its
    /// arguments; its return value as JSON.
    rapidjson::Document execute(const std::string& body, const std::string& args_json = "[]");
    /// The result of `expression` (JavaScript) as a string; throws when it is not one.
    std::string eval_string(const std::string& expression);

    /// The first element matching `css`, as a WebDriver element id; throws when none.
    std::string find(const std::string& css);
    void click(const std::string& element);
    void type(const std::string& element, const std::string& text);

    /// The browser console's errors since the last call (script errors,
    /// Content-Security-Policy violations, failed loads).
    std::vector<std::string> browser_errors();

    /// Polls `condition` (a JavaScript expression) until it is true; throws
    /// with `what` and the page's state when it is not within `timeout`.
    void wait_until(const std::string& condition, const std::string& what,
                    std::chrono::milliseconds timeout = std::chrono::seconds(30));

private:
    bool driver_ready(std::chrono::milliseconds timeout);
    rapidjson::Document command(const std::string& method, const std::string& path, const std::string& body = {});

    TempDir profile_;
    std::unique_ptr<Subprocess> driver_;
    std::string base_url_, session_;
};

}  // namespace pcgd::test

// libcurl's multi interface driven by Boost.Asio. curl tells us which sockets
// to watch (CURLMOPT_SOCKETFUNCTION) and when to wake it (CURLMOPT_TIMERFUNCTION);
// Asio waits for readiness on the io_context's thread and hands each event
// back to curl_multi_socket_action. curl owns every socket: our descriptors
// only watch them and are released, never closed.
//
// Reentrancy rules (see also http_client.hpp):
// - on_head/on_chunk may run inside curl (from its write callback). From
//   there, perform() is deferred to a posted handler, because curl refuses
//   multi calls from its own callbacks; destroying the client there is not
//   allowed.
// - on_complete always runs outside curl, after the client's bookkeeping for
//   that exchange is done; it may perform() again or destroy the client.
// - Every Asio handler holds a weak "alive" token and does nothing once the
//   client is gone, so queued handlers never touch freed memory.

#include "net/http_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cctype>
#include <chrono>
#include <exception>
#include <map>
#include <stdexcept>
#include <unordered_map>

namespace pcgd::host::net {

const char* to_string(TransportError e) noexcept {
    switch (e) {
    case TransportError::none: return "none";
    case TransportError::connect: return "connect";
    case TransportError::tls: return "tls";
    case TransportError::timeout: return "timeout";
    case TransportError::truncated: return "truncated";
    case TransportError::too_large: return "too_large";
    case TransportError::aborted: return "aborted";
    case TransportError::other: return "other";
    }
    return "unknown";
}

namespace {

bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) {
            return false;
        }
    }
    return true;
}

}  // namespace

std::optional<std::string_view> HttpResponseHead::header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (iequals(key, name)) return std::string_view(value);
    }
    return std::nullopt;
}

namespace {

namespace asio = boost::asio;

#ifndef CURL_WRITEFUNC_ERROR
#define CURL_WRITEFUNC_ERROR 0xFFFFFFFF
#endif

void init_curl_once() {
    // curl_global_init is not thread-safe on every build; a function-local
    // static is. Never cleaned up: other code in the process may still use curl.
    static const bool ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
    if (!ok) throw std::runtime_error("curl_global_init failed");
}

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
        s.remove_suffix(1);
    }
    return s;
}

bool is_token_char(char c) noexcept {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u)) return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view s) noexcept {
    return !s.empty() && std::all_of(s.begin(), s.end(), is_token_char);
}

// A CR, LF or NUL in a header would let a plugin smuggle extra headers or a
// second request past curl.
bool is_safe_value(std::string_view s) noexcept {
    return s.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

TransportError classify(CURLcode code) noexcept {
    switch (code) {
    case CURLE_OK: return TransportError::none;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY: return TransportError::connect;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CLIENTCERT:
    case CURLE_USE_SSL_FAILED: return TransportError::tls;
    case CURLE_OPERATION_TIMEDOUT: return TransportError::timeout;
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_HTTP2_STREAM: return TransportError::truncated;
    case CURLE_ABORTED_BY_CALLBACK: return TransportError::aborted;
    default: return TransportError::other;
    }
}

}  // namespace

struct HttpClient::Impl {
    struct Transfer {
        std::uint64_t serial = 0;
        CURL* easy = nullptr;
        curl_slist* header_list = nullptr;
        bool added = false;  // inside the multi handle
        HttpRequest request;
        HttpHandlers handlers;
        HttpResponseHead head;
        bool head_complete = false;   // blank line after the latest status line seen
        bool head_delivered = false;  // on_head called
        TransportError failure = TransportError::none;  // decided by us, overrides curl's code
        std::string failure_detail;
        std::string body;
        char error_buffer[CURL_ERROR_SIZE] = {};
        Impl* impl = nullptr;

        Transfer() = default;
        Transfer(const Transfer&) = delete;
        Transfer& operator=(const Transfer&) = delete;
        ~Transfer() {
            if (easy != nullptr) curl_easy_cleanup(easy);
            if (header_list != nullptr) curl_slist_free_all(header_list);
        }
    };

    struct Socket {
        Socket(asio::io_context& io, curl_socket_t fd_, std::uint64_t generation_)
            : descriptor(io, fd_), fd(fd_), generation(generation_) {}
        ~Socket() {
            // curl closes its own sockets; closing here too would close
            // whatever socket next reuses the number. release() also takes
            // the fd out of epoll and cancels our pending waits.
            if (descriptor.is_open()) descriptor.release();
        }
        asio::posix::stream_descriptor descriptor;
        curl_socket_t fd;
        std::uint64_t generation;  // tells a handler for a recycled fd number from a live one
        int wanted = 0;            // CURL_POLL_*
        bool read_armed = false;
        bool write_armed = false;
    };

    using Token = std::weak_ptr<int>;

    Impl(asio::io_context& io_, HttpClientOptions options_) : io(io_), options(std::move(options_)), timer(io_) {
        init_curl_once();
        multi = curl_multi_init();
        if (multi == nullptr) throw std::runtime_error("curl_multi_init failed");
        curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, &Impl::on_socket);
        curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, this);
        curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, &Impl::on_timer);
        curl_multi_setopt(multi, CURLMOPT_TIMERDATA, this);
    }

    ~Impl() { shutdown(); }

    Token token() const { return alive; }

    // ---- exchanges ----------------------------------------------------------

    void perform(HttpRequest request, HttpHandlers handlers) {
        if (closing) {
            // perform() from an on_complete run by the destructor.
            if (handlers.on_complete) handlers.on_complete(TransportError::aborted, "client destroyed", {});
            return;
        }
        auto owned = std::make_unique<Transfer>();
        Transfer& t = *owned;
        t.serial = ++next_serial;
        t.impl = this;
        t.request = std::move(request);
        t.handlers = std::move(handlers);
        transfers.emplace(t.serial, std::move(owned));

        std::string problem;
        try {
            problem = configure(t);
        } catch (...) {
            transfers.erase(t.serial);
            throw;
        }
        if (!problem.empty()) {
            fail_later(t, TransportError::other, std::move(problem));
            return;
        }
        if (in_curl > 0) {
            // curl answers CURLM_RECURSIVE_API_CALL from inside its callbacks.
            post_guarded([this] { add_pending(); });
            return;
        }
        add(t);
    }

    void add_pending() {
        std::vector<Transfer*> pending;
        for (auto& [serial, t] : transfers) {
            if (!t->added && t->easy != nullptr && t->failure == TransportError::none) pending.push_back(t.get());
        }
        for (Transfer* t : pending) add(*t);
    }

    void add(Transfer& t) {
        const CURLMcode rc = curl_multi_add_handle(multi, t.easy);
        if (rc != CURLM_OK) {
            fail_later(t, TransportError::other, curl_multi_strerror(rc));
            return;
        }
        t.added = true;
    }

    // Completes an exchange that never reached curl, from a fresh handler so
    // on_complete never runs inside perform().
    void fail_later(Transfer& t, TransportError error, std::string detail) {
        t.failure = error;
        t.failure_detail = std::move(detail);
        const std::uint64_t serial = t.serial;
        post_guarded([this, serial] {
            auto node = transfers.extract(serial);
            if (node.empty()) return;
            std::unique_ptr<Transfer> done = std::move(node.mapped());
            HttpHandlers handlers = std::move(done->handlers);
            const TransportError error = done->failure;
            std::string detail = std::move(done->failure_detail);
            done.reset();
            if (handlers.on_complete) handlers.on_complete(error, std::move(detail), {});
        });
    }

    template <class F>
    void post_guarded(F f) {
        asio::post(io, [token = token(), f = std::move(f)]() mutable {
            if (token.expired()) return;
            f();
        });
    }

    // Returns an error message, empty when the easy handle is ready.
    std::string configure(Transfer& t) {
        const HttpRequest& r = t.request;
        if (!is_token(r.method)) return "invalid method";
        bool has_content_type = false;
        bool has_expect = false;
        for (const auto& [name, value] : r.headers) {
            if (!is_token(name) || !is_safe_value(value)) return "invalid header: " + name;
            has_content_type = has_content_type || iequals(name, "Content-Type");
            has_expect = has_expect || iequals(name, "Expect");
            // curl sends "Name;" as a header with an empty value; "Name:" would remove it.
            const std::string line = value.empty() ? name + ";" : name + ": " + value;
            curl_slist* grown = curl_slist_append(t.header_list, line.c_str());
            if (grown == nullptr) return "out of memory";
            t.header_list = grown;
        }
        if (r.url.find('\0') != std::string::npos) return "invalid url";

        t.easy = curl_easy_init();
        if (t.easy == nullptr) return "curl_easy_init failed";
        CURL* e = t.easy;
        bool ok = true;
        auto set = [&](CURLoption option, auto value) { ok = ok && curl_easy_setopt(e, option, value) == CURLE_OK; };

        set(CURLOPT_PRIVATE, static_cast<void*>(&t));
        set(CURLOPT_URL, r.url.c_str());
        set(CURLOPT_NOSIGNAL, 1L);
        set(CURLOPT_ERRORBUFFER, t.error_buffer);
        set(CURLOPT_PROTOCOLS_STR, "http,https");
        // Redirects: up to 5, for downloads served from a CDN or a pre-signed
        // URL. curl does not forward our Authorization/Cookie headers to
        // another host, and an https exchange may not be redirected to http.
        const bool is_https = r.url.size() >= 8 && iequals(std::string_view(r.url).substr(0, 8), "https://");
        set(CURLOPT_REDIR_PROTOCOLS_STR, is_https ? "https" : "http,https");
        set(CURLOPT_FOLLOWLOCATION, 1L);
        set(CURLOPT_MAXREDIRS, 5L);
        // Verification is not an option: there is deliberately no way to turn it off.
        set(CURLOPT_SSL_VERIFYPEER, 1L);
        set(CURLOPT_SSL_VERIFYHOST, 2L);
        set(CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
        if (!options.ca_file.empty()) set(CURLOPT_CAINFO, options.ca_file.c_str());
        set(CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout_ms));
        // A streamed download (a bulk export, a report) may rightly take longer
        // than any fixed bound: unless the plugin set one, only a stall (the
        // low-speed limit below) ends it.
        const std::uint32_t timeout_ms = r.timeout_ms != 0 ? r.timeout_ms : r.stream_body ? 0 : options.default_timeout_ms;
        set(CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_ms));
        if (options.low_speed_timeout_ms > 0) {
            set(CURLOPT_LOW_SPEED_LIMIT, 1L);
            set(CURLOPT_LOW_SPEED_TIME, static_cast<long>((options.low_speed_timeout_ms + 999) / 1000));
        }
        set(CURLOPT_ACCEPT_ENCODING, "");  // every encoding curl can decode
        set(CURLOPT_TCP_KEEPALIVE, 1L);
        set(CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);  // a proxy's CONNECT reply is not the response
        if (!options.user_agent.empty()) set(CURLOPT_USERAGENT, options.user_agent.c_str());
        set(CURLOPT_HEADERFUNCTION, &Impl::on_header);
        set(CURLOPT_HEADERDATA, static_cast<void*>(&t));
        set(CURLOPT_WRITEFUNCTION, &Impl::on_write);
        set(CURLOPT_WRITEDATA, static_cast<void*>(&t));

        const bool sends_body = !r.body.empty() || r.method == "POST" || r.method == "PUT" || r.method == "PATCH";
        if (r.method == "HEAD") {
            set(CURLOPT_NOBODY, 1L);
        } else if (r.method == "GET" && r.body.empty()) {
            set(CURLOPT_HTTPGET, 1L);
        } else {
            if (r.method != "POST") set(CURLOPT_CUSTOMREQUEST, r.method.c_str());
            if (sends_body) {
                set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
                set(CURLOPT_POSTFIELDS, r.body.data());  // not copied: the Transfer owns the body
            }
        }
        if (sends_body) {
            auto append = [&](const char* line) {
                curl_slist* grown = curl_slist_append(t.header_list, line);
                ok = ok && grown != nullptr;
                if (grown != nullptr) t.header_list = grown;
            };
            // curl would otherwise claim a form body, and wait up to a second
            // for "100 Continue" before sending a large one.
            if (!has_content_type) append("Content-Type:");
            if (!has_expect) append("Expect:");
        }
        if (t.header_list != nullptr) set(CURLOPT_HTTPHEADER, t.header_list);
        return ok ? std::string() : std::string("curl_easy_setopt failed");
    }

    // ---- curl callbacks -----------------------------------------------------

    static size_t on_header(char* data, size_t size, size_t count, void* userp) noexcept {
        auto& t = *static_cast<Transfer*>(userp);
        const size_t bytes = size * count;
        if (t.head_delivered) return bytes;  // trailers after a chunked body
        try {
            std::string_view line = trim(std::string_view(data, bytes));
            if (line.size() >= 5 && line.substr(0, 5) == "HTTP/") {
                // Each interim (1xx) or redirect response starts a new head;
                // only the last one is the response.
                t.head = HttpResponseHead{};
                t.head_complete = false;
                const auto space = line.find(' ');
                int status = 0;
                for (std::size_t i = space == std::string_view::npos ? line.size() : space + 1;
                     i < line.size() && std::isdigit(static_cast<unsigned char>(line[i])) && status < 1000; ++i) {
                    status = status * 10 + (line[i] - '0');
                }
                t.head.status = status;
            } else if (line.empty()) {
                t.head_complete = true;
            } else if (data[0] == ' ' || data[0] == '\t') {
                if (!t.head.headers.empty()) {  // obsolete line folding
                    t.head.headers.back().second += ' ';
                    t.head.headers.back().second += line;
                }
            } else {
                const auto colon = line.find(':');
                if (colon != std::string_view::npos) {
                    t.head.headers.emplace_back(std::string(trim(line.substr(0, colon))),
                                                std::string(trim(line.substr(colon + 1))));
                }
            }
            return bytes;
        } catch (...) {
            t.failure = TransportError::other;
            t.failure_detail = "out of memory reading headers";
            return CURL_WRITEFUNC_ERROR;
        }
    }

    static size_t on_write(char* data, size_t size, size_t count, void* userp) noexcept {
        auto& t = *static_cast<Transfer*>(userp);
        return t.impl->write(t, data, size * count);
    }

    size_t write(Transfer& t, const char* data, size_t bytes) noexcept {
        try {
            if (!t.head_delivered) {
                t.head_delivered = true;
                if (t.handlers.on_head) t.handlers.on_head(t.head);
            }
            if (!t.request.stream_body) {
                if (bytes > options.max_buffered_body_bytes - std::min(t.body.size(), options.max_buffered_body_bytes)) {
                    t.failure = TransportError::too_large;
                    t.failure_detail = "body over " + std::to_string(options.max_buffered_body_bytes) + " bytes";
                    return CURL_WRITEFUNC_ERROR;
                }
                t.body.append(data, bytes);
                return bytes;
            }
            const size_t max_chunk = options.max_chunk_bytes == 0 ? bytes : options.max_chunk_bytes;
            for (size_t offset = 0; offset < bytes; offset += max_chunk) {
                const size_t n = std::min(max_chunk, bytes - offset);
                if (t.handlers.on_chunk && !t.handlers.on_chunk(std::string_view(data + offset, n))) {
                    t.failure = TransportError::aborted;
                    t.failure_detail = "aborted by the chunk handler";
                    return CURL_WRITEFUNC_ERROR;
                }
            }
            return bytes;
        } catch (const std::exception& e) {
            // An exception must not unwind through curl's C frames.
            t.failure = TransportError::other;
            t.failure_detail = std::string("handler threw: ") + e.what();
        } catch (...) {
            t.failure = TransportError::other;
            t.failure_detail = "handler threw";
        }
        return CURL_WRITEFUNC_ERROR;
    }

    static int on_socket(CURL*, curl_socket_t fd, int what, void* userp, void*) noexcept {
        auto& self = *static_cast<Impl*>(userp);
        if (what == CURL_POLL_REMOVE) {
            self.sockets.erase(fd);  // ~Socket releases, curl closes the fd next
            return 0;
        }
        try {
            auto& slot = self.sockets[fd];
            if (!slot) slot = std::make_unique<Socket>(self.io, fd, ++self.next_generation);
            slot->wanted = what;
            if (!self.closing) self.arm(*slot);
            return 0;
        } catch (...) {
            self.sockets.erase(fd);
            return -1;  // fails the multi handle's current action rather than hanging
        }
    }

    static int on_timer(CURLM*, long timeout_ms, void* userp) noexcept {
        auto& self = *static_cast<Impl*>(userp);
        try {
            if (timeout_ms < 0 || self.closing) {
                self.timer.cancel();
                return 0;
            }
            // Never call curl from here: it is inside curl. Zero means "soon".
            self.timer.expires_after(std::chrono::milliseconds(timeout_ms));
            self.timer.async_wait([&self, token = self.token()](const boost::system::error_code& ec) {
                if (token.expired() || ec == asio::error::operation_aborted) return;
                self.socket_action(CURL_SOCKET_TIMEOUT, 0);
            });
            return 0;
        } catch (...) {
            return -1;
        }
    }

    // ---- event loop glue ----------------------------------------------------

    void arm(Socket& s) {
        if ((s.wanted & CURL_POLL_IN) != 0 && !s.read_armed) {
            s.read_armed = true;
            s.descriptor.async_wait(asio::posix::descriptor_base::wait_read,
                                    [this, token = token(), fd = s.fd, gen = s.generation](const boost::system::error_code& ec) {
                                        if (!token.expired()) on_ready(fd, gen, CURL_POLL_IN, ec);
                                    });
        }
        if ((s.wanted & CURL_POLL_OUT) != 0 && !s.write_armed) {
            s.write_armed = true;
            s.descriptor.async_wait(asio::posix::descriptor_base::wait_write,
                                    [this, token = token(), fd = s.fd, gen = s.generation](const boost::system::error_code& ec) {
                                        if (!token.expired()) on_ready(fd, gen, CURL_POLL_OUT, ec);
                                    });
        }
    }

    Socket* find_socket(curl_socket_t fd, std::uint64_t generation) {
        const auto it = sockets.find(fd);
        return it != sockets.end() && it->second->generation == generation ? it->second.get() : nullptr;
    }

    void on_ready(curl_socket_t fd, std::uint64_t generation, int direction, const boost::system::error_code& ec) {
        Socket* s = find_socket(fd, generation);
        if (s == nullptr) return;  // curl dropped this socket meanwhile
        (direction == CURL_POLL_IN ? s->read_armed : s->write_armed) = false;
        if (ec == asio::error::operation_aborted) return;
        // Readiness curl no longer asks for is dropped; it re-arms when curl wants it again.
        if ((s->wanted & direction) == 0) return;
        int flags = direction == CURL_POLL_IN ? CURL_CSELECT_IN : CURL_CSELECT_OUT;
        if (ec) flags = CURL_CSELECT_ERR;
        socket_action(fd, flags, [&] {
            // Re-arm before completions run user code that could throw.
            if (Socket* again = find_socket(fd, generation); again != nullptr && !ec) arm(*again);
        });
    }

    void socket_action(curl_socket_t fd, int flags) {
        socket_action(fd, flags, [] {});
    }

    template <class AfterAction>
    void socket_action(curl_socket_t fd, int flags, AfterAction after_action) {
        int running = 0;
        ++in_curl;
        curl_multi_socket_action(multi, fd, flags, &running);
        --in_curl;
        after_action();
        drain_completed();
    }

    // If an on_complete throws, the exception leaves io_context::run, but the
    // remaining completed exchanges are still reported on the next turn.
    struct DrainOnUnwind {
        Impl* impl;
        Token token;
        int exceptions = std::uncaught_exceptions();
        ~DrainOnUnwind() {
            if (std::uncaught_exceptions() > exceptions && !token.expired()) {
                impl->post_guarded([i = impl] { i->drain_completed(); });
            }
        }
    };

    void drain_completed() {
        const Token alive_token = token();
        DrainOnUnwind guard{this, alive_token};
        int left = 0;
        while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
            if (msg->msg != CURLMSG_DONE) continue;
            CURL* easy = msg->easy_handle;
            const CURLcode code = msg->data.result;  // msg dies with remove_handle
            finish(easy, code);
            if (alive_token.expired()) return;  // on_complete destroyed the client
        }
    }

    void finish(CURL* easy, CURLcode code) {
        void* p = nullptr;
        curl_easy_getinfo(easy, CURLINFO_PRIVATE, &p);
        auto* raw = static_cast<Transfer*>(p);
        auto node = transfers.extract(raw->serial);
        if (node.empty()) return;  // cannot happen: every added easy handle is in `transfers`
        std::unique_ptr<Transfer> t = std::move(node.mapped());
        curl_multi_remove_handle(multi, easy);
        t->added = false;

        TransportError error = t->failure != TransportError::none ? t->failure : classify(code);
        std::string detail;
        if (t->failure != TransportError::none) {
            detail = std::move(t->failure_detail);
        } else if (code != CURLE_OK) {
            detail = t->error_buffer[0] != '\0' ? std::string(t->error_buffer) : std::string(curl_easy_strerror(code));
        }
        // A head nobody saw yet (empty body, or a failure before the first
        // byte of body) is still reported, as long as it is a final one.
        const bool deliver_head = !t->head_delivered && t->head_complete && t->head.status >= 200;
        HttpResponseHead head = std::move(t->head);
        HttpHandlers handlers = std::move(t->handlers);
        std::string body = error == TransportError::none ? std::move(t->body) : std::string();
        t.reset();  // curl_easy_cleanup before user code runs

        if (deliver_head && handlers.on_head) {
            try {
                handlers.on_head(head);
            } catch (const std::exception& e) {
                error = TransportError::other;
                detail = std::string("handler threw: ") + e.what();
                body.clear();
            }
        }
        if (handlers.on_complete) handlers.on_complete(error, std::move(detail), std::move(body));
    }

    // Called once, from ~HttpClient: every exchange still open completes with
    // `aborted`, after curl has let go of everything.
    void shutdown() {
        if (closing) return;
        closing = true;
        alive.reset();  // queued Asio handlers become no-ops from here on
        std::vector<HttpHandlers> orphans;
        for (auto& [serial, t] : transfers) {
            if (t->added) curl_multi_remove_handle(multi, t->easy);
            t->added = false;
            orphans.push_back(std::move(t->handlers));
        }
        transfers.clear();
        curl_multi_cleanup(multi);  // may still report sockets to remove: sockets map still valid
        multi = nullptr;
        sockets.clear();
        timer.cancel();
        for (auto& handlers : orphans) {
            if (handlers.on_complete) handlers.on_complete(TransportError::aborted, "client destroyed", {});
        }
    }

    asio::io_context& io;
    HttpClientOptions options;
    asio::steady_timer timer;
    CURLM* multi = nullptr;
    std::map<std::uint64_t, std::unique_ptr<Transfer>> transfers;  // by start order
    std::unordered_map<curl_socket_t, std::unique_ptr<Socket>> sockets;
    std::shared_ptr<int> alive = std::make_shared<int>(0);
    std::uint64_t next_serial = 0;
    std::uint64_t next_generation = 0;
    int in_curl = 0;  // depth of curl_multi_socket_action calls on the stack
    bool closing = false;
};

HttpClient::HttpClient(boost::asio::io_context& io, HttpClientOptions options)
    : impl_(std::make_unique<Impl>(io, std::move(options))) {}

HttpClient::~HttpClient() {
    // Shut down while impl_ is still set, so an on_complete calling
    // in_flight() or perform() on this client finds it coherent.
    impl_->shutdown();
}

void HttpClient::perform(HttpRequest request, HttpHandlers handlers) {
    impl_->perform(std::move(request), std::move(handlers));
}

std::size_t HttpClient::in_flight() const noexcept { return impl_->transfers.size(); }

}  // namespace pcgd::host::net

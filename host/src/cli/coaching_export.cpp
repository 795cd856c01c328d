// `pcgd export session|plan`: a session record or the new-market entry plan
// as printable HTML, or as PDF through headless Chromium.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <thread>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/coaching.hpp"
#include "coaching/html.hpp"
#include "coaching/programme.hpp"

extern char** environ;

namespace pcgd::host::cli {

using namespace coaching_cli;
namespace co = pcgd::coaching;

namespace {

co::People people_of(Context& ctx, const std::string& sme_id) {
    co::People p{require_sme(ctx, sme_id), require_coaching(ctx, sme_id), {}};
    for (const auto& m : ctx.store().list_managers()) p.managers[m.id] = m;
    return p;
}

/// The first of $PCGD_CHROMIUM, chromium, chromium-browser, google-chrome on PATH.
std::string find_chromium() {
    if (const char* env = std::getenv("PCGD_CHROMIUM"); env && *env) return env;
    const char* path = std::getenv("PATH");
    std::string dirs = path ? path : "/usr/bin:/bin";
    for (const char* name : {"chromium", "chromium-browser", "google-chrome"}) {
        std::size_t start = 0;
        while (start <= dirs.size()) {
            const auto colon = dirs.find(':', start);
            const std::string dir = dirs.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
            const auto candidate = std::filesystem::path(dir.empty() ? "." : dir) / name;
            if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
            if (colon == std::string::npos) break;
            start = colon + 1;
        }
    }
    return "";
}

/// Prints `html` to `pdf` with headless Chromium, in a scratch profile so a
/// running browser or a missing home directory does not matter.
void print_pdf(const std::string& html, const std::string& pdf) {
    const std::string chromium = find_chromium();
    if (chromium.empty())
        throw CommandError("--format pdf needs headless Chromium (no 'chromium' on PATH; install the Debian package chromium, "
                           "or export --format html and print it)");
    std::string pattern = (std::filesystem::temp_directory_path() / "pcgd-print-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw CommandError("cannot create a scratch directory for Chromium");
    const std::filesystem::path dir = pattern;
    struct Cleanup {
        std::filesystem::path dir;
        ~Cleanup() {
            std::error_code ec;
            std::filesystem::remove_all(dir, ec);
        }
    } cleanup{dir};
    const auto page = dir / "document.html";
    {
        std::ofstream out(page, std::ios::binary);
        out << html;
        if (!out) throw CommandError("cannot write " + page.string());
    }
    const std::string target = std::filesystem::absolute(pdf).string() + ".partial";
    std::vector<std::string> argv = {chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                                     "--user-data-dir=" + (dir / "profile").string(), "--no-pdf-header-footer",
                                     "--print-to-pdf=" + target, "file://" + page.string()};
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    // Chromium's own chatter goes nowhere: stdout stays the command's.
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, chromium.c_str(), &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw CommandError("cannot run " + chromium + ": " + std::strerror(rc));
    // A browser that hangs (a broken profile, no /dev/shm) must not hang pcgd.
    int status = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (true) {
        const pid_t done = ::waitpid(pid, &status, WNOHANG);
        if (done == pid || (done < 0 && errno != EINTR)) break;
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &status, 0);
            throw CommandError(chromium + " did not print the PDF within 120 s");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    std::error_code ec;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !std::filesystem::exists(target, ec) || std::filesystem::file_size(target, ec) == 0) {
        std::filesystem::remove(target, ec);
        throw CommandError(chromium + " did not print the PDF (exit status " + std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + ")");
    }
    std::filesystem::rename(target, pdf);
}

}  // namespace

void export_document(Context& ctx, const DocumentExport& e) {
    const co::People people = people_of(ctx, e.sme);
    const std::string format = e.format.empty() ? "html" : e.format;
    if (format != "html" && format != "pdf") throw CommandError("--format for a " + e.kind + " must be html or pdf, got '" + format + "'", 2);
    if (format == "pdf" && e.output.empty()) throw CommandError("--format pdf needs --output FILE", 2);
    std::string lang_key = e.lang.empty() ? people.sme.lang : e.lang;
    if (lang_key != "en" && lang_key != "fr") throw CommandError("--lang must be en or fr, got '" + lang_key + "'", 2);
    const auto lang = lang_key == "fr" ? co::Lang::fr : co::Lang::en;
    std::string html;
    if (e.kind == "session") {
        if (e.id == 0) throw CommandError("--id SESSION is required to export a session", 2);
        const auto s = ctx.store().get_session(e.sme, e.id);
        if (!s) throw CommandError("SME '" + e.sme + "' has no session " + std::to_string(e.id) + " (see `pcgd session list`)", 2);
        co::SessionDocument doc{people, *s, co::previous_with_snapshot(ctx.store().list_sessions(e.sme), s->id), {}};
        for (const auto& a : ctx.store().list_actions(e.sme))
            if (a.session_id == s->id) doc.actions.push_back(a);
        html = co::session_html(doc, lang);
    } else {
        const auto plan = ctx.store().get_plan(e.sme);
        if (!plan) throw CommandError("SME '" + e.sme + "' has no new-market entry plan yet (draft one with `pcgd plan draft`)", 2);
        co::PlanDocument doc{people, *plan, co::plan_draft_from_json(plan->draft_json), {}};
        for (const auto& a : ctx.store().list_actions(e.sme))
            if (a.in_plan) doc.actions.push_back(a);
        html = co::plan_html(doc, lang);
    }
    if (format == "pdf") {
        print_pdf(html, e.output);
        std::cerr << "wrote " << e.output << '\n';
        return;
    }
    if (e.output.empty()) {
        std::cout << html;
        return;
    }
    const std::string partial = e.output + ".partial";
    {
        std::ofstream out(partial, std::ios::binary | std::ios::trunc);
        out << html;
        if (!out) throw CommandError("cannot write '" + e.output + "'");
    }
    std::filesystem::rename(partial, e.output);
    std::cerr << "wrote " << e.output << '\n';
}

}  // namespace pcgd::host::cli

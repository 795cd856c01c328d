// `pcgd serve`: the HTTP API (server/), and `pcgd token`: its API tokens.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <pcgd/model/time.hpp>
#include <pcgd/sdk/json.hpp>

#include "cli/context.hpp"
#include "server/auth.hpp"
#include "server/service.hpp"

namespace pcgd::host::cli {

namespace {

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

/// The plugins and the sync runner built from one configuration; a SIGHUP
/// builds them again. The runner keeps its registry alive for as long as a
/// sync started with it runs.
struct Runtime {
    std::filesystem::path plugin_dir;
    std::shared_ptr<const PluginRegistry> plugins;
    SyncRunner sync_runner;
};

Runtime make_runtime(Context& ctx, const Config& config) {
    if (!std::filesystem::is_directory(config.plugin_dir))
        throw CommandError("plugin directory '" + config.plugin_dir.string() +
                           "' does not exist (set --plugin-dir or [plugins] dir)");
    auto plugins = std::make_shared<PluginRegistry>();
    plugins->load_directory(config.plugin_dir);
    // Each sync opens its own connection to the store: a Store is used by one thread at a time.
    EngineRunnerContext runner;
    runner.open_store = [path = config.store_path.string()] { return open_sqlite_store(path); };
    runner.plugins = plugins.get();
    runner.vault = &ctx.vault();
    runner.http.ca_file = config.ca_file;
    runner.http.connect_timeout_ms = config.connect_timeout_ms;
    runner.http.default_timeout_ms = config.timeout_ms;
    runner.sync.retry.max_attempts = config.max_attempts;
    runner.sync.max_parallel_shops = 1;
    SyncRunner run = [plugins, inner = engine_runner(std::move(runner))](
                         const std::string& shop_id, const std::atomic<bool>& stop, net::RateLimiter& budgets) {
        return inner(shop_id, stop, budgets);
    };
    return {config.plugin_dir, std::move(plugins), std::move(run)};
}

/// "plugins loaded: amazon, ebay; refused: old.so (ABI 2.0 ...)".
std::string plugins_summary(const PluginRegistry& plugins) {
    std::string loaded, refused;
    for (const auto& s : plugins.statuses()) {
        if (s.loaded())
            loaded += (loaded.empty() ? "" : ", ") + s.id;
        else
            refused += (refused.empty() ? "" : "; ") + s.reason;
    }
    return "plugins loaded: " + (loaded.empty() ? std::string("none") : loaded) +
           (refused.empty() ? "" : "; refused: " + refused);
}

void serve(Context& ctx, const std::string& listen) {
    const Config& config = ctx.config();
    // A service logs its requests unless told to be quieter on the command line.
    if (ctx.log_level.empty()) spdlog::set_level(spdlog::level::info);
    Store& store = ctx.store();
    ctx.vault();  // a missing key is an error now, not at the first sync
    Runtime current = make_runtime(ctx, config);
    spdlog::info("{}", plugins_summary(*current.plugins));
    server::ServiceOptions options;
    options.listen = listen;
    // Called on the service's thread, as the reload below.
    options.not_ready = [&current] {
        return current.plugins->loaded().empty() ? "no plugin loaded from " + current.plugin_dir.string()
                                                 : std::string();
    };
    options.on_listening = [](const std::string& url) { std::cout << "listening on " << url << std::endl; };
    options.sync_runner = current.sync_runner;
    options.reload = [&current, &ctx] {
        Config fresh = ctx.read_config();
        Runtime next = make_runtime(ctx, fresh);
        std::string summary = plugins_summary(*next.plugins);
        current = next;
        return server::ServiceOptions::Reloaded{std::move(fresh), std::move(next.sync_runner), std::move(summary)};
    };
    try {
        server::run_service(store, config, options);
    } catch (const std::runtime_error& e) {
        throw CommandError(e.what(), 2);
    }
}

struct TokenArgs {
    std::string role, subject, name;
    std::int64_t id = 0;
    bool json = false;
};

void token_create(Context& ctx, const TokenArgs& a) {
    Store& store = ctx.store();
    if (a.role == "admin" && !a.subject.empty()) throw CommandError("an admin token has no --subject", 2);
    if (a.role != "admin" && a.subject.empty())
        throw CommandError(
            "--subject is required for a " + a.role + " token (the " + (a.role == "sme" ? "SME" : "manager") + "'s id)",
            2);
    if (a.role == "manager" && !store.get_manager(a.subject))
        throw CommandError("no manager '" + a.subject + "' (see `pcgd manager list`)", 2);
    if (a.role == "sme" && !store.get_sme(a.subject))
        throw CommandError("no SME '" + a.subject + "' (see `pcgd sme list`)", 2);
    const std::string token = server::new_token();
    ApiToken record;
    record.hash = server::token_hash(token);
    record.role = a.role;
    record.subject = a.subject;
    record.name = a.name;
    record.created_at_ms = now_ms();
    const std::int64_t id = store.add_token(record);
    std::cout << token << '\n';
    std::cerr << "token " << id << " (" << a.role << (a.subject.empty() ? "" : " " + a.subject)
              << "): keep it now, it cannot be shown again\n";
}

void token_list(Context& ctx, bool as_json) {
    const auto tokens = ctx.store().list_tokens();
    if (as_json) {
        json::Writer w;
        w.begin_array();
        for (const auto& t : tokens) {
            w.begin_object().field("id", t.id).field("role", t.role).field("subject", t.subject).field("name", t.name);
            w.field("created_at", model::format_iso8601(t.created_at_ms));
            w.key("revoked_at");
            t.revoked_at_ms ? w.value(model::format_iso8601(*t.revoked_at_ms)) : w.null();
            w.end_object();
        }
        w.end_array();
        std::cout << w.view() << '\n';
        return;
    }
    if (tokens.empty()) {
        std::cout << "no tokens yet: create one with `pcgd token create`\n";
        return;
    }
    std::vector<std::vector<std::string>> rows{{"ID", "ROLE", "SUBJECT", "NAME", "CREATED", "REVOKED"}};
    for (const auto& t : tokens)
        rows.push_back({std::to_string(t.id), t.role, t.subject.empty() ? "-" : t.subject,
                        t.name.empty() ? "-" : t.name, model::format_iso8601(t.created_at_ms),
                        t.revoked_at_ms ? model::format_iso8601(*t.revoked_at_ms) : "-"});
    std::cout << format_table(rows);
}

}  // namespace

void add_serve_command(CLI::App& app, Context& ctx) {
    auto listen = std::make_shared<std::string>();
    auto* cmd = app.add_subcommand("serve", "Serve the HTTP API until SIGTERM or SIGINT (see docs/service.md)");
    cmd->add_option("--listen", *listen, "HOST:PORT to listen on (overrides [server] listen; port 0: any free port)");
    cmd->callback([&ctx, listen] { serve(ctx, *listen); });
}

void add_token_command(CLI::App& app, Context& ctx) {
    auto* cmd = app.add_subcommand("token", "API tokens of the service: create, list, revoke");
    cmd->require_subcommand(1);
    auto args = std::make_shared<TokenArgs>();
    auto* create = cmd->add_subcommand("create", "Create a token and print it once; only its SHA-256 is stored");
    create->add_option("--role", args->role, "admin, manager or sme")
        ->required()
        ->check(CLI::IsMember({"admin", "manager", "sme"}));
    create->add_option("--subject", args->subject, "The manager's id (manager) or the SME's id (sme)");
    create->add_option("--name", args->name, "What the token is for");
    create->callback([&ctx, args] { token_create(ctx, *args); });
    auto* list = cmd->add_subcommand("list", "List tokens (never the tokens themselves)");
    list->add_flag("--json", args->json, "JSON output");
    list->callback([&ctx, args] { token_list(ctx, args->json); });
    auto* revoke = cmd->add_subcommand("revoke", "Revoke a token: it stops working at once");
    revoke->add_option("--id", args->id, "Token id (see `pcgd token list`)")->required();
    revoke->callback([&ctx, args] {
        if (!ctx.store().revoke_token(args->id, now_ms()))
            throw CommandError(
                "no live token " + std::to_string(args->id) + " (unknown or already revoked; see `pcgd token list`)",
                2);
        std::cout << "revoked token " << args->id << '\n';
    });
}

}  // namespace pcgd::host::cli

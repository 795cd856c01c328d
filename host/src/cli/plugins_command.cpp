#include <iostream>

#include <CLI/CLI.hpp>
#include <pcgd/sdk/json.hpp>

#include "cli/context.hpp"

namespace pcgd::host::cli {
namespace {

std::string abi_string(std::uint32_t v) {
    if (v == 0) return "-";
    return std::to_string(PCGD_ABI_MAJOR_OF(v)) + "." + std::to_string(PCGD_ABI_MINOR_OF(v));
}

}  // namespace

void add_plugins_command(CLI::App& app, Context& ctx) {
    auto* cmd = app.add_subcommand("plugins", "List the plugins found, loaded or refused, with the reason");
    auto json_output = std::make_shared<bool>(false);
    cmd->add_flag("--json", *json_output, "Print JSON instead of a table");
    cmd->callback([&ctx, json_output] {
        const auto& statuses = ctx.plugins().statuses();
        if (*json_output) {
            json::Writer w;
            w.begin_array();
            for (const auto& s : statuses) {
                w.begin_object();
                w.field("file", s.path.string());
                w.key("id");
                s.id.empty() ? w.null() : w.value(s.id);
                w.key("version");
                s.version.empty() ? w.null() : w.value(s.version);
                w.key("abi");
                s.abi_version ? w.value(abi_string(s.abi_version)) : w.null();
                w.field("status", s.loaded() ? "loaded" : "refused");
                if (!s.loaded()) w.field("failure", to_string(s.failure)).field("reason", s.reason);
                if (s.loaded()) {
                    if (auto lib = ctx.plugins().find(s.id)) {
                        w.field("platform", lib->manifest().platform).key("datasets").begin_array();
                        for (auto d : lib->manifest().datasets) w.value(sdk::to_string(d));
                        w.end_array();
                    }
                }
                w.end_object();
            }
            w.end_array();
            std::cout << w.view() << '\n';
            return;
        }
        std::vector<std::vector<std::string>> rows{{"ID", "VERSION", "ABI", "STATUS", "FILE / REASON"}};
        for (const auto& s : statuses)
            rows.push_back({s.id.empty() ? "-" : s.id, s.version.empty() ? "-" : s.version, abi_string(s.abi_version),
                            s.loaded() ? "loaded" : "refused", s.loaded() ? s.path.filename().string() : s.reason});
        std::cout << format_table(rows);
        if (statuses.empty()) std::cout << "no plugin found in " << ctx.config().plugin_dir.string() << '\n';
    });
}

}  // namespace pcgd::host::cli

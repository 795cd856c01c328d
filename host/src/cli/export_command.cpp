#include <fstream>
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/context.hpp"
#include "export/exporter.hpp"

namespace pcgd::host::cli {

void add_export_command(CLI::App& app, Context& ctx) {
    struct Args {
        std::string table, shop, format = "csv", output;
    };
    auto args = std::make_shared<Args>();
    auto* cmd = app.add_subcommand("export", "Write stored records as CSV or JSON Lines");
    cmd->add_option("table", args->table, "products, variants, orders, order-lines, refunds or traffic")
        ->required()
        ->check(CLI::IsMember({"products", "variants", "orders", "order-lines", "refunds", "traffic"}));
    cmd->add_option("--shop", args->shop, "Only this shop");
    cmd->add_option("--format", args->format, "csv or jsonl")->check(CLI::IsMember({"csv", "jsonl"}))->capture_default_str();
    cmd->add_option("-o,--output", args->output, "Write to this file instead of standard output");
    cmd->callback([&ctx, args] {
        const auto table = *export_table_from_string(args->table);
        const auto format = args->format == "jsonl" ? ExportFormat::jsonl : ExportFormat::csv;
        std::optional<std::string_view> shop;
        if (!args->shop.empty()) {
            if (!ctx.store().get_shop(args->shop)) throw CommandError("no shop '" + args->shop + "' (see `pcgd shop list`)", 2);
            shop = args->shop;
        }
        if (args->output.empty()) {
            export_table(ctx.store(), table, format, shop, std::cout);
            std::cout.flush();
            return;
        }
        // Write beside the target and rename, so a failed export never leaves half a file.
        const std::string partial = args->output + ".partial";
        std::ofstream out(partial, std::ios::binary | std::ios::trunc);
        if (!out) throw CommandError("cannot write '" + args->output + "'");
        const std::size_t rows = export_table(ctx.store(), table, format, shop, out);
        out.close();
        if (!out) throw CommandError("writing '" + args->output + "' failed");
        std::filesystem::rename(partial, args->output);
        std::cerr << "wrote " << rows << " rows to " << args->output << '\n';
    });
}

}  // namespace pcgd::host::cli

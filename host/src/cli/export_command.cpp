#include <fstream>
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/coaching.hpp"
#include "cli/context.hpp"
#include "export/exporter.hpp"

namespace pcgd::host::cli {

void add_export_command(CLI::App& app, Context& ctx) {
    struct Args {
        std::string table, shop, format, output, sme, lang;
        std::int64_t id = 0;
    };
    auto args = std::make_shared<Args>();
    auto* cmd = app.add_subcommand("export", "Write stored records as CSV or JSON Lines; a session record or the plan as HTML or PDF");
    cmd->add_option("table", args->table, "products, variants, orders, order-lines, refunds or traffic; session or plan")
        ->required()
        ->check(CLI::IsMember({"products", "variants", "orders", "order-lines", "refunds", "traffic", "session", "plan"}));
    cmd->add_option("--shop", args->shop, "Only this shop");
    cmd->add_option("--format", args->format, "csv (default) or jsonl; html (default) or pdf for a session or the plan")
        ->check(CLI::IsMember({"csv", "jsonl", "html", "pdf"}));
    cmd->add_option("-o,--output,--out", args->output, "Write to this file instead of standard output");
    cmd->add_option("--sme", args->sme, "The SME (session, plan)");
    cmd->add_option("--id", args->id, "The session id (session)");
    cmd->add_option("--lang", args->lang, "en or fr (session, plan; default: the SME's)");
    cmd->callback([&ctx, args] {
        if (args->table == "session" || args->table == "plan") {
            if (args->sme.empty()) throw CommandError("--sme is required to export a " + args->table, 2);
            if (!args->shop.empty()) throw CommandError("--shop does not apply to a " + args->table, 2);
            return export_document(ctx, DocumentExport{args->table, args->sme, args->lang, args->format, args->output, args->id});
        }
        if (!args->sme.empty() || args->id != 0 || !args->lang.empty())
            throw CommandError("--sme, --id and --lang apply to a session or the plan only", 2);
        if (args->format.empty()) args->format = "csv";
        if (args->format != "csv" && args->format != "jsonl")
            throw CommandError("--format for records must be csv or jsonl, got '" + args->format + "'", 2);
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

// `pcgd sme`, `pcgd rates import` and `pcgd costs import`: the inputs of the
// four tools. A file with one bad row is refused whole, naming the line and
// column, and the store is left unchanged.
#include <chrono>
#include <fstream>
#include <iostream>
#include <regex>

#include <CLI/CLI.hpp>
#include <pcgd/sdk/json.hpp>

#include "analysis/exchange.hpp"
#include "cli/context.hpp"
#include "export/listing_json.hpp"

namespace pcgd::host::cli {
namespace {

std::string trim(std::string s) {
    const auto b = s.find_first_not_of(" \t\r");
    if (b == std::string::npos) return "";
    return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

/// Plain comma-separated fields (neither ECB file nor a cost sheet quotes).
std::vector<std::string> fields(const std::string& line) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (true) {
        const auto comma = line.find(',', start);
        out.push_back(trim(line.substr(start, comma == std::string::npos ? std::string::npos : comma - start)));
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return out;
}

std::vector<std::string> read_lines(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw CommandError("cannot read '" + path + "'", 2);
    std::vector<std::string> lines;
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        lines.push_back(line);
    }
    return lines;
}

[[noreturn]] void bad(const std::string& path, std::size_t line, std::size_t column, const std::string& what) {
    throw CommandError(path + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + what, 2);
}

/// "2021-06-03" or, as in the ECB daily file, "03 June 2021".
std::optional<std::int64_t> parse_day(const std::string& s) {
    if (auto d = model::parse_date(s)) return d;
    static const char* months[] = {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"};
    std::smatch m;
    static const std::regex long_form(R"(^(\d{1,2}) ([A-Za-z]+) (\d{4})$)");
    if (!std::regex_match(s, m, long_form)) return std::nullopt;
    for (unsigned i = 0; i < 12; ++i)
        if (m[2] == months[i]) {
            const int y = std::stoi(m[3]);
            const unsigned d = static_cast<unsigned>(std::stoi(m[1]));
            if (d < 1 || d > model::days_in_month(y, i + 1)) return std::nullopt;
            return model::days_from_civil(y, i + 1, d);
        }
    return std::nullopt;
}

void rates_import(Context& ctx, const std::string& path) {
    const auto lines = read_lines(path);
    if (lines.empty()) throw CommandError(path + ": empty file", 2);
    const auto header = fields(lines[0]);
    std::vector<ExchangeRate> rates;
    const auto rate_of = [&](const std::string& text, std::size_t line, std::size_t column) {
        if (!analysis::DecimalRate::parse(text)) bad(path, line, column, "'" + text + "' is not a positive decimal rate");
        return text;
    };
    if (header.size() == 4 && header[0] == "date" && header[1] == "from" && header[2] == "to" && header[3] == "rate") {
        for (std::size_t i = 1; i < lines.size(); ++i) {
            if (trim(lines[i]).empty()) continue;
            const auto f = fields(lines[i]);
            if (f.size() != 4) bad(path, i + 1, 1, "expected 4 fields (date,from,to,rate), found " + std::to_string(f.size()));
            const auto day = parse_day(f[0]);
            if (!day) bad(path, i + 1, 1, "'" + f[0] + "' is not a date (YYYY-MM-DD)");
            const auto from = model::Currency::parse(f[1]), to = model::Currency::parse(f[2]);
            if (!from) bad(path, i + 1, 2, "'" + f[1] + "' is not an ISO 4217 currency code");
            if (!to) bad(path, i + 1, 3, "'" + f[2] + "' is not an ISO 4217 currency code");
            if (*from == *to) bad(path, i + 1, 3, "a rate needs two different currencies");
            rates.push_back(ExchangeRate{*from, *to, *day, rate_of(f[3], i + 1, 4)});
        }
    } else if (!header.empty() && header[0] == "Date") {
        // ECB reference rates: 1 EUR = x units of each column's currency.
        const auto eur = model::Currency::of("EUR");
        std::vector<std::optional<model::Currency>> columns;
        for (std::size_t c = 1; c < header.size(); ++c) {
            if (header[c].empty()) { columns.push_back(std::nullopt); continue; }  // the trailing comma
            auto code = model::Currency::parse(header[c]);
            if (!code) bad(path, 1, c + 1, "'" + header[c] + "' is not an ISO 4217 currency code");
            columns.push_back(code);
        }
        for (std::size_t i = 1; i < lines.size(); ++i) {
            if (trim(lines[i]).empty()) continue;
            const auto f = fields(lines[i]);
            const auto day = parse_day(f[0]);
            if (!day) bad(path, i + 1, 1, "'" + f[0] + "' is not a date (YYYY-MM-DD or '03 June 2021')");
            for (std::size_t c = 1; c < f.size() && c - 1 < columns.size(); ++c) {
                if (!columns[c - 1] || f[c].empty() || f[c] == "N/A") continue;
                rates.push_back(ExchangeRate{eur, *columns[c - 1], *day, rate_of(f[c], i + 1, c + 1)});
            }
        }
    } else {
        bad(path, 1, 1, "unknown layout: expected the header 'date,from,to,rate' or an ECB file starting with 'Date'");
    }
    const std::size_t n = ctx.store().put_rates(rates);
    std::cout << "imported " << n << " rate" << (n == 1 ? "" : "s") << " from " << path << '\n';
}

void costs_import(Context& ctx, const std::string& sme, const std::string& path) {
    if (!ctx.store().get_sme(sme)) throw CommandError("no SME '" + sme + "' (add it with `pcgd sme add`)", 2);
    const auto lines = read_lines(path);
    if (lines.empty()) throw CommandError(path + ": empty file", 2);
    const auto header = fields(lines[0]);
    if (header != std::vector<std::string>{"sku", "unit_cost", "currency", "valid_from"})
        bad(path, 1, 1, "expected the header 'sku,unit_cost,currency,valid_from'");
    std::vector<CostEntry> costs;
    for (std::size_t i = 1; i < lines.size(); ++i) {
        if (trim(lines[i]).empty()) continue;
        const auto f = fields(lines[i]);
        if (f.size() != 4) bad(path, i + 1, 1, "expected 4 fields, found " + std::to_string(f.size()));
        if (f[0].empty()) bad(path, i + 1, 1, "empty SKU");
        const auto currency = model::Currency::parse(f[2]);
        if (!currency) bad(path, i + 1, 3, "'" + f[2] + "' is not an ISO 4217 currency code");
        const auto cost = model::Money::try_parse(f[1], *currency);
        if (!cost || cost->minor < 0) bad(path, i + 1, 2, "'" + f[1] + "' is not a unit cost (a decimal such as 4.20)");
        const auto day = model::parse_date(f[3]);
        if (!day) bad(path, i + 1, 4, "'" + f[3] + "' is not a date (YYYY-MM-DD)");
        costs.push_back(CostEntry{f[0], *day, *cost});
    }
    const std::size_t n = ctx.store().put_costs(sme, costs);
    std::cout << "imported " << n << " unit cost" << (n == 1 ? "" : "s") << " for SME " << sme << '\n';
}

}  // namespace

void add_sme_command(CLI::App& app, Context& ctx) {
    auto* cmd = app.add_subcommand("sme", "Manage SMEs (a business owning several shops)");
    cmd->require_subcommand(1);
    struct AddArgs {
        std::string id, name, currency = "GBP", lang = "en";
    };
    auto args = std::make_shared<AddArgs>();
    auto* add = cmd->add_subcommand("add", "Add or update an SME");
    add->add_option("--id", args->id, "SME id")->required();
    add->add_option("--name", args->name, "Name")->required();
    add->add_option("--currency", args->currency, "Reporting currency")->check(CLI::IsMember({"GBP", "EUR"}))->capture_default_str();
    add->add_option("--lang", args->lang, "Report language")->check(CLI::IsMember({"en", "fr"}))->capture_default_str();
    add->callback([&ctx, args] {
        static const std::regex id_shape(R"(^[a-z0-9][a-z0-9._-]{0,63}$)");
        if (!std::regex_match(args->id, id_shape))
            throw CommandError("SME id '" + args->id + "' must be 1-64 characters of a-z, 0-9, '.', '_' or '-'", 2);
        Sme sme{args->id, args->name, model::Currency::of(args->currency), args->lang,
                std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count()};
        ctx.store().put_sme(sme);
        std::cout << "SME " << sme.id << " (" << sme.name << ", " << args->currency << ", " << sme.lang << ")\n";
    });
    auto as_json = std::make_shared<bool>(false);
    auto* list = cmd->add_subcommand("list", "List SMEs and their shops");
    list->add_flag("--json", *as_json, "JSON output");
    list->callback([&ctx, as_json] {
        const auto smes = ctx.store().list_smes();
        const auto shops = ctx.store().list_shops();
        const auto shops_of = [&](const std::string& id) {
            std::vector<std::string> out;
            for (const auto& s : shops)
                if (s.sme_id == id) out.push_back(s.shop.id);
            return out;
        };
        if (*as_json) {
            json::Writer w;
            w.begin_array();
            for (const auto& s : smes) write_sme_json(w, s, shops);
            w.end_array();
            std::cout << w.view() << '\n';
            return;
        }
        std::vector<std::vector<std::string>> rows{{"ID", "NAME", "CURRENCY", "LANG", "SHOPS"}};
        for (const auto& s : smes) {
            std::string list;
            for (const auto& id : shops_of(s.id)) list += (list.empty() ? "" : ", ") + id;
            rows.push_back({s.id, s.name, s.currency.str(), s.lang, list.empty() ? "-" : list});
        }
        std::cout << format_table(rows);
    });
}

void add_rates_command(CLI::App& app, Context& ctx) {
    auto* cmd = app.add_subcommand("rates", "Exchange rates used to convert reports");
    cmd->require_subcommand(1);
    auto file = std::make_shared<std::string>();
    auto* import = cmd->add_subcommand("import", "Import rates: an ECB reference-rate CSV or 'date,from,to,rate' lines");
    import->add_option("file", *file, "CSV file")->required();
    import->callback([&ctx, file] { rates_import(ctx, *file); });
}

void add_costs_command(CLI::App& app, Context& ctx) {
    auto* cmd = app.add_subcommand("costs", "The SME's cost sheet (unit costs the platforms do not know)");
    cmd->require_subcommand(1);
    struct Args {
        std::string sme, file;
    };
    auto args = std::make_shared<Args>();
    auto* import = cmd->add_subcommand("import", "Import 'sku,unit_cost,currency,valid_from' lines");
    import->add_option("--sme", args->sme, "SME id")->required();
    import->add_option("file", args->file, "CSV file")->required();
    import->callback([&ctx, args] { costs_import(ctx, args->sme, args->file); });
}

}  // namespace pcgd::host::cli

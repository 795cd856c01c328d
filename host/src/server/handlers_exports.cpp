// /api/exports/{table}: the records of `pcgd export TABLE --format csv|jsonl`.
#include <sstream>

#include "export/exporter.hpp"
#include "server/access.hpp"
#include "server/api.hpp"

namespace pcgd::host::server {

void add_export_routes(Router& router, Api& api) {
    router.add("GET", "/api/exports/{table}", [&api](const Call& c) {
        const auto& name = c.params.at("table");
        const auto table = export_table_from_string(name);
        if (!table)
            return json_error(404,
                              "no export '" + name + "' (products, variants, orders, order-lines, refunds or traffic)");
        if (auto bad = unknown_parameter(c.request, {"shop", "format"})) return *bad;
        const auto& q = c.request.query;
        const auto format_it = q.find("format");
        const std::string format = format_it == q.end() ? "csv" : format_it->second;
        if (format != "csv" && format != "jsonl")
            return json_error(400, "format must be csv or jsonl, got '" + format + "'");
        const auto shop_it = q.find("shop");
        std::optional<std::string_view> shop;
        if (shop_it != q.end()) {
            if (auto refused = refusal(*c.principal, shop_access(c.store, *c.principal, shop_it->second), "shop",
                                       shop_it->second))
                return *refused;
            shop = shop_it->second;
        } else if (c.principal->role != Role::admin) {
            // Only admin reads every shop at once.
            return json_error(400, "the parameter shop is required");
        }
        std::ostringstream out;
        export_table(c.store, *table, format == "jsonl" ? ExportFormat::jsonl : ExportFormat::csv, shop, out);
        Response r;
        r.content_type = format == "jsonl" ? "application/x-ndjson" : "text/csv; charset=utf-8";
        r.body = std::move(out).str();
        return r;
    });
}

}  // namespace pcgd::host::server

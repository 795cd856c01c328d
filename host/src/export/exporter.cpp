#include "export/exporter.hpp"

#include <pcgd/model/json.hpp>

namespace pcgd::host {

void write_csv_field(std::ostream& out, std::string_view s) {
    const bool formula = !s.empty() && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r');
    const bool quote = formula || s.find_first_of(",\"\r\n") != std::string_view::npos;
    if (!quote) {
        out << s;
        return;
    }
    out << '"';
    if (formula) out << '\'';
    for (char c : s) {
        if (c == '"') out << '"';
        out << c;
    }
    out << '"';
}

namespace {

/// One RFC 4180 row (see write_csv_field).
class CsvRow {
public:
    explicit CsvRow(std::ostream& out) : out_(out) {}
    ~CsvRow() { out_ << "\r\n"; }

    CsvRow& text(std::string_view s) {
        sep();
        write_csv_field(out_, s);
        return *this;
    }
    CsvRow& number(std::int64_t n) {
        sep();
        out_ << n;
        return *this;
    }
    template <class T>
    CsvRow& opt(const std::optional<T>& v) {
        if (v) return number(*v);
        sep();
        return *this;
    }
    CsvRow& money(const std::optional<model::Money>& m) { return text(m ? m->decimal() : std::string()); }
    CsvRow& time(const std::optional<model::TimestampMs>& t) { return text(t ? model::format_iso8601(*t) : std::string()); }
    CsvRow& boolean(bool b) { return text(b ? "true" : "false"); }

private:
    void sep() {
        if (!first_) out_ << ',';
        first_ = false;
    }
    std::ostream& out_;
    bool first_ = true;
};

void header(std::ostream& out, std::initializer_list<const char*> names) {
    CsvRow row(out);
    for (const char* n : names) row.text(n);
}

model::RecordKind kind_of(ExportTable t) {
    switch (t) {
    case ExportTable::products: return model::RecordKind::product;
    case ExportTable::variants: return model::RecordKind::variant;
    case ExportTable::orders:
    case ExportTable::order_lines: return model::RecordKind::order;
    case ExportTable::refunds: return model::RecordKind::refund;
    case ExportTable::traffic: return model::RecordKind::traffic;
    }
    return model::RecordKind::order;
}

}  // namespace

std::optional<ExportTable> export_table_from_string(std::string_view name) noexcept {
    if (name == "products") return ExportTable::products;
    if (name == "variants") return ExportTable::variants;
    if (name == "orders") return ExportTable::orders;
    if (name == "order-lines") return ExportTable::order_lines;
    if (name == "refunds") return ExportTable::refunds;
    if (name == "traffic") return ExportTable::traffic;
    return std::nullopt;
}

std::size_t export_table(Store& store, ExportTable table, ExportFormat format, std::optional<std::string_view> shop_id,
                         std::ostream& out) {
    std::size_t rows = 0;
    const model::RecordKind kind = kind_of(table);

    if (format == ExportFormat::jsonl) {
        store.for_each(kind, shop_id, [&](std::string_view shop, std::string_view json) {
            if (table != ExportTable::order_lines) {
                // The stored document is an object: splice the shop id in front.
                json::Writer w;
                w.begin_object().field("shop_id", shop).end_object();
                const auto prefix = w.view();
                out << prefix.substr(0, prefix.size() - 1) << ',' << json.substr(1) << '\n';
                ++rows;
                return;
            }
            const auto order = std::get<model::Order>(model::read_record(kind, json));
            for (const auto& line : order.lines) {
                json::Writer w;
                w.begin_object().field("shop_id", shop).field("order_id", order.id).field("id", line.id);
                w.field("sku", line.sku).field("variant_id", line.variant_id).field("product_id", line.product_id);
                w.field("title", line.title).field("quantity", line.quantity);
                w.key("unit_price").begin_object().field("minor", line.unit_price.shop.minor).field("currency", line.unit_price.shop.currency.code()).end_object();
                w.key("discount").begin_object().field("minor", line.discount.shop.minor).field("currency", line.discount.shop.currency.code()).end_object();
                w.key("tax").begin_object().field("minor", line.tax.shop.minor).field("currency", line.tax.shop.currency.code()).end_object();
                w.end_object();
                out << w.view() << '\n';
                ++rows;
            }
        });
        return rows;
    }

    switch (table) {
    case ExportTable::products:
        header(out, {"shop_id", "id", "title", "active", "vendor", "product_type", "images", "description", "marketplace", "created_at", "updated_at"});
        break;
    case ExportTable::variants:
        header(out, {"shop_id", "id", "product_id", "sku", "barcode", "title", "currency", "price", "compare_at_price", "unit_cost", "stock_total", "active", "updated_at"});
        break;
    case ExportTable::orders:
        header(out, {"shop_id", "id", "name", "created_at", "cancelled_at", "status", "financial_status", "currency", "subtotal", "discounts", "shipping", "tax", "total", "fees", "fees_known", "lines", "marketplace", "country"});
        break;
    case ExportTable::order_lines:
        header(out, {"shop_id", "order_id", "id", "sku", "title", "quantity", "currency", "unit_price", "discount", "tax"});
        break;
    case ExportTable::refunds:
        header(out, {"shop_id", "id", "order_id", "created_at", "currency", "amount", "tax", "shipping", "lines"});
        break;
    case ExportTable::traffic:
        header(out, {"shop_id", "day", "sku", "listing_id", "views", "sessions", "marketplace"});
        break;
    }
    store.for_each(kind, shop_id, [&](std::string_view shop, std::string_view json) {
        const auto record = model::read_record(kind, json);
        switch (table) {
        case ExportTable::products: {
            const auto& p = std::get<model::Product>(record);
            CsvRow(out).text(shop).text(p.id).text(p.title).boolean(p.active).text(p.vendor).text(p.product_type)
                .number(static_cast<std::int64_t>(p.images.size())).text(p.description).text(p.marketplace).time(p.created_at).time(p.updated_at);
            break;
        }
        case ExportTable::variants: {
            const auto& v = std::get<model::Variant>(record);
            const auto currency = v.price ? v.price->currency.code() : std::string_view{};
            CsvRow(out).text(shop).text(v.id).text(v.product_id).text(v.sku).text(v.barcode).text(v.title).text(currency)
                .money(v.price).money(v.compare_at_price).money(v.unit_cost).opt(v.stock_total).boolean(v.active).time(v.updated_at);
            break;
        }
        case ExportTable::orders: {
            const auto& o = std::get<model::Order>(record);
            model::Money fees = model::Money::zero(o.currency);
            for (const auto& f : o.fees) fees += f.amount;
            CsvRow(out).text(shop).text(o.id).text(o.name).time(o.created_at).time(o.cancelled_at).text(o.status)
                .text(o.financial_status).text(o.currency.code()).money(o.subtotal.shop).money(o.discounts.shop)
                .money(o.shipping.shop).money(o.tax.shop).money(o.total.shop).text(o.fees_known ? fees.decimal() : "")
                .boolean(o.fees_known).number(static_cast<std::int64_t>(o.lines.size())).text(o.marketplace).text(o.country);
            break;
        }
        case ExportTable::order_lines: {
            const auto& o = std::get<model::Order>(record);
            for (const auto& l : o.lines) {
                CsvRow(out).text(shop).text(o.id).text(l.id).text(l.sku).text(l.title).number(l.quantity)
                    .text(l.unit_price.shop.currency.code()).money(l.unit_price.shop).money(l.discount.shop).money(l.tax.shop);
                ++rows;
            }
            return;
        }
        case ExportTable::refunds: {
            const auto& r = std::get<model::Refund>(record);
            CsvRow(out).text(shop).text(r.id).text(r.order_id).time(r.created_at).text(r.amount.shop.currency.code())
                .money(r.amount.shop).money(r.tax.shop).money(r.shipping.shop).number(static_cast<std::int64_t>(r.lines.size()));
            break;
        }
        case ExportTable::traffic: {
            const auto& t = std::get<model::TrafficSample>(record);
            CsvRow(out).text(shop).text(model::format_date(t.day)).text(t.sku).text(t.listing_id).number(t.views)
                .opt(t.sessions).text(t.marketplace);
            break;
        }
        }
        ++rows;
    });
    return rows;
}

}  // namespace pcgd::host

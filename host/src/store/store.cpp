#include <stdexcept>

#include "store/store.hpp"

namespace pcgd::host {

namespace {
[[noreturn]] void unsupported(const char* operation) {
    throw std::logic_error(std::string(operation) + " is not supported by this store");
}
}  // namespace

void Store::put_sme(const Sme&) { unsupported("put_sme"); }
std::optional<Sme> Store::get_sme(std::string_view) { unsupported("get_sme"); }
std::vector<Sme> Store::list_smes() { unsupported("list_smes"); }
std::size_t Store::put_rates(const std::vector<ExchangeRate>&) { unsupported("put_rates"); }
std::vector<ExchangeRate> Store::rates(model::Currency, model::Currency) { unsupported("rates"); }
std::size_t Store::put_costs(std::string_view, const std::vector<CostEntry>&) { unsupported("put_costs"); }
std::vector<CostEntry> Store::costs(std::string_view) { unsupported("costs"); }
void Store::for_each_order_fact(std::string_view, std::int64_t, std::int64_t, const std::function<void(const DayOrderFacts&)>&) {
    unsupported("for_each_order_fact");
}
void Store::for_each_sku_fact(std::string_view, std::int64_t, std::int64_t, const std::function<void(const DaySkuFacts&)>&) {
    unsupported("for_each_sku_fact");
}
void Store::for_each_sale(std::string_view, model::TimestampMs, model::TimestampMs, const std::function<void(const OrderSale&)>&) {
    unsupported("for_each_sale");
}
void Store::for_each_refund(std::string_view, model::TimestampMs, model::TimestampMs, const std::function<void(const RefundEntry&)>&) {
    unsupported("for_each_refund");
}
void Store::for_each_views(std::string_view, std::int64_t, std::int64_t, const std::function<void(const DayViews&)>&) {
    unsupported("for_each_views");
}
void Store::rebuild_facts() { unsupported("rebuild_facts"); }

}  // namespace pcgd::host

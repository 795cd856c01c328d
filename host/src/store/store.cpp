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

void Store::put_manager(const Manager&) { unsupported("put_manager"); }
std::optional<Manager> Store::get_manager(std::string_view) { unsupported("get_manager"); }
std::vector<Manager> Store::list_managers() { unsupported("list_managers"); }
void Store::put_coaching(const Coaching&) { unsupported("put_coaching"); }
std::optional<Coaching> Store::get_coaching(std::string_view) { unsupported("get_coaching"); }
std::vector<std::string> Store::coached_smes(std::string_view) { unsupported("coached_smes"); }
std::int64_t Store::add_session(const Session&, const std::vector<Action>&) { unsupported("add_session"); }
std::optional<Session> Store::get_session(std::string_view, std::int64_t) { unsupported("get_session"); }
std::vector<Session> Store::list_sessions(std::string_view) { unsupported("list_sessions"); }
std::int64_t Store::add_token(const ApiToken&) { unsupported("add_token"); }
std::vector<ApiToken> Store::list_tokens() { unsupported("list_tokens"); }
bool Store::revoke_token(std::int64_t, std::int64_t) { unsupported("revoke_token"); }
bool Store::delivery_seen(std::string_view, std::string_view) { unsupported("delivery_seen"); }
void Store::record_delivery(std::string_view, std::string_view, std::int64_t, std::int64_t) {
    unsupported("record_delivery");
}
std::int64_t Store::add_obstacle(const Obstacle&) { unsupported("add_obstacle"); }
std::vector<Obstacle> Store::list_obstacles(std::string_view) { unsupported("list_obstacles"); }
void Store::put_training(const Training&) { unsupported("put_training"); }
std::vector<Training> Store::list_training(std::string_view) { unsupported("list_training"); }
std::int64_t Store::add_goal(const Goal&) { unsupported("add_goal"); }
std::vector<Goal> Store::list_goals(std::string_view) { unsupported("list_goals"); }
void Store::put_plan(const Plan&, const std::vector<Action>&) { unsupported("put_plan"); }
std::optional<Plan> Store::get_plan(std::string_view) { unsupported("get_plan"); }
std::int64_t Store::add_action(const Action&) { unsupported("add_action"); }
void Store::update_action(const Action&) { unsupported("update_action"); }
std::optional<Action> Store::get_action(std::string_view, std::int64_t) { unsupported("get_action"); }
std::vector<Action> Store::list_actions(std::string_view) { unsupported("list_actions"); }

}  // namespace pcgd::host

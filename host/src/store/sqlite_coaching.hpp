// The coaching tables of the SQLite store (schema version 4). SqliteStore
// forwards its coaching methods here, on its own connection.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "store/coaching_records.hpp"
#include "store/sqlite_db.hpp"

namespace pcgd::host::sqlite {

class CoachingTables {
public:
    explicit CoachingTables(Connection& db) : db_(db) {}

    void put_manager(const Manager& m);
    std::optional<Manager> get_manager(std::string_view id);
    std::vector<Manager> list_managers();
    void put_coaching(const Coaching& c);
    std::optional<Coaching> get_coaching(std::string_view sme_id);
    std::vector<std::string> coached_smes(std::string_view manager_id);
    std::int64_t add_session(const Session& s, const std::vector<Action>& actions);
    std::optional<Session> get_session(std::string_view sme_id, std::int64_t id);
    std::vector<Session> list_sessions(std::string_view sme_id);
    std::int64_t add_obstacle(const Obstacle& o);
    std::vector<Obstacle> list_obstacles(std::string_view sme_id);
    void put_training(const Training& t);
    std::vector<Training> list_training(std::string_view sme_id);
    std::int64_t add_goal(const Goal& g);
    std::vector<Goal> list_goals(std::string_view sme_id);
    void put_plan(const Plan& p, const std::vector<Action>& new_actions);
    std::optional<Plan> get_plan(std::string_view sme_id);
    std::int64_t add_action(const Action& a);
    void update_action(const Action& a);
    std::optional<Action> get_action(std::string_view sme_id, std::int64_t id);
    std::vector<Action> list_actions(std::string_view sme_id);

private:
    std::int64_t insert_action(const Action& a);
    Connection& db_;
};

}  // namespace pcgd::host::sqlite

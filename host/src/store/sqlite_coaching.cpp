#include "store/sqlite_coaching.hpp"

#include <sqlite3.h>

namespace pcgd::host::sqlite {

namespace {

template <class F>
auto in_transaction(Connection& db, F&& f) {
    db.exec("BEGIN IMMEDIATE");
    try {
        auto result = f();
        db.exec("COMMIT");
        return result;
    } catch (...) {
        db.rollback();
        throw;
    }
}

std::optional<std::int64_t> opt_int(const Statement& q, int column) {
    if (q.is_null(column)) return std::nullopt;
    return q.int64(column);
}

const std::string sessions_sql =
    "SELECT id, sme_id, kind, number, held_at_ms, manager_id, answers_json, conclusions_json, notes, snapshot_json,"
    " created_at_ms FROM coaching_sessions";

Session read_session(const Statement& q) {
    Session s;
    s.id = q.int64(0);
    s.sme_id = q.text(1);
    s.kind = q.text(2);
    s.number = q.int64(3);
    s.held_at_ms = q.int64(4);
    s.manager_id = q.text(5);
    s.answers_json = q.text(6);
    s.conclusions_json = q.text(7);
    s.notes = q.text(8);
    s.snapshot_json = q.text(9);
    s.created_at_ms = q.int64(10);
    return s;
}

const std::string actions_sql =
    "SELECT id, sme_id, session_id, in_plan, title, owner_kind, owner_name, due_day, status, note, created_by,"
    " updated_by, created_at_ms, updated_at_ms FROM coaching_actions";

Action read_action(const Statement& q) {
    Action a;
    a.id = q.int64(0);
    a.sme_id = q.text(1);
    a.session_id = opt_int(q, 2);
    a.in_plan = q.int64(3) != 0;
    a.title = q.text(4);
    a.owner_kind = q.text(5);
    a.owner_name = q.text(6);
    a.due_day = opt_int(q, 7);
    a.status = q.text(8);
    a.note = q.text(9);
    a.created_by = q.text(10);
    a.updated_by = q.text(11);
    a.created_at_ms = q.int64(12);
    a.updated_at_ms = q.int64(13);
    return a;
}

}  // namespace

void CoachingTables::put_manager(const Manager& m) {
    Use q(db_.cached("INSERT INTO managers (id, name, launchpad, created_at_ms) VALUES (?1, ?2, ?3, ?4)"
                     " ON CONFLICT (id) DO UPDATE SET name = excluded.name, launchpad = excluded.launchpad"));
    q->bind(1, m.id).bind(2, m.name).bind(3, m.launchpad).bind(4, m.created_at_ms).run();
}

std::optional<Manager> CoachingTables::get_manager(std::string_view id) {
    Use q(db_.cached("SELECT id, name, launchpad, created_at_ms FROM managers WHERE id = ?1"));
    q->bind(1, id);
    if (!q->step()) return std::nullopt;
    return Manager{std::string(q->text(0)), std::string(q->text(1)), std::string(q->text(2)), q->int64(3)};
}

std::vector<Manager> CoachingTables::list_managers() {
    Use q(db_.cached("SELECT id, name, launchpad, created_at_ms FROM managers ORDER BY id"));
    std::vector<Manager> out;
    while (q->step()) out.push_back(Manager{std::string(q->text(0)), std::string(q->text(1)), std::string(q->text(2)), q->int64(3)});
    return out;
}

void CoachingTables::put_coaching(const Coaching& c) {
    in_transaction(db_, [&] {
        Use q(db_.cached("INSERT INTO coaching (sme_id, country, manager_id, assigned_at_ms, started_at_ms) VALUES (?1, ?2, ?3, ?4, ?5)"
                         " ON CONFLICT (sme_id) DO UPDATE SET country = excluded.country, manager_id = excluded.manager_id,"
                         " assigned_at_ms = excluded.assigned_at_ms, started_at_ms = excluded.started_at_ms"));
        q->bind(1, c.sme_id).bind(2, c.country).bind(3, c.manager_id).bind(4, c.assigned_at_ms).bind(5, c.started_at_ms).run();
        Use{db_.cached("DELETE FROM coaching_experts WHERE sme_id = ?1")}->bind(1, c.sme_id).run();
        for (const auto& e : c.experts) {
            Use ins(db_.cached("INSERT OR IGNORE INTO coaching_experts (sme_id, manager_id) VALUES (?1, ?2)"));
            ins->bind(1, c.sme_id).bind(2, e).run();
        }
        return 0;
    });
}

std::optional<Coaching> CoachingTables::get_coaching(std::string_view sme_id) {
    Use q(db_.cached("SELECT sme_id, country, manager_id, assigned_at_ms, started_at_ms FROM coaching WHERE sme_id = ?1"));
    q->bind(1, sme_id);
    if (!q->step()) return std::nullopt;
    Coaching c{std::string(q->text(0)), std::string(q->text(1)), std::string(q->text(2)), {}, q->int64(3), q->int64(4)};
    Use e(db_.cached("SELECT manager_id FROM coaching_experts WHERE sme_id = ?1 ORDER BY manager_id"));
    e->bind(1, sme_id);
    while (e->step()) c.experts.emplace_back(e->text(0));
    return c;
}

std::vector<std::string> CoachingTables::coached_smes(std::string_view manager_id) {
    Use q(db_.cached("SELECT sme_id FROM coaching WHERE manager_id = ?1 UNION"
                     " SELECT sme_id FROM coaching_experts WHERE manager_id = ?1 ORDER BY 1"));
    q->bind(1, manager_id);
    std::vector<std::string> out;
    while (q->step()) out.emplace_back(q->text(0));
    return out;
}

std::int64_t CoachingTables::insert_action(const Action& a) {
    Use q(db_.cached(
        "INSERT INTO coaching_actions (sme_id, session_id, in_plan, title, owner_kind, owner_name, due_day, status, note,"
        " created_by, updated_by, created_at_ms, updated_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"));
    q->bind(1, a.sme_id).bind(2, a.session_id).bind(3, std::int64_t{a.in_plan ? 1 : 0}).bind(4, a.title).bind(5, a.owner_kind);
    q->bind(6, a.owner_name).bind(7, a.due_day).bind(8, a.status).bind(9, a.note).bind(10, a.created_by).bind(11, a.updated_by);
    q->bind(12, a.created_at_ms).bind(13, a.updated_at_ms).run();
    return sqlite3_last_insert_rowid(db_.handle());
}

std::int64_t CoachingTables::add_session(const Session& s, const std::vector<Action>& actions) {
    return in_transaction(db_, [&] {
        Use q(db_.cached(
            "INSERT INTO coaching_sessions (sme_id, kind, number, held_at_ms, manager_id, answers_json, conclusions_json, notes,"
            " snapshot_json, created_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"));
        q->bind(1, s.sme_id).bind(2, s.kind).bind(3, s.number).bind(4, s.held_at_ms).bind(5, s.manager_id);
        q->bind(6, s.answers_json).bind(7, s.conclusions_json).bind(8, s.notes).bind(9, s.snapshot_json).bind(10, s.created_at_ms).run();
        const std::int64_t id = sqlite3_last_insert_rowid(db_.handle());
        for (Action a : actions) {
            a.session_id = id;
            insert_action(a);
        }
        return id;
    });
}

std::optional<Session> CoachingTables::get_session(std::string_view sme_id, std::int64_t id) {
    Use q(db_.cached(sessions_sql + " WHERE sme_id = ?1 AND id = ?2"));
    q->bind(1, sme_id).bind(2, id);
    if (!q->step()) return std::nullopt;
    return read_session(*q);
}

std::vector<Session> CoachingTables::list_sessions(std::string_view sme_id) {
    Use q(db_.cached(sessions_sql + " WHERE sme_id = ?1 ORDER BY held_at_ms, id"));
    q->bind(1, sme_id);
    std::vector<Session> out;
    while (q->step()) out.push_back(read_session(*q));
    return out;
}

std::int64_t CoachingTables::add_obstacle(const Obstacle& o) {
    Use q(db_.cached("INSERT INTO coaching_obstacles (sme_id, kind, note, day, recorded_by) VALUES (?1, ?2, ?3, ?4, ?5)"));
    q->bind(1, o.sme_id).bind(2, o.kind).bind(3, o.note).bind(4, o.day).bind(5, o.recorded_by).run();
    return sqlite3_last_insert_rowid(db_.handle());
}

std::vector<Obstacle> CoachingTables::list_obstacles(std::string_view sme_id) {
    Use q(db_.cached("SELECT id, sme_id, kind, note, day, recorded_by FROM coaching_obstacles WHERE sme_id = ?1 ORDER BY day, id"));
    q->bind(1, sme_id);
    std::vector<Obstacle> out;
    while (q->step())
        out.push_back(Obstacle{q->int64(0), std::string(q->text(1)), std::string(q->text(2)), std::string(q->text(3)), q->int64(4),
                               std::string(q->text(5))});
    return out;
}

void CoachingTables::put_training(const Training& t) {
    Use q(db_.cached(
        "INSERT INTO coaching_training (sme_id, tool, trained, day, trainer, confidence, follow_up, updated_at_ms)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (sme_id, tool) DO UPDATE SET trained = excluded.trained,"
        " day = excluded.day, trainer = excluded.trainer, confidence = excluded.confidence, follow_up = excluded.follow_up,"
        " updated_at_ms = excluded.updated_at_ms"));
    q->bind(1, t.sme_id).bind(2, t.tool).bind(3, std::int64_t{t.trained ? 1 : 0}).bind(4, t.day).bind(5, t.trainer);
    q->bind(6, t.confidence).bind(7, t.follow_up).bind(8, t.updated_at_ms).run();
}

std::vector<Training> CoachingTables::list_training(std::string_view sme_id) {
    Use q(db_.cached("SELECT sme_id, tool, trained, day, trainer, confidence, follow_up, updated_at_ms FROM coaching_training"
                     " WHERE sme_id = ?1 ORDER BY tool"));
    q->bind(1, sme_id);
    std::vector<Training> out;
    while (q->step())
        out.push_back(Training{std::string(q->text(0)), std::string(q->text(1)), q->int64(2) != 0, opt_int(*q, 3),
                               std::string(q->text(4)), opt_int(*q, 5), std::string(q->text(6)), q->int64(7)});
    return out;
}

std::int64_t CoachingTables::add_goal(const Goal& g) {
    Use q(db_.cached("INSERT INTO coaching_goals (sme_id, metric, shop_id, currency, target, due_day, note, set_by, created_at_ms)"
                     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"));
    q->bind(1, g.sme_id).bind(2, g.metric).bind(3, g.shop_id).bind(4, g.currency).bind(5, g.target).bind(6, g.due_day);
    q->bind(7, g.note).bind(8, g.set_by).bind(9, g.created_at_ms).run();
    return sqlite3_last_insert_rowid(db_.handle());
}

std::vector<Goal> CoachingTables::list_goals(std::string_view sme_id) {
    Use q(db_.cached("SELECT id, sme_id, metric, shop_id, currency, note, target, due_day, set_by, created_at_ms FROM coaching_goals"
                     " WHERE sme_id = ?1 ORDER BY id"));
    q->bind(1, sme_id);
    std::vector<Goal> out;
    while (q->step())
        out.push_back(Goal{q->int64(0), std::string(q->text(1)), std::string(q->text(2)), std::string(q->text(3)),
                           std::string(q->text(4)), std::string(q->text(5)), q->int64(6), q->int64(7), std::string(q->text(8)),
                           q->int64(9)});
    return out;
}

void CoachingTables::put_plan(const Plan& p, const std::vector<Action>& new_actions) {
    in_transaction(db_, [&] {
        Use q(db_.cached(
            "INSERT INTO coaching_plans (sme_id, plan_day, draft_json, target_country, target_channel, target_segment, summary,"
            " created_by, updated_by, created_at_ms, updated_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
            " ON CONFLICT (sme_id) DO UPDATE SET plan_day = excluded.plan_day, draft_json = excluded.draft_json,"
            " target_country = excluded.target_country, target_channel = excluded.target_channel,"
            " target_segment = excluded.target_segment, summary = excluded.summary, updated_by = excluded.updated_by,"
            " updated_at_ms = excluded.updated_at_ms"));
        q->bind(1, p.sme_id).bind(2, p.plan_day).bind(3, p.draft_json).bind(4, p.target_country).bind(5, p.target_channel);
        q->bind(6, p.target_segment).bind(7, p.summary).bind(8, p.created_by).bind(9, p.updated_by).bind(10, p.created_at_ms);
        q->bind(11, p.updated_at_ms).run();
        for (const auto& a : new_actions) insert_action(a);
        return 0;
    });
}

std::optional<Plan> CoachingTables::get_plan(std::string_view sme_id) {
    Use q(db_.cached("SELECT sme_id, plan_day, draft_json, target_country, target_channel, target_segment, summary, created_by,"
                     " updated_by, created_at_ms, updated_at_ms FROM coaching_plans WHERE sme_id = ?1"));
    q->bind(1, sme_id);
    if (!q->step()) return std::nullopt;
    return Plan{std::string(q->text(0)), q->int64(1), std::string(q->text(2)), std::string(q->text(3)), std::string(q->text(4)),
                std::string(q->text(5)), std::string(q->text(6)), std::string(q->text(7)), std::string(q->text(8)), q->int64(9),
                q->int64(10)};
}

std::int64_t CoachingTables::add_action(const Action& a) { return insert_action(a); }

void CoachingTables::update_action(const Action& a) {
    Use q(db_.cached("UPDATE coaching_actions SET title = ?3, owner_kind = ?4, owner_name = ?5, due_day = ?6, status = ?7,"
                     " note = ?8, updated_by = ?9, updated_at_ms = ?10 WHERE sme_id = ?1 AND id = ?2"));
    q->bind(1, a.sme_id).bind(2, a.id).bind(3, a.title).bind(4, a.owner_kind).bind(5, a.owner_name).bind(6, a.due_day);
    q->bind(7, a.status).bind(8, a.note).bind(9, a.updated_by).bind(10, a.updated_at_ms).run();
}

std::optional<Action> CoachingTables::get_action(std::string_view sme_id, std::int64_t id) {
    Use q(db_.cached(actions_sql + " WHERE sme_id = ?1 AND id = ?2"));
    q->bind(1, sme_id).bind(2, id);
    if (!q->step()) return std::nullopt;
    return read_action(*q);
}

std::vector<Action> CoachingTables::list_actions(std::string_view sme_id) {
    Use q(db_.cached(actions_sql + " WHERE sme_id = ?1 ORDER BY id"));
    q->bind(1, sme_id);
    std::vector<Action> out;
    while (q->step()) out.push_back(read_action(*q));
    return out;
}

}  // namespace pcgd::host::sqlite

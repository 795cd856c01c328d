// The coaching tables of the SQLite store (schema version 4).
#include <gtest/gtest.h>

#include <filesystem>
#include <unistd.h>

#include "store/store.hpp"

using namespace pcgd::host;

namespace {

class CoachingStore : public ::testing::Test {
protected:
    void SetUp() override {
        std::string pattern = (std::filesystem::temp_directory_path() / "pcgd-coaching-XXXXXX").string();
        ASSERT_TRUE(::mkdtemp(pattern.data()));
        dir = pattern;
        store = open_sqlite_store((dir / "pcgd.db").string());
        store->put_manager({"am-gb", "Alice", "GB", 1});
        store->put_manager({"am-fr", "Benoît", "FR", 1});
        store->put_coaching({"lumiere", "GB", "am-gb", {"am-fr"}, 5, 0});
    }
    void TearDown() override {
        store.reset();
        std::filesystem::remove_all(dir);
    }
    std::filesystem::path dir;
    std::unique_ptr<Store> store;
};

}  // namespace

TEST_F(CoachingStore, PeopleAndWhoCoachesWhom) {
    EXPECT_EQ(store->list_managers().size(), 2u);
    EXPECT_EQ(store->get_manager("am-fr")->name, "Benoît");
    const auto c = store->get_coaching("lumiere");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->manager_id, "am-gb");
    EXPECT_EQ(c->experts, std::vector<std::string>{"am-fr"});
    EXPECT_EQ(store->coached_smes("am-gb"), std::vector<std::string>{"lumiere"});
    EXPECT_EQ(store->coached_smes("am-fr"), std::vector<std::string>{"lumiere"});  // as expert
    store->put_coaching({"lumiere", "GB", "am-gb", {}, 5, 9});
    EXPECT_TRUE(store->coached_smes("am-fr").empty());
    EXPECT_EQ(store->get_coaching("lumiere")->started_at_ms, 9);
}

TEST_F(CoachingStore, ASessionAndItsActionsAreStoredTogetherAndReadBySme) {
    Session s;
    s.sme_id = "lumiere";
    s.kind = "review";
    s.number = 1;
    s.held_at_ms = 1000;
    s.manager_id = "am-gb";
    s.answers_json = R"({"on_track":"yes"})";
    s.snapshot_json = R"({"schema":"x"})";
    Action a;
    a.sme_id = "lumiere";
    a.title = "Photograph the candles";
    a.owner_kind = "external";
    a.created_by = "am-gb";
    const auto id = store->add_session(s, {a, a});
    const auto back = store->get_session("lumiere", id);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->answers_json, s.answers_json);
    EXPECT_EQ(back->snapshot_json, s.snapshot_json);
    EXPECT_FALSE(store->get_session("other", id));  // by SME: another SME never sees it
    const auto actions = store->list_actions("lumiere");
    ASSERT_EQ(actions.size(), 2u);
    EXPECT_EQ(actions[0].session_id, id);
    EXPECT_FALSE(actions[0].in_plan);
    EXPECT_TRUE(store->list_actions("other").empty());

    Action changed = actions[1];
    changed.status = "rejected";
    changed.note = "business decision";
    changed.updated_by = "am-fr";
    store->update_action(changed);
    EXPECT_EQ(store->get_action("lumiere", changed.id)->status, "rejected");
    EXPECT_EQ(store->get_action("lumiere", changed.id)->updated_by, "am-fr");
    EXPECT_FALSE(store->get_action("other", changed.id));
}

TEST_F(CoachingStore, TrainingIsOneRecordPerToolAndThePlanOnePerSme) {
    store->put_training({"lumiere", "quality", false, std::nullopt, "", std::nullopt, "needs a session", 1});
    store->put_training({"lumiere", "quality", true, 20000, "am-gb", 4, "", 2});
    const auto training = store->list_training("lumiere");
    ASSERT_EQ(training.size(), 1u);
    EXPECT_TRUE(training[0].trained);
    EXPECT_EQ(training[0].confidence, 4);
    EXPECT_EQ(training[0].day, 20000);

    Plan p;
    p.sme_id = "lumiere";
    p.plan_day = 20400;
    p.draft_json = "{}";
    p.target_country = "FR";
    Action a;
    a.sme_id = "lumiere";
    a.in_plan = true;
    a.title = "List on fr";
    a.owner_kind = "sme_staff";
    a.due_day = 20450;
    store->put_plan(p, {a});
    p.target_segment = "gift buyers";
    store->put_plan(p, {});
    EXPECT_EQ(store->get_plan("lumiere")->target_segment, "gift buyers");
    ASSERT_EQ(store->list_actions("lumiere").size(), 1u);
    EXPECT_EQ(store->list_actions("lumiere")[0].due_day, 20450);

    store->add_obstacle({0, "lumiere", "external_shock", "Brexit paperwork", 20410, "am-gb"});
    store->add_goal({0, "lumiere", "monthly_sales", "", "GBP", "", 250000, 20500, "am-gb", 1});
    EXPECT_EQ(store->list_obstacles("lumiere").at(0).note, "Brexit paperwork");
    EXPECT_EQ(store->list_goals("lumiere").at(0).target, 250000);
    EXPECT_TRUE(store->list_goals("other").empty());
}

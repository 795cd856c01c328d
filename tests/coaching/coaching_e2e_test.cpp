// A whole coaching programme for the demo SME through the real pcgd binary:
// two emulated shops (GB in GBP, FR in EUR), onboarding, four sessions a
// month apart with the upstream data changing and re-synced between them,
// the plan and its actions, goals, the end review, and the exports. Every
// figure a session shows is checked against the tools' own reports, run
// through `pcgd report` on the same store right after the session.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <tuple>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <pcgd/model/time.hpp>

#include "harness.hpp"

using namespace pcgd::test;

namespace {

using Doc = rapidjson::Document;
using Value = rapidjson::Value;

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::int64_t minor(const Value& money) { return money["minor"].GetInt64(); }

class CoachingProgramme : public ::testing::Test {
protected:
    // Static so that the checking helpers below can reach it; one per test.
    void SetUp() override {
        world = std::make_unique<World>();
        world->setup();
    }
    void TearDown() override { world.reset(); }

    struct World {
        Emulator gb{emulated("testshop", "GB", 13, 20, 700)};
        Emulator fr{emulated("testshop", "FR", 13, 20, 500)};
        Pcgd pcgd;
        std::vector<Doc> sessions;  // the JSON of each session as recorded

        RunResult ok(const std::vector<std::string>& args) const {
            auto r = pcgd(args);
            if (r.exit_code != 0) throw std::runtime_error("pcgd failed: " + r.err + r.out);
            return r;
        }
        Doc json(std::vector<std::string> args) const {
            args.push_back("--json");
            return parse_json(ok(args).out);
        }
        Doc report(const std::string& tool, const std::string& month) const {
            return parse_json(ok({"report", tool, "--sme", "lumiere", "--month", month, "--format", "json", "--lang", "en"}).out);
        }
        void setup() {
            ok({"manager", "add", "--id", "am-gb", "--name", "Alice Martin", "--launchpad", "GB"});
            ok({"manager", "add", "--id", "am-fr", "--name", "Benoît Roux", "--launchpad", "FR"});
            ok({"sme", "add", "--id", "lumiere", "--name", "Maison Lumière", "--currency", "GBP", "--lang", "fr"});
            for (auto [id, emulator, country] : {std::tuple{"gb", &gb, "GB"}, std::tuple{"fr", &fr, "FR"}})
                ok({"shop", "add", "--id", id, "--sme", "lumiere", "--platform", "testshop", "--base-url", emulator->base_url(), "--country",
                    country, "--setting", "client_id=pcgd-test-client", "--credential", "client_secret=pcgd-test-secret"});
            // One EUR->GBP rate a day over the three years of orders.
            const std::string rates = (std::filesystem::path(pcgd.dir().path()) / "rates.csv").string();
            std::ofstream out(rates);
            out << "date,from,to,rate\n";
            for (std::int64_t d = *pcgd::model::parse_date("2023-10-01"); d <= *pcgd::model::parse_date("2027-01-31"); ++d)
                out << pcgd::model::format_date(d) << ",EUR,GBP,0.85\n";
            out.close();
            ok({"rates", "import", rates});
            // A fee rule for the testshop platform (it reports none), so that
            // costs, and with the cost sheet below profits, are known.
            std::ofstream(std::filesystem::path(pcgd.dir().path()) / "pcgd.toml", std::ios::app)
                << "[fees.testshop]\npercent = 2.5\nfixed_minor = 20\n";
        }
        /// A cost sheet for every SKU the platforms give no cost for (after a sync).
        void import_costs() {
            const std::string costs = (std::filesystem::path(pcgd.dir().path()) / "costs.csv").string();
            std::ofstream out(costs);
            out << "sku,unit_cost,currency,valid_from\n";
            std::set<std::string> skus;
            // Order lines too: a deleted product's SKU still has sales.
            for (const char* table : {"variants", "order-lines"})
                for (const auto& v : pcgd.export_jsonl(table))
                    if (v.HasMember("sku") && v["sku"].GetStringLength() > 0) skus.insert(v["sku"].GetString());
            for (const auto& sku : skus) out << sku << ",3.10,GBP,2023-01-01\n";
            out.close();
            ok({"costs", "import", "--sme", "lumiere", costs});
        }
        void mutate_and_sync() {
            gb.mutate();
            fr.mutate();
            sync_json(pcgd);
        }
    };
    static std::unique_ptr<World> world;

    /// Checks every figure of a session's snapshot against the tools' reports
    /// of its month, run now on the same store.
    static void expect_snapshot_matches_reports(const Value& snap) {
        const std::string month = snap["month"].GetString();
        SCOPED_TRACE("snapshot of " + month);
        const Doc planning = world->report("planning", month);
        const Value* row = nullptr;
        for (const auto& r : planning["sections"]["months"]["rows"].GetArray())
            if (std::string(r["month"].GetString()) == month) row = &r;
        ASSERT_TRUE(row);
        EXPECT_EQ(snap["orders"].GetInt64(), (*row)["orders"].GetInt64());
        EXPECT_EQ(snap["sales"].GetInt64(), minor((*row)["sales"]));
        ASSERT_FALSE((*row)["profit"].IsNull()) << "every cost is known in this test";
        EXPECT_EQ(snap["profit"].IsNull(), (*row)["profit"].IsNull());
        EXPECT_DOUBLE_EQ(snap["margin_pct"].GetDouble(), std::round((*row)["margin_pct"].GetDouble() * 10.0) / 10.0);
        if (!snap["profit"].IsNull()) {
            EXPECT_EQ(snap["profit"].GetInt64(), minor((*row)["profit"]));
        }
        EXPECT_STREQ(snap["currency"].GetString(), "GBP");

        std::map<std::string, std::pair<std::int64_t, std::int64_t>> channels;  // shop -> orders, sales
        for (const auto& r : planning["sections"]["channels"]["rows"].GetArray())
            if (std::string(r["month"].GetString()) == month) channels[r["shop"].GetString()] = {r["orders"].GetInt64(), minor(r["sales"])};
        // Profit per channel: the growth tool's order rows of the shop.
        const Doc growth = world->report("growth", month);
        std::map<std::string, std::int64_t> channel_profit;
        for (const auto& r : growth["sections"]["orders"]["rows"].GetArray()) channel_profit[r["shop"].GetString()] += minor(r["profit"]);
        // Views per channel: the month's traffic rows in the store's export.
        std::map<std::string, std::int64_t> channel_views;
        for (const char* shop : {"gb", "fr"})
            for (const auto& t : world->pcgd.export_jsonl("traffic", shop))
                if (std::string(t["day"].GetString()).rfind(month, 0) == 0) channel_views[shop] += t["views"].GetInt64();
        ASSERT_EQ(snap["channels"].Size(), 2u);
        struct Sum {
            std::int64_t orders = 0, sales = 0, profit = 0, views = 0;
        };
        std::map<std::string, Sum> countries;
        for (const auto& c : snap["channels"].GetArray()) {
            const std::string key = c["key"].GetString();
            EXPECT_EQ(c["orders"].GetInt64(), channels.at(key).first) << key;
            EXPECT_EQ(c["sales"].GetInt64(), channels.at(key).second) << key;
            EXPECT_EQ(c["profit"].GetInt64(), channel_profit[key]) << key;
            EXPECT_EQ(c["views"].GetInt64(), channel_views[key]) << key;
            auto& k = countries[c["country"].GetString()];
            k.orders += c["orders"].GetInt64();
            k.sales += c["sales"].GetInt64();
            k.profit += c["profit"].GetInt64();
            k.views += c["views"].GetInt64();
        }
        ASSERT_EQ(snap["countries"].Size(), 2u);
        for (const auto& c : snap["countries"].GetArray()) {
            const Sum& k = countries.at(c["key"].GetString());
            EXPECT_EQ(c["orders"].GetInt64(), k.orders);
            EXPECT_EQ(c["sales"].GetInt64(), k.sales);
            EXPECT_EQ(c["profit"].GetInt64(), k.profit);
            EXPECT_EQ(c["views"].GetInt64(), k.views);
        }
        EXPECT_EQ(snap["profit"].GetInt64(), channel_profit["gb"] + channel_profit["fr"]);

        // Products: every product row of the growth tool, with its figures.
        using Figures = std::tuple<std::int64_t, std::int64_t, std::int64_t, std::int64_t>;  // orders, units, sales, profit
        std::map<std::string, Figures> product_figures, shown;
        for (const auto& r : growth["sections"]["products"]["rows"].GetArray())
            if (r["orders"].IsInt64())
                product_figures[std::string(r["shop"].GetString()) + "/" + r["sku"].GetString()] =
                    Figures{r["orders"].GetInt64(), r["units"].GetInt64(), minor(r["sales"]), minor(r["profit"])};
        for (const auto& p : snap["products"].GetArray())
            shown[std::string(p["shop"].GetString()) + "/" + p["sku"].GetString()] =
                Figures{p["orders"].GetInt64(), p["units"].GetInt64(), p["sales"].GetInt64(), p["profit"].GetInt64()};
        EXPECT_EQ(shown, product_figures);
        EXPECT_FALSE(shown.empty());

        const Doc quality = world->report("quality", month);
        std::map<std::string, std::int64_t> scores, shown_scores;
        for (const auto& r : quality["sections"]["shops"]["rows"].GetArray()) scores[r["shop"].GetString()] = r["score"].GetInt64();
        for (const auto& q : snap["quality"].GetArray()) shown_scores[q["shop"].GetString()] = q["score"].GetInt64();
        EXPECT_EQ(shown_scores, scores);

        const Doc opportunities = world->report("opportunities", month);
        std::map<std::string, std::int64_t> tiers;
        for (const auto& r : opportunities["sections"]["products"]["rows"].GetArray()) ++tiers[r["tier"].GetString()];
        EXPECT_EQ(snap["opportunities"]["strong"].GetInt64(), tiers["strong"]);
        EXPECT_EQ(snap["opportunities"]["good"].GetInt64(), tiers["good"]);
        EXPECT_EQ(snap["opportunities"]["potential"].GetInt64(), tiers["potential"]);
        EXPECT_EQ(snap["opportunities"]["new_markets"].GetInt64(),
                  static_cast<std::int64_t>(opportunities["sections"]["new_markets"]["rows"].Size()));
        const auto& projection = planning["sections"]["projection"]["rows"];
        EXPECT_EQ(snap["projection"]["sales"].GetInt64(), minor(projection[0]["projected"]));
        EXPECT_EQ(snap["projection"]["sales_low"].GetInt64(), minor(projection[0]["low"]));
        EXPECT_EQ(snap["projection"]["sales_high"].GetInt64(), minor(projection[0]["high"]));
        EXPECT_EQ(snap["projection"]["orders"].GetInt64(), projection[1]["projected"].GetInt64());

        // The sync time shown is each shop's last successful orders sync.
        const Doc shops = world->json({"shop", "list"});
        for (const auto& s : snap["shops"].GetArray()) {
            const auto& entry = shop_entry(shops, s["shop"].GetString());
            EXPECT_EQ(pcgd::model::format_iso8601(s["synced_at_ms"].GetInt64()), entry["sync"]["orders"]["last_success_at"].GetString());
        }
    }

    static void check_exports();

    static const Value& change(const Value& session, const std::string& group, const std::string& key, const std::string& figure) {
        for (const auto& d : session["changes"].GetArray())
            if (group == d["group"].GetString() && key == d["key"].GetString() && figure == d["figure"].GetString()) return d;
        throw std::runtime_error("no change " + group + "/" + key + "/" + figure);
    }
};

std::unique_ptr<CoachingProgramme::World> CoachingProgramme::world;

void expect_refused(const Pcgd& pcgd, const std::vector<std::string>& args, const std::string& message) {
    const auto r = pcgd(args);
    EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
    EXPECT_NE(r.err.find(message), std::string::npos) << r.err;
}

}  // namespace

TEST_F(CoachingProgramme, WholeProgrammeForTheDemoSme) {
    const Pcgd& pcgd = world->pcgd;
    // People: the account manager is at the SME's own launchpad, experts at the other.
    expect_refused(pcgd, {"sme", "assign", "--sme", "lumiere", "--manager", "am-fr"}, "needs an account manager of its own country's launchpad");
    expect_refused(pcgd, {"sme", "assign", "--sme", "lumiere", "--manager", "am-gb", "--expert", "am-gb"}, "experts come from the other launchpad");
    world->ok({"sme", "assign", "--sme", "lumiere", "--manager", "am-gb", "--expert", "am-fr"});
    // Who sees what (for the API): a manager's SMEs, as account manager or expert.
    const Doc managers = world->json({"manager", "list"});
    ASSERT_EQ(managers.Size(), 2u);
    EXPECT_STREQ(managers[0]["id"].GetString(), "am-fr");
    EXPECT_STREQ(managers[0]["smes"][0].GetString(), "lumiere");
    EXPECT_STREQ(managers[1]["smes"][0].GetString(), "lumiere");
    EXPECT_STREQ(world->json({"programme", "status", "--sme", "lumiere"})["phase"].GetString(), "not_started");
    expect_refused(pcgd, {"manager", "add", "--id", "x", "--name", "X", "--launchpad", "DE"}, "--launchpad must be GB or FR, got 'DE'");

    // Onboarding needs the data access: shops that have synced.
    expect_refused(pcgd, {"programme", "start", "--sme", "lumiere", "--by", "am-gb", "--at", "2026-07-02"},
                   "data access is not ready: shop 'fr' has never synced its inventory");
    EXPECT_EQ(world->json({"session", "list", "--sme", "lumiere"}).Size(), 0u);  // nothing stored on refusal
    sync_json(pcgd);
    world->import_costs();
    expect_refused(pcgd, {"session", "record", "--sme", "lumiere", "--by", "am-gb", "--at", "2026-08-02"}, "the programme has not started");
    expect_refused(pcgd, {"programme", "start", "--sme", "lumiere", "--by", "nobody", "--at", "2026-07-02"}, "no account manager 'nobody'");

    Doc onboarding = world->json({"programme", "start", "--sme", "lumiere", "--by", "am-gb", "--at", "2026-07-02"});
    EXPECT_STREQ(onboarding["kind"].GetString(), "onboarding");
    EXPECT_STREQ(onboarding["snapshot"]["month"].GetString(), "2026-06");
    EXPECT_TRUE(onboarding["compared_with"].IsNull());
    expect_snapshot_matches_reports(onboarding["snapshot"]);
    world->sessions.push_back(std::move(onboarding));

    // Training, an obstacle and goals, set together.
    for (const char* tool : {"quality", "opportunities", "planning"})
        world->ok({"training", "record", "--sme", "lumiere", "--by", "am-gb", "--tool", tool, "--date", "2026-07-02", "--confidence", "3"});
    world->ok({"training", "record", "--sme", "lumiere", "--by", "am-fr", "--tool", "growth", "--not-trained", "--follow-up",
               "costs first: import a cost sheet"});
    expect_refused(pcgd, {"training", "record", "--sme", "lumiere", "--by", "am-gb", "--tool", "growth", "--confidence", "9"},
                   "--confidence must be 1 to 5");
    world->ok({"obstacle", "add", "--sme", "lumiere", "--by", "am-gb", "--kind", "outside_expertise", "--note",
               "the web developer updates the listings", "--date", "2026-07-20"});
    expect_refused(pcgd, {"obstacle", "add", "--sme", "lumiere", "--by", "am-gb", "--kind", "covid", "--note", "x"},
                   "--kind must be external_shock, outside_expertise, data_skills or slowed_growth, got 'covid'");
    world->ok({"goal", "add", "--sme", "lumiere", "--by", "am-gb", "--metric", "monthly_sales", "--target", "1500.00", "--due", "2026-10-31"});
    world->ok({"goal", "add", "--sme", "lumiere", "--by", "am-gb", "--metric", "channel_orders", "--shop", "fr", "--target", "20",
               "--due", "2026-09-30"});
    world->ok({"goal", "add", "--sme", "lumiere", "--by", "am-gb", "--metric", "quality_score", "--shop", "gb", "--target", "95",
               "--due", "2026-12-31"});
    expect_refused(pcgd, {"goal", "add", "--sme", "lumiere", "--by", "am-gb", "--metric", "monthly_sales", "--target", "lots", "--due", "2026-10-31"},
                   "--target for monthly_sales must be a positive amount in GBP");
    expect_refused(pcgd, {"goal", "add", "--sme", "lumiere", "--by", "am-gb", "--metric", "channel_orders", "--shop", "de", "--target", "3",
                          "--due", "2026-10-31"},
                   "--shop: SME 'lumiere' has no shop 'de'");

    // Four formal sessions a month apart; the upstream data changes and is
    // re-synced before each.
    const char* dates[] = {"2026-08-02", "2026-09-02", "2026-10-02", "2026-11-02"};
    const char* months[] = {"2026-07", "2026-08", "2026-09", "2026-10"};
    const std::string answers_file = (std::filesystem::path(pcgd.dir().path()) / "answers.toml").string();
    std::ofstream(answers_file) << "on_track = \"Yes, mostly\"\nagree_with_plan = \"Yes\"\nholding_back = \"Christmas stock\"\n"
                                   "[conclusions]\nexport = \"Try the French marketplace\"\n";
    // The same answers as JSON, used by the last session; and a file with a key that is no question.
    const std::string answers_json = (std::filesystem::path(pcgd.dir().path()) / "answers.json").string();
    std::ofstream(answers_json) << R"({"on_track": "Yes, mostly", "agree_with_plan": "Yes", "holding_back": "Christmas stock",
                                       "conclusions": {"export": "Try the French marketplace"}})";
    const std::string bad_answers = (std::filesystem::path(pcgd.dir().path()) / "bad.json").string();
    std::ofstream(bad_answers) << R"({"on_trak": "typo"})";
    expect_refused(pcgd, {"session", "record", "--sme", "lumiere", "--by", "am-gb", "--at", "2026-08-02", "--answers-file", bad_answers},
                   "bad.json: unknown key 'on_trak' (expected on_track, agree_with_plan, holding_back, new_opportunities, "
                   "new_market_progress or coaching_impact)");
    expect_refused(pcgd, {"session", "record", "--sme", "lumiere", "--by", "am-gb", "--at", "2026-08-02", "--conclusion", "tax=none"},
                   "--conclusion key must be marketing, products, pricing, export or operations, got 'tax'");
    EXPECT_EQ(world->json({"session", "list", "--sme", "lumiere"}).Size(), 1u);  // only the onboarding
    for (int i = 0; i < 4; ++i) {
        SCOPED_TRACE(std::string("session ") + dates[i]);
        world->mutate_and_sync();
        Doc s = world->json({"session", "record", "--sme", "lumiere", "--by", i == 2 ? "am-fr" : "am-gb", "--at", dates[i],
                             "--answers-file", i == 3 ? answers_json : answers_file, "--answer", "new_opportunities=Gift sets " + std::to_string(i + 1),
                             "--conclusion", "pricing=Keep the prices", "--action", "Restock the best seller"});
        EXPECT_EQ(s["number"].GetInt64(), i + 1);
        EXPECT_STREQ(s["by"].GetString(), i == 2 ? "am-fr" : "am-gb");
        EXPECT_STREQ(s["snapshot"]["month"].GetString(), months[i]);
        EXPECT_STREQ(s["answers"]["on_track"].GetString(), "Yes, mostly");
        EXPECT_EQ(std::string(s["answers"]["new_opportunities"].GetString()), "Gift sets " + std::to_string(i + 1));
        EXPECT_STREQ(s["conclusions"]["export"].GetString(), "Try the French marketplace");
        ASSERT_EQ(s["actions"].Size(), 1u);
        EXPECT_STREQ(s["actions"][0]["created_by"].GetString(), i == 2 ? "am-fr" : "am-gb");
        expect_snapshot_matches_reports(s["snapshot"]);
        // The joint review: how the figures moved since the previous session.
        const Value& before = world->sessions.back()["snapshot"];
        EXPECT_EQ(s["compared_with"].GetInt64(), world->sessions.back()["id"].GetInt64());
        const auto& sales = change(s, "total", "", "sales");
        EXPECT_EQ(sales["before"].GetInt64(), before["sales"].GetInt64());
        EXPECT_EQ(sales["after"].GetInt64(), s["snapshot"]["sales"].GetInt64());
        EXPECT_EQ(sales["change"].GetInt64(), s["snapshot"]["sales"].GetInt64() - before["sales"].GetInt64());
        for (const auto& c : s["snapshot"]["channels"].GetArray()) {
            const auto& d = change(s, "channel", c["key"].GetString(), "views");
            EXPECT_EQ(d["after"].GetInt64(), c["views"].GetInt64());
        }
        EXPECT_EQ(change(s, "country", "FR", "orders")["after"].GetInt64(), s["snapshot"]["countries"][0]["orders"].GetInt64());
        world->sessions.push_back(std::move(s));

        if (i == 0) {
            // The plan, drafted from the tools after the first session.
            const Doc plan = world->json({"plan", "draft", "--sme", "lumiere", "--by", "am-gb", "--at", "2026-08-02"});
            const Doc opportunities = world->report("opportunities", "2026-07");
            std::int64_t strong = 0;
            for (const auto& r : opportunities["sections"]["products"]["rows"].GetArray()) strong += std::string(r["tier"].GetString()) == "strong";
            EXPECT_EQ(static_cast<std::int64_t>(plan["draft"]["strong"].Size()), strong);
            EXPECT_EQ(plan["draft"]["new_markets"].Size(), opportunities["sections"]["new_markets"]["rows"].Size());
            EXPECT_EQ(minor(world->report("planning", "2026-07")["sections"]["projection"]["rows"][0]["projected"]),
                      plan["draft"]["projection"]["sales"].GetInt64());
            EXPECT_GT(plan["actions"].Size(), 0u);
            expect_refused(pcgd, {"plan", "draft", "--sme", "lumiere", "--by", "am-gb"}, "already has a plan");
            world->ok({"plan", "edit", "--sme", "lumiere", "--by", "am-gb", "--country", "FR", "--channel", "testshop", "--segment",
                       "gift buyers in Paris", "--summary", "Enter the French market with the candles"});
            world->ok({"action", "add", "--sme", "lumiere", "--by", "am-gb", "--plan", "--title", "Photograph the diffusers", "--owner-kind",
                       "external", "--owner", "Studio Lux", "--due", "2026-09-15"});
            world->ok({"action", "update", "--sme", "lumiere", "--by", "am-fr", "--id", std::to_string(plan["actions"][0]["id"].GetInt64()),
                       "--status", "done"});
            world->ok({"action", "update", "--sme", "lumiere", "--by", "am-gb", "--id", std::to_string(plan["actions"][1]["id"].GetInt64()),
                       "--status", "rejected", "--note", "business decision: no time this season"});
            expect_refused(pcgd, {"action", "update", "--sme", "lumiere", "--by", "am-gb", "--id", "1", "--status", "finished"},
                           "--status must be planned, in_progress, done, rejected or deferred, got 'finished'");
            expect_refused(pcgd, {"plan", "review", "--sme", "lumiere", "--at", "2026-08-20"}, "no full month since the plan of 2026-08-02");
        }
        if (i == 2) {
            // The first marketing and sales review: August-September against July... September against August.
            const Doc review = world->json({"plan", "review", "--sme", "lumiere", "--at", "2026-10-02"});
            EXPECT_STREQ(review["after"]["from"].GetString(), "2026-09");
            EXPECT_STREQ(review["before"]["from"].GetString(), "2026-08");
            const Doc planning = world->report("planning", "2026-09");
            std::int64_t aug = 0, sep = 0;
            for (const auto& r : planning["sections"]["months"]["rows"].GetArray()) {
                if (std::string(r["month"].GetString()) == "2026-08") aug = minor(r["sales"]);
                if (std::string(r["month"].GetString()) == "2026-09") sep = minor(r["sales"]);
            }
            EXPECT_STREQ(review["changes"][1]["figure"].GetString(), "sales");
            EXPECT_EQ(review["changes"][1]["before"].GetInt64(), aug);
            EXPECT_EQ(review["changes"][1]["after"].GetInt64(), sep);
        }
    }
    expect_refused(pcgd, {"session", "record", "--sme", "lumiere", "--by", "am-gb", "--at", "2026-11-20"},
                   "the four formal sessions have been held");
    const Doc status = world->json({"programme", "status", "--sme", "lumiere"});
    EXPECT_STREQ(status["phase"].GetString(), "in_sessions");
    EXPECT_EQ(status["reviews_held"].GetInt64(), 4);
    expect_refused(pcgd, {"session", "record", "--sme", "lumiere", "--by", "am-gb", "--kind", "checkin", "--at", "2026-10-20"},
                   "before the last session");

    // What was on screen stays as it was: after more upstream changes and a
    // sync, the fourth session still shows its own figures and sync times.
    const std::int64_t fourth = world->sessions[4]["id"].GetInt64();
    const std::string before_sync = world->ok({"session", "show", "--sme", "lumiere", "--id", std::to_string(fourth), "--json"}).out;
    world->mutate_and_sync();
    const Doc after_sync = parse_json(world->ok({"session", "show", "--sme", "lumiere", "--id", std::to_string(fourth), "--json"}).out);
    EXPECT_EQ(parse_json(before_sync)["snapshot"], after_sync["snapshot"]);
    const Doc shops = world->json({"shop", "list"});
    EXPECT_NE(pcgd::model::format_iso8601(after_sync["snapshot"]["shops"][0]["synced_at_ms"].GetInt64()),
              shop_entry(shops, after_sync["snapshot"]["shops"][0]["shop"].GetString())["sync"]["orders"]["last_success_at"].GetString());

    // A check-in shows no figures; the end review sets the longer-term plan.
    const Doc checkin = world->json({"session", "record", "--sme", "lumiere", "--by", "am-gb", "--kind", "checkin", "--at", "2026-11-20",
                                     "--notes", "phone call"});
    EXPECT_TRUE(checkin["snapshot"].IsNull());
    Doc end = world->json({"session", "record", "--sme", "lumiere", "--by", "am-gb", "--kind", "end_review", "--at", "2026-12-02",
                           "--answer", "coaching_impact=We read our data every week"});
    EXPECT_STREQ(end["snapshot"]["month"].GetString(), "2026-11");
    EXPECT_EQ(end["compared_with"].GetInt64(), fourth);  // the check-in has no figures to compare
    expect_snapshot_matches_reports(end["snapshot"]);
    EXPECT_GT(end["snapshot"]["orders"].GetInt64(), 0);  // November holds the orders the emulators added since
    world->sessions.push_back(std::move(end));
    world->ok({"session", "record", "--sme", "lumiere", "--by", "am-gb", "--kind", "continuing", "--at", "2027-01-05"});

    // Goals: progress read from the tools as of the end review.
    const Doc goals = world->json({"goal", "list", "--sme", "lumiere", "--at", "2026-12-02"});
    ASSERT_EQ(goals.Size(), 3u);
    const Doc october = world->report("planning", "2026-10");
    std::int64_t october_sales = 0, september_fr_orders = 0;
    for (const auto& r : october["sections"]["months"]["rows"].GetArray())
        if (std::string(r["month"].GetString()) == "2026-10") october_sales = minor(r["sales"]);
    for (const auto& r : october["sections"]["channels"]["rows"].GetArray())
        if (std::string(r["month"].GetString()) == "2026-09" && std::string(r["shop"].GetString()) == "fr") september_fr_orders = r["orders"].GetInt64();
    EXPECT_STREQ(goals[0]["month"].GetString(), "2026-10");
    EXPECT_EQ(goals[0]["value"].GetInt64(), october_sales);
    EXPECT_STREQ(goals[0]["state"].GetString(), october_sales >= 150000 ? "reached" : "missed");
    EXPECT_STREQ(goals[1]["month"].GetString(), "2026-09");
    EXPECT_EQ(goals[1]["value"].GetInt64(), september_fr_orders);
    const Doc quality = world->report("quality", "2026-11");
    EXPECT_STREQ(goals[2]["month"].GetString(), "2026-11");
    for (const auto& r : quality["sections"]["shops"]["rows"].GetArray())
        if (std::string(r["shop"].GetString()) == "gb") {
            EXPECT_EQ(goals[2]["value"].GetInt64(), r["score"].GetInt64());
        }

    // The programme's report.
    const Doc report = world->json({"programme", "report", "--sme", "lumiere", "--at", "2026-12-02"});
    EXPECT_STREQ(report["phase"].GetString(), "ended");
    EXPECT_EQ(report["reviews_held"].GetInt64(), 4);
    EXPECT_EQ(report["sessions"].Size(), 8u);  // onboarding, 4 reviews, check-in, end review, continuing
    EXPECT_STREQ(report["experts"][0].GetString(), "am-fr");
    ASSERT_EQ(report["obstacles"].Size(), 1u);
    EXPECT_STREQ(report["obstacles"][0]["kind"].GetString(), "outside_expertise");
    EXPECT_TRUE(report["training"][0]["trained"].GetBool());   // quality
    EXPECT_FALSE(report["training"][3]["trained"].GetBool());  // growth
    EXPECT_STREQ(report["training"][3]["follow_up"].GetString(), "costs first: import a cost sheet");
    EXPECT_EQ(report["actions_by_status"]["done"].GetInt64(), 1);
    EXPECT_EQ(report["actions_by_status"]["rejected"].GetInt64(), 1);
    EXPECT_STREQ(report["plan"]["target_segment"].GetString(), "gift buyers in Paris");
    EXPECT_EQ(report["goals"].Size(), 3u);

    check_exports();
}

void CoachingProgramme::check_exports() {
    const Pcgd& pcgd = world->pcgd;
    const auto dir = std::filesystem::path(pcgd.dir().path());
    const std::string id = std::to_string(world->sessions[2]["id"].GetInt64());
    world->ok({"export", "session", "--sme", "lumiere", "--id", id, "--lang", "en", "--out", (dir / "s.en.html").string()});
    world->ok({"export", "session", "--sme", "lumiere", "--id", id, "--lang", "fr", "--out", (dir / "s.fr.html").string()});
    world->ok({"export", "plan", "--sme", "lumiere", "--lang", "fr", "--out", (dir / "plan.fr.html").string()});
    const std::string en = read_file(dir / "s.en.html"), fr = read_file(dir / "s.fr.html"), plan = read_file(dir / "plan.fr.html");
    EXPECT_NE(en.find("Are you on track with your plan?"), std::string::npos);
    EXPECT_NE(en.find("Yes, mostly"), std::string::npos);
    EXPECT_NE(en.find("Monthly review and planning session 2"), std::string::npos);
    EXPECT_NE(fr.find("Êtes-vous sur la bonne voie avec votre plan ?"), std::string::npos);
    EXPECT_NE(fr.find("Conclusions de l&#39;examen conjoint"), std::string::npos);
    EXPECT_NE(fr.find("Benoît Roux (FR)"), std::string::npos);
    EXPECT_NE(plan.find("gift buyers in Paris"), std::string::npos);
    EXPECT_NE(plan.find("Studio Lux"), std::string::npos);
    EXPECT_NE(plan.find("Rejetée par décision commerciale"), std::string::npos);
    EXPECT_NE(plan.find("Mettre en vente sur fr les produits qui se vendent ailleurs"), std::string::npos);  // drafted in the SME's language
    // Without --lang, the SME's language.
    EXPECT_NE(world->ok({"export", "session", "--sme", "lumiere", "--id", id}).out.find("<html lang=\"fr\">"), std::string::npos);
    expect_refused(pcgd, {"export", "session", "--sme", "lumiere", "--id", "999"}, "SME 'lumiere' has no session 999");
    expect_refused(pcgd, {"export", "plan", "--sme", "lumiere", "--format", "csv"}, "--format for a plan must be html or pdf");
    expect_refused(pcgd, {"export", "orders", "--format", "html"}, "--format for records must be csv or jsonl");
}

TEST_F(CoachingProgramme, PdfExportsThroughHeadlessChromium) {
    if (std::system("command -v chromium >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1") != 0)
        GTEST_SKIP() << "chromium or pdftotext (poppler-utils) not installed: PDF export not checked";
    const auto dir = std::filesystem::path(world->pcgd.dir().path());
    world->ok({"sme", "assign", "--sme", "lumiere", "--manager", "am-gb", "--expert", "am-fr"});
    // Who sees what (for the API): a manager's SMEs, as account manager or expert.
    const Doc managers = world->json({"manager", "list"});
    ASSERT_EQ(managers.Size(), 2u);
    EXPECT_STREQ(managers[0]["id"].GetString(), "am-fr");
    EXPECT_STREQ(managers[0]["smes"][0].GetString(), "lumiere");
    EXPECT_STREQ(managers[1]["smes"][0].GetString(), "lumiere");
    EXPECT_STREQ(world->json({"programme", "status", "--sme", "lumiere"})["phase"].GetString(), "not_started");
    sync_json(world->pcgd);
    world->ok({"programme", "start", "--sme", "lumiere", "--by", "am-gb", "--at", "2026-09-02"});
    const Doc s = world->json({"session", "record", "--sme", "lumiere", "--by", "am-gb", "--at", "2026-10-02", "--answer",
                               "on_track=Yes, mostly"});
    const std::string id = std::to_string(s["id"].GetInt64());
    world->ok({"plan", "draft", "--sme", "lumiere", "--by", "am-gb", "--at", "2026-10-02"});
    for (const char* lang : {"en", "fr"}) {
        const auto pdf = dir / (std::string("s.") + lang + ".pdf");
        world->ok({"export", "session", "--sme", "lumiere", "--id", id, "--lang", lang, "--format", "pdf", "--out", pdf.string()});
        const auto text = dir / (std::string("s.") + lang + ".txt");
        ASSERT_EQ(std::system(("pdftotext -enc UTF-8 '" + pdf.string() + "' '" + text.string() + "'").c_str()), 0);
        const std::string body = read_file(text.string());
        if (std::string(lang) == "en") {
            EXPECT_NE(body.find("Are you on track with your plan?"), std::string::npos) << body.substr(0, 500);
            EXPECT_NE(body.find("Alice Martin"), std::string::npos);
        } else {
            EXPECT_NE(body.find("Êtes-vous sur la bonne voie avec votre plan ?"), std::string::npos) << body.substr(0, 500);
            EXPECT_NE(body.find("Compte rendu de session de coaching"), std::string::npos);
        }
    }
    const auto pdf = dir / "plan.pdf";
    world->ok({"export", "plan", "--sme", "lumiere", "--lang", "fr", "--format", "pdf", "--out", pdf.string()});
    ASSERT_EQ(std::system(("pdftotext -enc UTF-8 '" + pdf.string() + "' '" + (dir / "plan.txt").string() + "'").c_str()), 0);
    EXPECT_NE(read_file((dir / "plan.txt").string()).find("Plan d'entrée sur le nouveau marché"), std::string::npos);
}

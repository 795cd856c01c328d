// The dashboard in a real browser: `pcgd serve` on a store synced from the
// testshop emulator, headless Chromium driven through chromedriver (W3C
// WebDriver). The page signs in, switches to French, selects a month, and
// shows exactly the figures the API gives, formatted as the CLI formats them;
// the Programme tab shows the coaching records and a manager follows an action.
// The emulator's history ends now and the test picks the last full month from
// the clock, as the page's month list does, so that it holds in any year.
#include <gtest/gtest.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <chrono>
#include <fstream>
#include <map>
#include <pcgd/model/money.hpp>
#include <pcgd/model/time.hpp>

#include "analysis/report.hpp"
#include "harness.hpp"
#include "webdriver.hpp"

using namespace pcgd::test;
namespace analysis = pcgd::analysis;

namespace {

std::int64_t wall_now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

/// The emulator's "now": the wall clock to the minute.
std::string wall_now() {
    const std::int64_t ms = wall_now_ms();
    return pcgd::model::format_iso8601(ms - ms % 60000);
}

std::int64_t today() {
    return pcgd::model::floor_div(wall_now_ms(), 86400000);
}

/// The month before the current one (UTC): the page's default and the reports'.
std::string last_full_month() {
    return analysis::Month::of_day(today()).plus(-1).str();
}

class DashboardEndToEnd : public ::testing::Test {
protected:
    void SetUp() override {
        ok({"sme", "add", "--id", "lumiere", "--name", "Lumière", "--currency", "GBP"});
        ok({"sme", "add", "--id", "rival", "--name", "Rival Ltd", "--currency", "EUR"});
        ok({"shop", "add", "--id", "gb", "--sme", "lumiere", "--platform", "testshop", "--base-url",
            emulator.base_url(), "--country", "GB", "--timezone", "UTC", "--setting", "client_id=pcgd-test-client",
            "--credential", "client_secret=pcgd-test-secret"});
        sync_json(pcgd);
        // Unit costs and a fee rule, so that profit is known and shown.
        const std::string costs = pcgd.dir() / "costs.csv";
        {
            std::ofstream out(costs);
            out << "sku,unit_cost,currency,valid_from\n";
            for (const auto& v : pcgd.export_jsonl("variants", "gb"))
                out << v["sku"].GetString() << ",3.00,GBP,2020-01-01\n";
        }
        ok({"costs", "import", "--sme", "lumiere", costs});
        std::ofstream(pcgd.dir() / "pcgd.toml", std::ios::app) << "[fees.testshop]\npercent = 3.0\nfixed_minor = 20\n";
        admin_token = token({"--role", "admin"});
        sme_token = token({"--role", "sme", "--subject", "lumiere"});

        server = pcgd.start({"serve", "--listen", "127.0.0.1:0"});
        const std::string line = server->read_line();
        const std::string prefix = "listening on ";
        ASSERT_EQ(line.substr(0, prefix.size()), prefix) << line;
        base_url = line.substr(prefix.size());
        try {
            browser = std::make_unique<WebDriver>();
        } catch (const std::exception& e) {
            FAIL() << e.what();  // never skipped: CI installs chromium and chromium-driver (.ci/setup)
        }
    }

    void ok(const std::vector<std::string>& args) {
        const auto r = pcgd(args);
        ASSERT_EQ(r.exit_code, 0) << r.err;
    }

    std::string token(std::vector<std::string> args) {
        args.insert(args.begin(), {"token", "create"});
        const auto r = pcgd(args);
        EXPECT_EQ(r.exit_code, 0) << r.err;
        return r.out.substr(0, r.out.find('\n'));
    }

    rapidjson::Document api(const std::string& target, const std::string& with_token) {
        const auto r = web_request("GET", base_url + target, {}, with_token);
        EXPECT_EQ(r.status, 200) << target << ": " << r.body;
        return parse_json(r.body);
    }

    /// The text of the first element matching `css`.
    std::string text(const std::string& css) {
        return browser->eval_string("(document.querySelector('" + css + "') || {textContent: 'NO " + css +
                                    "'}).textContent");
    }

    /// Waits until the view shows `view` in `lang` for `month` ("" = any) and has finished loading.
    void wait_for_view(const std::string& view, const std::string& lang, const std::string& month = {}) {
        std::string condition = "(v => v && v.dataset.view === '" + view + "' && v.dataset.lang === '" + lang +
                                "' && !v.hasAttribute('aria-busy')";
        if (!month.empty()) condition += " && v.dataset.month === '" + month + "'";
        condition += ")(document.getElementById('view'))";
        browser->wait_until(condition, "the " + view + " view in " + lang);
    }

    void choose(const std::string& select_id, const std::string& value) {
        browser->click(browser->find("#" + select_id + " option[value=\"" + value + "\"]"));
    }

    Emulator emulator{emulated("testshop", "GB", 13, 20, 300, {"--now", wall_now()})};
    Pcgd pcgd;
    std::string admin_token, sme_token, base_url;
    std::unique_ptr<Subprocess> server;
    std::unique_ptr<WebDriver> browser;
};

std::string money_fr(const rapidjson::Value& money) {
    return analysis::format_money(
        pcgd::model::Money{money["minor"].GetInt64(), pcgd::model::Currency::of(money["currency"].GetString())},
        analysis::Lang::fr);
}

}  // namespace

TEST_F(DashboardEndToEnd, SignsInSwitchesToFrenchSelectsAMonthAndShowsTheApiFigures) {
    browser->navigate(base_url + "/");
    browser->wait_until("!document.getElementById('login').hidden", "the login form");
    browser->type(browser->find("#token"), admin_token);
    browser->click(browser->find("#sign-in"));
    wait_for_view("shops", "en");

    // The shops, as the API lists them, with each dataset's last sync.
    const auto shops = api("/api/smes/lumiere/shops", admin_token);
    ASSERT_EQ(shops.Size(), 1u);
    EXPECT_EQ(
        browser->eval_string("[...document.querySelectorAll('#view tr[data-shop]')].map(r => r.dataset.shop).join()"),
        "gb");
    EXPECT_EQ(text("#view tr[data-shop=gb] [data-col=platform]"), "testshop");
    EXPECT_EQ(text("#view tr[data-shop=gb] [data-col=country]"), "GB");
    EXPECT_EQ(text("#view tr[data-shop=gb] [data-col=orders]"),
              analysis::format_integer(shops[0]["counts"]["orders"].GetInt64(), analysis::Lang::en));
    EXPECT_EQ(text("#view tr[data-shop=gb] [data-col=sync-orders]").rfind("last success: ", 0), 0u);
    // The scheduler's view of the shop, and "sync now" queues a sync the API knows.
    const auto schedule = api("/api/shops/gb/sync", admin_token);
    EXPECT_EQ(browser->eval_string("document.querySelector('#view tr[data-shop=gb] [data-field=state]').dataset.state"),
              schedule["state"].GetString());
    browser->click(browser->find("#view tr[data-shop=gb] button[data-action=sync]"));
    browser->wait_until("document.querySelector('#view tr[data-shop=gb] [data-field=result]').textContent !== ''",
                        "the sync's answer");
    const std::string queued = text("#view tr[data-shop=gb] [data-field=result]");
    ASSERT_EQ(queued.rfind("Sync ", 0), 0u) << queued;
    const std::string sync_id = queued.substr(5, queued.find(' ', 5) - 5);
    EXPECT_EQ(queued, "Sync " + sync_id + " queued.");
    EXPECT_STREQ(api("/api/syncs/" + sync_id, admin_token)["shop"].GetString(), "gb");
    // An admin reads both SMEs: the picker offers them.
    EXPECT_EQ(browser->eval_string("[...document.querySelectorAll('#sme option')].map(o => o.value).join()"),
              "lumiere,rival");
    EXPECT_EQ(browser->eval_string("String(document.getElementById('sme-picker').hidden)"), "false");

    // French: the page's labels and the report's.
    choose("lang", "fr");
    wait_for_view("shops", "fr");
    EXPECT_EQ(browser->eval_string("document.documentElement.lang"), "fr");
    EXPECT_EQ(text("#views button[data-view=growth]"), "Croissance");
    EXPECT_EQ(text("label[for=month]"), "Mois");

    browser->click(browser->find("#views button[data-view=growth]"));
    wait_for_view("growth", "fr");
    // Another month first, so that choosing the last full month is a change the page must follow.
    const std::string month_id = last_full_month();
    const auto chosen = *analysis::Month::parse(month_id);
    choose("month", chosen.plus(-1).str());
    wait_for_view("growth", "fr", chosen.plus(-1).str());
    choose("month", month_id);
    wait_for_view("growth", "fr", month_id);
    EXPECT_EQ(browser->eval_string("document.getElementById('month').selectedOptions[0].textContent"),
              analysis::format_month(chosen, analysis::Lang::fr));

    // The month's figures on the page are the API's for that month.
    const auto growth = api("/api/reports/growth?sme=lumiere&month=" + month_id + "&lang=fr", admin_token);
    ASSERT_EQ(std::string(growth["month"].GetString()), month_id);
    const auto& overview = growth["sections"]["overview"];
    ASSERT_EQ(overview["rows"].Size(), 1u);
    const auto& month = overview["rows"][0];
    ASSERT_TRUE(month["profit"].IsObject()) << "profit unknown: costs or fees missing";
    const std::string row = "#view table[data-section=overview] tbody tr ";
    EXPECT_EQ(text(row + "[data-col=month]"), analysis::format_month(chosen, analysis::Lang::fr));
    EXPECT_EQ(text(row + "[data-col=orders]"),
              analysis::format_integer(month["orders"].GetInt64(), analysis::Lang::fr));
    EXPECT_EQ(text(row + "[data-col=sales]"), money_fr(month["sales"]));
    EXPECT_EQ(text(row + "[data-col=profit]"), money_fr(month["profit"]));
    EXPECT_EQ(text(row + "[data-col=cost]"), money_fr(month["cost"]));
    EXPECT_GT(month["orders"].GetInt64(), 0);
    // French money: narrow no-break space between thousands, no-break space before the symbol.
    EXPECT_NE(text(row + "[data-col=sales]").find("\u00A0£"), std::string::npos);
    EXPECT_EQ(text("#view table[data-section=overview] th[data-col=sales]"), "Ventes");
    // Every order of the month, each with the API's profit.
    const auto& orders = growth["sections"]["orders"]["rows"];
    ASSERT_EQ(browser->execute("return document.querySelectorAll('#view table[data-section=orders] tbody tr').length;")
                  .GetInt(),
              static_cast<int>(orders.Size()));
    for (rapidjson::SizeType i = 0; i < orders.Size(); ++i) {
        const std::string nth = "#view table[data-section=orders] tbody tr:nth-child(" + std::to_string(i + 1) + ") ";
        ASSERT_TRUE(orders[i]["order"].IsString() && orders[i]["profit"].IsObject());
        EXPECT_EQ(text(nth + "[data-col=order]"), orders[i]["order"].GetString());
        EXPECT_EQ(text(nth + "[data-col=profit]"), money_fr(orders[i]["profit"]));
    }

    // Planning: its table and charts, the projection marked as such.
    browser->click(browser->find("#views button[data-view=planning]"));
    wait_for_view("planning", "fr", month_id);
    const auto planning = api("/api/reports/planning?sme=lumiere&month=" + month_id + "&lang=fr", admin_token);
    const auto& months = planning["sections"]["months"]["rows"];
    EXPECT_EQ(browser->execute("return document.querySelectorAll('#view table[data-section=months] tbody tr').length;")
                  .GetInt(),
              static_cast<int>(months.Size()));
    EXPECT_EQ(text("#view table[data-section=months] tbody tr:last-child [data-col=sales]"),
              money_fr(months[months.Size() - 1]["sales"]));
    EXPECT_EQ(browser->execute("return document.querySelectorAll('#view figure.chart svg').length;").GetInt(), 4);
    EXPECT_EQ(browser->execute("return document.querySelectorAll('#view .bar.projection').length;").GetInt(), 2);
    EXPECT_EQ(text("#view .bar.projection .projection-label"), "projection");
    // Every amount of the comparisons, thousands included (narrow no-break space).
    const auto& comparisons = planning["sections"]["comparisons"]["rows"];
    bool thousands = false;
    for (rapidjson::SizeType i = 0; i < comparisons.Size(); ++i) {
        if (!comparisons[i]["value"].IsObject()) continue;  // the orders rows
        const std::string nth =
            "#view table[data-section=comparisons] tbody tr:nth-child(" + std::to_string(i + 1) + ") ";
        EXPECT_EQ(text(nth + "[data-col=value]"), money_fr(comparisons[i]["value"]));
        EXPECT_EQ(text(nth + "[data-col=previous_value]"), money_fr(comparisons[i]["previous_value"]));
        thousands = thousands || comparisons[i]["value"]["minor"].GetInt64() >= 100000;
    }
    EXPECT_TRUE(thousands) << "no amount of 1,000 or more to check the grouping on";

    // Back to English: the same figures, formatted the English way.
    choose("lang", "en");
    wait_for_view("planning", "en", month_id);
    const auto& last = months[months.Size() - 1]["sales"];
    EXPECT_EQ(text("#view table[data-section=months] tbody tr:last-child [data-col=sales]"),
              analysis::format_money(pcgd::model::Money{last["minor"].GetInt64(), pcgd::model::Currency::of("GBP")},
                                     analysis::Lang::en));
    EXPECT_EQ(text("#view table[data-section=months] th[data-col=sales]"), "Sales");

    // No script error, no policy violation, no failed load all along.
    EXPECT_EQ(browser->browser_errors(), std::vector<std::string>{});
}

TEST_F(DashboardEndToEnd, AnSmeLinkWithTokenAndLanguageSeesItsOwnSmeOnly) {
    browser->navigate(base_url + "/#token=" + sme_token + "&lang=fr");
    wait_for_view("shops", "fr");
    // The fragment is gone from the address; the token stays in this tab.
    EXPECT_EQ(browser->eval_string("location.hash"), "");
    EXPECT_EQ(browser->eval_string("sessionStorage.getItem('pcgd.token')"), sme_token);
    EXPECT_EQ(browser->eval_string("[...document.querySelectorAll('#sme option')].map(o => o.value).join()"),
              "lumiere");
    EXPECT_EQ(browser->eval_string("String(document.getElementById('sme-picker').hidden)"), "true");
    EXPECT_EQ(text("#sme-name"), "Lumière");
    EXPECT_EQ(browser->eval_string("String(document.body.innerText.toLowerCase().includes('rival'))"), "false");
    // Its schedule in French, and nothing to start: an SME reads only.
    EXPECT_EQ(text("#view tr[data-shop=gb] [data-field=lag]").rfind("âge des données\u00A0: ", 0), 0u);
    EXPECT_EQ(browser->eval_string("String(document.querySelectorAll('#view button[data-action]').length)"), "0");
    // A reload keeps the session and the language.
    browser->navigate(base_url + "/");
    wait_for_view("shops", "fr");
    EXPECT_EQ(text("#who"), "Connecté\u00A0: sme lumiere");
    EXPECT_EQ(browser->browser_errors(), std::vector<std::string>{});
}

TEST_F(DashboardEndToEnd, ARefusedTokenBringsTheLoginBackWithAMessage) {
    const std::string refused = "The token was refused (unknown, revoked or malformed). Sign in again.";
    browser->navigate(base_url + "/#token=pcgd_" + std::string(64, '0'));
    browser->wait_until("document.getElementById('login-message').textContent !== ''", "the login message");
    EXPECT_EQ(text("#login-message"), refused);
    EXPECT_EQ(browser->eval_string("String(document.getElementById('app').hidden)"), "true");

    // Revoked while signed in: the next request brings the login back.
    browser->type(browser->find("#token"), sme_token);
    browser->click(browser->find("#sign-in"));
    wait_for_view("shops", "en");
    const auto list = pcgd({"token", "list", "--json"});
    const auto tokens = parse_json(list.out);
    ok({"token", "revoke", "--id", std::to_string(tokens[tokens.Size() - 1]["id"].GetInt64())});
    browser->click(browser->find("#views button[data-view=quality]"));
    browser->wait_until("!document.getElementById('login').hidden", "the login form");
    EXPECT_EQ(text("#login-message"), refused);
    EXPECT_EQ(browser->eval_string("String(sessionStorage.getItem('pcgd.token'))"), "null");
    // The message follows the language.
    choose("lang", "fr");
    EXPECT_EQ(text("#login-message"), "Le jeton a été refusé (inconnu, révoqué ou mal formé). Reconnectez-vous.");
    EXPECT_EQ(text("label[for=token]"), "Jeton d’API");
}

namespace {

/// A programme for lumiere, set up with the CLI as account managers do: an
/// onboarding, a review with answers (one with markup, shown as text),
/// training, a goal, an obstacle and a new-market plan with an action.
class DashboardProgramme : public DashboardEndToEnd {
protected:
    void SetUp() override {
        DashboardEndToEnd::SetUp();
        if (HasFatalFailure()) return;
        ok({"manager", "add", "--id", "am-gb", "--name", "Alice Martin", "--launchpad", "GB"});
        ok({"sme", "assign", "--sme", "lumiere", "--manager", "am-gb"});
        const std::string day = pcgd::model::format_date(today());
        ok({"programme", "start", "--sme", "lumiere", "--by", "am-gb"});
        const auto review =
            json({"session", "record", "--sme", "lumiere", "--by", "am-gb", "--answer", "on_track=Yes, mostly",
                  "--answer", "holding_back=Stock <b>levels</b> & \"Christmas\"", "--conclusion",
                  "export=Try the French marketplace", "--action", "Restock the best seller"});
        review_id = review["id"].GetInt64();
        ok({"training", "record", "--sme", "lumiere", "--by", "am-gb", "--tool", "quality", "--date", day,
            "--confidence", "4"});
        ok({"goal", "add", "--sme", "lumiere", "--by", "am-gb", "--metric", "monthly_sales", "--target", "1500.00",
            "--due", std::to_string(analysis::Month::of_day(today()).year + 1) + "-12-31"});
        ok({"obstacle", "add", "--sme", "lumiere", "--by", "am-gb", "--kind", "data_skills", "--note",
            "reads no report yet", "--date", day});
        ok({"plan", "draft", "--sme", "lumiere", "--by", "am-gb"});
        ok({"plan", "edit", "--sme", "lumiere", "--by", "am-gb", "--country", "FR", "--channel", "testshop",
            "--summary", "Enter the French market with the candles"});
        const auto plan_action = json({"action", "add", "--sme", "lumiere", "--by", "am-gb", "--plan", "--title",
                                       "Photograph the diffusers", "--owner-kind", "external", "--owner", "Studio Lux",
                                       "--due", std::to_string(analysis::Month::of_day(today()).year + 1) + "-03-15"});
        plan_action_id = plan_action["id"].GetInt64();
        manager_token = token({"--role", "manager", "--subject", "am-gb"});
    }

    rapidjson::Document json(std::vector<std::string> args) {
        args.push_back("--json");
        const auto r = pcgd(args);
        EXPECT_EQ(r.exit_code, 0) << r.err;
        return parse_json(r.out);
    }

    void open_programme(const std::string& with_token, const std::string& lang) {
        browser->navigate(base_url + "/#token=" + with_token + "&lang=" + lang);
        wait_for_view("shops", lang);
        browser->click(browser->find("#views button[data-view=programme]"));
        wait_for_view("programme", lang);
    }

    /// The browser's errors but the console's line for the plan review's
    /// expected refusal (a plan too recent to review is a 422 the page shows as a message).
    std::vector<std::string> unexpected_browser_errors() {
        std::vector<std::string> out;
        for (auto& e : browser->browser_errors())
            if (e.find("/plan/review - Failed to load resource: the server responded with a status of 422") ==
                std::string::npos)
                out.push_back(std::move(e));
        return out;
    }

    std::string action_css(std::int64_t id) { return "#view tr[data-action=\"" + std::to_string(id) + "\"] "; }

    std::int64_t review_id = 0, plan_action_id = 0;
    std::string manager_token;
};

}  // namespace

TEST_F(DashboardProgramme, ShowsTheApiRecordsInEnglishAndFrench) {
    open_programme(manager_token, "en");
    const auto status = api("/api/smes/lumiere/programme", manager_token);
    ASSERT_STREQ(status["phase"].GetString(), "in_sessions");
    EXPECT_EQ(text("#view [data-section=programme] [data-col=phase]"), "In monthly sessions");
    EXPECT_EQ(text("#view [data-section=programme] [data-col=reviews_held]"),
              std::to_string(status["reviews_held"].GetInt64()));

    // Both sessions listed; the latest, the review, shown with its answers.
    const auto sessions = api("/api/smes/lumiere/sessions", manager_token);
    ASSERT_EQ(sessions.Size(), 2u);
    EXPECT_EQ(browser->execute("return document.querySelectorAll('#view tr[data-session-id]').length;").GetInt(), 2);
    EXPECT_EQ(browser->eval_string("document.getElementById('session-detail').dataset.session"),
              std::to_string(review_id));
    const auto review = api("/api/smes/lumiere/sessions/" + std::to_string(review_id), manager_token);
    EXPECT_EQ(text("#session-detail dd[data-question=on_track]"), review["answers"]["on_track"].GetString());
    EXPECT_EQ(text("#session-detail dd[data-question=holding_back]"), "Stock <b>levels</b> & \"Christmas\"");
    EXPECT_EQ(browser->execute("return document.querySelectorAll('#session-detail b').length;").GetInt(), 0);
    EXPECT_EQ(text("#session-detail dd[data-question=coaching_impact]"), "(no answer recorded)");
    EXPECT_EQ(text("#session-detail dd[data-area=export]"), review["conclusions"]["export"].GetString());
    EXPECT_EQ(
        browser
            ->execute(
                "return document.querySelectorAll('#session-detail table[data-section^=changes] tbody tr').length;")
            .GetInt(),
        static_cast<int>(review["changes"].Size()));
    ASSERT_EQ(review["actions"].Size(), 1u);
    const auto& session_action = review["actions"][0];
    const std::string session_row =
        "#session-detail tr[data-action=\"" + std::to_string(session_action["id"].GetInt64()) + "\"] ";
    EXPECT_EQ(text(session_row + "[data-col=title]"), session_action["title"].GetString());
    EXPECT_EQ(browser->eval_string("document.querySelector('" + session_row + "select').value"),
              session_action["status"].GetString());
    EXPECT_EQ(
        browser->eval_string("document.querySelector('" + session_row + "select').selectedOptions[0].textContent"),
        "Planned");

    // Selecting the onboarding shows it: the first session has nothing to compare with.
    const std::string onboarding = std::to_string(sessions[0]["id"].GetInt64());
    browser->click(browser->find("#view tr[data-session-id=\"" + onboarding + "\"] button.show-session"));
    browser->wait_until(
        "(d => d && d.dataset.session === '" + onboarding + "')(document.getElementById('session-detail'))",
        "the onboarding's record");
    EXPECT_EQ(text("#session-detail p[data-section=changes]"), "No earlier session to compare with.");

    // Training, goals, obstacles, the plan: as the API gives them.
    EXPECT_EQ(text("#view tr[data-tool=quality] [data-col=confidence]"), "4/5");
    EXPECT_EQ(text("#view tr[data-tool=growth] [data-col=trained]"), "no");
    const auto goals = api("/api/smes/lumiere/goals", manager_token);
    ASSERT_EQ(goals.Size(), 1u);
    const std::string goal_row = "#view tr[data-goal=\"" + std::to_string(goals[0]["id"].GetInt64()) + "\"] ";
    EXPECT_EQ(browser->eval_string("document.querySelector('" + goal_row + "').dataset.state"),
              goals[0]["state"].GetString());
    EXPECT_EQ(text(goal_row + "[data-col=target]"), "£1,500.00");
    if (goals[0]["value"].IsInt64()) {
        EXPECT_EQ(
            text(goal_row + "[data-col=value]"),
            analysis::format_money(pcgd::model::Money{goals[0]["value"].GetInt64(), pcgd::model::Currency::of("GBP")},
                                   analysis::Lang::en));
    }
    EXPECT_EQ(text("#view tr[data-obstacle] [data-col=note]"), "reads no report yet");
    const auto plan = api("/api/smes/lumiere/plan", manager_token);
    EXPECT_EQ(text("#view [data-section=plan] [data-col=summary]"), plan["summary"].GetString());
    EXPECT_EQ(text("#view [data-section=plan] [data-col=target]"), "FR · testshop");
    EXPECT_EQ(text(action_css(plan_action_id) + "[data-col=title]"), "Photograph the diffusers");
    EXPECT_EQ(text(action_css(plan_action_id) + "[data-col=owner]"), "Paid external work (Studio Lux)");
    // The plan review: a table, or the API's refusal as a plain message.
    const auto review_answer = web_request("GET", base_url + "/api/smes/lumiere/plan/review", {}, manager_token);
    if (review_answer.status == 200) {
        EXPECT_EQ(browser->execute("return document.querySelectorAll('#view table[data-section=plan-review]').length;")
                      .GetInt(),
                  1);
    } else {
        ASSERT_TRUE(review_answer.status == 404 || review_answer.status == 422) << review_answer.body;
        EXPECT_EQ(text("#view article > p.message:last-child"), parse_json(review_answer.body)["error"].GetString());
    }

    // French: the key questions in the report's wording, statuses and states translated, the answers unchanged.
    choose("lang", "fr");
    wait_for_view("programme", "fr");
    EXPECT_EQ(text("#views button[data-view=programme]"), "Programme");
    EXPECT_EQ(text("#view [data-section=programme] [data-col=phase]"), "En sessions mensuelles");
    EXPECT_EQ(browser->eval_string("document.getElementById('session-detail').dataset.session"), onboarding);
    browser->click(
        browser->find("#view tr[data-session-id=\"" + std::to_string(review_id) + "\"] button.show-session"));
    browser->wait_until("(d => d && d.dataset.session === '" + std::to_string(review_id) +
                            "')(document.getElementById('session-detail'))",
                        "the review's record");
    EXPECT_EQ(text("#session-detail dl.answers dt"), "Êtes-vous sur la bonne voie avec votre plan ?");
    EXPECT_EQ(text("#session-detail dd[data-question=on_track]"), review["answers"]["on_track"].GetString());
    EXPECT_EQ(
        browser->eval_string("document.querySelector('" + session_row + "select').selectedOptions[0].textContent"),
        "Prévue");
    EXPECT_EQ(text(goal_row + "[data-col=target]"), "1\u202F500,00\u00A0£");
    const std::map<std::string, std::string> states_fr = {
        {"reached", "Atteint"}, {"in_progress", "En cours"}, {"missed", "Manqué"}, {"unknown", "Inconnu"}};
    EXPECT_EQ(text(goal_row + "[data-col=state]"), states_fr.at(goals[0]["state"].GetString()));
    EXPECT_EQ(text("#view tr[data-obstacle] [data-col=kind]"),
              "Manque de connaissances sur l'utilisation des données pour les décisions commerciales");
    EXPECT_EQ(unexpected_browser_errors(), std::vector<std::string>{});
}

TEST_F(DashboardProgramme, AManagerFollowsAnActionToTheEndAndTheApiHasIt) {
    // Last changed by the admin: the row says so until the manager saves.
    const std::string target = base_url + "/api/smes/lumiere/actions/" + std::to_string(plan_action_id);
    ASSERT_EQ(web_request("PATCH", target, R"({"note":"set by admin"})", admin_token).status, 200);
    open_programme(manager_token, "fr");
    const std::string row = action_css(plan_action_id);
    EXPECT_EQ(text(row + ".saved").rfind("Mis à jour par admin, ", 0), 0u) << text(row + ".saved");
    EXPECT_EQ(browser->eval_string("document.querySelector('" + row + "input.note-input').value"), "set by admin");
    browser->click(browser->find(row + "select option[value=done]"));
    browser->execute("document.querySelector('" + row + "input.note-input').value = '';");
    browser->type(browser->find(row + "input.note-input"), "Photos en ligne");
    browser->click(browser->find(row + "button.save-action"));
    browser->wait_until("document.querySelector('" + row + "').dataset.saves === '1'", "the saved action");
    EXPECT_EQ(text(row + ".saved").rfind("Mis à jour par am-gb, ", 0), 0u) << text(row + ".saved");

    const auto actions = api("/api/smes/lumiere/actions", manager_token);
    const rapidjson::Value* saved = nullptr;
    for (const auto& a : actions.GetArray())
        if (a["id"].GetInt64() == plan_action_id) saved = &a;
    ASSERT_NE(saved, nullptr);
    EXPECT_STREQ((*saved)["status"].GetString(), "done");
    EXPECT_STREQ((*saved)["note"].GetString(), "Photos en ligne");
    EXPECT_STREQ((*saved)["updated_by"].GetString(), "am-gb");
    EXPECT_EQ(browser->eval_string("document.querySelector('" + row + "').dataset.status"), "done");

    // A reload shows the stored status.
    browser->navigate(base_url + "/");
    wait_for_view("shops", "fr");
    browser->click(browser->find("#views button[data-view=programme]"));
    wait_for_view("programme", "fr");
    EXPECT_EQ(browser->eval_string("document.querySelector('" + row + "select').value"), "done");
    EXPECT_EQ(unexpected_browser_errors(), std::vector<std::string>{});

    // The SME handed to another manager: the next save shows the API's refusal in the row, and changes nothing.
    ok({"manager", "add", "--id", "am-gb2", "--name", "Carl Dent", "--launchpad", "GB"});
    ok({"sme", "assign", "--sme", "lumiere", "--manager", "am-gb2"});
    const auto refusal = web_request("PATCH", target, R"({"status":"deferred"})", manager_token);
    ASSERT_NE(refusal.status, 200) << refusal.body;
    browser->click(browser->find(row + "select option[value=deferred]"));
    browser->click(browser->find(row + "button.save-action"));
    browser->wait_until("document.querySelector('" + row + "').dataset.saves === '1'", "the refused save");
    EXPECT_EQ(text(row + ".saved.error"),
              "Erreur\u00A0: " + std::string(parse_json(refusal.body)["error"].GetString()));
    const auto after = api("/api/smes/lumiere/actions", admin_token);
    for (const auto& a : after.GetArray()) {
        if (a["id"].GetInt64() == plan_action_id) {
            EXPECT_STREQ(a["status"].GetString(), "done");
        }
    }
    const auto errors = unexpected_browser_errors();  // the refused PATCH's failed load only
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_NE(errors[0].find("/actions/" + std::to_string(plan_action_id) + " - Failed to load resource"),
              std::string::npos)
        << errors[0];
}

TEST_F(DashboardProgramme, AnSmeSeesTheStatusesReadOnly) {
    open_programme(sme_token, "en");
    EXPECT_EQ(
        browser
            ->execute("return document.querySelectorAll('#view select, #view .save-action, #view .note-input').length;")
            .GetInt(),
        0);
    EXPECT_EQ(browser->execute("return document.querySelectorAll('#view .record, #view form').length;").GetInt(), 0);
    EXPECT_EQ(text(action_css(plan_action_id) + ".status"), "Planned");
    EXPECT_EQ(text("#session-detail dd[data-question=on_track]"), "Yes, mostly");
    // The API refuses an SME's change anyway.
    const auto refused = web_request("PATCH", base_url + "/api/smes/lumiere/actions/" + std::to_string(plan_action_id),
                                     R"({"status":"done"})", sme_token);
    EXPECT_EQ(refused.status, 403);
    EXPECT_EQ(unexpected_browser_errors(), std::vector<std::string>{});
}

TEST_F(DashboardProgramme, AnAdminEditsActionsButRecordsNothing) {
    open_programme(admin_token, "en");
    // Every action shown (the plan's and the selected review's) has its status list and Save button...
    const auto plan = api("/api/smes/lumiere/plan", admin_token);
    const auto review = api("/api/smes/lumiere/sessions/" + std::to_string(review_id), admin_token);
    const int shown = static_cast<int>(plan["actions"].Size() + review["actions"].Size());
    ASSERT_GE(shown, 2);
    EXPECT_EQ(browser->execute("return document.querySelectorAll('#view tr[data-action]').length;").GetInt(), shown);
    EXPECT_EQ(browser->execute("return document.querySelectorAll('#view tr[data-action] select.status-select').length;")
                  .GetInt(),
              shown);
    EXPECT_EQ(
        browser->execute("return document.querySelectorAll('#view tr[data-action] .save-action').length;").GetInt(),
        shown);
    // ...and nothing else to record: a record names a person, an admin token names none.
    EXPECT_EQ(browser->execute("return document.querySelectorAll('#view .record, #view form').length;").GetInt(), 0);
    EXPECT_EQ(unexpected_browser_errors(), std::vector<std::string>{});
}

namespace {

/// A programme just started (the onboarding only: no review, training, goal,
/// obstacle or plan yet) for the manager to record from the page.
class DashboardRecording : public DashboardEndToEnd {
protected:
    void SetUp() override {
        DashboardEndToEnd::SetUp();
        if (HasFatalFailure()) return;
        ok({"manager", "add", "--id", "am-gb", "--name", "Alice Martin", "--launchpad", "GB"});
        ok({"sme", "assign", "--sme", "lumiere", "--manager", "am-gb"});
        ok({"programme", "start", "--sme", "lumiere", "--by", "am-gb"});
        manager_token = token({"--role", "manager", "--subject", "am-gb"});
    }

    void open_programme(const std::string& with_token, const std::string& lang) {
        browser->navigate(base_url + "/#token=" + with_token + "&lang=" + lang);
        wait_for_view("shops", lang);
        browser->click(browser->find("#views button[data-view=programme]"));
        wait_for_view("programme", lang);
    }

    /// Unfolds the form `name` (a <details>); its CSS prefix.
    std::string open_form(const std::string& name) {
        browser->click(browser->find("#view details[data-form=\"" + name + "\"] > summary"));
        return "#view form[data-form=\"" + name + "\"] ";
    }

    /// Types into the form's field `name` as a person would.
    void type_in(const std::string& form, const std::string& name, const std::string& text) {
        browser->type(browser->find(form + "[name=\"" + name + "\"]"), text);
    }

    /// Sets a field's value directly: a date field (whose typing follows the
    /// browser's locale) or a field holding a value already.
    void set_value(const std::string& form, const std::string& name, const std::string& value) {
        rapidjson::StringBuffer buffer;
        rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
        w.StartArray();
        const std::string css = form + "[name=\"" + name + "\"]";
        w.String(css.c_str(), static_cast<rapidjson::SizeType>(css.size()));
        w.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
        w.EndArray();
        browser->execute("document.querySelector(arguments[0]).value = arguments[1];", buffer.GetString());
    }

    void pick(const std::string& form, const std::string& name, const std::string& value) {
        browser->click(browser->find(form + "select[name=\"" + name + "\"] option[value=\"" + value + "\"]"));
    }

    /// Submits the form and waits until the tab is drawn again from the API with the `n`th record.
    void submit_and_wait(const std::string& form, int n) {
        browser->click(browser->find(form + "button[type=submit]"));
        wait_for_recorded(n);
    }

    void wait_for_recorded(int n) {
        browser->wait_until("(v => v.dataset.recorded === '" + std::to_string(n) +
                                "' && !v.hasAttribute('aria-busy'))(document.getElementById('view'))",
                            "record " + std::to_string(n) + " shown");
    }

    /// Submits a form the API refuses: waits for the answer shown under it.
    std::string submit_refused(const std::string& form) {
        browser->click(browser->find(form + "button[type=submit]"));
        browser->wait_until("document.querySelector('" + form + "').dataset.saves === '1'", "the refusal");
        return text(form + "[data-field=error]");
    }

    std::size_t count(const std::string& target) { return api(target, manager_token).Size(); }

    std::string day(std::int64_t offset) { return pcgd::model::format_date(today() + offset); }

    /// The browser's errors but the failed loads of the plan (none yet: 404)
    /// and of its review (none, or too recent: 422), which the page shows as messages.
    std::vector<std::string> unexpected_errors() {
        std::vector<std::string> out;
        for (auto& e : browser->browser_errors()) {
            const bool plan = e.find(
                                  "/api/smes/lumiere/plan - Failed to load resource: the server responded with a "
                                  "status of 404") != std::string::npos;
            const bool review = e.find(
                                    "/api/smes/lumiere/plan/review - Failed to load resource: the server responded "
                                    "with a status of 4") != std::string::npos;
            if (!plan && !review) out.push_back(std::move(e));
        }
        return out;
    }

    std::string manager_token;
};

/// A JSON object's members as a map of texts (the answers, the conclusions).
std::map<std::string, std::string> texts_of(const rapidjson::Value& object) {
    std::map<std::string, std::string> out;
    for (const auto& m : object.GetObject()) out[m.name.GetString()] = m.value.IsString() ? m.value.GetString() : "?";
    return out;
}

}  // namespace

TEST_F(DashboardRecording, AManagerRecordsSessionsThroughTheFormInEnglishAndFrench) {
    open_programme(manager_token, "en");
    std::string form = open_form("session");
    EXPECT_EQ(text("#view details[data-form=session] > summary"), "Record a session");
    EXPECT_EQ(text(form + "fieldset label"), "Are you on track with your plan?");
    type_in(form, "answer.on_track", "Yes, <b>mostly</b> & \"on time\"");
    type_in(form, "answer.new_opportunities", "Etsy, perhaps");
    type_in(form, "conclusion.export", "Try Amazon FR");
    type_in(form, "conclusion.pricing", "Raise the candles by 5%");
    type_in(form, "notes", "By phone");
    set_value(form, "actions", "Photograph the diffusers\n\n  Call the courier ");
    submit_and_wait(form, 1);

    const auto sessions = api("/api/smes/lumiere/sessions", manager_token);
    ASSERT_EQ(sessions.Size(), 2u);
    const std::string review_id = std::to_string(sessions[1]["id"].GetInt64());
    // The new session is the one shown, with what was typed (markup as text).
    EXPECT_EQ(browser->eval_string("document.getElementById('session-detail').dataset.session"), review_id);
    EXPECT_EQ(text("#session-detail dd[data-question=on_track]"), "Yes, <b>mostly</b> & \"on time\"");
    EXPECT_EQ(browser->execute("return document.querySelectorAll('#session-detail b').length;").GetInt(), 0);
    const auto review = api("/api/smes/lumiere/sessions/" + review_id, manager_token);
    EXPECT_STREQ(review["kind"].GetString(), "review");
    EXPECT_STREQ(review["by"].GetString(), "am-gb");
    EXPECT_EQ(texts_of(review["answers"]),
              (std::map<std::string, std::string>{{"on_track", "Yes, <b>mostly</b> & \"on time\""},
                                                  {"new_opportunities", "Etsy, perhaps"}}));
    EXPECT_EQ(
        texts_of(review["conclusions"]),
        (std::map<std::string, std::string>{{"export", "Try Amazon FR"}, {"pricing", "Raise the candles by 5%"}}));
    EXPECT_STREQ(review["notes"].GetString(), "By phone");
    ASSERT_EQ(review["actions"].Size(), 2u);
    EXPECT_STREQ(review["actions"][0]["title"].GetString(), "Photograph the diffusers");
    EXPECT_STREQ(review["actions"][1]["title"].GetString(), "Call the courier");
    EXPECT_TRUE(review["snapshot"].IsObject());  // the figures are taken by the server

    // French: the form's labels are the page's French wording; an informal check-in.
    choose("lang", "fr");
    wait_for_view("programme", "fr");
    form = open_form("session");
    EXPECT_EQ(text("#view details[data-form=session] > summary"), "Enregistrer une session");
    EXPECT_EQ(text(form + "fieldset label"), "Êtes-vous sur la bonne voie avec votre plan ?");
    EXPECT_EQ(text(form + "fieldset:nth-of-type(2) label"), "Marketing");
    EXPECT_EQ(text(form + "button[type=submit]"), "Enregistrer");
    pick(form, "kind", "checkin");
    type_in(form, "answer.holding_back", "Les stocks de Noël, à vérifier");
    type_in(form, "conclusion.operations", "Expédier le mardi");
    submit_and_wait(form, 2);

    const auto after = api("/api/smes/lumiere/sessions", manager_token);
    ASSERT_EQ(after.Size(), 3u);
    const std::string checkin_id = std::to_string(after[2]["id"].GetInt64());
    EXPECT_EQ(browser->eval_string("document.getElementById('session-detail').dataset.session"), checkin_id);
    const auto checkin = api("/api/smes/lumiere/sessions/" + checkin_id, manager_token);
    EXPECT_STREQ(checkin["kind"].GetString(), "checkin");
    EXPECT_EQ(texts_of(checkin["answers"]),
              (std::map<std::string, std::string>{{"holding_back", "Les stocks de Noël, à vérifier"}}));
    EXPECT_EQ(texts_of(checkin["conclusions"]),
              (std::map<std::string, std::string>{{"operations", "Expédier le mardi"}}));
    EXPECT_STREQ(checkin["notes"].GetString(), "");
    EXPECT_EQ(checkin["actions"].Size(), 0u);
    EXPECT_EQ(text("#session-detail dd[data-area=operations]"), "Expédier le mardi");
    EXPECT_EQ(unexpected_errors(), std::vector<std::string>{});
}

TEST_F(DashboardRecording, AManagerRecordsTrainingAnObstacleAndGoalsAndTheApiHasThem) {
    open_programme(manager_token, "fr");
    // Training on the planning tool, given three days ago.
    std::string form = open_form("training-planning");
    EXPECT_EQ(text("#view tr[data-tool=planning] details > summary"), "Modifier");
    EXPECT_EQ(text(form + "p.hint"), "Formateur\u00A0: am-gb (ce jeton)");
    pick(form, "trained", "yes");
    set_value(form, "date", day(-3));
    pick(form, "confidence", "3");
    type_in(form, "follow_up", "Revoir la projection");
    submit_and_wait(form, 1);
    const auto training = api("/api/smes/lumiere/training", manager_token);
    const rapidjson::Value* planning = nullptr;
    for (const auto& x : training.GetArray())
        if (std::string(x["tool"].GetString()) == "planning") planning = &x;
    ASSERT_NE(planning, nullptr);
    EXPECT_TRUE((*planning)["trained"].GetBool());
    EXPECT_EQ((*planning)["date"].GetString(), day(-3));
    EXPECT_STREQ((*planning)["trainer"].GetString(), "am-gb");
    EXPECT_EQ((*planning)["confidence"].GetInt(), 3);
    EXPECT_STREQ((*planning)["follow_up"].GetString(), "Revoir la projection");
    EXPECT_EQ(text("#view tr[data-tool=planning] [data-col=trained]"), "oui");
    EXPECT_EQ(text("#view tr[data-tool=planning] [data-col=confidence]"), "3/5");

    // An obstacle.
    form = open_form("obstacle");
    EXPECT_EQ(text("#view details[data-form=obstacle] > summary"), "Ajouter un obstacle");
    pick(form, "kind", "outside_expertise");
    type_in(form, "note", "Dépend d'un prestataire pour les photos");
    set_value(form, "date", day(-1));
    submit_and_wait(form, 2);
    const auto obstacles = api("/api/smes/lumiere/obstacles", manager_token);
    ASSERT_EQ(obstacles.Size(), 1u);
    EXPECT_STREQ(obstacles[0]["kind"].GetString(), "outside_expertise");
    EXPECT_STREQ(obstacles[0]["note"].GetString(), "Dépend d'un prestataire pour les photos");
    EXPECT_EQ(obstacles[0]["date"].GetString(), day(-1));
    EXPECT_STREQ(obstacles[0]["recorded_by"].GetString(), "am-gb");
    EXPECT_EQ(text("#view tr[data-obstacle] [data-col=kind]"),
              "Dépendance à l'égard de l'expertise extérieure pour les tâches techniques");

    // Goals, in English: the SME's monthly sales, then a shop's orders.
    choose("lang", "en");
    wait_for_view("programme", "en");
    const std::string due = std::to_string(analysis::Month::of_day(today()).year + 1) + "-06-30";
    form = open_form("goal");
    EXPECT_EQ(browser->eval_string("[...document.querySelectorAll('" + form +
                                   "select[name=metric] option')].map(o => o.value).join()"),
              "monthly_sales,channel_orders,quality_score,margin");
    pick(form, "metric", "monthly_sales");
    type_in(form, "target", "2500.00");
    set_value(form, "due", due);
    type_in(form, "note", "Summer");
    submit_and_wait(form, 3);
    form = open_form("goal");
    pick(form, "metric", "channel_orders");
    pick(form, "shop", "gb");
    type_in(form, "target", "40");
    set_value(form, "due", due);
    submit_and_wait(form, 4);

    const auto goals = api("/api/smes/lumiere/goals", manager_token);
    ASSERT_EQ(goals.Size(), 2u);
    EXPECT_STREQ(goals[0]["metric"].GetString(), "monthly_sales");
    EXPECT_EQ(goals[0]["target"].GetInt64(), 250000);
    EXPECT_EQ(goals[0]["due"].GetString(), due);
    EXPECT_STREQ(goals[0]["note"].GetString(), "Summer");
    EXPECT_STREQ(goals[0]["set_by"].GetString(), "am-gb");
    EXPECT_STREQ(goals[1]["metric"].GetString(), "channel_orders");
    EXPECT_STREQ(goals[1]["shop"].GetString(), "gb");
    EXPECT_EQ(goals[1]["target"].GetInt64(), 40);
    // The table shows each goal as the API measures it.
    const std::string sales_row = "#view tr[data-goal=\"" + std::to_string(goals[0]["id"].GetInt64()) + "\"] ";
    const std::string orders_row = "#view tr[data-goal=\"" + std::to_string(goals[1]["id"].GetInt64()) + "\"] ";
    EXPECT_EQ(text(sales_row + "[data-col=target]"), "£2,500.00");
    EXPECT_EQ(browser->eval_string("document.querySelector('" + sales_row + "').dataset.state"),
              goals[0]["state"].GetString());
    ASSERT_TRUE(goals[1]["value"].IsInt64()) << "the shop has orders last month";
    EXPECT_EQ(text(orders_row + "[data-col=value]"),
              analysis::format_integer(goals[1]["value"].GetInt64(), analysis::Lang::en) + " orders");
    EXPECT_EQ(text(orders_row + "[data-col=target]"), "40 orders");
    EXPECT_EQ(unexpected_errors(), std::vector<std::string>{});
}

TEST_F(DashboardRecording, AManagerDraftsThePlanEditsItsTargetMarketAndAddsAnAction) {
    open_programme(manager_token, "en");
    const auto none = web_request("GET", base_url + "/api/smes/lumiere/plan", {}, manager_token);
    ASSERT_EQ(none.status, 404);
    EXPECT_EQ(text("#view [data-form=draft-plan] button.draft-plan"), "Draft the plan from the tools");
    browser->click(browser->find("#view button.draft-plan"));
    wait_for_recorded(1);
    const auto drafted = api("/api/smes/lumiere/plan", manager_token);
    EXPECT_STREQ(drafted["created_by"].GetString(), "am-gb");
    EXPECT_EQ(
        browser->execute("return document.querySelectorAll('#view [data-section=plan], #view .draft-plan').length;")
            .GetInt(),
        1);  // the plan, no more button

    // Its target market and summary, in French.
    choose("lang", "fr");
    wait_for_view("programme", "fr");
    std::string form = open_form("plan");
    EXPECT_EQ(text("#view details[data-form=plan] > summary"), "Modifier le plan");
    for (const char* name : {"country", "channel", "segment"}) set_value(form, name, "");
    type_in(form, "country", "FR");
    type_in(form, "channel", "testshop");
    type_in(form, "segment", "Cadeaux");
    set_value(form, "summary", "");
    type_in(form, "summary", "Entrer sur le marché français avec les bougies");
    submit_and_wait(form, 2);
    const auto plan = api("/api/smes/lumiere/plan", manager_token);
    EXPECT_STREQ(plan["target"]["country"].GetString(), "FR");
    EXPECT_STREQ(plan["target"]["channel"].GetString(), "testshop");
    EXPECT_STREQ(plan["target"]["segment"].GetString(), "Cadeaux");
    EXPECT_STREQ(plan["summary"].GetString(), "Entrer sur le marché français avec les bougies");
    EXPECT_STREQ(plan["updated_by"].GetString(), "am-gb");
    EXPECT_EQ(text("#view [data-section=plan] [data-col=target]"), "FR · testshop · Cadeaux");

    // An action of the plan, back in English.
    choose("lang", "en");
    wait_for_view("programme", "en");
    const std::size_t actions_before = count("/api/smes/lumiere/actions");
    form = open_form("action");
    EXPECT_EQ(text("#view details[data-form=action] > summary"), "Add an action");
    const std::string due = std::to_string(analysis::Month::of_day(today()).year + 1) + "-03-15";
    type_in(form, "title", "List the candles on the French shop");
    pick(form, "owner_kind", "external");
    type_in(form, "owner_name", "Studio Lux");
    set_value(form, "due", due);
    type_in(form, "note", "Quote asked");
    submit_and_wait(form, 3);
    const auto actions = api("/api/smes/lumiere/actions", manager_token);
    ASSERT_EQ(actions.Size(), actions_before + 1);
    const auto& added = actions[actions.Size() - 1];
    EXPECT_TRUE(added["in_plan"].GetBool());
    EXPECT_STREQ(added["title"].GetString(), "List the candles on the French shop");
    EXPECT_STREQ(added["owner_kind"].GetString(), "external");
    EXPECT_STREQ(added["owner_name"].GetString(), "Studio Lux");
    EXPECT_EQ(added["due"].GetString(), due);
    EXPECT_STREQ(added["note"].GetString(), "Quote asked");
    EXPECT_STREQ(added["status"].GetString(), "planned");
    EXPECT_STREQ(added["created_by"].GetString(), "am-gb");
    const std::string row =
        "#view table[data-section=plan-actions] tr[data-action=\"" + std::to_string(added["id"].GetInt64()) + "\"] ";
    EXPECT_EQ(text(row + "[data-col=title]"), "List the candles on the French shop");
    EXPECT_EQ(text(row + "[data-col=owner]"), "Paid external work (Studio Lux)");
    // Drafting again is the API's 409: the page offers it no more (checked above); the API says why.
    EXPECT_EQ(web_request("POST", base_url + "/api/smes/lumiere/plan", {}, manager_token).status, 409);
    EXPECT_EQ(unexpected_errors(), std::vector<std::string>{});
}

TEST_F(DashboardRecording, BadInputShowsTheApiMessageAndStoresNothing) {
    open_programme(manager_token, "fr");
    // A goal whose target is no amount.
    std::string form = open_form("goal");
    type_in(form, "target", "beaucoup");
    set_value(form, "due", day(100));
    EXPECT_EQ(submit_refused(form),
              "Erreur\u00A0: target for monthly_sales must be a positive amount in GBP such as "
              "2500.00, got 'beaucoup'");
    EXPECT_EQ(count("/api/smes/lumiere/goals"), 0u);
    // A training given without the SME's confidence.
    form = open_form("training-growth");
    pick(form, "trained", "yes");
    EXPECT_EQ(submit_refused(form), "Erreur\u00A0: confidence (1 to 5) is required for a training given");
    const auto training = api("/api/smes/lumiere/training", manager_token);
    for (const auto& x : training.GetArray()) EXPECT_FALSE(x["trained"].GetBool());

    choose("lang", "en");
    wait_for_view("programme", "en");
    // An obstacle without its note.
    form = open_form("obstacle");
    EXPECT_EQ(submit_refused(form), "Error: note must not be empty");
    EXPECT_EQ(count("/api/smes/lumiere/obstacles"), 0u);
    // A session dated tomorrow: refused, and what was typed stays in the form.
    form = open_form("session");
    type_in(form, "answer.on_track", "Not yet");
    set_value(form, "held_at", day(1));
    EXPECT_EQ(submit_refused(form), "Error: held_at must not be in the future, got " + day(1) + "T00:00:00Z");
    EXPECT_EQ(browser->eval_string("document.querySelector('" + form + "[name=\"answer.on_track\"]').value"),
              "Not yet");
    EXPECT_EQ(count("/api/smes/lumiere/sessions"), 1u);
    // Nothing was recorded, so the tab was not drawn again.
    EXPECT_EQ(browser->eval_string("document.getElementById('view').dataset.recorded"), "0");
    // The console has each refused request's failed load, and nothing else.
    const auto errors = unexpected_errors();
    EXPECT_EQ(errors.size(), 4u);
    for (const auto& e : errors) EXPECT_NE(e.find("the server responded with a status of 400"), std::string::npos) << e;
}

TEST_F(DashboardRecording, AnAdminAndAnSmeSeeNoRecordForm) {
    for (const auto& [who, lang] : {std::pair{admin_token, "fr"}, std::pair{sme_token, "en"}}) {
        browser->navigate("about:blank");  // a fresh page: the same address with another fragment would not reload
        open_programme(who, lang);
        EXPECT_EQ(
            browser->execute("return document.querySelectorAll('#view .record, #view form, #view button').length;")
                .GetInt(),
            1)
            << lang;  // the onboarding's "Show" only
        EXPECT_EQ(browser->execute("return document.querySelectorAll('#view button.show-session').length;").GetInt(),
                  1);
        EXPECT_EQ(text("#view article > p.message:last-child"), "SME 'lumiere' has no new-market entry plan yet");
        EXPECT_EQ(unexpected_errors(), std::vector<std::string>{}) << lang;
    }
}

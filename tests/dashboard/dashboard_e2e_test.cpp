// The dashboard in a real browser: `pcgd serve` on a store synced from the
// testshop emulator, headless Chromium driven through chromedriver (W3C
// WebDriver). The page signs in, switches to French, selects a month, and
// shows exactly the figures the API gives, formatted as the CLI formats them;
// the Programme tab shows the coaching records and a manager follows an action.
// The emulator's history ends now and the test picks the last full month from
// the clock, as the page's month list does, so that it holds in any year.
#include <gtest/gtest.h>

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
    EXPECT_EQ(text(action_css(plan_action_id) + ".status"), "Planned");
    EXPECT_EQ(text("#session-detail dd[data-question=on_track]"), "Yes, mostly");
    // The API refuses an SME's change anyway.
    const auto refused = web_request("PATCH", base_url + "/api/smes/lumiere/actions/" + std::to_string(plan_action_id),
                                     R"({"status":"done"})", sme_token);
    EXPECT_EQ(refused.status, 403);
    EXPECT_EQ(unexpected_browser_errors(), std::vector<std::string>{});
}

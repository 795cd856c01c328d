// The dashboard in a real browser: `pcgd serve` on a store synced from the
// testshop emulator, headless Chromium driven through chromedriver (W3C
// WebDriver). The page signs in, switches to French, selects a month, and
// shows exactly the figures the API gives, formatted as the CLI formats them.
#include <gtest/gtest.h>

#include <fstream>
#include <pcgd/model/money.hpp>

#include "analysis/report.hpp"
#include "harness.hpp"
#include "webdriver.hpp"

using namespace pcgd::test;
namespace analysis = pcgd::analysis;

namespace {

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

    Emulator emulator{emulated("testshop", "GB", 13, 20, 300)};
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
    choose("month", "2026-10");
    wait_for_view("growth", "fr", "2026-10");
    EXPECT_EQ(browser->eval_string("document.getElementById('month').selectedOptions[0].textContent"), "oct. 2026");

    // The month's figures on the page are the API's for that month.
    const auto growth = api("/api/reports/growth?sme=lumiere&month=2026-10&lang=fr", admin_token);
    ASSERT_EQ(std::string(growth["month"].GetString()), "2026-10");
    const auto& overview = growth["sections"]["overview"];
    ASSERT_EQ(overview["rows"].Size(), 1u);
    const auto& month = overview["rows"][0];
    ASSERT_TRUE(month["profit"].IsObject()) << "profit unknown: costs or fees missing";
    const std::string row = "#view table[data-section=overview] tbody tr ";
    EXPECT_EQ(text(row + "[data-col=month]"),
              analysis::format_month(*analysis::Month::parse("2026-10"), analysis::Lang::fr));
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
    wait_for_view("planning", "fr", "2026-10");
    const auto planning = api("/api/reports/planning?sme=lumiere&month=2026-10&lang=fr", admin_token);
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
    wait_for_view("planning", "en", "2026-10");
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

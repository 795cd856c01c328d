// The printable session record and plan: content in both languages, and
// self-contained (inline CSS, a print stylesheet, nothing fetched).
#include <gtest/gtest.h>

#include "coaching/html.hpp"

using namespace pcgd;
using namespace pcgd::coaching;

namespace {

Snapshot snapshot(const char* month, std::int64_t orders, std::int64_t sales) {
    Snapshot s;
    s.taken_at_ms = 1790000000000;  // 2026-09-21T14:13:20Z
    s.month = month;
    s.currency = "GBP";
    s.shops = {{"gb", "shopify", "GB", 1789990000000}};
    s.orders = orders;
    s.sales = sales;
    s.profit = std::nullopt;
    s.channels = {{"gb", "shopify", "GB", orders, sales, 321, std::nullopt}};
    s.countries = {{"GB", "", "GB", orders, sales, 321, std::nullopt}};
    s.products = {{"gb", "ML-CAN-LAV-180", 3, 4, 7200, 2400}};
    s.quality = {{"gb", 71}};
    s.strong = 1;
    return s;
}

People people() {
    People p;
    p.sme = host::Sme{"lumiere", "Maison Lumière", model::Currency::of("GBP"), "fr", 0};
    p.coaching = host::Coaching{"lumiere", "GB", "am-gb", {"am-fr"}, 0, 0};
    p.managers["am-gb"] = host::Manager{"am-gb", "Alice Martin", "GB", 0};
    p.managers["am-fr"] = host::Manager{"am-fr", "Benoît Roux", "FR", 0};
    return p;
}

SessionDocument session_doc() {
    SessionDocument d;
    d.people = people();
    d.session.id = 3;
    d.session.sme_id = "lumiere";
    d.session.kind = "review";
    d.session.number = 2;
    d.session.held_at_ms = 1790000000000;
    d.session.manager_id = "am-gb";
    d.session.answers_json = R"({"on_track":"Mostly <yes> & on time","new_market_progress":"First FR listings"})";
    d.session.conclusions_json = R"({"pricing":"Keep the prices"})";
    d.session.snapshot_json = to_json(snapshot("2026-08", 12, 123456));
    host::Session previous = d.session;
    previous.id = 2;
    previous.held_at_ms = 1787400000000;
    previous.snapshot_json = to_json(snapshot("2026-07", 10, 100000));
    d.previous = previous;
    host::Action a;
    a.id = 9;
    a.title = "Photograph the diffusers";
    a.owner_kind = "external";
    a.owner_name = "Studio Lux";
    a.due_day = *model::parse_date("2026-10-15");
    d.actions = {a};
    return d;
}

}  // namespace

TEST(CoachingHtml, SessionRecordInEnglish) {
    const std::string html = session_html(session_doc(), Lang::en);
    EXPECT_NE(html.find("<html lang=\"en\">"), std::string::npos);
    EXPECT_NE(html.find("Monthly review and planning session 2"), std::string::npos);
    EXPECT_NE(html.find("Are you on track with your plan?"), std::string::npos);
    EXPECT_NE(html.find("Mostly &lt;yes&gt; &amp; on time"), std::string::npos);  // escaped, never markup
    EXPECT_NE(html.find("(no answer recorded)"), std::string::npos);              // a question left unanswered
    EXPECT_NE(html.find("£1,234.56"), std::string::npos);                         // the month's sales as shown
    EXPECT_NE(html.find("+£234.56"), std::string::npos);                           // the change since the last session
    EXPECT_NE(html.find("Alice Martin (GB)"), std::string::npos);
    EXPECT_NE(html.find("Benoît Roux (FR)"), std::string::npos);
    EXPECT_NE(html.find("Keep the prices"), std::string::npos);
    EXPECT_NE(html.find("Paid external work: Studio Lux"), std::string::npos);
    EXPECT_NE(html.find("ML-CAN-LAV-180"), std::string::npos);
    EXPECT_NE(html.find("71/100"), std::string::npos);
}

TEST(CoachingHtml, SessionRecordInFrenchUsesTheReportsWording) {
    const std::string html = session_html(session_doc(), Lang::fr);
    EXPECT_NE(html.find("<html lang=\"fr\">"), std::string::npos);
    EXPECT_NE(html.find("Êtes-vous sur la bonne voie avec votre plan ?"), std::string::npos);
    EXPECT_NE(html.find("Comment E-Channel vous soutient-il / quel impact le processus de conseil E-Channel a-t-il sur votre entreprise ?"),
              std::string::npos);
    EXPECT_NE(html.find("Session mensuelle d&#39;examen et de planification 2"), std::string::npos);
    EXPECT_NE(html.find("(pas de réponse enregistrée)"), std::string::npos);
    EXPECT_NE(html.find(analysis::format_money(model::Money{123456, model::Currency::of("GBP")}, Lang::fr)), std::string::npos);
    EXPECT_NE(html.find("Travail externe rémunéré\u00a0: Studio Lux"), std::string::npos);
    EXPECT_NE(html.find("Tarification"), std::string::npos);
    EXPECT_NE(html.find(analysis::format_month(*analysis::Month::parse("2026-08"), Lang::fr)), std::string::npos);
}

TEST(CoachingHtml, DocumentsAreSelfContainedAndPrintable) {
    PlanDocument plan;
    plan.people = people();
    plan.plan.sme_id = "lumiere";
    plan.plan.plan_day = *model::parse_date("2026-09-21");
    plan.plan.target_country = "FR";
    plan.plan.target_segment = "gift buyers";
    plan.draft.month = "2026-08";
    plan.draft.currency = "GBP";
    plan.draft.new_markets = {{"ML-CAN-LAV-180", "Lavender candle", "gb", "fr", 12}};
    plan.draft.projected_sales = 150000;
    for (const std::string& html : {session_html(session_doc(), Lang::en), plan_html(plan, Lang::en), plan_html(plan, Lang::fr)}) {
        EXPECT_NE(html.find("<style>"), std::string::npos);
        EXPECT_NE(html.find("@media print"), std::string::npos);
        EXPECT_EQ(html.find("<link"), std::string::npos);
        EXPECT_EQ(html.find("<script"), std::string::npos);
        EXPECT_EQ(html.find("src="), std::string::npos);
        EXPECT_EQ(html.find("http"), std::string::npos);  // nothing to fetch
    }
    const std::string fr = plan_html(plan, Lang::fr);
    EXPECT_NE(fr.find("Plan d&#39;entrée sur le nouveau marché"), std::string::npos);
    EXPECT_NE(fr.find("gift buyers"), std::string::npos);
    EXPECT_NE(fr.find("non défini"), std::string::npos);  // no channel chosen yet
    const std::string en = plan_html(plan, Lang::en);
    EXPECT_NE(en.find("New-market entry plan"), std::string::npos);
    EXPECT_NE(en.find("£1,500.00"), std::string::npos);
}

#include "coaching/texts.hpp"

#include <map>
#include <stdexcept>

namespace pcgd::coaching {

const std::vector<Term>& key_questions() {
    // French: the report's own wording (section 2.1), kept verbatim.
    static const std::vector<Term> terms = {
        {"on_track", {"Are you on track with your plan?", "Êtes-vous sur la bonne voie avec votre plan ?"}},
        {"agree_with_plan", {"Do you still agree with the plan you set?", "Êtes-vous d'accord avec le plan que vous avez établi ?"}},
        {"holding_back", {"What distracts or holds you back? What worries you?",
                          "Qu'est-ce qui vous distrait ou vous retient ? Qu'est-ce qui vous inquiète ?"}},
        {"new_opportunities", {"What new opportunities have you found or are you working on?",
                               "Quelles nouvelles opportunités avez-vous identifiées ou travaillez-vous actuellement ?"}},
        {"new_market_progress", {"How do you judge your progress towards a new market?",
                                 "Comment évaluez-vous vos progrès concernant l'entrée sur un nouveau marché ?"}},
        {"coaching_impact", {"How is the coaching supporting you, and what is its impact on the business?",
                             "Comment E-Channel vous soutient-il / quel impact le processus de conseil E-Channel a-t-il sur votre entreprise ?"}},
    };
    return terms;
}

const std::vector<Term>& conclusion_areas() {
    static const std::vector<Term> terms = {
        {"marketing", {"Marketing", "Marketing"}},   {"products", {"Products", "Produits"}},
        {"pricing", {"Pricing", "Tarification"}},    {"export", {"Export", "Exportation"}},
        {"operations", {"Operations", "Opérations commerciales"}},
    };
    return terms;
}

const std::vector<Term>& obstacle_kinds() {
    static const std::vector<Term> terms = {
        {"external_shock", {"External shock (Brexit, pandemic...)", "Choc extérieur (Brexit, pandémie...)"}},
        {"outside_expertise", {"Dependence on outside expertise for technical tasks",
                               "Dépendance à l'égard de l'expertise extérieure pour les tâches techniques"}},
        {"data_skills", {"Missing knowledge of using data for business decisions",
                         "Manque de connaissances sur l'utilisation des données pour les décisions commerciales"}},
        {"slowed_growth", {"Business decision to slow growth in an area",
                           "Décision commerciale de réduire la croissance dans un domaine"}},
    };
    return terms;
}

const std::vector<Term>& tools() {
    static const std::vector<Term> terms = {
        {"quality", {"Inventory quality", "Gestion des inventaires"}},
        {"opportunities", {"Market evaluation", "Évaluation du marché"}},
        {"planning", {"Activity planning", "Planification des activités"}},
        {"growth", {"Business growth", "Croissance de l'entreprise"}},
    };
    return terms;
}

const std::vector<Term>& owner_kinds() {
    static const std::vector<Term> terms = {
        {"sme_staff", {"SME's own staff", "Ressources internes de la PME"}},
        {"external", {"Paid external work", "Travail externe rémunéré"}},
        {"account_manager", {"Account manager's further investigation", "Enquête approfondie du gestionnaire de compte"}},
    };
    return terms;
}

const std::vector<Term>& action_statuses() {
    static const std::vector<Term> terms = {
        {"planned", {"Planned", "Prévue"}},
        {"in_progress", {"In progress", "En cours"}},
        {"done", {"Done", "Réalisée"}},
        {"rejected", {"Rejected by business decision", "Rejetée par décision commerciale"}},
        {"deferred", {"Deferred beyond the programme", "Reportée après le programme"}},
    };
    return terms;
}

const std::vector<Term>& goal_metrics() {
    static const std::vector<Term> terms = {
        {"monthly_sales", {"Monthly sales", "Ventes mensuelles"}},
        {"channel_orders", {"A channel's monthly orders", "Commandes mensuelles d'un canal"}},
        {"quality_score", {"Shop quality score", "Score de qualité de la boutique"}},
        {"margin", {"Monthly margin", "Marge mensuelle"}},
    };
    return terms;
}

const std::vector<Term>& session_kinds() {
    static const std::vector<Term> terms = {
        {"onboarding", {"Onboarding (baseline)", "Intégration (état initial)"}},
        {"review", {"Monthly review and planning session", "Session mensuelle d'examen et de planification"}},
        {"checkin", {"Informal check-in", "Point informel"}},
        {"end_review", {"End-of-programme review", "Bilan de fin de programme"}},
        {"continuing", {"Continuing review", "Bilan du cycle continu"}},
    };
    return terms;
}

const Term* find_term(const std::vector<Term>& terms, std::string_view key) {
    for (const auto& t : terms)
        if (t.key == key) return &t;
    return nullptr;
}

std::string keys_of(const std::vector<Term>& terms) {
    std::string out;
    for (std::size_t i = 0; i < terms.size(); ++i) out += (i == 0 ? "" : i + 1 == terms.size() ? " or " : ", ") + terms[i].key;
    return out;
}

std::string label_of(const std::vector<Term>& terms, std::string_view key, Lang lang) {
    const Term* t = find_term(terms, key);
    return t ? t->label.in(lang) : std::string(key);
}

const std::string& ui(std::string_view key, Lang lang) {
    static const std::map<std::string, Text, std::less<>> table = {
        {"session_record", {"Coaching session record", "Compte rendu de session de coaching"}},
        {"plan_title", {"New-market entry plan", "Plan d'entrée sur le nouveau marché"}},
        {"sme", {"SME", "PME"}},
        {"account_manager", {"Account manager", "Gestionnaire de compte"}},
        {"experts", {"Experts", "Experts"}},
        {"held_on", {"Held on", "Tenue le"}},
        {"session", {"Session", "Session"}},
        {"key_questions", {"Key questions", "Questions clés"}},
        {"no_answer", {"(no answer recorded)", "(pas de réponse enregistrée)"}},
        {"data_shown", {"The data the discussion was based on", "Les données sur lesquelles la discussion s'est appuyée"}},
        {"taken_at", {"Figures taken at", "Chiffres relevés le"}},
        {"month", {"Month", "Mois"}},
        {"synced_at", {"Last sync", "Dernière synchronisation"}},
        {"never", {"never", "jamais"}},
        {"shop", {"Shop", "Boutique"}},
        {"platform", {"Platform", "Plateforme"}},
        {"country", {"Country", "Pays"}},
        {"orders", {"Orders", "Commandes"}},
        {"sales", {"Sales", "Ventes"}},
        {"profit", {"Profit", "Profit"}},
        {"margin", {"Margin", "Marge"}},
        {"views", {"Views", "Vues"}},
        {"units", {"Units", "Unités"}},
        {"sku", {"SKU", "SKU"}},
        {"channels", {"Channels", "Canaux"}},
        {"countries", {"Countries", "Pays"}},
        {"top_products", {"Best-selling products", "Produits les plus vendus"}},
        {"quality_scores", {"Quality scores", "Scores de qualité"}},
        {"score", {"Score", "Score"}},
        {"opportunities", {"Opportunities", "Opportunités"}},
        {"strong", {"Strong", "Fortes"}},
        {"good", {"Good", "Bonnes"}},
        {"potential", {"Potential", "Potentielles"}},
        {"new_markets", {"New-market candidates", "Candidats pour de nouveaux marchés"}},
        {"projection", {"Projection for next month", "Projection pour le mois prochain"}},
        {"low", {"Low", "Bas"}},
        {"high", {"High", "Haut"}},
        {"total", {"Total", "Total"}},
        {"changes", {"How the figures moved since the previous session", "Évolution des chiffres depuis la session précédente"}},
        {"first_session", {"No earlier session to compare with.", "Aucune session antérieure à comparer."}},
        {"compared_with", {"Compared with the session of", "Comparé à la session du"}},
        {"figure", {"Figure", "Indicateur"}},
        {"before", {"Before", "Avant"}},
        {"after", {"After", "Après"}},
        {"change", {"Change", "Variation"}},
        {"conclusions", {"Conclusions of the joint review", "Conclusions de l'examen conjoint"}},
        {"actions_agreed", {"Actions agreed", "Actions convenues"}},
        {"actions", {"Actions", "Actions"}},
        {"action", {"Action", "Action"}},
        {"owner", {"Owner", "Responsable"}},
        {"due", {"Due", "Échéance"}},
        {"status", {"Status", "Statut"}},
        {"none", {"None.", "Aucune."}},
        {"notes", {"Notes", "Notes"}},
        {"target_market", {"Target market", "Marché cible"}},
        {"channel", {"Channel", "Canal"}},
        {"segment", {"Segment", "Segment"}},
        {"summary", {"Summary", "Résumé"}},
        {"plan_date", {"Plan date", "Date du plan"}},
        {"from_the_tools", {"What the tools show", "Ce que montrent les outils"}},
        {"strong_opportunities", {"Strong opportunities", "Opportunités fortes"}},
        {"quality_fixes", {"Quality fixes", "Corrections de qualité"}},
        {"fix", {"Fix", "Correction"}},
        {"points", {"Points", "Points"}},
        {"product", {"Product", "Produit"}},
        {"absent_from", {"Absent from", "Absent de"}},
        {"sells_in", {"Sells in", "Se vend sur"}},
        {"unknown", {"unknown", "inconnu"}},
        {"not_set", {"not set", "non défini"}},
        {"generated", {"Generated by PCGD", "Généré par PCGD"}},
    };
    const auto it = table.find(key);
    if (it == table.end()) throw std::logic_error("no UI text '" + std::string(key) + "'");
    return it->second.in(lang);
}

}  // namespace pcgd::coaching

// Guide 1: inventory quality. Every product starts at 100; each factor can
// take off at most its configured weight, and each deduction says why and
// how to fix it.
#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <set>

#include <pcgd/model/json.hpp>

#include "analysis/tools.hpp"

namespace pcgd::analysis {

std::size_t title_limit(const std::string& platform, std::int64_t day) {
    // Amazon cut non-media titles from 200 to 75 characters on 2026-07-27
    // (docs/analysis.md cites the sources).
    if (platform == "amazon") return day >= model::days_from_civil(2026, 7, 27) ? 75 : 200;
    if (platform == "ebay") return 80;
    if (platform == "shopify") return 255;
    return 150;  // WooCommerce and others: Google Merchant Center's feed limit
}

namespace {

std::size_t chars(std::string_view s) {
    std::size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
}

/// Lower-case ASCII words of 3+ letters, without common stop words.
std::vector<std::string> terms(std::string_view text) {
    static const std::set<std::string> stop = {"the", "and", "for", "with", "les", "des", "pour", "avec", "une", "aux", "set", "new"};
    std::vector<std::string> out;
    std::string word;
    const auto push = [&] {
        if (word.size() >= 3 && !stop.count(word)) out.push_back(word);
        word.clear();
    };
    for (unsigned char c : text) {
        if (std::isalnum(c) || c >= 0x80) word += static_cast<char>(std::tolower(c));
        else push();
    }
    push();
    return out;
}

bool all_capitals(std::string_view s) {
    int upper = 0, lower = 0;
    for (unsigned char c : s) {
        if (std::isupper(c)) ++upper;
        if (std::islower(c)) ++lower;
    }
    return upper >= 4 && lower == 0;
}

/// Amazon's banned title characters (analysis.md), as UTF-8, in the order found.
std::vector<std::string> banned_title_characters(std::string_view title) {
    static const std::vector<std::string> banned = {"!", "$", "?", "_", "{", "}", "^", "\u00AC", "\u00A6"};
    std::vector<std::pair<std::size_t, std::string>> found;
    for (const auto& b : banned)
        if (auto at = title.find(b); at != std::string_view::npos) found.emplace_back(at, b);
    std::sort(found.begin(), found.end());
    std::vector<std::string> out;
    for (auto& f : found) out.push_back(std::move(f.second));
    return out;
}

/// The first word used more than twice (articles and short words exempt).
std::optional<std::pair<std::string, int>> overused_word(std::string_view title) {
    std::map<std::string, int> seen;
    for (const auto& t : terms(title))
        if (++seen[t] == 3) return std::make_pair(t, 3);
    return std::nullopt;
}

/// Promotional text no marketplace accepts in a title: shipping offers,
/// sales claims, links.
std::optional<std::string> promotional_text(std::string_view title) {
    static const char* const phrases[] = {"free shipping", "free delivery", "livraison gratuite", "best seller", "bestseller",
                                          "meilleure vente", "on sale", "en promo", "http://", "https://", "www."};
    std::string lower(title);
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (const char* p : phrases)
        if (lower.find(p) != std::string::npos) return std::string(p);
    return std::nullopt;
}

struct Deduction {
    std::string factor;
    std::int64_t points;
    Text reason, fix;
};

}  // namespace

Report quality_report(host::Store& store, const host::Config& config, const Scope& scope) {
    const auto& a = config.analysis;
    Report r = start_report("quality", {"Inventory quality", "Qualité de l'inventaire"}, scope);
    r.definitions = {
        {"score", {"100 minus the deductions of each factor, each capped at its weight: title " + std::to_string(a.weight_title) +
                       ", description " + std::to_string(a.weight_description) + ", images " + std::to_string(a.weight_images) +
                       ", stock " + std::to_string(a.weight_stock) + ", identifiers " + std::to_string(a.weight_identifiers) +
                       ", price " + std::to_string(a.weight_price),
                   "100 moins les déductions de chaque facteur, plafonnées à son poids : titre " + std::to_string(a.weight_title) +
                       ", description " + std::to_string(a.weight_description) + ", images " + std::to_string(a.weight_images) +
                       ", stock " + std::to_string(a.weight_stock) + ", identifiants " + std::to_string(a.weight_identifiers) +
                       ", prix " + std::to_string(a.weight_price)}},
        {"shop_score", {"mean score of active products x (100 - " + std::to_string(a.weight_catalogue) + ")% plus " +
                            std::to_string(a.weight_catalogue) + " x min(1, active products / " + std::to_string(a.target_active_products) +
                            "), rounded down",
                        "score moyen des produits actifs x (100 - " + std::to_string(a.weight_catalogue) + ") % plus " +
                            std::to_string(a.weight_catalogue) + " x min(1, produits actifs / " + std::to_string(a.target_active_products) +
                            "), arrondi à l'entier inférieur"}},
        {"title_limit", {"Amazon 200 characters, 75 from 2026-07-27; eBay 80; Shopify 255; others 150 (Google Merchant Center); judged on the report month's last day",
                         "Amazon 200 caractères, 75 à partir du 2026-07-27 ; eBay 80 ; Shopify 255 ; autres 150 (Google Merchant Center) ; au dernier jour du mois du rapport"}},
        {"keywords", {"terms of 3+ letters used in the titles of the shop's " + std::to_string(a.best_sellers) +
                          " best sellers (units over the " + std::to_string(a.window_days) + " days to the month's end) that a product's title and description lack",
                      "termes de 3 lettres ou plus des titres des " + std::to_string(a.best_sellers) +
                          " meilleures ventes de la boutique (unités sur les " + std::to_string(a.window_days) + " jours jusqu'à la fin du mois) absents du titre et de la description d'un produit"}},
    };
    const std::int64_t as_of = scope.month.last_day();
    Section shops{"shops", {"Shops", "Boutiques"},
                  {{"shop", {"Shop", "Boutique"}}, {"platform", {"Platform", "Plateforme"}}, {"active_products", {"Active products", "Produits actifs"}},
                   {"mean_product_score", {"Mean product score", "Score moyen des produits"}}, {"score", {"Shop score", "Score boutique"}}},
                  {}, {}};
    Section products{"products", {"Products", "Produits"},
                     {{"shop", {"Shop", "Boutique"}}, {"product_id", {"Product", "Produit"}}, {"title", {"Title", "Titre"}},
                      {"score", {"Score", "Score"}}, {"deductions", {"Deductions", "Déductions"}}},
                     {}, {}};
    Section deductions{"deductions", {"Deductions and fixes", "Déductions et corrections"},
                       {{"shop", {"Shop", "Boutique"}}, {"product_id", {"Product", "Produit"}}, {"factor", {"Factor", "Facteur"}},
                        {"points", {"Points", "Points"}}, {"reason", {"Reason", "Raison"}}, {"fix", {"Fix", "Correction"}}},
                       {}, {}};
    Section keywords{"keywords", {"Suggested keywords", "Mots-clés suggérés"},
                     {{"shop", {"Shop", "Boutique"}}, {"product_id", {"Product", "Produit"}}, {"terms", {"Terms", "Termes"}}}, {}, {}};
    const Lang lang = scope.lang;
    for (const auto& shop : scope.shops) {
        const std::string& shop_id = shop.shop.id;
        std::vector<model::Product> catalogue;
        store.for_each(model::RecordKind::product, shop_id, [&](std::string_view, std::string_view json) {
            catalogue.push_back(std::get<model::Product>(model::read_record(model::RecordKind::product, json)));
        });
        std::map<std::string, std::vector<model::Variant>> variants;
        std::map<std::string, std::string> product_of_sku;
        store.for_each(model::RecordKind::variant, shop_id, [&](std::string_view, std::string_view json) {
            auto v = std::get<model::Variant>(model::read_record(model::RecordKind::variant, json));
            if (!v.sku.empty()) product_of_sku[v.sku] = v.product_id;
            variants[v.product_id].push_back(std::move(v));
        });
        // Best sellers by units over the window.
        std::map<std::string, std::int64_t> units;
        store.for_each_sku_fact(shop_id, as_of - a.window_days + 1, as_of, [&](const host::DaySkuFacts& f) { units[f.sku] += f.units; });
        std::map<std::string, std::int64_t> product_units;
        for (const auto& [sku, n] : units)
            if (auto it = product_of_sku.find(sku); it != product_of_sku.end()) product_units[it->second] += n;
        std::vector<std::pair<std::int64_t, std::string>> ranked;
        for (const auto& [id, n] : product_units)
            if (n > 0) ranked.emplace_back(-n, id);
        std::sort(ranked.begin(), ranked.end());
        std::map<std::string, int> best_terms;  // term -> best sellers using it
        std::map<std::string, const model::Product*> by_id;
        for (const auto& p : catalogue) by_id[p.id] = &p;
        for (std::size_t i = 0; i < ranked.size() && i < a.best_sellers; ++i)
            if (auto it = by_id.find(ranked[i].second); it != by_id.end()) {
                auto t = terms(it->second->title);
                std::set<std::string> unique(t.begin(), t.end());
                for (const auto& term : unique) ++best_terms[term];
            }

        const std::size_t limit = title_limit(shop.shop.platform, as_of);
        std::int64_t active = 0, score_sum = 0;
        for (const auto& p : catalogue) {
            if (!p.active) continue;
            ++active;
            std::vector<Deduction> ds;
            const auto take = [&](const char* factor, std::uint32_t weight, std::int64_t pct, Text reason, Text fix) {
                ds.push_back({factor, static_cast<std::int64_t>(weight) * pct / 100, std::move(reason), std::move(fix)});
            };
            // Title
            const std::size_t len = chars(p.title);
            if (len == 0) take("title", a.weight_title, 100, {"No title", "Pas de titre"}, {"Write a title naming the product and its key features", "Rédigez un titre qui nomme le produit et ses points forts"});
            else {
                if (len > limit) take("title", a.weight_title, 60, {"Title of " + std::to_string(len) + " characters, over " + shop.shop.platform + "'s limit of " + std::to_string(limit), "Titre de " + std::to_string(len) + " caractères, au-delà de la limite de " + std::to_string(limit) + " de " + shop.shop.platform},
                                      {"Shorten the title to " + std::to_string(limit) + " characters or fewer", "Raccourcissez le titre à " + std::to_string(limit) + " caractères au plus"});
                else if (len < 20) take("title", a.weight_title, 40, {"Title of only " + std::to_string(len) + " characters", "Titre de seulement " + std::to_string(len) + " caractères"},
                                        {"Add the product type, material, size or colour (20 characters or more)", "Ajoutez le type, la matière, la taille ou la couleur (20 caractères ou plus)"});
                if (all_capitals(p.title)) take("title", a.weight_title, 20, {"Title in capitals", "Titre en majuscules"}, {"Write the title in sentence case", "Écrivez le titre en minuscules avec majuscule initiale"});
                if (shop.shop.platform == "amazon")
                    if (const auto banned = banned_title_characters(p.title); !banned.empty()) {
                        std::string list;
                        for (const auto& b : banned) list += (list.empty() ? "" : " ") + b;
                        take("title", a.weight_title, 20, {"Title holds characters Amazon bans: " + list, "Le titre contient des caractères interdits par Amazon : " + list},
                             {"Remove " + list + " from the title", "Retirez " + list + " du titre"});
                    }
                if (const auto word = overused_word(p.title))
                    take("title", a.weight_title, 20, {"The word '" + word->first + "' appears " + std::to_string(word->second) + " times or more", "Le mot « " + word->first + " » apparaît " + std::to_string(word->second) + " fois ou plus"},
                         {"Use each word at most twice", "N'employez chaque mot que deux fois au plus"});
                if (const auto promo = promotional_text(p.title))
                    take("title", a.weight_title, 20, {"Title holds promotional text '" + *promo + "'", "Le titre contient un texte promotionnel « " + *promo + " »"},
                         {"Remove offers, sales claims and links from the title", "Retirez offres, arguments de vente et liens du titre"});
                const auto title_terms = terms(p.title);
                for (const auto& key : terms(p.product_type))
                    if (std::find(title_terms.begin(), title_terms.end(), key) == title_terms.end()) {
                        take("title", a.weight_title, 20, {"Title lacks the product type '" + p.product_type + "'", "Le titre ne contient pas le type « " + p.product_type + " »"},
                             {"Put '" + p.product_type + "' in the title", "Mettez « " + p.product_type + " » dans le titre"});
                        break;
                    }
            }
            // Description
            const std::size_t dlen = chars(p.description);
            if (dlen == 0) take("description", a.weight_description, 100, {"No description", "Pas de description"}, {"Write a description of at least " + std::to_string(a.min_description_chars) + " characters", "Rédigez une description d'au moins " + std::to_string(a.min_description_chars) + " caractères"});
            else if (p.description == p.title) take("description", a.weight_description, 100, {"Description is a copy of the title", "La description copie le titre"}, {"Describe use, materials, size and care", "Décrivez l'usage, les matières, la taille et l'entretien"});
            else if (dlen < a.min_description_chars) take("description", a.weight_description, 50, {"Description of only " + std::to_string(dlen) + " characters", "Description de seulement " + std::to_string(dlen) + " caractères"}, {"Expand it to at least " + std::to_string(a.min_description_chars) + " characters", "Étoffez-la jusqu'à " + std::to_string(a.min_description_chars) + " caractères au moins"});
            // Images
            const auto& vs = variants[p.id];
            std::vector<model::Image> images = p.images;
            for (const auto& v : vs) images.insert(images.end(), v.images.begin(), v.images.end());
            const std::string need = "add at least " + std::to_string(a.min_images) + " of " + std::to_string(a.min_image_px) + " px or more";
            const std::string need_fr = "ajoutez-en au moins " + std::to_string(a.min_images) + " de " + std::to_string(a.min_image_px) + " px ou plus";
            if (images.empty()) take("images", a.weight_images, 100, {"No image", "Aucune image"}, {"Add images: " + need, "Ajoutez des images : " + need_fr});
            else if (images.size() < a.min_images) take("images", a.weight_images, 50, {"Only " + std::to_string(images.size()) + " image" + (images.size() > 1 ? "s" : ""), "Seulement " + std::to_string(images.size()) + " image" + (images.size() > 1 ? "s" : "")}, {"Add images: " + need, "Ajoutez des images : " + need_fr});
            std::optional<std::int32_t> smallest;
            for (const auto& img : images)
                if (img.width_px && img.height_px) {
                    const auto side = std::min(*img.width_px, *img.height_px);
                    smallest = smallest ? std::min(*smallest, side) : side;
                }
            if (smallest && *smallest < static_cast<std::int32_t>(a.min_image_px))
                take("images", a.weight_images, 30, {"Smallest image side " + std::to_string(*smallest) + " px", "Plus petit côté d'image " + std::to_string(*smallest) + " px"},
                     {"Replace images smaller than " + std::to_string(a.min_image_px) + " px (zoom needs them)", "Remplacez les images de moins de " + std::to_string(a.min_image_px) + " px (le zoom en a besoin)"});
            // Stock, identifiers, price over active variants
            std::int64_t tracked = 0, out_of_stock = 0, no_sku = 0, no_barcode = 0, no_price = 0, active_variants = 0;
            for (const auto& v : vs) {
                if (!v.active) continue;
                ++active_variants;
                if (v.stock_total) {
                    ++tracked;
                    if (*v.stock_total <= 0) ++out_of_stock;
                }
                if (v.sku.empty()) ++no_sku;
                if (v.barcode.empty()) ++no_barcode;
                if (!v.price || v.price->minor <= 0) ++no_price;
            }
            if (active_variants == 0) take("stock", a.weight_stock, 100, {"No active variant", "Aucune variante active"}, {"Activate at least one variant", "Activez au moins une variante"});
            else if (tracked > 0 && out_of_stock == tracked) take("stock", a.weight_stock, 100, {"Out of stock", "En rupture de stock"}, {"Restock it or deactivate the listing", "Réapprovisionnez ou désactivez l'annonce"});
            else if (out_of_stock > 0) take("stock", a.weight_stock, 50, {std::to_string(out_of_stock) + " variant(s) out of stock", std::to_string(out_of_stock) + " variante(s) en rupture"}, {"Restock the missing variants", "Réapprovisionnez les variantes manquantes"});
            if (no_sku > 0) take("identifiers", a.weight_identifiers, 50, {std::to_string(no_sku) + " variant(s) without SKU", std::to_string(no_sku) + " variante(s) sans SKU"}, {"Give every variant a SKU", "Donnez un SKU à chaque variante"});
            if (no_barcode > 0) take("identifiers", a.weight_identifiers, 50, {std::to_string(no_barcode) + " variant(s) without GTIN/barcode", std::to_string(no_barcode) + " variante(s) sans GTIN/code-barres"}, {"Add the GTIN (EAN/UPC), or claim an exemption", "Ajoutez le GTIN (EAN/UPC) ou demandez une exemption"});
            if (no_price > 0) take("price", a.weight_price, 100, {std::to_string(no_price) + " variant(s) without a price", std::to_string(no_price) + " variante(s) sans prix"}, {"Set a price", "Indiquez un prix"});

            // Each factor takes off at most its weight.
            std::map<std::string, std::int64_t> per_factor;
            const std::map<std::string, std::uint32_t> weights = {{"title", a.weight_title}, {"description", a.weight_description}, {"images", a.weight_images},
                                                                  {"stock", a.weight_stock}, {"identifiers", a.weight_identifiers}, {"price", a.weight_price}};
            std::int64_t score = 100;
            for (auto& d : ds) {
                const std::int64_t cap = weights.at(d.factor) - per_factor[d.factor];
                d.points = std::min(d.points, cap);
                per_factor[d.factor] += d.points;
                score -= d.points;
                deductions.rows.push_back({shop_id, p.id, d.factor, -d.points, d.reason.in(lang), d.fix.in(lang)});
            }
            score_sum += score;
            products.rows.push_back({shop_id, p.id, p.title, score, static_cast<std::int64_t>(ds.size())});
            // Keywords best sellers use (in 2+ of them, or the only one) that this product lacks.
            std::set<std::string> own;
            for (const auto& t : terms(p.title + " " + p.description)) own.insert(t);
            std::vector<std::pair<int, std::string>> missing;
            const int needed = std::min<int>(2, static_cast<int>(std::min<std::size_t>(ranked.size(), a.best_sellers)));
            for (const auto& [term, n] : best_terms)
                if (n >= needed && needed > 0 && !own.count(term)) missing.emplace_back(-n, term);
            std::sort(missing.begin(), missing.end());
            std::string list;
            for (std::size_t i = 0; i < missing.size() && i < 5; ++i) list += (i ? ", " : "") + missing[i].second;
            if (!list.empty()) keywords.rows.push_back({shop_id, p.id, list});
        }
        const std::int64_t mean = active ? score_sum / active : 0;
        const std::int64_t catalogue_part = static_cast<std::int64_t>(a.weight_catalogue) *
                                            std::min<std::int64_t>(active, a.target_active_products) /
                                            std::max<std::int64_t>(1, a.target_active_products);
        const std::int64_t shop_score = active ? (score_sum * (100 - a.weight_catalogue)) / (active * 100) + catalogue_part : 0;
        shops.rows.push_back({shop_id, shop.shop.platform, active, mean, shop_score});
    }
    r.sections = {std::move(shops), std::move(products), std::move(deductions), std::move(keywords)};
    return r;
}

}  // namespace pcgd::analysis

#include <pcgd/emulator/generator.hpp>

#include <algorithm>
#include <array>
#include <stdexcept>

namespace pcgd::emulator {

std::uint64_t hash_string(std::string_view s) noexcept {
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (unsigned char c : s) {
        h ^= c;
        h *= 0x100000001b3ull;
    }
    return h;
}

std::uint64_t Rng::below(std::uint64_t n) {
    if (n <= 1) return 0;
    // Reject the top sliver so every residue is equally likely.
    const std::uint64_t limit = ~0ull - (~0ull % n);
    std::uint64_t x;
    do x = engine_(); while (x >= limit);
    return x % n;
}

std::int64_t Rng::between(std::int64_t lo, std::int64_t hi) {
    if (hi <= lo) return lo;
    return lo + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(hi - lo) + 1));
}

char ean13_check_digit(std::string_view d) {
    int sum = 0;
    for (std::size_t i = 0; i < 12 && i < d.size(); ++i) sum += (d[i] - '0') * (i % 2 ? 3 : 1);
    return static_cast<char>('0' + (10 - sum % 10) % 10);
}

namespace {

using model::Money;
using model::MoneyBag;
using model::TimestampMs;

constexpr TimestampMs hour_ms = 3'600'000;
constexpr TimestampMs day_ms = 86'400'000;
constexpr std::int64_t history_days = 3 * 365;
constexpr std::int64_t traffic_days = 90;

struct Scent {
    const char* code;
    const char* en;
    const char* fr;  // with its article: "à la lavande"
    const char* fr_notes;  // "de lavande"
};
constexpr Scent scents[] = {
    {"LAV", "Lavender", "à la lavande", "de lavande"},
    {"FIG", "Fig", "à la figue", "de figue"},
    {"VAN", "Vanilla", "à la vanille", "de vanille"},
    {"ROS", "Rose", "à la rose", "de rose"},
    {"CED", "Cedar", "au cèdre", "de cèdre"},
    {"ORB", "Orange Blossom", "à la fleur d'oranger", "de fleur d'oranger"},
    {"SEA", "Sea Salt", "au sel marin", "de sel marin"},
    {"VER", "Verbena", "à la verveine", "de verveine"},
    {"AMB", "Amber", "à l'ambre", "d'ambre"},
    {"JAS", "Jasmine", "au jasmin", "de jasmin"},
    {"MIM", "Mimosa", "au mimosa", "de mimosa"},
    {"BER", "Bergamot", "à la bergamote", "de bergamote"},
};

struct Size {
    const char* code;
    const char* en;
    const char* fr;
    std::int64_t price_gbp_minor;
};

struct Category {
    const char* code;
    const char* type_en;
    const char* type_fr;
    const char* title_en;  // {} = scent or colour
    const char* title_fr;
    bool scented;
    std::vector<Size> sizes;
};

const std::vector<Category>& categories() {
    static const std::vector<Category> all = {
        {"CAN", "Candle", "Bougie", "{} Scented Candle", "Bougie parfumée {}", true,
         {{"180", "180 g", "180 g", 1800}, {"300", "300 g", "300 g", 2800}}},
        {"SOA", "Soap", "Savon", "{} Soap Bar", "Savon {}", true, {{"100", "100 g", "100 g", 650}}},
        {"DIF", "Diffuser", "Diffuseur", "{} Reed Diffuser", "Diffuseur à tiges {}", true,
         {{"100", "100 ml", "100 ml", 2400}, {"200", "200 ml", "200 ml", 3600}}},
        {"BAT", "Bath salts", "Sels de bain", "{} Bath Salts", "Sels de bain {}", true, {{"500", "500 g", "500 g", 1400}}},
        {"HCR", "Hand cream", "Crème pour les mains", "{} Hand Cream", "Crème pour les mains {}", true,
         {{"075", "75 ml", "75 ml", 1200}}},
        {"NAP", "Linen", "Linge de maison", "Washed Linen Napkins, Set of 4 – {}", "Serviettes en lin lavé, lot de 4 – {}",
         false, {{"4", "Set of 4", "Lot de 4", 3200}}},
        {"TOW", "Linen", "Linge de maison", "Linen Tea Towel – {}", "Torchon en lin – {}", false,
         {{"STD", "50 × 70 cm", "50 × 70 cm", 1400}}},
        {"TAB", "Linen", "Linge de maison", "Linen Tablecloth – {}", "Nappe en lin – {}", false,
         {{"150", "150 × 150 cm", "150 × 150 cm", 6500}, {"250", "150 × 250 cm", "150 × 250 cm", 8900}}},
    };
    return all;
}

struct Colour {
    const char* code;
    const char* en;
    const char* fr;
};
constexpr Colour colours[] = {
    {"SAG", "Sage", "Sauge"},        {"NAT", "Natural", "Naturel"}, {"OCH", "Ochre", "Ocre"},
    {"CHA", "Charcoal", "Anthracite"}, {"IND", "Indigo", "Indigo"},  {"TER", "Terracotta", "Terre cuite"},
};

std::string replace_braces(std::string_view pattern, std::string_view value) {
    std::string out(pattern);
    const auto pos = out.find("{}");
    if (pos != std::string::npos) out.replace(pos, 2, value);
    return out;
}

/// One entry of the SME's master catalogue, shared by all its shops.
struct MasterVariant {
    std::string sku;
    std::string barcode;  // empty: missing
    std::string title_en, title_fr;
    std::int64_t price_gbp_minor = 0;
    bool has_compare_at = false;
    bool has_cost = true;
    std::int64_t cost_permille = 400;
};
struct MasterProduct {
    std::uint64_t index = 0;
    std::string code;  // SKU stem
    std::string title_en, title_fr;
    std::string type_en, type_fr;
    std::string tag_category, tag_detail;
    std::string notes_en, notes_fr;  // empty: no description
    int images = 1;
    TimestampMs created_at = 0;
    std::string status;
    std::vector<MasterVariant> variants;
};

std::vector<MasterProduct> master_catalogue(const GeneratorOptions& o, int size) {
    // Every (category, scent|colour) combination, then "collections" of them
    // when more products are asked for than combinations exist.
    struct Combo {
        std::size_t category;
        std::size_t detail;
    };
    std::vector<Combo> combos;
    for (std::size_t c = 0; c < categories().size(); ++c) {
        const std::size_t n = categories()[c].scented ? std::size(scents) : std::size(colours);
        for (std::size_t d = 0; d < n; ++d) combos.push_back({c, d});
    }
    Rng rng(mix64(o.seed ^ 0xCA7A1060ull));
    rng.shuffle(combos);

    std::vector<MasterProduct> out;
    out.reserve(static_cast<std::size_t>(size));
    for (int i = 0; i < size; ++i) {
        const Combo& combo = combos[static_cast<std::size_t>(i) % combos.size()];
        const int collection = i / static_cast<int>(combos.size());
        const Category& cat = categories()[combo.category];
        MasterProduct p;
        p.index = static_cast<std::uint64_t>(i);
        std::string detail_code, detail_en, detail_fr;
        if (cat.scented) {
            const Scent& s = scents[combo.detail];
            detail_code = s.code;
            detail_en = s.en;
            detail_fr = s.fr;
            p.notes_en = std::string("Notes of ") + s.en + ".";
            p.notes_fr = std::string("Notes ") + s.fr_notes + ".";
        } else {
            const Colour& c = colours[combo.detail];
            detail_code = c.code;
            detail_en = c.en;
            detail_fr = c.fr;
            p.notes_en = "Stonewashed French linen, softer with every wash.";
            p.notes_fr = "Lin français lavé à la pierre, plus doux à chaque lavage.";
        }
        p.code = std::string("ML-") + cat.code + "-" + detail_code + (collection ? "-C" + std::to_string(collection) : "");
        p.title_en = replace_braces(cat.title_en, detail_en);
        p.title_fr = replace_braces(cat.title_fr, detail_fr);
        if (collection) {
            p.title_en += " – Collection " + std::to_string(collection);
            p.title_fr += " – Collection n° " + std::to_string(collection);
        }
        p.type_en = cat.type_en;
        p.type_fr = cat.type_fr;
        p.tag_category = cat.type_en;
        p.tag_detail = detail_en;
        if (rng.percent(8)) p.notes_en.clear(), p.notes_fr.clear();  // some products have no description
        p.images = rng.percent(8) ? 0 : static_cast<int>(rng.between(1, 3));
        // Created over the three years before now, at least a month old.
        p.created_at = o.now_ms - rng.between(30, history_days) * day_ms + rng.between(8, 18) * hour_ms;
        const auto st = rng.below(100);
        p.status = st < 90 ? "active" : st < 96 ? "draft" : "archived";
        const std::int64_t jitter = rng.between(0, 4) * 100 + (rng.percent(30) ? 50 : 0);
        for (const Size& size_def : cat.sizes) {
            MasterVariant v;
            v.sku = p.code + "-" + size_def.code;
            if (!rng.percent(10)) {
                // 376 = GS1 France; the rest from the catalogue index so the code is unique.
                const std::string digits =
                    "3760" + std::to_string(10000000 + i * 10 + static_cast<int>(&size_def - cat.sizes.data()));
                v.barcode = digits + ean13_check_digit(digits);
            }
            v.title_en = size_def.en;
            v.title_fr = size_def.fr;
            v.price_gbp_minor = size_def.price_gbp_minor + jitter;
            v.has_compare_at = rng.percent(20);
            v.has_cost = !rng.percent(15);
            v.cost_permille = rng.between(300, 450);
            p.variants.push_back(std::move(v));
        }
        out.push_back(std::move(p));
    }
    return out;
}

/// Upper-cases ASCII and the accented Latin-1 letters French uses, in UTF-8.
std::string shout(std::string_view s) {
    std::string out(s);
    for (std::size_t i = 0; i < out.size(); ++i) {
        auto c = static_cast<unsigned char>(out[i]);
        if (c >= 'a' && c <= 'z') {
            out[i] = static_cast<char>(c - 32);
        } else if (c == 0xC3 && i + 1 < out.size()) {
            auto d = static_cast<unsigned char>(out[i + 1]);
            if (d >= 0xA0 && d <= 0xBE && d != 0xB7) out[i + 1] = static_cast<char>(d - 0x20);  // é -> É, not ÷
            ++i;
        } else if (c == 0xC5 && i + 1 < out.size() && static_cast<unsigned char>(out[i + 1]) == 0x93) {
            out[i + 1] = static_cast<char>(0x92);  // œ -> Œ
            ++i;
        }
    }
    return out;
}

std::int64_t round_div(std::int64_t num, std::int64_t den) {
    // Half away from zero, on integers.
    return num >= 0 ? (num + den / 2) / den : -((-num + den / 2) / den);
}

std::int64_t to_shop_price(std::int64_t gbp_minor, bool eur) {
    if (!eur) return gbp_minor;
    // EUR prices end in .90, as French shops like them.
    return round_div(gbp_minor * 117, 10000) * 100 - 10;
}

/// Tax included in a tax-inclusive amount at 20%.
std::int64_t vat_of_gross(std::int64_t gross_minor) { return round_div(gross_minor, 6); }

struct ShopCtx {
    ShopData& data;
    model::Currency cur;
    bool fr;
    Money m(std::int64_t minor) const { return Money{minor, cur}; }
};

MoneyBag bag(const ShopCtx& c, std::int64_t minor, const OrderData& o) {
    MoneyBag b{c.m(minor), std::nullopt};
    if (o.order.presentment_currency && *o.order.presentment_currency != c.cur)
        b.presentment = Money{round_div(minor * o.presentment_rate_milli, 1000), *o.order.presentment_currency};
    return b;
}

/// Lines, discounts, shipping, tax and totals of a new order; status fields
/// are the caller's.
void fill_order(ShopCtx& c, Rng& rng, OrderData& od, const std::vector<const model::Variant*>& sellable, int index) {
    model::Order& o = od.order;
    o.id = std::to_string(od.key);
    o.name = "#" + std::to_string(1001 + index);
    o.currency = c.cur;
    o.country = c.data.shop.country;
    o.taxes_included = true;
    o.fees_known = false;
    // A few buyers pay in another currency.
    if (rng.percent(2)) {
        if (c.fr) {
            const bool chf = rng.percent(50);
            o.presentment_currency = model::Currency::of(chf ? "CHF" : "GBP");
            od.presentment_rate_milli = chf ? 940 : 860;
        } else {
            o.presentment_currency = model::Currency::of("EUR");
            od.presentment_rate_milli = 1170;
        }
    } else {
        o.presentment_currency = c.cur;
    }
    const auto roll = rng.below(100);
    const int n_lines = roll < 50 ? 1 : roll < 80 ? 2 : roll < 95 ? 3 : 4;
    const bool discounted = rng.percent(12);
    if (discounted) od.discount_code = c.fr ? "BIENVENUE10" : "WELCOME10";
    std::vector<const model::Variant*> chosen;
    for (int k = 0; k < n_lines * 3 && static_cast<int>(chosen.size()) < n_lines && !sellable.empty(); ++k) {
        const model::Variant* v = rng.pick(sellable);
        if (std::find(chosen.begin(), chosen.end(), v) == chosen.end()) chosen.push_back(v);
    }
    std::int64_t subtotal = 0, discounts = 0, tax = 0;
    int line_no = 0;
    for (const model::Variant* v : chosen) {
        model::OrderLine l;
        l.id = std::to_string(od.key * 10 + static_cast<std::uint64_t>(++line_no));
        l.sku = v->sku;
        l.variant_id = v->id;
        l.product_id = v->product_id;
        l.title = v->title;
        for (const auto& p : c.data.products)
            if (p.product.id == v->product_id) l.title = p.product.title + " – " + v->title;
        l.quantity = rng.percent(80) ? 1 : rng.between(2, 3);
        const std::int64_t unit = v->price ? v->price->minor : 1000;
        const std::int64_t gross = unit * l.quantity;
        const std::int64_t disc = discounted ? round_div(gross * 10, 100) : 0;
        const std::int64_t line_tax = vat_of_gross(gross - disc);
        l.unit_price = bag(c, unit, od);
        l.discount = bag(c, disc, od);
        l.tax = bag(c, line_tax, od);
        subtotal += gross - disc;
        discounts += disc;
        tax += line_tax;
        o.lines.push_back(std::move(l));
    }
    const std::int64_t free_from = c.fr ? 6000 : 5000;
    const std::int64_t shipping = subtotal >= free_from ? 0 : (c.fr ? 490 : 395);
    tax += vat_of_gross(shipping);
    o.subtotal = bag(c, subtotal, od);
    o.discounts = bag(c, discounts, od);
    o.shipping = bag(c, shipping, od);
    o.tax = bag(c, tax, od);
    o.total = bag(c, subtotal + shipping, od);
}

model::Refund make_refund(ShopCtx& c, OrderData& od, std::uint64_t key, TimestampMs at, bool full, Rng& rng) {
    model::Refund r;
    r.id = std::to_string(key);
    r.order_id = od.order.id;
    r.created_at = at;
    std::int64_t amount = 0, tax = 0, shipping = 0;
    if (full) {
        for (const auto& l : od.order.lines) {
            const std::int64_t gross = l.unit_price.shop.minor * l.quantity - l.discount.shop.minor;
            r.lines.push_back({l.id, l.sku, l.quantity, bag(c, gross - l.tax.shop.minor, od), l.tax});
            amount += gross;
            tax += l.tax.shop.minor;
        }
        shipping = od.order.shipping.shop.minor;
        amount += shipping;
        tax += vat_of_gross(shipping);
        r.note = c.fr ? "Colis endommagé" : "Damaged in transit";
    } else {
        const auto& l = od.order.lines[static_cast<std::size_t>(rng.below(od.order.lines.size()))];
        const std::int64_t gross = l.unit_price.shop.minor - round_div(l.discount.shop.minor, l.quantity);
        const std::int64_t line_tax = vat_of_gross(gross);
        r.lines.push_back({l.id, l.sku, 1, bag(c, gross - line_tax, od), bag(c, line_tax, od)});
        amount = gross;
        tax = line_tax;
        r.note = c.fr ? "Le client a changé d'avis" : "Customer changed their mind";
    }
    r.amount = bag(c, amount, od);
    r.tax = bag(c, tax, od);
    r.shipping = bag(c, shipping, od);
    return r;
}

std::int64_t refunded_units(const OrderData& od) {
    std::int64_t n = 0;
    for (const auto& r : od.refunds)
        for (const auto& l : r.lines) n += l.quantity;
    return n;
}
std::int64_t ordered_units(const OrderData& od) {
    std::int64_t n = 0;
    for (const auto& l : od.order.lines) n += l.quantity;
    return n;
}

std::vector<const model::Variant*> sellable_variants(const ShopData& d, TimestampMs at) {
    std::vector<const model::Variant*> out;
    for (const auto& p : d.products)
        if (!p.deleted && p.status != "draft" && p.product.created_at.value_or(0) <= at)
            for (const auto& v : p.variants) out.push_back(&v);
    if (out.empty())
        for (const auto& p : d.products)
            for (const auto& v : p.variants) out.push_back(&v);
    return out;
}

void generate_traffic(ShopData& d, Rng& rng) {
    const std::int64_t today = model::floor_div(d.options.now_ms, day_ms);
    struct Sku {
        std::string sku, product_id;
        std::int64_t base;
    };
    std::vector<Sku> skus;
    for (const auto& p : d.products)
        if (!p.deleted && p.status == "active")
            for (const auto& v : p.variants) skus.push_back({v.sku, p.product.id, rng.between(2, 60)});
    std::sort(skus.begin(), skus.end(), [](const Sku& a, const Sku& b) { return a.sku < b.sku; });
    for (std::int64_t day = today - traffic_days; day < today; ++day) {
        const auto civil = model::civil_from_days(day);
        const std::int64_t weekday = (day + 4) % 7;  // 1970-01-01 was a Thursday; 0 = Sunday
        const std::int64_t season_pct = civil.month >= 11 ? 140 : 100;
        const std::int64_t weekend_pct = (weekday == 0 || weekday == 6) ? 130 : 100;
        for (const Sku& s : skus) {
            model::TrafficSample t;
            t.sku = s.sku;
            t.listing_id = s.product_id;
            t.day = day;
            t.views = rng.percent(5) ? 0 : (s.base * season_pct * weekend_pct / 10000 + rng.between(0, s.base / 2));
            t.sessions = t.views * rng.between(55, 80) / 100;
            d.traffic.push_back(std::move(t));
        }
    }
}

void touch(model::Order& o, TimestampMs at) {
    if (!o.updated_at || *o.updated_at < at) o.updated_at = at;
}

}  // namespace

ShopData generate(const GeneratorOptions& o) {
    if (o.products < 1 || o.orders < 0) throw std::invalid_argument("products must be >= 1 and orders >= 0");
    if (o.country != "GB" && o.country != "FR") throw std::invalid_argument("country must be GB or FR");
    ShopData d;
    d.options = o;
    d.clock_ms = o.now_ms;
    const bool fr = o.country == "FR";
    const std::string shop_slug = o.platform + "-" + (fr ? "fr" : "gb");
    d.shop = model::Shop{shop_slug, o.platform, o.country, model::Currency::of(fr ? "EUR" : "GBP"),
                         fr ? "Europe/Paris" : "Europe/London"};
    d.shop_name = fr ? "Maison Lumière" : "Lumiere Home";
    d.locations = fr ? std::vector<Location>{{"fr-wh-1", "Entrepôt de Lyon"}, {"fr-st-1", "Boutique d'Uzès"}}
                     : std::vector<Location>{{"gb-wh-1", "Bristol warehouse"}, {"gb-st-1", "Bath shop"}};
    ShopCtx c{d, d.shop.currency, fr};
    const std::uint64_t shop_seed = mix64(o.seed ^ hash_string(shop_slug));

    // The master catalogue is the SME's, the same for every shop; each shop
    // lists its own selection of it, so SKUs overlap without being identical.
    const int master_size = o.products + (o.products + 3) / 4 + 2;
    auto master = master_catalogue(o, master_size);
    std::vector<std::size_t> pick(master.size());
    for (std::size_t i = 0; i < pick.size(); ++i) pick[i] = i;
    Rng rng(shop_seed);
    rng.shuffle(pick);
    pick.resize(static_cast<std::size_t>(o.products));
    std::sort(pick.begin(), pick.end());

    // One product shouts: an all-caps title, as sellers sometimes type them.
    const std::size_t shouting = pick.size() > 3 ? 3 : pick.size();
    std::uint64_t product_key = 7'000'001, variant_key = 8'000'001;
    for (std::size_t mi : pick) {
        const MasterProduct& mp = master[mi];
        ProductData pd;
        pd.key = product_key++;
        pd.status = mp.status;
        model::Product& p = pd.product;
        p.id = std::to_string(pd.key);
        p.title = fr ? mp.title_fr : mp.title_en;
        if (d.products.size() == shouting) p.title = shout(p.title);
        if (!mp.notes_en.empty()) {
            const std::string lead = fr ? "Fabriqué à la main en petites séries dans notre atelier de Provence. "
                                        : "Hand-made in small batches in our Provence workshop. ";
            p.description = lead + (fr ? mp.notes_fr : mp.notes_en);
            p.description_html = "<p>" + lead + "<strong>" + (fr ? mp.notes_fr : mp.notes_en) + "</strong></p>";
        }
        p.vendor = d.shop_name;
        p.product_type = fr ? mp.type_fr : mp.type_en;
        p.tags = {mp.tag_category, mp.tag_detail};
        p.active = mp.status == "active";
        for (int k = 1; k <= mp.images; ++k) {
            const auto w = static_cast<std::int32_t>(rng.between(8, 24) * 100);
            constexpr std::int32_t aspect_num[] = {1, 3, 4};  // square, landscape, portrait
            constexpr std::int32_t aspect_den[] = {1, 4, 3};
            const auto a = rng.below(3);
            p.images.push_back(model::Image{
                "https://cdn.maison-lumiere.example/products/" + mp.code + "-" + std::to_string(k) + ".jpg", w,
                w * aspect_num[a] / aspect_den[a]});
        }
        p.created_at = mp.created_at;
        p.updated_at = mp.created_at + rng.between(0, (o.now_ms - mp.created_at) / hour_ms) * hour_ms;
        for (const MasterVariant& mv : mp.variants) {
            model::Variant v;
            v.id = std::to_string(variant_key++);
            v.product_id = p.id;
            v.sku = mv.sku;
            v.barcode = mv.barcode;
            v.title = fr ? mv.title_fr : mv.title_en;
            const std::int64_t price = to_shop_price(mv.price_gbp_minor, fr);
            v.price = c.m(price);
            if (mv.has_compare_at) v.compare_at_price = c.m(round_div(price * 125, 10000) * 100);
            if (mv.has_cost) v.unit_cost = c.m(round_div(price * mv.cost_permille, 1000));
            const bool sold_out = rng.percent(12);
            const std::size_t n_locations = rng.percent(60) ? 2 : 1;
            std::int64_t total = 0;
            for (std::size_t li = 0; li < n_locations; ++li) {
                const std::int64_t q = sold_out ? 0 : rng.between(0, 120);
                v.stock.push_back({d.locations[li].id, q});
                total += q;
            }
            v.stock_total = total;
            v.active = p.active;
            v.updated_at = p.updated_at;
            pd.variants.push_back(std::move(v));
        }
        d.products.push_back(std::move(pd));
    }

    // A few products were deleted before now.
    const int n_deleted = o.products >= 10 ? std::max(1, o.products / 50) : 0;
    for (int k = 0; k < n_deleted; ++k) {
        ProductData& pd = d.products[static_cast<std::size_t>(rng.below(d.products.size()))];
        if (pd.deleted) continue;
        pd.deleted = true;
        const TimestampMs at = *pd.product.updated_at + rng.between(1, std::max<std::int64_t>(1, (o.now_ms - *pd.product.updated_at) / hour_ms)) * hour_ms;
        d.deletions.push_back(model::Deletion{model::RecordKind::product, pd.product.id, std::min(at, o.now_ms)});
    }
    std::sort(d.deletions.begin(), d.deletions.end(),
              [](const auto& a, const auto& b) { return std::tie(*a.deleted_at, a.id) < std::tie(*b.deleted_at, b.id); });

    // Order dates: three years with a Nov/Dec peak, by rejection sampling on
    // integer month weights.
    constexpr std::int64_t month_weight[12] = {80, 70, 80, 85, 90, 85, 80, 85, 95, 110, 190, 230};
    std::vector<TimestampMs> when;
    when.reserve(static_cast<std::size_t>(o.orders));
    const std::int64_t first_day = model::floor_div(o.now_ms, day_ms) - history_days;
    while (static_cast<int>(when.size()) < o.orders) {
        const std::int64_t day = first_day + rng.between(0, history_days - 1);
        if (rng.between(1, 230) > month_weight[model::civil_from_days(day).month - 1]) continue;
        when.push_back(day * day_ms + rng.between(7 * 3600, 23 * 3600 - 1) * 1000);
    }
    std::sort(when.begin(), when.end());

    std::uint64_t refund_key = 6'000'001;
    for (int i = 0; i < o.orders; ++i) {
        OrderData od;
        od.key = 5'000'001 + static_cast<std::uint64_t>(i);
        od.order.created_at = when[static_cast<std::size_t>(i)];
        fill_order(c, rng, od, sellable_variants(d, od.order.created_at), i);
        model::Order& ord = od.order;
        const TimestampMs age = o.now_ms - ord.created_at;
        touch(ord, ord.created_at);
        if (rng.percent(3)) {
            ord.cancelled_at = std::min(o.now_ms, ord.created_at + rng.between(1, 48) * hour_ms);
            ord.status = "cancelled";
            ord.financial_status = "voided";
            ord.fulfillment_status = "unfulfilled";
            touch(ord, *ord.cancelled_at);
        } else {
            ord.financial_status = "paid";
            if (age > 3 * day_ms) {
                ord.fulfillment_status = "fulfilled";
                touch(ord, ord.created_at + 2 * day_ms);
            } else {
                ord.fulfillment_status = "unfulfilled";
            }
            ord.status = age > 30 * day_ms ? "closed" : "open";
            if (rng.percent(6) && !ord.lines.empty()) {
                const bool full = rng.percent(40);
                const bool late = rng.percent(35);  // in a later month than the order
                TimestampMs at = ord.created_at + (late ? rng.between(35, 75) : rng.between(1, 14)) * day_ms;
                if (at > o.now_ms - hour_ms) at = ord.created_at + (o.now_ms - hour_ms - ord.created_at) / 2;
                if (at > ord.created_at) {
                    od.refunds.push_back(make_refund(c, od, refund_key++, at, full, rng));
                    ord.financial_status = full ? "refunded" : "partially_refunded";
                    touch(ord, at);
                }
            }
        }
        d.orders.push_back(std::move(od));
    }
    d.next_key = 9'000'001;
    (void)refund_key;
    generate_traffic(d, rng);
    return d;
}

Counts ShopData::counts() const {
    Counts c;
    for (const auto& p : products) {
        if (p.deleted) {
            ++c.deleted_products;
            continue;
        }
        ++c.products;
        c.variants += static_cast<std::int64_t>(p.variants.size());
    }
    for (const auto& o : orders) {
        ++c.orders;
        c.order_lines += static_cast<std::int64_t>(o.order.lines.size());
        c.refunds += static_cast<std::int64_t>(o.refunds.size());
    }
    c.traffic = static_cast<std::int64_t>(traffic.size());
    return c;
}

std::map<std::string, std::int64_t> ShopData::order_totals_minor() const {
    std::map<std::string, std::int64_t> out;
    for (const auto& o : orders) out[o.order.total.shop.currency.str()] += o.order.total.shop.minor;
    return out;
}

MutationReport ShopData::mutate() {
    ++mutations;
    clock_ms += mutate_step_ms;
    MutationReport rep;
    rep.step = mutations;
    rep.clock_ms = clock_ms;
    Rng rng(mix64(options.seed ^ hash_string(shop.id) ^ (static_cast<std::uint64_t>(mutations) << 32)));
    ShopCtx c{*this, shop.currency, shop.country == "FR"};
    const TimestampMs now = clock_ms;

    std::vector<std::size_t> live;
    for (std::size_t i = 0; i < products.size(); ++i)
        if (!products[i].deleted) live.push_back(i);
    rng.shuffle(live);
    // Three price edits and one title edit, on distinct products.
    for (std::size_t k = 0; k < live.size() && k < 4; ++k) {
        ProductData& p = products[live[k]];
        if (k < 3) {
            model::Variant& v = p.variants.front();
            v.price->minor = round_div(v.price->minor * 105, 1000) * 10;
            v.updated_at = now;
        } else {
            p.product.title += c.fr ? " (nouveau)" : " (new)";
        }
        p.product.updated_at = now;
        rep.products_updated.push_back(p.product.id);
    }
    // The last live product not edited above is deleted.
    if (live.size() > 4) {
        ProductData& p = products[live.back()];
        p.deleted = true;
        deletions.push_back(model::Deletion{model::RecordKind::product, p.product.id, now});
        rep.products_deleted.push_back(p.product.id);
    }

    // Fulfil up to three open orders, oldest first.
    for (auto& od : orders) {
        if (rep.orders_updated.size() >= 3) break;
        auto& o = od.order;
        if (o.cancelled_at || o.status == "closed" || o.fulfillment_status == "fulfilled") continue;
        o.fulfillment_status = "fulfilled";
        o.status = "closed";
        o.updated_at = now;
        rep.orders_updated.push_back(o.id);
    }
    // A late refund on an old order that had none.
    std::vector<std::size_t> old;
    for (std::size_t i = 0; i < orders.size(); ++i) {
        const auto& od = orders[i];
        if (!od.order.cancelled_at && od.refunds.empty() && !od.order.lines.empty() &&
            od.order.created_at < now - 60 * day_ms)
            old.push_back(i);
    }
    if (!old.empty()) {
        OrderData& od = orders[rng.pick(old)];
        const std::string rid = std::to_string(next_key++);
        od.refunds.push_back(make_refund(c, od, std::stoull(rid), now, false, rng));
        od.order.financial_status = refunded_units(od) >= ordered_units(od) ? "refunded" : "partially_refunded";
        od.order.updated_at = now;
        rep.orders_refunded.push_back(od.order.id);
        rep.refunds_added.push_back(rid);
    }
    // Cancel the most recent order that is still cancellable.
    for (auto it = orders.rbegin(); it != orders.rend(); ++it) {
        auto& o = it->order;
        if (o.cancelled_at || !it->refunds.empty() || o.fulfillment_status == "fulfilled") continue;
        if (std::find(rep.orders_updated.begin(), rep.orders_updated.end(), o.id) != rep.orders_updated.end()) continue;
        o.cancelled_at = now;
        o.status = "cancelled";
        o.financial_status = "voided";
        o.updated_at = now;
        rep.orders_cancelled.push_back(o.id);
        break;
    }
    // Two new orders.
    for (int k = 0; k < 2; ++k) {
        OrderData od;
        od.key = next_key++;
        od.order.created_at = now;
        fill_order(c, rng, od, sellable_variants(*this, now), static_cast<int>(orders.size()));
        od.order.updated_at = now;
        od.order.status = "open";
        od.order.financial_status = "paid";
        od.order.fulfillment_status = "unfulfilled";
        rep.orders_added.push_back(od.order.id);
        orders.push_back(std::move(od));
    }
    return rep;
}

std::string MutationReport::to_json() const {
    json::Writer w;
    w.begin_object().field("step", static_cast<std::int64_t>(step)).field("clock", model::format_iso8601(clock_ms));
    auto list = [&](const char* k, const std::vector<std::string>& v) {
        w.key(k).begin_array();
        for (const auto& s : v) w.value(s);
        w.end_array();
    };
    list("products_updated", products_updated);
    list("products_deleted", products_deleted);
    list("orders_updated", orders_updated);
    list("orders_refunded", orders_refunded);
    list("refunds_added", refunds_added);
    list("orders_cancelled", orders_cancelled);
    list("orders_added", orders_added);
    w.end_object();
    return std::string(w.view());
}

void write_ground_truth_fields(json::Writer& w, const ShopData& d) {
    w.field("platform", d.shop.platform);
    w.key("shop").begin_object();
    w.field("id", d.shop.id).field("name", d.shop_name).field("country", d.shop.country);
    w.field("currency", d.shop.currency.code()).field("time_zone", d.shop.time_zone);
    w.end_object();
    w.field("seed", static_cast<std::uint64_t>(d.options.seed));
    w.field("now", model::format_iso8601(d.options.now_ms));
    w.field("clock", model::format_iso8601(d.clock_ms));
    w.field("mutations", static_cast<std::int64_t>(d.mutations));
    const Counts c = d.counts();
    w.key("counts").begin_object();
    w.field("products", c.products).field("variants", c.variants).field("orders", c.orders);
    w.field("order_lines", c.order_lines).field("refunds", c.refunds).field("traffic", c.traffic);
    w.field("deleted_products", c.deleted_products);
    w.end_object();
    w.key("order_totals").begin_object();
    for (const auto& [cur, minor] : d.order_totals_minor()) w.field(cur, minor);
    w.end_object();
}

std::string ShopData::dump_json() const {
    json::Writer w;
    w.begin_object();
    write_ground_truth_fields(w, *this);
    w.key("products").begin_array();
    for (const auto& p : products) {
        w.begin_object().field("status", p.status).field("deleted", p.deleted).key("product");
        model::write_json(w, p.product);
        w.key("variants").begin_array();
        for (const auto& v : p.variants) model::write_json(w, v);
        w.end_array().end_object();
    }
    w.end_array();
    w.key("orders").begin_array();
    for (const auto& o : orders) {
        w.begin_object().field("discount_code", o.discount_code).key("order");
        model::write_json(w, o.order);
        w.key("refunds").begin_array();
        for (const auto& r : o.refunds) model::write_json(w, r);
        w.end_array().end_object();
    }
    w.end_array();
    w.key("traffic").begin_array();
    for (const auto& t : traffic) model::write_json(w, t);
    w.end_array();
    w.key("deletions").begin_array();
    for (const auto& x : deletions) model::write_json(w, x);
    w.end_array();
    w.end_object();
    return std::string(w.view());
}

}  // namespace pcgd::emulator

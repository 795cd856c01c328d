#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>
#include <pcgd/model/time.hpp>
#include <pcgd/sdk/json.hpp>
#include <regex>

#include "cli/context.hpp"
#include "export/listing_json.hpp"
#include "server/connect.hpp"
#include "sync/sync_engine.hpp"

namespace pcgd::host::cli {
namespace {

struct ShopAddArgs {
    std::string id, platform, base_url, country = "GB", time_zone, currency, sme, account;
    std::vector<std::string> credentials, settings;
};

std::pair<std::string, std::string> split_assignment(const std::string& s, const char* flag) {
    const auto eq = s.find('=');
    if (eq == std::string::npos || eq == 0)
        throw CommandError(std::string(flag) + " expects NAME=VALUE, got '" + s.substr(0, s.find('=')) + "'", 2);
    return {s.substr(0, eq), s.substr(eq + 1)};
}

bool is_url(const std::string& s) {
    static const std::regex url(R"(^https?://[^\s/?#]+(/[^\s]*)?$)");
    return std::regex_match(s, url);
}

void validate_time_zone(const std::string& tz) {
    static const std::regex shape(R"(^[A-Za-z_]+(/[A-Za-z0-9_+\-]+){0,2}$|^UTC$)");
    if (!std::regex_match(tz, shape))
        throw CommandError("'" + tz + "' is not an IANA time zone (e.g. Europe/London)", 2);
    const std::filesystem::path zoneinfo = "/usr/share/zoneinfo";
    if (std::filesystem::is_directory(zoneinfo) && !std::filesystem::exists(zoneinfo / tz))
        throw CommandError("unknown time zone '" + tz + "' (not in " + zoneinfo.string() + ")", 2);
}

/// Writes one setting as JSON in the type its manifest declares.
void write_setting(json::Writer& w, const SettingSpec& spec, const std::string& value) {
    w.key(spec.name);
    if (spec.type == "integer") {
        try {
            std::size_t used = 0;
            const long long n = std::stoll(value, &used);
            if (used != value.size()) throw std::invalid_argument("trailing characters");
            w.value(static_cast<std::int64_t>(n));
        } catch (const std::exception&) {
            throw CommandError("setting '" + spec.name + "' must be an integer, got '" + value + "'", 2);
        }
    } else if (spec.type == "boolean") {
        if (value != "true" && value != "false")
            throw CommandError("setting '" + spec.name + "' must be true or false, got '" + value + "'", 2);
        w.value(value == "true");
    } else {
        if (spec.type == "url" && !is_url(value))
            throw CommandError("setting '" + spec.name + "' must be an http(s) URL, got '" + value + "'", 2);
        w.value(value);
    }
}

void shop_add(Context& ctx, const ShopAddArgs& a) {
    static const std::regex id_shape(R"(^[a-z0-9][a-z0-9._-]{0,63}$)");
    if (!std::regex_match(a.id, id_shape))
        throw CommandError("shop id '" + a.id + "' must be 1-64 characters of a-z, 0-9, '.', '_' or '-'", 2);
    // Seller ids as the platforms spell them: Amazon's A2EUQ1WTGCTBG2, an e-mail-like eBay user.
    static const std::regex account_shape(R"(^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$)");
    if (!a.account.empty() && !std::regex_match(a.account, account_shape))
        throw CommandError(
            "--account '" + a.account + "' must be 1-128 characters of A-Z, a-z, 0-9, '.', '_', '@' or '-'", 2);
    if (!is_url(a.base_url)) throw CommandError("--base-url must be an http(s) URL, got '" + a.base_url + "'", 2);
    if (a.country.size() != 2 || !std::isupper(static_cast<unsigned char>(a.country[0])) ||
        !std::isupper(static_cast<unsigned char>(a.country[1])))
        throw CommandError("--country must be an ISO 3166 alpha-2 code such as GB or FR, got '" + a.country + "'", 2);

    auto library = ctx.plugins().find(a.platform);
    if (!library) {
        std::string known;
        for (const auto& l : ctx.plugins().loaded()) known += (known.empty() ? "" : ", ") + l->manifest().id;
        throw CommandError(
            "no loaded plugin for platform '" + a.platform + "' (loaded: " + (known.empty() ? "none" : known) + ")", 2);
    }
    const PluginManifest& manifest = library->manifest();

    ShopRecord record;
    record.shop.id = a.id;
    record.shop.platform = a.platform;
    record.shop.country = a.country;
    const bool gb = a.country == "GB", fr = a.country == "FR";
    const std::string currency = !a.currency.empty() ? a.currency : gb ? "GBP" : fr ? "EUR" : "";
    const std::string time_zone = !a.time_zone.empty() ? a.time_zone : gb ? "Europe/London" : fr ? "Europe/Paris" : "";
    if (currency.empty() || time_zone.empty())
        throw CommandError("--currency and --timezone are required for country " + a.country, 2);
    auto parsed_currency = model::Currency::parse(currency);
    if (!parsed_currency)
        throw CommandError("--currency must be an ISO 4217 code such as GBP or EUR, got '" + currency + "'", 2);
    record.shop.currency = *parsed_currency;
    validate_time_zone(time_zone);
    record.shop.time_zone = time_zone;
    record.base_url = a.base_url;
    record.sme_id = a.sme;
    record.account = a.account;

    std::map<std::string, std::string> secrets, plain;
    auto take = [&](const std::vector<std::string>& items, bool secret, const char* flag) {
        for (const auto& item : items) {
            auto [name, value] = split_assignment(item, flag);
            const SettingSpec* spec = manifest.setting(name);
            if (!spec || name == "base_url") {
                std::string names;
                for (const auto& s : manifest.settings)
                    if (s.secret == secret && s.name != "base_url") names += (names.empty() ? "" : ", ") + s.name;
                throw CommandError("plugin '" + manifest.id + "' has no " + (secret ? "credential" : "setting") + " '" +
                                       name + "' (" + (secret ? "credentials" : "settings") + ": " +
                                       (names.empty() ? "none" : names) + ")",
                                   2);
            }
            if (spec->secret != secret)
                throw CommandError("'" + name + "' is " +
                                       (spec->secret ? "a credential: pass it with --credential"
                                                     : "not secret: pass it with --setting"),
                                   2);
            (secret ? secrets : plain)[name] = value;
        }
    };
    take(a.credentials, true, "--credential");
    take(a.settings, false, "--setting");
    std::vector<std::string> missing;
    for (const auto& s : manifest.settings)
        if (s.required && !s.default_json && s.name != "base_url" && !secrets.count(s.name) && !plain.count(s.name))
            missing.push_back((s.secret ? "--credential " : "--setting ") + s.name + "=...");
    if (!missing.empty()) {
        std::string list;
        for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
        throw CommandError("missing required " + list + " for plugin '" + manifest.id + "'", 2);
    }

    json::Writer w;
    w.begin_object();
    for (const auto& [name, value] : plain) write_setting(w, *manifest.setting(name), value);
    w.end_object();
    record.settings_json = std::string(w.view());
    if (!secrets.empty()) record.sealed_credentials = ctx.vault().seal(secrets);
    record.created_at_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();

    Store& store = ctx.store();
    if (!a.sme.empty() && !store.get_sme(a.sme))
        throw CommandError("no SME '" + a.sme + "' (add it first with `pcgd sme add --id " + a.sme + " --name ...`)",
                           2);
    if (store.get_shop(a.id))
        throw CommandError("shop '" + a.id + "' already exists (remove it first with `pcgd shop remove --id " + a.id +
                           "`)");
    store.put_shop(record);
    std::cout << "added shop " << a.id << " (" << manifest.platform << ", " << record.shop.country << ", "
              << record.shop.currency.code() << ", " << record.shop.time_zone << ")";
    if (!secrets.empty())
        std::cout << " with " << secrets.size() << " credential" << (secrets.size() > 1 ? "s" : "") << " encrypted";
    std::cout << '\n';
}

void shop_list(Context& ctx, bool as_json) {
    const auto shops = ctx.store().list_shops();
    if (as_json) {
        std::cout << shops_json(ctx.store(), shops) << '\n';
        return;
    }
    if (shops.empty()) {
        std::cout << "no shops yet: add one with `pcgd shop add`\n";
        return;
    }
    std::vector<std::vector<std::string>> rows{{"ID", "PLATFORM", "COUNTRY", "TIME ZONE", "PRODUCTS", "VARIANTS",
                                                "ORDERS", "LINES", "REFUNDS", "ORDER TOTALS"}};
    for (const auto& s : shops) {
        const auto c = ctx.store().counts(s.shop.id);
        std::string totals;
        for (const auto& m : ctx.store().order_totals(s.shop.id))
            totals += (totals.empty() ? "" : " + ") + m.decimal() + " " + std::string(m.currency.code());
        rows.push_back({s.shop.id, s.shop.platform, s.shop.country, s.shop.time_zone, std::to_string(c.products),
                        std::to_string(c.variants), std::to_string(c.orders), std::to_string(c.order_lines),
                        std::to_string(c.refunds), totals.empty() ? "-" : totals});
    }
    std::cout << format_table(rows);
}

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

void shop_connect(Context& ctx, const std::string& id, std::string public_url) {
    auto shop = ctx.store().get_shop(id);
    if (!shop) throw CommandError("no shop '" + id + "' (see `pcgd shop list`)");
    const std::string& platform = shop->shop.platform;
    if (platform != "shopify" && platform != "amazon" && platform != "ebay")
        throw CommandError("connecting by consent page is implemented for shopify, amazon and ebay; shop '" + id +
                               "' is on " + platform + " (add its credentials with `pcgd shop add --credential`)",
                           2);
    if (public_url.empty()) public_url = ctx.config().server.public_url;
    if (public_url.empty()) public_url = "http://" + ctx.config().server.listen;
    if (public_url.rfind("https://", 0) != 0 && public_url.rfind("http://", 0) != 0)
        throw CommandError("--public-url must be an http(s) URL, got '" + public_url + "'", 2);
    const auto credentials = shop->sealed_credentials.empty() ? std::map<std::string, std::string>{}
                                                              : ctx.vault().open(shop->sealed_credentials);
    std::string url;
    try {
        const auto key = server::connect::state_key(ctx.vault());
        url = server::connect::authorize_url(*shop, credentials, key, public_url, now_ms());
    } catch (const std::invalid_argument& e) {
        throw CommandError(e.what(), 2);
    }
    std::cout << url << '\n';
    std::cerr << "Send this link to the shop's owner. It is valid for "
              << server::connect::link_validity_ms / (24 * 3600 * 1000) << " days, once; approving it sends them to "
              << server::connect::callback_url(public_url, platform)
              << ", which `pcgd serve` must answer there. Then run `pcgd shop check --id " << id << "`.\n";
}

/// What the grant obtained by `pcgd shop connect` leaves out or when it
/// ends, and what that costs; `fatal` when the shop cannot be fully synced.
struct AccessProblem {
    std::string text;
    bool fatal = true;
};

std::vector<AccessProblem> grant_problems(Context& ctx, const ShopRecord& shop) {
    if (shop.sealed_credentials.empty()) return {};
    const auto credentials = ctx.vault().open(shop.sealed_credentials);
    std::vector<AccessProblem> out;
    if (const auto scope = credentials.find("scope"); shop.shop.platform == "shopify" && scope != credentials.end())
        for (const auto& need : server::connect::missing_shopify_scopes(scope->second))
            out.push_back({std::string("scope ") + need.scope + " not granted: " + need.cost});
    if (const auto ends = credentials.find("refresh_token_expires_at"); ends != credentials.end()) {
        const auto at = model::parse_iso8601(ends->second);
        constexpr std::int64_t warn_ms = 30LL * 24 * 3600 * 1000;
        if (at && *at <= now_ms())
            out.push_back({"the seller's consent ended on " + ends->second + ": nothing can be synced"});
        else if (at && *at <= now_ms() + warn_ms)
            out.push_back({"the seller's consent ends on " + ends->second + ": syncs stop then", false});
    }
    return out;
}

void shop_check(Context& ctx, const std::string& id) {
    auto shop = ctx.store().get_shop(id);
    if (!shop) throw CommandError("no shop '" + id + "' (see `pcgd shop list`)");
    const Config& config = ctx.config();
    net::HttpClientOptions http;
    http.ca_file = config.ca_file;
    http.connect_timeout_ms = config.connect_timeout_ms;
    http.default_timeout_ms = config.timeout_ms;
    SyncEngine engine(ctx.store(), ctx.plugins(), ctx.vault(), http);
    SyncOptions options;
    options.probe_only = true;
    options.retry.max_attempts = std::min<std::uint32_t>(config.max_attempts, 3);
    const auto reports = engine.run({*shop}, options);
    const ShopReport& r = reports.front();
    if (!r.error.empty()) throw CommandError("shop " + id + ": " + r.error);
    bool ok = true;
    for (const auto& d : r.datasets) {
        std::cout << id << "  " << sdk::to_string(d.dataset) << ": ";
        if (d.ok) {
            std::cout << "ok\n";
        } else {
            ok = false;
            std::cout << (d.error_code == PCGD_ERR_AUTH ? "access missing: " : "failed: ") << d.error << '\n';
        }
    }
    for (const auto& problem : grant_problems(ctx, *shop)) {
        ok = ok && !problem.fatal;
        std::cout << id << (problem.fatal ? "  access missing: " : "  access ending: ") << problem.text
                  << " (connect again: `pcgd shop connect --id " << id << "`)\n";
    }
    if (!ok) throw CommandError("shop " + id + " cannot be fully synced (see above)");
}

}  // namespace

void add_shop_command(CLI::App& app, Context& ctx) {
    auto* shop = app.add_subcommand("shop", "Connect, list, check and remove shops");
    shop->require_subcommand(1);

    auto add_args = std::make_shared<ShopAddArgs>();
    auto* add = shop->add_subcommand("add", "Connect a shop; credentials are stored encrypted");
    add->add_option("--id", add_args->id, "Shop id, e.g. maison-gb")->required();
    add->add_option("--platform", add_args->platform, "Plugin id: shopify, amazon, woocommerce, ebay, ...")->required();
    add->add_option("--base-url", add_args->base_url, "API root of the shop (the real platform, or an emulator)")
        ->required();
    add->add_option("--country", add_args->country, "ISO 3166 alpha-2 country: GB or FR")->capture_default_str();
    add->add_option("--timezone", add_args->time_zone,
                    "IANA time zone (default: Europe/London for GB, Europe/Paris for FR)");
    add->add_option("--currency", add_args->currency, "ISO 4217 currency (default: GBP for GB, EUR for FR)");
    add->add_option("--sme", add_args->sme, "Id of the SME that owns the shop");
    add->add_option("--account", add_args->account,
                    "Seller account the shop belongs to; shops of one platform and account share its request budget "
                    "(an Amazon seller on UK and FR). Default: the shop's own");
    add->add_option("--credential", add_args->credentials, "NAME=VALUE of a secret setting; repeatable")->take_all();
    add->add_option("--setting", add_args->settings, "NAME=VALUE of a plain plugin setting; repeatable")->take_all();
    add->callback([&ctx, add_args] { shop_add(ctx, *add_args); });

    auto list_json = std::make_shared<bool>(false);
    auto* list = shop->add_subcommand("list", "List the shops with their record counts");
    list->add_flag("--json", *list_json, "Print JSON");
    list->callback([&ctx, list_json] { shop_list(ctx, *list_json); });

    auto remove_id = std::make_shared<std::string>();
    auto* remove = shop->add_subcommand("remove", "Remove a shop with all its records and credentials");
    remove->add_option("--id", *remove_id, "Shop id")->required();
    remove->callback([&ctx, remove_id] {
        if (!ctx.store().remove_shop(*remove_id))
            throw CommandError("no shop '" + *remove_id + "' (see `pcgd shop list`)");
        std::cout << "removed shop " << *remove_id << '\n';
    });

    auto connect_id = std::make_shared<std::string>();
    auto public_url = std::make_shared<std::string>();
    auto* connect = shop->add_subcommand(
        "connect", "Print the consent link to send a shop's owner (Shopify, Amazon, eBay; see docs/service.md)");
    connect->add_option("--id", *connect_id, "Shop id (added before with its app's client_id and client_secret)")
        ->required();
    connect->add_option("--public-url", *public_url,
                        "The service's address as the owner's browser reaches it (default: [server] public_url, "
                        "else http://[server] listen)");
    connect->callback([&ctx, connect_id, public_url] { shop_connect(ctx, *connect_id, *public_url); });

    auto check_id = std::make_shared<std::string>();
    auto* check =
        shop->add_subcommand("check", "Reach the platform with the stored credentials and say what access is missing");
    check->add_option("--id", *check_id, "Shop id")->required();
    check->callback([&ctx, check_id] { shop_check(ctx, *check_id); });
}

}  // namespace pcgd::host::cli

// A complete plugin for "Hello Market", an imaginary platform whose API is
//   GET {base_url}/v1/products?page=N   (header X-Api-Key)
//   -> {"products":[{"id":"1","title":"Candle","sku":"C-1","price":"12.50","stock":4}],"next_page":2}
// It is the example of docs/plugin-guide.md.
#include <pcgd/sdk/plugin.hpp>

namespace hello {

using namespace pcgd;

class HelloPlugin final : public sdk::Plugin {
public:
    static const char* manifest() {
        return R"({
          "id": "hello",
          "name": "Hello Market",
          "version": "1.0.0",
          "platform": "Hello Market",
          "datasets": ["inventory"],
          "record_schema_version": 1,
          "settings": [
            {"name": "base_url", "type": "url", "description": "API root", "required": true},
            {"name": "api_key", "type": "string", "description": "API key", "secret": true, "required": true}
          ]
        })";
    }

    HelloPlugin(sdk::Host host, const json::Node& settings)
        : Plugin(std::move(host)),
          base_url_(settings.at("base_url").str()),
          api_key_(settings.at("api_key").str()),
          currency_(model::Currency::of(settings.at("shop").at("currency").str())) {}

    void begin(const sdk::Job& job) override {
        if (job.dataset != sdk::Dataset::inventory) throw sdk::Error(PCGD_ERR_UNSUPPORTED, "Hello Market has inventory only");
        // The cursor is the next page to read; a full sync starts at page 1.
        next_page_ = job.full || job.cursor.empty() ? 1 : std::stoll(job.cursor);
    }

    sdk::Step next_step() override {
        if (next_page_ == 0) return sdk::Step::done();
        sdk::Request request;
        request.url = base_url_ + "/v1/products?page=" + std::to_string(next_page_);
        request.header("X-Api-Key", api_key_);
        return sdk::Step::send(std::move(request));
    }

    void on_response(const sdk::Response& response, sdk::Result& out) override {
        if (response.status() == 401 || response.status() == 403)
            throw sdk::Error(PCGD_ERR_AUTH, "Hello Market refused the API key (HTTP " + std::to_string(response.status()) + ")");
        if (response.status() != 200) throw sdk::bad_response("unexpected HTTP " + std::to_string(response.status()));

        rapidjson::Document doc;
        json::parse(doc, response.body(), "products page");
        const json::Node page(doc, "page");
        page.at("products").for_each([&](const json::Node& item) {
            model::Product product;
            product.id = std::string(item.at("id").str());
            product.title = std::string(item.at("title").str());
            host().emit(product);

            model::Variant variant;
            variant.id = product.id;
            variant.product_id = product.id;
            variant.sku = std::string(item.str_or("sku", ""));
            variant.price = model::Money::parse(item.at("price").str(), currency_);
            variant.stock_total = item.opt_i64("stock");
            host().emit(variant);
        });
        const auto next = page.find("next_page");
        next_page_ = next ? next->i64() : 0;
        // Records of this page and the new cursor are committed together.
        out.commit(std::to_string(next_page_));
    }

private:
    std::string base_url_, api_key_;
    model::Currency currency_;
    std::int64_t next_page_ = 1;
};

}  // namespace hello

PCGD_DECLARE_PLUGIN(hello::HelloPlugin)

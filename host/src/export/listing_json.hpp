// The JSON of SMEs and shops as `pcgd sme list --json` and `pcgd shop list
// --json` print it, and as the service's /api/smes routes answer: one writer
// for both, so the CLI and the API never drift apart.
#pragma once

#include <pcgd/sdk/json.hpp>
#include <string>
#include <vector>

#include "store/store.hpp"

namespace pcgd::host {

/// One SME: id, name, currency, lang and the ids of its shops (of `shops`, in order).
void write_sme_json(json::Writer& w, const Sme& sme, const std::vector<ShopRecord>& shops);

/// One shop with its record counts and the sync state of each dataset.
void write_shop_json(json::Writer& w, Store& store, const ShopRecord& shop);

/// An array of write_shop_json.
std::string shops_json(Store& store, const std::vector<ShopRecord>& shops);

}  // namespace pcgd::host

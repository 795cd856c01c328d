// The OpenAPI 3.0 document of the API: openapi.json in this folder, embedded
// at build time (openapi.cpp.in).
#pragma once

#include <string_view>

namespace pcgd::host::server {

std::string_view openapi_json() noexcept;

}  // namespace pcgd::host::server

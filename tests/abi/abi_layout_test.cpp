// The C compiler (abi_c99.c) and the C++ compiler must lay the ABI structs
// out identically: the host is C++, a plugin may be either.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include <pcgd/abi.h>

extern "C" {
extern const std::uint64_t pcgd_abi_c_sizes[];
extern const std::uint64_t pcgd_abi_c_size_count;
}

namespace {

TEST(AbiLayout, CAndCxxAgree) {
    const std::vector<std::uint64_t> cxx = {
        sizeof(pcgd_str),
        sizeof(pcgd_error),
        sizeof(pcgd_header),
        sizeof(pcgd_job),
        sizeof(pcgd_http_request),
        sizeof(pcgd_step),
        sizeof(pcgd_http_response),
        sizeof(pcgd_response_result),
        sizeof(pcgd_host_vtable),
        sizeof(pcgd_host),
        sizeof(pcgd_plugin_vtable),
        PCGD_PLUGIN_VTABLE_MIN_SIZE_1_0,
        offsetof(pcgd_http_request, body),
        offsetof(pcgd_response_result, cursor),
        offsetof(pcgd_plugin_vtable, on_response),
        offsetof(pcgd_http_request, rate_bucket_restore_milli_per_s),
    };
    const std::vector<std::uint64_t> c(pcgd_abi_c_sizes, pcgd_abi_c_sizes + pcgd_abi_c_size_count);
    EXPECT_EQ(c, cxx);
}

}  // namespace

/*
 * pcgd/abi.h as a C99 translation unit (built with -std=c99 -pedantic
 * -Werror -Wall -Wextra), and the 1.x layout pinned: every size and offset a
 * shipped plugin has baked in. A change here breaks every plugin built
 * before it, so it must fail the build, not a test run. C99 has no
 * _Static_assert, hence the negative-array idiom.
 */
#include <pcgd/abi.h>

#define PCGD_PIN(name, cond) typedef char pcgd_pin_##name[(cond) ? 1 : -1]
#define PCGD_PIN_SIZE(type, size) PCGD_PIN(size_##type, sizeof(type) == (size))
#define PCGD_PIN_OFFSET(type, field, off) PCGD_PIN(offset_##type##_##field, offsetof(type, field) == (off))

/* Versions and constants a plugin compiles in. */
PCGD_PIN(abi_version_1_1, PCGD_ABI_VERSION == 0x00010001u);
PCGD_PIN(abi_major_of, PCGD_ABI_MAJOR_OF(0x00020007u) == 2u);
PCGD_PIN(abi_minor_of, PCGD_ABI_MINOR_OF(0x00020007u) == 7u);
PCGD_PIN(record_schema_1, PCGD_RECORD_SCHEMA_VERSION == 1u);
PCGD_PIN(error_message_size, PCGD_ERROR_MESSAGE_SIZE == 504);
PCGD_PIN(err_host, PCGD_OK == 0 && PCGD_ERR_INVALID_ARGUMENT == 1 && PCGD_ERR_CONFIG == 2 && PCGD_ERR_BAD_RESPONSE == 3 &&
                       PCGD_ERR_AUTH == 4 && PCGD_ERR_STATE == 5 && PCGD_ERR_UNSUPPORTED == 6 &&
                       PCGD_ERR_INTERNAL == 7 && PCGD_ERR_HOST == 8);
PCGD_PIN(datasets, PCGD_DATASET_INVENTORY == 1u && PCGD_DATASET_ORDERS == 2u && PCGD_DATASET_TRAFFIC == 3u);
PCGD_PIN(sync_modes, PCGD_SYNC_INCREMENTAL == 1u && PCGD_SYNC_FULL == 2u);
PCGD_PIN(methods, PCGD_HTTP_GET == 1u && PCGD_HTTP_POST == 2u && PCGD_HTTP_PUT == 3u && PCGD_HTTP_DELETE == 4u &&
                      PCGD_HTTP_PATCH == 5u);
PCGD_PIN(steps, PCGD_STEP_REQUEST == 1u && PCGD_STEP_WAIT == 2u && PCGD_STEP_DONE == 3u);
PCGD_PIN(flags, PCGD_REQUEST_STREAM_BODY == 1u && PCGD_BODY_FINAL == 1u && PCGD_RESULT_CHECKPOINT == 1u);
PCGD_PIN(records, PCGD_RECORD_PRODUCT == 1u && PCGD_RECORD_VARIANT == 2u && PCGD_RECORD_ORDER == 3u &&
                      PCGD_RECORD_REFUND == 4u && PCGD_RECORD_TRAFFIC == 5u && PCGD_RECORD_DELETION == 6u);
PCGD_PIN(log_levels, PCGD_LOG_DEBUG == 1u && PCGD_LOG_INFO == 2u && PCGD_LOG_WARN == 3u && PCGD_LOG_ERROR == 4u);

/* The layout: pinned for LP64 (x86-64, AArch64), the platforms PCGD ships on. */
#if UINTPTR_MAX == 0xFFFFFFFFFFFFFFFFu
PCGD_PIN_SIZE(pcgd_str, 16);
PCGD_PIN_OFFSET(pcgd_str, data, 0);
PCGD_PIN_OFFSET(pcgd_str, size, 8);

PCGD_PIN_SIZE(pcgd_error, 512);
PCGD_PIN_OFFSET(pcgd_error, code, 0);
PCGD_PIN_OFFSET(pcgd_error, reserved, 4);
PCGD_PIN_OFFSET(pcgd_error, message, 8);

PCGD_PIN_SIZE(pcgd_header, 32);
PCGD_PIN_OFFSET(pcgd_header, name, 0);
PCGD_PIN_OFFSET(pcgd_header, value, 16);

PCGD_PIN_SIZE(pcgd_job, 40);
PCGD_PIN_OFFSET(pcgd_job, abi_version, 0);
PCGD_PIN_OFFSET(pcgd_job, struct_size, 4);
PCGD_PIN_OFFSET(pcgd_job, dataset, 8);
PCGD_PIN_OFFSET(pcgd_job, mode, 12);
PCGD_PIN_OFFSET(pcgd_job, cursor, 16);
PCGD_PIN_OFFSET(pcgd_job, now_ms, 32);

PCGD_PIN_SIZE(pcgd_http_request, 104);
PCGD_PIN(http_request_min_size_1_0, PCGD_HTTP_REQUEST_MIN_SIZE_1_0 == 72);
PCGD_PIN_OFFSET(pcgd_http_request, abi_version, 0);
PCGD_PIN_OFFSET(pcgd_http_request, struct_size, 4);
PCGD_PIN_OFFSET(pcgd_http_request, method, 8);
PCGD_PIN_OFFSET(pcgd_http_request, flags, 12);
PCGD_PIN_OFFSET(pcgd_http_request, timeout_ms, 16);
PCGD_PIN_OFFSET(pcgd_http_request, cost, 20);
PCGD_PIN_OFFSET(pcgd_http_request, url, 24);
PCGD_PIN_OFFSET(pcgd_http_request, headers, 40);
PCGD_PIN_OFFSET(pcgd_http_request, header_count, 48);
PCGD_PIN_OFFSET(pcgd_http_request, body, 56);
/* 1.1 */
PCGD_PIN_OFFSET(pcgd_http_request, rate_bucket, 72);
PCGD_PIN_OFFSET(pcgd_http_request, rate_bucket_capacity, 88);
PCGD_PIN_OFFSET(pcgd_http_request, rate_bucket_restore_milli_per_s, 96);

PCGD_PIN_SIZE(pcgd_step, 24);
PCGD_PIN_OFFSET(pcgd_step, abi_version, 0);
PCGD_PIN_OFFSET(pcgd_step, struct_size, 4);
PCGD_PIN_OFFSET(pcgd_step, kind, 8);
PCGD_PIN_OFFSET(pcgd_step, wait_ms, 12);
PCGD_PIN_OFFSET(pcgd_step, request, 16);

PCGD_PIN_SIZE(pcgd_http_response, 56);
PCGD_PIN_OFFSET(pcgd_http_response, abi_version, 0);
PCGD_PIN_OFFSET(pcgd_http_response, struct_size, 4);
PCGD_PIN_OFFSET(pcgd_http_response, status, 8);
PCGD_PIN_OFFSET(pcgd_http_response, flags, 12);
PCGD_PIN_OFFSET(pcgd_http_response, headers, 16);
PCGD_PIN_OFFSET(pcgd_http_response, header_count, 24);
PCGD_PIN_OFFSET(pcgd_http_response, body, 32);
PCGD_PIN_OFFSET(pcgd_http_response, body_offset, 48);

PCGD_PIN_SIZE(pcgd_response_result, 56);
PCGD_PIN_OFFSET(pcgd_response_result, abi_version, 0);
PCGD_PIN_OFFSET(pcgd_response_result, struct_size, 4);
PCGD_PIN_OFFSET(pcgd_response_result, flags, 8);
PCGD_PIN_OFFSET(pcgd_response_result, retry_after_ms, 12);
PCGD_PIN_OFFSET(pcgd_response_result, budget_remaining, 16);
PCGD_PIN_OFFSET(pcgd_response_result, budget_capacity, 24);
PCGD_PIN_OFFSET(pcgd_response_result, budget_restore_milli_per_s, 32);
PCGD_PIN_OFFSET(pcgd_response_result, cursor, 40);

PCGD_PIN_SIZE(pcgd_host_vtable, 24);
PCGD_PIN_OFFSET(pcgd_host_vtable, abi_version, 0);
PCGD_PIN_OFFSET(pcgd_host_vtable, struct_size, 4);
PCGD_PIN_OFFSET(pcgd_host_vtable, log, 8);
PCGD_PIN_OFFSET(pcgd_host_vtable, emit_record, 16);

PCGD_PIN_SIZE(pcgd_host, 16);
PCGD_PIN_OFFSET(pcgd_host, ctx, 0);
PCGD_PIN_OFFSET(pcgd_host, vtable, 8);

PCGD_PIN_SIZE(pcgd_plugin_vtable, 56);
PCGD_PIN_OFFSET(pcgd_plugin_vtable, abi_version, 0);
PCGD_PIN_OFFSET(pcgd_plugin_vtable, struct_size, 4);
PCGD_PIN_OFFSET(pcgd_plugin_vtable, manifest_json, 8);
PCGD_PIN_OFFSET(pcgd_plugin_vtable, create, 16);
PCGD_PIN_OFFSET(pcgd_plugin_vtable, destroy, 24);
PCGD_PIN_OFFSET(pcgd_plugin_vtable, begin, 32);
PCGD_PIN_OFFSET(pcgd_plugin_vtable, next_step, 40);
PCGD_PIN_OFFSET(pcgd_plugin_vtable, on_response, 48);
/* The floor never moves, whatever is appended to the vtable later. */
PCGD_PIN(vtable_min_size_1_0, PCGD_PLUGIN_VTABLE_MIN_SIZE_1_0 == 56);
#endif

/* What a C compiler makes of the structs, for the C++ side to compare with
 * (abi_layout_test.cpp): C and C++ must agree on every byte. */
const uint64_t pcgd_abi_c_sizes[] = {
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
const uint64_t pcgd_abi_c_size_count = sizeof pcgd_abi_c_sizes / sizeof pcgd_abi_c_sizes[0];

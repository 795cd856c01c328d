/*
 * pcgd/abi.h - the one boundary between the PCGD host and a platform plugin.
 *
 * Pure C99, standard headers only. Everything that crosses a shared-library
 * boundary in PCGD is declared here: plain structs of fixed-width fields,
 * borrowed string views and function pointers. No C++ type, exception or
 * allocator ever crosses.
 *
 * Versioning
 *   PCGD_ABI_VERSION packs (major << 16) | minor. The host loads a plugin when
 *   the majors are equal and the plugin's minor is not newer than the host's.
 *   A minor version only appends: new slots at the tail of a vtable, new fields
 *   at the tail of a struct, new constants. Every struct that may grow starts
 *   with {abi_version, struct_size}; a reader touches a tail field only after
 *   checking that struct_size covers it (PCGD_HAS_FIELD). Anything else (a
 *   removed or reordered field, a changed meaning) is a new major.
 *
 *   The record schema (the JSON form of the normalised model) is versioned
 *   apart from the binary ABI: PCGD_RECORD_SCHEMA_VERSION.
 *
 * Plugins are sans-I/O. A plugin never opens a socket, reads the clock, or
 * touches a file. It describes the next HTTP request, is handed the response,
 * and emits normalised records and a resume cursor. The host performs the
 * exchange, retries, paces requests, stores records and owns secrets.
 *
 * Conventions in the comments below
 *   OWNERSHIP: who allocates, who frees, how long a pointer stays valid.
 *   THREAD:    [instance] = called on one thread at a time per instance, never
 *              concurrently for the same instance; [any] = any thread.
 *   ABI-FROZEN:     layout never changes within a major.
 *   ABI-APPENDABLE: fields may be appended in a minor; check struct_size.
 */
#ifndef PCGD_ABI_H
#define PCGD_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Versions                                                                  */
/* ------------------------------------------------------------------------ */

#define PCGD_ABI_VERSION_MAJOR 1u
#define PCGD_ABI_VERSION_MINOR 1u
#define PCGD_ABI_VERSION ((uint32_t)((PCGD_ABI_VERSION_MAJOR << 16) | PCGD_ABI_VERSION_MINOR))
#define PCGD_ABI_MAJOR_OF(v) ((uint32_t)(v) >> 16)
#define PCGD_ABI_MINOR_OF(v) ((uint32_t)(v)&0xFFFFu)

/** Version of the JSON record schema (see docs/record-schema.md). */
#define PCGD_RECORD_SCHEMA_VERSION 1u

/** True when a struct whose first fields are {abi_version, struct_size}
 *  is large enough to hold `field`. */
#define PCGD_HAS_FIELD(ptr, type, field) \
    ((ptr)->struct_size >= offsetof(type, field) + sizeof(((type*)0)->field))

/* ------------------------------------------------------------------------ */
/* Basic types                                                               */
/* ------------------------------------------------------------------------ */

/** A borrowed UTF-8 byte view, not NUL-terminated. ABI-FROZEN.
 *  OWNERSHIP: borrowed; each use below says for how long. */
typedef struct pcgd_str {
    const char* data;
    uint64_t size;
} pcgd_str;

/** Error codes. 0 is success. */
#define PCGD_OK 0
#define PCGD_ERR_INVALID_ARGUMENT 1 /**< the caller passed something malformed */
#define PCGD_ERR_CONFIG 2           /**< settings missing or of the wrong type */
#define PCGD_ERR_BAD_RESPONSE 3     /**< a response could not be understood; the host may retry */
#define PCGD_ERR_AUTH 4             /**< credentials refused or access missing */
#define PCGD_ERR_STATE 5            /**< a slot called out of order */
#define PCGD_ERR_UNSUPPORTED 6      /**< dataset or mode this plugin does not offer */
#define PCGD_ERR_INTERNAL 7         /**< a bug or an exception inside the plugin */
#define PCGD_ERR_HOST 8             /**< a host service refused (e.g. store full) */

#define PCGD_ERROR_MESSAGE_SIZE 504

/** An error with its message held inline, so it can never dangle. ABI-FROZEN.
 *  OWNERSHIP: the caller owns the struct; the callee fills it on failure.
 *  `message` is NUL-terminated, truncated if longer. */
typedef struct pcgd_error {
    int32_t code;
    uint32_t reserved;
    char message[PCGD_ERROR_MESSAGE_SIZE];
} pcgd_error;

/** One HTTP header. ABI-FROZEN. */
typedef struct pcgd_header {
    pcgd_str name;
    pcgd_str value;
} pcgd_header;

/* ------------------------------------------------------------------------ */
/* Datasets, jobs, steps                                                     */
/* ------------------------------------------------------------------------ */

#define PCGD_DATASET_INVENTORY 1u /**< products, variants, stock, prices, images */
#define PCGD_DATASET_ORDERS 2u    /**< orders, lines, refunds, fees */
#define PCGD_DATASET_TRAFFIC 3u   /**< views and sessions per listing and day */

#define PCGD_SYNC_INCREMENTAL 1u /**< resume from the committed cursor */
#define PCGD_SYNC_FULL 2u        /**< ignore the cursor, read everything */

/** What the host asks a plugin instance to do. ABI-APPENDABLE.
 *  OWNERSHIP: host-owned; valid for the duration of the `begin` call only.
 *  The plugin copies what it keeps. */
typedef struct pcgd_job {
    uint32_t abi_version;
    uint32_t struct_size;
    uint32_t dataset; /**< PCGD_DATASET_* */
    uint32_t mode;    /**< PCGD_SYNC_* */
    pcgd_str cursor;  /**< last committed cursor (JSON), empty when none */
    int64_t now_ms;   /**< the host's clock, UTC milliseconds since the epoch */
} pcgd_job;

#define PCGD_HTTP_GET 1u
#define PCGD_HTTP_POST 2u
#define PCGD_HTTP_PUT 3u
#define PCGD_HTTP_DELETE 4u
#define PCGD_HTTP_PATCH 5u

/** Request flag: hand the body to the plugin in chunks as it arrives, so a
 *  large download (a bulk export, a report) never sits whole in memory. */
#define PCGD_REQUEST_STREAM_BODY 0x1u

/** An HTTP request the plugin wants performed. ABI-APPENDABLE.
 *  OWNERSHIP: plugin-owned; every view stays valid until the next call into
 *  the same instance. */
typedef struct pcgd_http_request {
    uint32_t abi_version;
    uint32_t struct_size;
    uint32_t method;     /**< PCGD_HTTP_* */
    uint32_t flags;      /**< PCGD_REQUEST_* */
    uint32_t timeout_ms; /**< 0: the host's default (none for streamed bodies: only a stall ends them) */
    uint32_t cost;       /**< units of the account's rate budget this request spends; 0 means 1 */
    pcgd_str url;        /**< absolute URL */
    const pcgd_header* headers;
    uint64_t header_count;
    pcgd_str body;
    /* ---- 1.1 ---- read only when struct_size covers them (PCGD_HAS_FIELD) */
    /** The named sub-budget of the seller account this request draws on: an
     *  API operation with a limit of its own, such as Amazon SP-API's
     *  per-operation rate and burst ("orders.searchOrders"). Empty: the
     *  account's main budget. A 429 and the response's budget hints apply to
     *  the bucket of the request answered. */
    pcgd_str rate_bucket;
    /** The bucket's size in requests (its burst), as the platform documents
     *  it; 0 when unknown. */
    int64_t rate_bucket_capacity;
    /** Requests restored per second x 1000 (0.5 req/s = 500); 0 when unknown.
     *  Until both are known only 429s and response hints pace the bucket. */
    int64_t rate_bucket_restore_milli_per_s;
} pcgd_http_request;

/** The size of a 1.0 request (through `body`), which every 1.x host reads. */
#define PCGD_HTTP_REQUEST_MIN_SIZE_1_0 (offsetof(pcgd_http_request, body) + sizeof(pcgd_str))

#define PCGD_STEP_REQUEST 1u /**< perform `request`, then call on_response */
#define PCGD_STEP_WAIT 2u    /**< wait `wait_ms`, then call next_step again */
#define PCGD_STEP_DONE 3u    /**< the job is complete */

/** The plugin's answer to next_step. ABI-APPENDABLE.
 *  OWNERSHIP: host-owned struct, zeroed with struct_size set by the host;
 *  the plugin fills it. */
typedef struct pcgd_step {
    uint32_t abi_version;
    uint32_t struct_size;
    uint32_t kind;    /**< PCGD_STEP_* */
    uint32_t wait_ms; /**< for PCGD_STEP_WAIT */
    /** For PCGD_STEP_REQUEST. A pointer, not a member, so that both structs
     *  can grow on their own. OWNERSHIP: plugin-owned, valid (with every view
     *  inside it) until the next call into the same instance. */
    const pcgd_http_request* request;
} pcgd_step;

/** Response flag: this chunk is the last one of the body. */
#define PCGD_BODY_FINAL 0x1u

/** An HTTP response, or one chunk of a streamed one. ABI-APPENDABLE.
 *  The host handles 429, 5xx and network errors itself (retry with backoff);
 *  every other status reaches the plugin.
 *  OWNERSHIP: host-owned; valid for the duration of the on_response call. */
typedef struct pcgd_http_response {
    uint32_t abi_version;
    uint32_t struct_size;
    int32_t status;
    uint32_t flags; /**< PCGD_BODY_* */
    const pcgd_header* headers;
    uint64_t header_count;
    pcgd_str body;        /**< the whole body, or this chunk of it */
    uint64_t body_offset; /**< bytes of the body delivered before this chunk */
} pcgd_http_response;

/** Result flag: all records emitted so far and `cursor` together form a
 *  resume point. The host commits them in one transaction. */
#define PCGD_RESULT_CHECKPOINT 0x1u

/** What the plugin learnt from a response. ABI-APPENDABLE.
 *  Rate-limit hints feed the host's limiter for the whole seller account.
 *  OWNERSHIP: host-owned struct, zeroed with struct_size set by the host,
 *  except the budget_* fields, which the host sets to -1 (unknown), so a
 *  plugin that never sets them never reports an empty budget;
 *  `cursor` is plugin-owned and valid until the next call into the instance. */
typedef struct pcgd_response_result {
    uint32_t abi_version;
    uint32_t struct_size;
    uint32_t flags;              /**< PCGD_RESULT_* */
    uint32_t retry_after_ms;     /**< pause the account this long before its next request */
    int64_t budget_remaining;    /**< units left in the account's budget; -1 unknown */
    int64_t budget_capacity;     /**< size of the budget; -1 unknown */
    int64_t budget_restore_milli_per_s; /**< units restored per second x 1000; -1 unknown */
    pcgd_str cursor;             /**< JSON resume state; meaningful with PCGD_RESULT_CHECKPOINT */
} pcgd_response_result;

/* ------------------------------------------------------------------------ */
/* Records                                                                   */
/* ------------------------------------------------------------------------ */

#define PCGD_RECORD_PRODUCT 1u
#define PCGD_RECORD_VARIANT 2u
#define PCGD_RECORD_ORDER 3u   /**< with its lines and fees */
#define PCGD_RECORD_REFUND 4u  /**< with its lines */
#define PCGD_RECORD_TRAFFIC 5u
#define PCGD_RECORD_DELETION 6u /**< an upstream record was deleted */

/* ------------------------------------------------------------------------ */
/* Host services                                                             */
/* ------------------------------------------------------------------------ */

#define PCGD_LOG_DEBUG 1u
#define PCGD_LOG_INFO 2u
#define PCGD_LOG_WARN 3u
#define PCGD_LOG_ERROR 4u

/** Services the host offers a plugin instance. ABI-APPENDABLE.
 *  OWNERSHIP: host-owned; valid from create until destroy returns.
 *  THREAD: [instance] - called only from within a slot of that instance. */
typedef struct pcgd_host_vtable {
    uint32_t abi_version;
    uint32_t struct_size;
    /** Log a line. The host redacts secrets. `message` is borrowed for the call. */
    void (*log)(void* host_ctx, uint32_t level, pcgd_str message);
    /** Hand one record (JSON, schema PCGD_RECORD_SCHEMA_VERSION) to the host,
     *  which copies it before returning. Returns PCGD_OK or an error code and
     *  fills `error`; the plugin should then fail the current call. */
    int32_t (*emit_record)(void* host_ctx, uint32_t record_kind, pcgd_str json, pcgd_error* error);
} pcgd_host_vtable;

/** A fat pointer to the host. ABI-FROZEN. */
typedef struct pcgd_host {
    void* ctx;
    const pcgd_host_vtable* vtable;
} pcgd_host;

/* ------------------------------------------------------------------------ */
/* The plugin                                                                */
/* ------------------------------------------------------------------------ */

/** A plugin's table of slots. ABI-APPENDABLE: slots after on_response are
 *  optional and read only after a struct_size check. Every slot is noexcept:
 *  it reports failure through its return code and `error`, never by unwinding.
 *
 *  Call order per instance: create, then any number of jobs (begin, then
 *  next_step / on_response until DONE or an error), then destroy. A failed
 *  call leaves the job to be restarted with begin (the host rolls back what
 *  was emitted since the last checkpoint). */
typedef struct pcgd_plugin_vtable {
    uint32_t abi_version; /**< PCGD_ABI_VERSION the plugin was built with */
    uint32_t struct_size; /**< sizeof(pcgd_plugin_vtable) as the plugin knows it */

    /** The manifest: JSON with id, name, version, platform, datasets,
     *  record_schema_version and settings. OWNERSHIP: plugin-owned, static,
     *  valid while the library is loaded. THREAD: [any]. */
    const char* (*manifest_json)(void);

    /** Make an instance for one shop. `settings_json` holds the values of the
     *  manifest's settings (secrets included) and the shop's identity; it is
     *  borrowed for the call. `host` stays valid until destroy.
     *  Returns the instance, or NULL with `error` filled.
     *  OWNERSHIP: the instance is plugin-owned; the host frees it with destroy. */
    void* (*create)(const pcgd_host* host, pcgd_str settings_json, pcgd_error* error);

    /** Free an instance. THREAD: [instance]. */
    void (*destroy)(void* instance);

    /** Start (or restart) a job. Resets any state of a previous job. */
    int32_t (*begin)(void* instance, const pcgd_job* job, pcgd_error* error);

    /** Say what to do next: fill `step` (see pcgd_step). */
    int32_t (*next_step)(void* instance, pcgd_step* step, pcgd_error* error);

    /** Consume a response (or one chunk of a streamed one), emit records
     *  through the host, and fill `result`. */
    int32_t (*on_response)(void* instance, const pcgd_http_response* response,
                           pcgd_response_result* result, pcgd_error* error);
} pcgd_plugin_vtable;

/** The vtable size every 1.x plugin provides at least. Pinned forever. */
#define PCGD_PLUGIN_VTABLE_MIN_SIZE_1_0 \
    (offsetof(pcgd_plugin_vtable, on_response) + sizeof(void*))

/* ------------------------------------------------------------------------ */
/* Entry symbols: exactly these two are exported by a plugin library.        */
/* ------------------------------------------------------------------------ */

#define PCGD_ENTRY_ABI_VERSION "pcgd_plugin_abi_version"
#define PCGD_ENTRY_VTABLE "pcgd_plugin_get_vtable"

/** Returns PCGD_ABI_VERSION as the plugin was built. The host calls it first. */
typedef uint32_t (*pcgd_plugin_abi_version_fn)(void);

/** Returns the plugin's vtable. OWNERSHIP: plugin-owned, static, valid while
 *  the library is loaded. */
typedef const pcgd_plugin_vtable* (*pcgd_plugin_vtable_fn)(void);

/* The entry points as a plugin defines them (PCGD_DECLARE_PLUGIN does it).
 * The host never links against them: it resolves them by name at load time.
 * Declared here so that a plugin's own tests can call them directly. */
uint32_t pcgd_plugin_abi_version(void);
const pcgd_plugin_vtable* pcgd_plugin_get_vtable(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* PCGD_ABI_H */

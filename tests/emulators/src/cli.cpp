#include <pcgd/emulator/cli.hpp>

#include <pcgd/emulator/emulator.hpp>
#include <pcgd/emulator/server.hpp>

#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>

namespace pcgd::emulator {

int run_cli(int argc, char** argv) {
    CLI::App app{"pcgd-emulator: a loopback emulator of an e-commerce platform API, for tests.\n"
                 "Prints 'listening on http://127.0.0.1:PORT' once ready; SIGTERM stops it.",
                 "pcgd-emulator"};
    EmulatorOptions opt;
    ServerOptions server_opt;
    std::string now = model::format_iso8601(default_now_ms);
    std::string faults;
    bool summary = false;
    std::string platforms;
    for (const auto& n : Registry::instance().names()) platforms += (platforms.empty() ? "" : ", ") + n;

    app.add_option("--platform", opt.platform, "Platform to emulate (" + platforms + ")")->required();
    app.add_option("--port", server_opt.port, "TCP port on 127.0.0.1; 0 picks a free one")->default_val(0);
    app.add_option("--seed", opt.generator.seed, "Seed of the generated data and of the faults")->default_val(1);
    app.add_option("--products", opt.generator.products, "Products in the shop")->default_val(40)->check(CLI::Range(1, 100000));
    app.add_option("--orders", opt.generator.orders, "Orders over the three years before --now")
        ->default_val(300)
        ->check(CLI::Range(0, 1000000));
    app.add_option("--country", opt.generator.country, "Country of the shop")->default_val("GB")->check(CLI::IsMember({"GB", "FR"}));
    app.add_option("--now", now, "The emulator's 'now', ISO 8601 UTC")->default_val(now);
    app.add_option("--faults", faults, "Faults to inject, KIND:PROBABILITY,... with KIND in 429, 5xx, slow, drop, truncate, "
                                       "malformed, expired-token");
    app.add_option("--slow-ms", opt.slow_ms, "Delay of a 'slow' fault")->default_val(5000);
    app.add_option("--latency-ms", opt.latency_ms, "Fixed delay added to every data response")->default_val(0);
    app.add_option("--retry-after-s", opt.retry_after_s, "Retry-After of an injected 429")->default_val(1)->check(CLI::Range(0, 3600));
    app.add_option("--bucket", opt.module.bucket_capacity, "Rate limit: leaky bucket size")->default_val(40)->check(CLI::Range(1, 1000000));
    app.add_option("--leak-per-s", opt.module.leak_per_s, "Rate limit: requests drained per second")
        ->default_val(20)
        ->check(CLI::PositiveNumber);
    app.add_option("--data", opt.module.data, "generated, or a platform's recorded payloads (shopify: samples, samples=DIR)")
        ->default_val("generated");
    app.add_option("--tls-cert", server_opt.tls_cert_file, "PEM certificate chain: serve HTTPS")->check(CLI::ExistingFile);
    app.add_option("--tls-key", server_opt.tls_key_file, "PEM private key of --tls-cert")->check(CLI::ExistingFile);
    app.add_flag("--summary", summary, "Print the ground truth as JSON and exit");

    try {
        app.parse(argc, argv);
        auto t = model::parse_iso8601(now);
        if (!t) throw CLI::ValidationError("--now", "not an ISO 8601 timestamp: '" + now + "'");
        opt.generator.now_ms = *t;
        opt.module.rate_limit_given = app.count("--bucket") > 0 || app.count("--leak-per-s") > 0;
        if (server_opt.tls_cert_file.empty() != server_opt.tls_key_file.empty())
            throw CLI::ValidationError("--tls-cert/--tls-key", "give both or neither");
        if (!Registry::instance().has(opt.platform))
            throw CLI::ValidationError("--platform", "unknown platform '" + opt.platform + "' (known: " + platforms + ")");
        try {
            opt.faults = parse_faults(faults);
        } catch (const std::invalid_argument& e) {
            throw CLI::ValidationError(e.what());
        }
    } catch (const CLI::CallForHelp& e) {
        std::cout << app.help();
        return 0;
    } catch (const CLI::ParseError& e) {
        std::cerr << "pcgd-emulator: " << e.what() << "\nRun with --help for usage.\n";
        return 2;
    }

    try {
        Emulator emulator(opt);
        if (summary) {
            std::cout << emulator.summary_json() << std::endl;
            return 0;
        }
        Server server(emulator, server_opt);
        server.stop_on_signals();
        std::cout << "listening on " << server.url() << std::endl;  // endl flushes: scripts wait for this line
        server.run();
        return 0;
    } catch (const std::invalid_argument& e) {
        std::cerr << "pcgd-emulator: " << e.what() << "\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "pcgd-emulator: " << e.what() << "\n";
        return 1;
    }
}

}  // namespace pcgd::emulator

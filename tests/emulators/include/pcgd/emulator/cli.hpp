#pragma once

namespace pcgd::emulator {

/// The pcgd-emulator command line. Returns the process exit code:
/// 0 success, 1 runtime failure, 2 bad arguments.
int run_cli(int argc, char** argv);

}  // namespace pcgd::emulator

#include <pcgd/emulator/cli.hpp>

int main(int argc, char** argv) { return pcgd::emulator::run_cli(argc, argv); }

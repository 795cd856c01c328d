#!/bin/sh
# build_out_of_tree.sh BUILD_DIR EXAMPLE_DIR WORK_DIR PCGD CMAKE CTEST
set -eu
build=$1; example=$2; work=$3; pcgd=$4; cmake=$5; ctest=$6
rm -rf "$work"
mkdir -p "$work"
"$cmake" --install "$build" --component sdk --prefix "$work/prefix" >/dev/null
# Only the SDK was installed: headers and the CMake package, nothing of the host.
test -f "$work/prefix/include/pcgd/abi.h"
test -f "$work/prefix/lib/cmake/pcgd_sdk/pcgd_sdkConfig.cmake"
test ! -e "$work/prefix/bin/pcgd"
"$cmake" -S "$example" -B "$work/build" -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_CXX_FLAGS="${PCGD_CONSUMER_CXXFLAGS:-}" >/dev/null
"$cmake" --build "$work/build" >/dev/null
(cd "$work/build" && "$ctest" --output-on-failure)
"$pcgd" --plugin-dir "$work/build/plugins" plugins --json > "$work/plugins.json"
cat "$work/plugins.json"
grep -q '"id":"hello","version":"1.0.0","abi":"1.1","status":"loaded"' "$work/plugins.json"

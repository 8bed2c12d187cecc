#!/usr/bin/env bash
# `cmake --install` into a scratch prefix, then what an operator and an
# integrator do with it: run the installed hushd and hush (--version), build
# a program against libhush with pkg-config (hush.pc) and with CMake
# (find_package(hush)), and run both.
#   install_test.sh BUILD_DIR SOURCE_DIR [CONSUMER_FLAGS]
# CONSUMER_FLAGS (e.g. -fsanitize=address,undefined) are what a program needs
# to link against this particular build of libhush.
set -euo pipefail
build=$1
src=$2
consumer_flags=${3:-}
scratch=$(mktemp -d "${TMPDIR:-/tmp}/hush-install-XXXXXX")
trap 'rm -rf "$scratch"' EXIT
prefix="$scratch/prefix"

cmake --install "$build" --prefix "$prefix" >"$scratch/install.log"
version=$(sed -n 's/^project(hush VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")

out=$("$prefix/sbin/hushd" --version)
[ "$out" = "hushd $version" ] || { echo "hushd --version said: $out"; exit 1; }
"$prefix/bin/hush" --version | grep -q "$version" || { echo "hush --version lacks $version"; exit 1; }

libdir=$(dirname "$(find "$prefix" -name hush.pc)")
export PKG_CONFIG_PATH="$libdir"
[ "$(pkg-config --modversion hush)" = "$version" ] || { echo "hush.pc has the wrong version"; exit 1; }
# shellcheck disable=SC2046,SC2086
c++ -std=c++20 $consumer_flags "$src/tests/install/consumer/main.cpp" -o "$scratch/with-pkg-config" \
  $(pkg-config --cflags --libs hush) -Wl,-rpath,"$(dirname "$libdir")"
"$scratch/with-pkg-config"

cmake -S "$src/tests/install/consumer" -B "$scratch/consumer-build" -G Ninja \
  -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_CXX_FLAGS="$consumer_flags" >"$scratch/consumer-configure.log" 2>&1 || { cat "$scratch/consumer-configure.log"; exit 1; }
cmake --build "$scratch/consumer-build" >"$scratch/consumer-build.log" 2>&1 || { cat "$scratch/consumer-build.log"; exit 1; }
"$scratch/consumer-build/consumer"
echo "install: hushd, hush, hush.pc and the CMake package all work from $prefix"

# Every external library, found from Debian 12 packages (scripts/install-deps.sh).
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)

pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
find_package(OpenSSL 3.0 REQUIRED COMPONENTS Crypto SSL)
find_package(fmt REQUIRED)
find_package(Protobuf REQUIRED)

find_path(XEDDSA_INCLUDE_DIR xeddsa.h REQUIRED)
find_library(XEDDSA_LIBRARY NAMES xeddsa REQUIRED)
add_library(hush_dep_xeddsa INTERFACE)
target_include_directories(hush_dep_xeddsa SYSTEM INTERFACE
  ${XEDDSA_INCLUDE_DIR} ${PROJECT_SOURCE_DIR}/lib/crypto/compat)
target_link_libraries(hush_dep_xeddsa INTERFACE ${XEDDSA_LIBRARY})

if(HUSH_BUILD_TESTS OR HUSH_BUILD_BENCH)
  find_package(GTest REQUIRED)
  pkg_check_modules(SIGNAL_PROTOCOL_C IMPORTED_TARGET libsignal-protocol-c)
  pkg_check_modules(OLM IMPORTED_TARGET olm)
endif()
if(HUSH_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()

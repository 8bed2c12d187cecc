# Fuzz target of hushd's TLS 1.3 record layer (Tls13Records, ADR 0004): a
# client script of sealed, corrupted and raw records against the real
# non-blocking socket code. The record layer is compiled here on its own
# (it needs only Boost's headers, OpenSSL for asio's ssl error category and
# libhush), so the fuzz build does not need HUSH_BUILD_SERVER.
if(TARGET hushd_dep_boost)
  set(HUSH_FUZZ_TLS_BOOST hushd_dep_boost)
else()
  find_package(Boost 1.81 CONFIG QUIET)
  if(NOT Boost_FOUND)
    message(STATUS "fuzz: Boost 1.81 not found, no tls13_records target")
    return()
  endif()
  add_library(hush_fuzz_dep_boost INTERFACE)
  target_include_directories(hush_fuzz_dep_boost SYSTEM INTERFACE ${Boost_INCLUDE_DIRS})
  target_compile_definitions(hush_fuzz_dep_boost INTERFACE BOOST_ASIO_NO_DEPRECATED)
  target_link_libraries(hush_fuzz_dep_boost INTERFACE OpenSSL::SSL OpenSSL::Crypto)
  set(HUSH_FUZZ_TLS_BOOST hush_fuzz_dep_boost)
endif()

add_library(hush_fuzz_tls13_records STATIC ${PROJECT_SOURCE_DIR}/server/src/net/tls13_records.cpp)
target_include_directories(hush_fuzz_tls13_records PUBLIC ${PROJECT_SOURCE_DIR}/server/src)
target_link_libraries(hush_fuzz_tls13_records PUBLIC hush ${HUSH_FUZZ_TLS_BOOST})
hush_strict_warnings(hush_fuzz_tls13_records)

hush_add_fuzz_target(tls13_records LIBS hush_fuzz_tls13_records)
if(HUSH_BUILD_FUZZ)
  hush_strict_warnings(fuzz_tls13_records)
endif()

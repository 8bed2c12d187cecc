# SPQR fuzz targets (lib/signal/src/spqr): the wire message parser, the
# record codec, and a stateful receiver. Seeds: fuzz/tools/make_spqr_corpus.cpp.
foreach(t IN ITEMS parse_spqr_message parse_spqr_record recv_spqr_message)
  hush_add_fuzz_target(${t})
  foreach(prefix IN ITEMS fuzz replay)
    if(TARGET ${prefix}_${t})
      target_include_directories(${prefix}_${t} PRIVATE ${PROJECT_SOURCE_DIR}/lib/signal/src/spqr)
      hush_strict_warnings(${prefix}_${t})
    endif()
  endforeach()
endforeach()

# Writes their seed corpora (committed under fuzz/corpus/):
#   build/<dir>/fuzz/make_spqr_corpus fuzz/corpus
if(HUSH_BUILD_TESTS)
  add_executable(make_spqr_corpus tools/make_spqr_corpus.cpp)
  target_include_directories(make_spqr_corpus PRIVATE ${PROJECT_SOURCE_DIR}/lib/signal/src/spqr)
  target_link_libraries(make_spqr_corpus PRIVATE hush hush_test_support)
  hush_strict_warnings(make_spqr_corpus)
endif()

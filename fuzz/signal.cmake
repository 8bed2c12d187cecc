# Fuzz targets of the 1:1 Signal protocol (issue #3; Kyber pre-keys and
# version 4, issue #15): one per parser, and a
# stateful one that drives a live session. See docs/CONTRIBUTING.md, Fuzzing.
set(HUSH_SIGNAL_FUZZ_TARGETS
  parse_signal_message
  parse_pre_key_signal_message
  parse_pre_key_records
  parse_kyber_pre_key
  parse_session_record
  decrypt_session)
foreach(t IN LISTS HUSH_SIGNAL_FUZZ_TARGETS)
  hush_add_fuzz_target(${t})
  if(HUSH_BUILD_FUZZ)
    hush_strict_warnings(fuzz_${t})
  endif()
endforeach()

# Writes the seed corpora of the targets above (committed under fuzz/corpus/):
#   build/<dir>/fuzz/make_signal_corpus fuzz/corpus
if(HUSH_BUILD_TESTS)
  add_executable(make_signal_corpus tools/make_signal_corpus.cpp)
  target_link_libraries(make_signal_corpus PRIVATE hush hush_test_support)
  hush_strict_warnings(make_signal_corpus)
endif()

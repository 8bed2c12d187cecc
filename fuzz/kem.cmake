# KEM fuzz targets (lib/crypto/src/ml_kem): key and ciphertext parsing,
# decapsulation of arbitrary ciphertexts. Seeds: fuzz/tools/make_kem_corpus.cpp.
hush_add_fuzz_target(parse_kem_public_key)
hush_add_fuzz_target(parse_kem_secret_key)
hush_add_fuzz_target(decapsulate_kem_ciphertext)

# Writes their seed corpora (committed under fuzz/corpus/):
#   build/<dir>/fuzz/make_kem_corpus fuzz/corpus
if(HUSH_BUILD_TESTS)
  add_executable(make_kem_corpus tools/make_kem_corpus.cpp)
  target_link_libraries(make_kem_corpus PRIVATE hush)
  hush_strict_warnings(make_kem_corpus)
endif()

# SPQR's cost per message and the incremental KEM (bench/spqr_bench.cpp).
add_executable(spqr_bench ${CMAKE_CURRENT_LIST_DIR}/spqr_bench.cpp)
target_link_libraries(spqr_bench PRIVATE hush hush_test_support benchmark::benchmark benchmark::benchmark_main)
hush_strict_warnings(spqr_bench)

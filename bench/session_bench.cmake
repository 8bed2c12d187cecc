# session_bench: whole sessions of the peers (libsignal-protocol-c, libolm)
# beside the primitive floor, and later libhush, in one binary. Needs the GPL
# peers library from tests/peers, so it exists only when that target does.
if(TARGET hush_test_peers)
  add_executable(session_bench session_bench.cpp session_floor_bench.cpp session_floor_v4_bench.cpp session_hush_bench.cpp session_hush_v4_bench.cpp)
  target_link_libraries(session_bench PRIVATE hush hush_test_peers benchmark::benchmark benchmark::benchmark_main)
  hush_strict_warnings(session_bench)
endif()

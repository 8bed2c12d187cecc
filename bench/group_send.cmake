# group_send_bench: the sender's side of a group message to 10, 100 and 1,000
# devices (issue #7): Hush's one Sender Key encryption and one send_multi
# upload, beside the pairwise fan-out it replaces (one Double Ratchet
# encryption and one ciphertext per device). Drives the SDK's encode path
# without a network; docs/performance.md, "Group send".
if(TARGET hush_client AND TARGET hush_test_support)
  add_executable(group_send_bench group_send_bench.cpp)
  target_include_directories(group_send_bench PRIVATE ${PROJECT_SOURCE_DIR}/client/src/sdk
    $<TARGET_PROPERTY:hush_service_proto,INTERFACE_INCLUDE_DIRECTORIES>)
  target_link_libraries(group_send_bench PRIVATE hush_client hush_test_support benchmark::benchmark
    benchmark::benchmark_main)
  hush_strict_warnings(group_send_bench)
endif()

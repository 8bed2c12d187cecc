# hushd's client protocol (docs/server/api.md): registration body and
# WebSocket frames. Lite runtime, like the core's schemas, so a client can
# link both without mixing protobuf runtimes.
hush_proto_library(TARGET hush_service_proto LITE PROTOS service.proto)
# The proof-of-possession message (include/hush/service/registration_proof.hpp)
# that every user of the registration route builds the same way.
target_include_directories(hush_service_proto PUBLIC $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include>)

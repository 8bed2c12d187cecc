# hushd's client protocol (docs/server/api.md): registration body and
# WebSocket frames. Lite runtime, like the core's schemas, so a client can
# link both without mixing protobuf runtimes.
hush_proto_library(TARGET hush_service_proto LITE PROTOS service.proto)

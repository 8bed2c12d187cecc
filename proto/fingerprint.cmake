# Safety-number schema (issue #4): compiled into libhush (lite runtime).
hush_proto_library(TARGET hush_fingerprint_proto LITE PROTOS fingerprint.proto)

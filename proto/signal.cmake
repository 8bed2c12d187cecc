# The protocol core's schemas: compiled into libhush (lite runtime).
hush_proto_library(TARGET hush_signal_proto LITE PROTOS signal_wire.proto signal_storage.proto spqr_storage.proto)

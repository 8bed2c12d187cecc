# The client's message content (issue #6): compiled into hush_client (lite runtime).
hush_proto_library(TARGET hush_client_content_proto LITE PROTOS client_content.proto)

# Sender Keys parsers (issue #4): both wire messages and the stored record.
hush_add_fuzz_target(parse_sender_key_message)
hush_add_fuzz_target(parse_sender_key_distribution_message)
hush_add_fuzz_target(parse_sender_key_record)
# The same two wire messages in today's libsignal format, with a distribution
# id (issue #15).
hush_add_fuzz_target(parse_distribution_sender_key_message)
hush_add_fuzz_target(parse_distribution_sender_key_distribution_message)

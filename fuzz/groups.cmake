# Sender Keys parsers (issue #4): both wire messages and the stored record.
hush_add_fuzz_target(parse_sender_key_message)
hush_add_fuzz_target(parse_sender_key_distribution_message)
hush_add_fuzz_target(parse_sender_key_record)

// The one piece of the group record's encoding the schema migration needs:
// renaming the holders of our Sender Key (store_migration.cpp). Private to the store.
#pragma once

#include <hush/util/bytes.hpp>
#include <hush/util/result.hpp>
#include <hush/util/secret.hpp>

#include <functional>
#include <string>

namespace hush::client::store {

/// Decodes a group record's plaintext (any format GroupStore loads), renames
/// each key holder's address name with `rename`, and encodes it again (the
/// current format). Errors: those of decoding (decode_error, unsupported_version).
[[nodiscard]] Result<SecretBuffer> rename_key_holders(ByteView group_id, ByteView record,
                                                      const std::function<std::string(const std::string&)>& rename);

}  // namespace hush::client::store

// Peers a schema-1 store knew only by a username its directory did not map
// to an account (issue #16 item 4): the migration keeps their rows under the
// username as address name and lists the name here; once a lookup tells the
// account, rename_peer moves every row to the account's address. Nothing is
// lost meanwhile: history(name) still finds them.
#pragma once

#include <hush/client/store/local_store.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace hush::client::store {

/// Creates table unresolved_peers if missing. Errors: storage errors.
[[nodiscard]] Status ensure_unresolved_peers_table(LocalStore& store);

/// Lists `username` as waiting for a lookup (in the caller's transaction).
[[nodiscard]] Status note_unresolved_peer(LocalStore& store, const std::string& username);

/// The usernames still waiting for a lookup, sorted.
[[nodiscard]] Result<std::vector<std::string>> unresolved_peers(LocalStore& store);

/// Moves everything held under address name `from` (a username) to `to` (an
/// account's address: store/account_address.hpp) in the caller's transaction:
/// contact identity, sessions, 1:1 and group history, Sender Keys and our
/// groups' key holders, each value sealed again under its new row key; and
/// removes `from` from unresolved_peers. A row that `to` already holds
/// (a contact met again since under its account) is kept and `from`'s copy
/// dropped. Errors: bad_mac, storage errors.
[[nodiscard]] Status rename_peer(LocalStore& store, const std::string& from, const std::string& to);

}  // namespace hush::client::store

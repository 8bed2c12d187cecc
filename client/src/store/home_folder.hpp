// The client's home folder and store file: created with owner-only modes,
// refused when another user owns them. Private to the store.
#pragma once

#include <hush/util/result.hpp>

#include <filesystem>

namespace hush::client::store {

/// Creates `home` (mode 0700) or, if it exists, checks that this user owns
/// it and sets its mode to 0700. Errors: forbidden, storage_failure.
[[nodiscard]] Status prepare_home_folder(const std::filesystem::path& home);

/// Creates an empty file with mode 0600 (never following a link). Errors:
/// conflict (it exists), storage_failure.
[[nodiscard]] Status create_private_file(const std::filesystem::path& file);

/// Checks that an existing store file is a regular file (not a link) owned by
/// this user and sets its mode, and its -wal and -shm companions' if present,
/// to 0600 (another program or a copy may have loosened them). Errors:
/// forbidden, storage_failure.
[[nodiscard]] Status tighten_store_file(const std::filesystem::path& file);

/// Removes a store file and its -wal and -shm companions (cleanup after a failed create).
void remove_store_files(const std::filesystem::path& file) noexcept;

}  // namespace hush::client::store

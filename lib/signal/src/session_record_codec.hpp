// Private to lib/signal: the pieces of a parsed session record, shared by the
// record codec (format version 3) and the reader of version 1 records.
#pragma once

#include <hush/signal/session_state.hpp>
#include <hush/util/bytes.hpp>
#include <hush/util/result.hpp>

#include <memory>
#include <vector>

namespace hush::signal::detail {

struct SessionRecordParts {
  std::unique_ptr<SessionState> current;
  std::vector<SessionState> previous;  ///< most recent first
};

/// Parses a format version 1 record (SessionStateProto fields). Fails with
/// decode_error, unsupported_version, bad_key or bad_length.
Result<SessionRecordParts> parse_session_record_v1(ByteView bytes);

}  // namespace hush::signal::detail

// What the store interfaces do by default.
#include <hush/signal/session_record.hpp>
#include <hush/signal/stores.hpp>

namespace hush::signal {

Status SessionStore::store_session_owned(const ProtocolAddress& address, SessionRecord&& record) {
  return store_session(address, record);
}

}  // namespace hush::signal

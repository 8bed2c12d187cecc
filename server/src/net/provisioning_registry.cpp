// ProvisioningRegistry (see provisioning_registry.hpp). The sink is called
// outside the mutex; the observer inside it, so it hears of each address in order.
#include "net/provisioning_registry.hpp"

namespace hush::server::net {

bool ProvisioningRegistry::reserve(const std::string& remote) {
  std::lock_guard lock(mutex_);
  std::size_t& n = per_remote_[remote];
  if (n >= max_per_remote_) {
    if (n == 0) per_remote_.erase(remote);
    return false;
  }
  ++n;
  return true;
}

void ProvisioningRegistry::release(const std::string& remote) {
  std::lock_guard lock(mutex_);
  auto it = per_remote_.find(remote);
  if (it == per_remote_.end()) return;
  if (--it->second == 0) per_remote_.erase(it);
}

void ProvisioningRegistry::add(const std::string& address, std::weak_ptr<ProvisioningSink> sink) {
  std::lock_guard lock(mutex_);
  if (sinks_.insert_or_assign(address, std::move(sink)).second && observer_) observer_(address, true);
}

void ProvisioningRegistry::remove(const std::string& address) {
  std::lock_guard lock(mutex_);
  if (sinks_.erase(address) > 0 && observer_) observer_(address, false);
}

void ProvisioningRegistry::set_observer(Observer observer) {
  std::lock_guard lock(mutex_);
  observer_ = std::move(observer);
}

bool ProvisioningRegistry::deliver(const std::string& address, Bytes frame) {
  std::shared_ptr<ProvisioningSink> sink;
  {
    std::lock_guard lock(mutex_);
    auto it = sinks_.find(address);
    if (it == sinks_.end()) return false;
    sink = it->second.lock();
    sinks_.erase(it);
    if (observer_) observer_(address, false);
  }
  if (!sink) return false;
  sink->deliver(std::move(frame));
  return true;
}

}  // namespace hush::server::net

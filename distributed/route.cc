#include "distributed/route.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "core/error.h"

namespace fer::distributed {
namespace {

constexpr const char* kOperation = "find this machine's address towards the master";

std::string numeric(const sockaddr* address, socklen_t length) {
  char text[NI_MAXHOST];
  if (::getnameinfo(address, length, text, sizeof(text), nullptr, 0, NI_NUMERICHOST) != 0)
    return "";
  return text;
}

}  // namespace

std::string local_address_towards(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* found = nullptr;
  // The port only completes the address; a UDP connect() sends nothing.
  const int rc = ::getaddrinfo(host.c_str(), "9", &hints, &found);
  if (rc != 0)
    throw Error(kOperation, "", 0, "MASTER_ADDR",
                "'" + host + "' does not resolve: " + ::gai_strerror(rc));
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> list(found, &::freeaddrinfo);
  std::string last_error = "no address";
  for (const addrinfo* a = list.get(); a != nullptr; a = a->ai_next) {
    const int fd = ::socket(a->ai_family, a->ai_socktype, a->ai_protocol);
    if (fd < 0) {
      last_error = std::strerror(errno);
      continue;
    }
    sockaddr_storage local{};
    socklen_t length = sizeof(local);
    const bool routed = ::connect(fd, a->ai_addr, a->ai_addrlen) == 0 &&
                        ::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length) == 0;
    if (!routed) last_error = std::strerror(errno);
    ::close(fd);
    if (routed) {
      const std::string address = numeric(reinterpret_cast<sockaddr*>(&local), length);
      if (!address.empty()) return address;
    }
  }
  throw Error(kOperation, "", 0, "MASTER_ADDR",
              "no route from this machine to '" + host + "': " + last_error);
}

bool is_loopback_address(const std::string& address) {
  in_addr v4{};
  if (::inet_pton(AF_INET, address.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  return ::inet_pton(AF_INET6, address.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

std::string first_interface_address() {
  ifaddrs* found = nullptr;
  if (::getifaddrs(&found) != 0) return "";
  std::unique_ptr<ifaddrs, decltype(&::freeifaddrs)> list(found, &::freeifaddrs);
  std::string v6;
  for (const ifaddrs* i = list.get(); i != nullptr; i = i->ifa_next) {
    if (i->ifa_addr == nullptr || (i->ifa_flags & IFF_UP) == 0 ||
        (i->ifa_flags & IFF_LOOPBACK) != 0)
      continue;
    const std::string name = i->ifa_name;
    bool bridge = false;
    for (const char* prefix : {"docker", "veth", "virbr", "br-", "cni", "flannel"})
      bridge |= name.rfind(prefix, 0) == 0;
    if (bridge) continue;
    const int family = i->ifa_addr->sa_family;
    if (family == AF_INET) {
      const std::string address = numeric(i->ifa_addr, sizeof(sockaddr_in));
      if (!address.empty() && !is_loopback_address(address)) return address;
    } else if (family == AF_INET6 && v6.empty()) {
      const auto* a = reinterpret_cast<const sockaddr_in6*>(i->ifa_addr);
      if (!IN6_IS_ADDR_LINKLOCAL(&a->sin6_addr) && !IN6_IS_ADDR_LOOPBACK(&a->sin6_addr)) {
        v6 = numeric(i->ifa_addr, sizeof(sockaddr_in6));
      }
    }
  }
  return v6;
}

std::string gloo_bind_address(const std::string& master_addr, bool spans_machines) {
  if (master_addr == "localhost" || is_loopback_address(master_addr)) return "127.0.0.1";
  const std::string towards = local_address_towards(master_addr);
  if (!is_loopback_address(towards) || !spans_machines) return towards;
  const std::string interface = first_interface_address();
  return interface.empty() ? towards : interface;
}

}  // namespace fer::distributed

// Which of this machine's addresses the other ranks can reach (issue #11). Gloo's default
// device binds to the address of the host's name, and many machines (Debian's /etc/hosts, most
// containers) map their name to 127.0.0.1 or 127.0.1.1: every rank then announces a loopback
// address, and a job across machines cannot connect (PyTorch has the same trap and asks for
// GLOO_SOCKET_IFNAME). The address whose interface the route to MASTER_ADDR leaves from is one
// the master's network reaches; for a master on this machine it is loopback.
#pragma once

#include <string>

namespace fer::distributed {

/// The local address that packets to `host` (a name or a numeric IPv4/IPv6 address) leave
/// from, as numeric text ("192.0.2.2", "127.0.0.1"): the kernel's route lookup, a UDP socket
/// connected to host and read back with getsockname; nothing is sent. Throws fer::Error (field
/// MASTER_ADDR) when host does not resolve or no route leads to it.
std::string local_address_towards(const std::string& host);

/// Whether `address` (numeric text) is a loopback address (127.0.0.0/8, ::1).
bool is_loopback_address(const std::string& address);

/// The first non-loopback address of an interface that is up (IPv4 before IPv6, link-local IPv6
/// and container bridges such as docker0 and veth* skipped), or "" when there is none.
std::string first_interface_address();

/// The address a rank's Gloo transport binds to and announces when GLOO_SOCKET_IFNAME is not
/// set. A master given as loopback ("localhost", 127.x, ::1): loopback (a job on one machine).
/// Otherwise the local address towards the master; when that is loopback although the job spans
/// machines (the master's own name resolves to loopback on its machine, as Debian's /etc/hosts
/// makes it), first_interface_address() (loopback when there is none). Throws as
/// local_address_towards.
std::string gloo_bind_address(const std::string& master_addr, bool spans_machines);

}  // namespace fer::distributed

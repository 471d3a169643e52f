// How ledgerd's HTTP listeners (the metrics page, the JSON API and console) take their address.
#ifndef ENGAGEMENT_SERVICES_HTTP_LISTEN_H_
#define ENGAGEMENT_SERVICES_HTTP_LISTEN_H_

#include <string>

#include "absl/status/statusor.h"

namespace httplib {
class Server;
}

namespace services {

// Binds `server` to `listen` ("host:port", "[::1]:8080"; port 0 picks one) and returns the port
// bound. INVALID_ARGUMENT when it is not host:port, UNAVAILABLE when it cannot be bound; `flag`
// names the setting in the message.
absl::StatusOr<int> BindHttp(httplib::Server& server, const std::string& listen,
                             const std::string& flag);

}  // namespace services

#endif  // ENGAGEMENT_SERVICES_HTTP_LISTEN_H_

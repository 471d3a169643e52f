// OpenApiDocument: the OpenAPI 3.0 description of the JSON API, generated from the contract's
// descriptors (proto/) and the route table (http_routes.h) when ledgerd starts, so that it
// always says what is served. Schemas follow protobuf's JSON mapping; every operation needs a
// bearer token; errors are {"error": {"code", "status", "message"}}.
#ifndef ENGAGEMENT_SERVICES_OPENAPI_H_
#define ENGAGEMENT_SERVICES_OPENAPI_H_

#include <string>

namespace services {

// The document as JSON.
std::string OpenApiDocument();

}  // namespace services

#endif  // ENGAGEMENT_SERVICES_OPENAPI_H_

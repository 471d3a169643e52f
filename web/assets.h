// The console's static files, embedded into ledgerd at build time (embed_assets.cmake), so that
// the binary and its image need nothing beside them. Served at their paths with a long cache
// lifetime; nothing is fetched from elsewhere (the page's policy forbids it).
#ifndef ENGAGEMENT_WEB_ASSETS_H_
#define ENGAGEMENT_WEB_ASSETS_H_

#include <string_view>
#include <vector>

namespace web {

struct Asset {
  std::string_view path;          // as "/assets/nhsuk-frontend.min.css"
  std::string_view content_type;  // as "text/css"
  std::string_view body;
};

const std::vector<Asset>& EmbeddedAssets();

}  // namespace web

#endif  // ENGAGEMENT_WEB_ASSETS_H_

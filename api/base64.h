// Standard base64 (RFC 4648 §4, with padding), as Go's encoding/base64.StdEncoding that
// Kubernetes uses for Secret data and []byte fields.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace minik {

std::string Base64Encode(std::string_view data);
// std::nullopt when `text` is not valid padded standard base64.
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace minik

// Documentation strings of API fields used as table column descriptions.
#pragma once

#include <string_view>

namespace minik::res {

// The SwaggerDoc text of "Type.field" ("PodStatus.podIP"); "" for an unknown key.
const char* Doc(std::string_view key);

}  // namespace minik::res

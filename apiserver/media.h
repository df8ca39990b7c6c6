// Media types: parsing Content-Type and Accept, and choosing the response form.
// minik answers in JSON; the response *shape* follows Accept (Table, PartialObjectMetadata,
// aggregated discovery). A protobuf-only Accept still gets JSON: clients decode by the
// response Content-Type (kubectl-wire.md §0.1). Only an Accept with nothing JSON-compatible
// is refused (406).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "api/status.h"

namespace minik {

struct MediaType {
  std::string type;  // "application/json", lower-cased, no parameters
  std::map<std::string, std::string> params;  // keys lower-cased; values as sent
  std::string Param(const std::string& key) const {
    auto it = params.find(key);
    return it == params.end() ? "" : it->second;
  }
};

// "application/json;as=Table;v=v1;g=meta.k8s.io" -> {type, params}. Whitespace tolerant.
MediaType ParseMediaType(const std::string& text);
// A comma-separated Accept header, in the order sent (q values are kept as a param "q").
std::vector<MediaType> ParseAccept(const std::string& header);

// What a read response should look like.
enum class ResponseShape {
  kObject,                 // the object or <Kind>List
  kTable,                  // meta.k8s.io Table
  kPartialObjectMetadata,  // PartialObjectMetadata / PartialObjectMetadataList
};

struct Negotiated {
  ResponseShape shape = ResponseShape::kObject;
  std::string meta_version = "v1";  // version of meta.k8s.io for Table / PartialObjectMetadata
};

// Chooses the response shape for an object read (get/list/watch). The first acceptable entry
// in Accept order wins. NotAcceptable when no entry is JSON-compatible.
StatusOr<Negotiated> NegotiateObjectResponse(const std::string& accept);

// For discovery: "v2", "v2beta1" (aggregated) or "" (legacy) per the first acceptable entry.
std::string NegotiateDiscovery(const std::string& accept);

}  // namespace minik

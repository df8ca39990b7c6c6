// Table output (meta.k8s.io Table), as `kubectl get` asks for it. Columns are "Name"
// (format "name") + the entry's columns + "Age" when the entry has none of its own; the
// cells come from ResourceInfo::cells (which give the whole row when `full_row`). Rows carry
// `object` per includeObject.
#pragma once

#include <string>

#include "api/clock.h"
#include "api/json.h"
#include "api/resource.h"
#include "apiserver/options.h"

namespace minik {

struct TableOptions {
  IncludeObject include = IncludeObject::kMetadata;
  std::string meta_version = "v1";  // Table apiVersion meta.k8s.io/<v1|v1beta1>
  bool column_definitions = true;   // false for watch events after the first
};

// The column definitions of `info`'s Table.
Json TableColumns(const ResourceInfo& info);
// One row for `obj`.
Json TableRow(const ResourceInfo& info, const Json& obj, SystemTime now,
              const TableOptions& opts);
// A Table of a <Kind>List (rows of items; metadata resourceVersion/continue/
// remainingItemCount) or of a single object (one row; metadata.resourceVersion).
Json ToTable(const ResourceInfo& info, const Json& list_or_object, SystemTime now,
             const TableOptions& opts);

// PartialObjectMetadata of an object, PartialObjectMetadataList of a list.
Json ToPartialObjectMetadata(const Json& list_or_object, const std::string& meta_version);

}  // namespace minik

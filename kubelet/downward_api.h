// The downward API as files: the payload of a downwardAPI volume (or a projected volume's
// downwardAPI source), from items [{path, fieldRef | resourceFieldRef, mode}]. The single
// values come from DownwardFieldValue / DownwardResourceValue (kubelet/volumes.h).
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "api/json.h"
#include "api/status.h"
#include "kubelet/atomic_writer.h"

namespace minik {

// fieldpath.FormatMap: `key="value"` lines (values Go-quoted), sorted by key, joined with
// "\n" and without a trailing newline.
std::string FormatDownwardMap(const Json& map);

// The files of `items` (a JSON array of DownwardAPIVolumeFile). Every failing item is
// reported; several errors are joined as "[e1, e2]" (utilerrors.NewAggregate).
StatusOr<Payload> MakeDownwardApiPayload(const Json& pod, const Json& items, uint32_t default_mode,
                                         int64_t node_cpu_milli, int64_t node_memory_bytes);

}  // namespace minik

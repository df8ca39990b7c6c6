// Schema data of io.k8s.api.events.v1, generated once from
// k8s.io/api events/v1 v0.32.4 (generated.proto field numbers; types.go json
// names, omitempty and patch tags; +listType markers) and kept here as the source of truth.
// Format: api/schemas/README.md.
#include "api/schemas/schemas.h"

namespace minik::schemas {

void AppendEventsV1(std::vector<std::string_view>& out) {
  out.push_back(R"schema(package io.k8s.api.events.v1

type Event gvk=events.k8s.io/v1/Event
  | Event is a report of an event somewhere in the cluster. It generally denotes some state change in the system. Events have a limited retention time and triggers and messages may evolve with time.  Event consumers should not rely on the timing of an event with a given Reason reflecting a consistent underlying trigger, or the continued existence of events with that Reason.  Events should be treated as informative, best-effort, supplemental data.
  apiVersion                0 string
    | APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources
  kind                      0 string
    | Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds
  metadata                  1 io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta
    | Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata
  eventTime                 2 MicroTime                                       required
    | eventTime is the time when this Event was first observed. It is required.
  series                    3 EventSeries
    | series is data about the Event series this event represents or nil if it's a singleton Event.
  reportingController       4 string                                          omitzero
    | reportingController is the name of the controller that emitted this Event, e.g. `kubernetes.io/kubelet`. This field cannot be empty for new Events.
  reportingInstance         5 string                                          omitzero
    | reportingInstance is the ID of the controller instance, e.g. `kubelet-xyzf`. This field cannot be empty for new Events and it can have at most 128 characters.
  action                    6 string                                          omitzero
    | action is what action was taken/failed regarding to the regarding object. It is machine-readable. This field cannot be empty for new Events and it can have at most 128 characters.
  reason                    7 string                                          omitzero
    | reason is why the action was taken. It is human-readable. This field cannot be empty for new Events and it can have at most 128 characters.
  regarding                 8 io.k8s.api.core.v1.ObjectReference
    | regarding contains the object this Event is about. In most cases it's an Object reporting controller implements, e.g. ReplicaSetController implements ReplicaSets and this event is emitted because it acts on some changes in a ReplicaSet object.
  related                   9 io.k8s.api.core.v1.ObjectReference
    | related is the optional secondary object for more complex actions. E.g. when regarding object triggers a creation or deletion of related object.
  note                     10 string                                          omitzero
    | note is a human-readable description of the status of this operation. Maximal length of the note is 1kB, but libraries should be prepared to handle values up to 64kB.
  type                     11 string                                          omitzero
    | type is the type of this event (Normal, Warning), new types could be added in the future. It is machine-readable. This field cannot be empty for new Events.
  deprecatedSource         12 io.k8s.api.core.v1.EventSource
    | deprecatedSource is the deprecated field assuring backward compatibility with core.v1 Event type.
  deprecatedFirstTimestamp 13 Time
    | deprecatedFirstTimestamp is the deprecated field assuring backward compatibility with core.v1 Event type.
  deprecatedLastTimestamp  14 Time
    | deprecatedLastTimestamp is the deprecated field assuring backward compatibility with core.v1 Event type.
  deprecatedCount          15 int32                                           omitzero
    | deprecatedCount is the deprecated field assuring backward compatibility with core.v1 Event type.

type EventSeries
  | EventSeries contain information on series of events, i.e. thing that was/is happening continuously for some time. How often to update the EventSeries is up to the event reporters. The default event reporter in "k8s.io/client-go/tools/events/event_broadcaster.go" shows how this struct is updated on heartbeats and can guide customized reporter implementations.
  count             1 int32     required
    | count is the number of occurrences in this series up to the last heartbeat time.
  lastObservedTime  2 MicroTime required
    | lastObservedTime is the time when last Event from the series was seen before last heartbeat.
)schema");
}

}  // namespace minik::schemas

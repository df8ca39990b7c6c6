// The compiled-in schema text (format: api/schemas/README.md), one function per API group
// version, each in api/schemas/<group>_<version>.cc. Only api/schema.cc includes this.
#pragma once

#include <string_view>
#include <vector>

namespace minik::schemas {

void AppendMetaV1(std::vector<std::string_view>& out);
void AppendCoreV1(std::vector<std::string_view>& out);
void AppendAppsV1(std::vector<std::string_view>& out);
void AppendAutoscalingV1(std::vector<std::string_view>& out);
void AppendAutoscalingV2(std::vector<std::string_view>& out);
void AppendBatchV1(std::vector<std::string_view>& out);
void AppendNetworkingV1(std::vector<std::string_view>& out);
void AppendDiscoveryV1(std::vector<std::string_view>& out);
void AppendStorageV1(std::vector<std::string_view>& out);
void AppendCoordinationV1(std::vector<std::string_view>& out);
void AppendRbacV1(std::vector<std::string_view>& out);
void AppendPolicyV1(std::vector<std::string_view>& out);
void AppendEventsV1(std::vector<std::string_view>& out);
void AppendAuthenticationV1(std::vector<std::string_view>& out);
void AppendAuthorizationV1(std::vector<std::string_view>& out);
void AppendSchedulingV1(std::vector<std::string_view>& out);
void AppendCertificatesV1(std::vector<std::string_view>& out);
void AppendApiextensionsV1(std::vector<std::string_view>& out);
void AppendAdmissionregistrationV1(std::vector<std::string_view>& out);

// Every text above; each element is a self-contained Load() unit (it starts with its
// package line).
inline std::vector<std::string_view> AllTexts() {
  std::vector<std::string_view> out;
  AppendMetaV1(out);
  AppendCoreV1(out);
  AppendAppsV1(out);
  AppendAutoscalingV1(out);
  AppendAutoscalingV2(out);
  AppendBatchV1(out);
  AppendNetworkingV1(out);
  AppendDiscoveryV1(out);
  AppendStorageV1(out);
  AppendCoordinationV1(out);
  AppendRbacV1(out);
  AppendPolicyV1(out);
  AppendEventsV1(out);
  AppendAuthenticationV1(out);
  AppendAuthorizationV1(out);
  AppendSchedulingV1(out);
  AppendCertificatesV1(out);
  AppendApiextensionsV1(out);
  AppendAdmissionregistrationV1(out);
  return out;
}

}  // namespace minik::schemas

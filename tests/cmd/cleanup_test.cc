#include "cmd/cleanup.h"

#include <gtest/gtest.h>

namespace minik {
namespace {

TEST(MountPointsUnderTest, FindsPodVolumesDeepestFirstAndUnescapes) {
  const std::string info =
      "22 1 0:21 / /proc rw,nosuid - proc proc rw\n"
      "40 22 0:40 / /home/m/profiles/p rw - tmpfs tmpfs rw\n"
      "41 40 0:41 / /home/m/profiles/p/pods/u/volumes/kubernetes.io~projected/kube-api-access-x"
      " rw - tmpfs tmpfs rw\n"
      "42 41 0:42 / /home/m/profiles/p/pods/u/volumes/kubernetes.io~projected/kube-api-access-x/in"
      " rw - tmpfs tmpfs rw\n"
      "43 1 0:43 / /home/m/profiles/p2/pods/v/volumes/s rw - tmpfs tmpfs rw\n"
      "44 1 0:44 / /home/m/profiles/p/pods/w/my\\040vol rw - tmpfs tmpfs rw\n"
      "garbage\n";
  auto points = MountPointsUnder(info, "/home/m/profiles/p");
  ASSERT_EQ(points.size(), 3u);
  EXPECT_EQ(points[0],
            "/home/m/profiles/p/pods/u/volumes/kubernetes.io~projected/kube-api-access-x/in");
  EXPECT_EQ(points[1], "/home/m/profiles/p/pods/u/volumes/kubernetes.io~projected/kube-api-access-x");
  EXPECT_EQ(points[2], "/home/m/profiles/p/pods/w/my vol");
}

}  // namespace
}  // namespace minik

// A main() for the fuzz targets where libFuzzer is not available (gcc, the CI's sanitizer
// build): runs LLVMFuzzerTestOneInput over every file of the directories (or files) given,
// then over deterministic pseudo-random mutations of them, so ctest exercises more than the
// seeds while staying fast.
//   replay [-mutations=N] [-seconds=S] [-only=I] [-v] PATH...
// -mutations: how many (default 3000); -seconds: stop mutating after S seconds (default 3);
// -only=I runs just mutation I (to reproduce a failure; -v prints each index as it runs).
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

// splitmix64: tiny, deterministic across platforms.
struct Rng {
  uint64_t state;
  uint64_t Next() {
    uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  size_t Below(size_t n) { return n == 0 ? 0 : Next() % n; }
};

void RunOne(const std::string& input) {
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
}

std::string Mutate(const std::vector<std::string>& seeds, Rng& rng) {
  std::string s = seeds.empty() ? std::string() : seeds[rng.Below(seeds.size())];
  const size_t steps = 1 + rng.Below(4);
  for (size_t k = 0; k < steps; ++k) {
    const size_t pos = rng.Below(s.size() + 1);
    switch (rng.Below(7)) {
      case 0:  // flip a bit
        if (!s.empty()) s[pos % s.size()] ^= static_cast<char>(1u << rng.Below(8));
        break;
      case 1:  // an interesting byte
        if (!s.empty()) {
          static const uint8_t kBytes[] = {0, 1, 0x7f, 0x80, 0xff, '0', '{', '"', ','};
          s[pos % s.size()] = static_cast<char>(kBytes[rng.Below(sizeof(kBytes))]);
        }
        break;
      case 2: {  // insert random bytes
        std::string ins(1 + rng.Below(8), '\0');
        for (char& c : ins) c = static_cast<char>(rng.Next());
        s.insert(pos, ins);
        break;
      }
      case 3:  // erase a range
        s.erase(pos, rng.Below(16));
        break;
      case 4: {  // duplicate a range
        std::string piece = s.substr(pos, rng.Below(32));
        s.insert(rng.Below(s.size() + 1), piece);
        break;
      }
      case 5:  // splice with another seed
        if (!seeds.empty()) {
          const std::string& other = seeds[rng.Below(seeds.size())];
          s = s.substr(0, pos) + other.substr(std::min(pos, other.size()));
        }
        break;
      default:  // truncate
        s.resize(pos);
        break;
    }
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  size_t mutations = 3000;
  double seconds = 3;
  long only = -1;
  bool verbose = false;
  std::vector<std::string> seeds;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("-mutations=", 0) == 0) {
      mutations = std::strtoul(arg.c_str() + 11, nullptr, 10);
    } else if (arg.rfind("-seconds=", 0) == 0) {
      seconds = std::strtod(arg.c_str() + 9, nullptr);
    } else if (arg.rfind("-only=", 0) == 0) {
      only = std::strtol(arg.c_str() + 6, nullptr, 10);
    } else if (arg == "-v") {
      verbose = true;
    } else {
      std::vector<std::filesystem::path> files;
      if (std::filesystem::is_directory(arg)) {
        for (const auto& e : std::filesystem::directory_iterator(arg)) {
          if (e.is_regular_file()) files.push_back(e.path());
        }
        std::sort(files.begin(), files.end());  // deterministic mutation order
      } else {
        files.push_back(arg);
      }
      for (const auto& f : files) {
        std::ifstream in(f, std::ios::binary);
        if (!in) {
          std::fprintf(stderr, "replay: cannot read %s\n", f.c_str());
          return 2;
        }
        seeds.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        if (verbose) std::fprintf(stderr, "replay: %s\n", f.c_str());
        if (only < 0) RunOne(seeds.back());
      }
    }
  }
  Rng rng{0x6d696e696bull};  // "minik"
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                            std::chrono::duration<double>(seconds));
  size_t ran = 0;
  for (size_t i = 0; i < mutations; ++i) {
    std::string input = Mutate(seeds, rng);  // always drawn, so indices stay reproducible
    if (only >= 0 && static_cast<size_t>(only) != i) continue;
    if (only < 0 && std::chrono::steady_clock::now() > deadline) break;
    if (verbose) std::fprintf(stderr, "replay: mutation %zu (%zu bytes)\n", i, input.size());
    RunOne(input);
    ++ran;
  }
  std::printf("replay: %zu seeds, %zu mutations, ok\n", seeds.size(), ran);
  return 0;
}

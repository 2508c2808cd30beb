// Streams one bundle file through ObjectStream + ParseObject and prints what it saw, so that
// `/usr/bin/time -v stix_stream_memory FILE` shows the peak RSS of streaming it. With
// `--no-parse` only the stream runs. Reads the file once into a padded buffer (1x its size).
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

#include "stix/object_stream.h"
#include "stix/validator.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s BUNDLE.json [--no-parse]\n", argv[0]);
    return 2;
  }
  bool parse = !(argc > 2 && std::strcmp(argv[2], "--no-parse") == 0);
  std::ifstream in(argv[1], std::ios::binary | std::ios::ate);
  if (!in) {
    std::fprintf(stderr, "cannot open %s\n", argv[1]);
    return 1;
  }
  std::string text;
  text.reserve(size_t(in.tellg()) + tabadul::stix::ObjectStream::kPadding);
  text.resize(size_t(in.tellg()));
  in.seekg(0);
  in.read(text.data(), std::streamsize(text.size()));
  auto stream = tabadul::stix::ObjectStream::OpenPadded(text);
  if (!stream.ok()) {
    std::fprintf(stderr, "%s\n", stream.status().ToString().c_str());
    return 1;
  }
  size_t objects = 0, refused = 0;
  std::string_view raw;
  while (true) {
    auto more = (*stream)->Next(&raw);
    if (!more.ok()) {
      std::fprintf(stderr, "%s\n", more.status().ToString().c_str());
      return 1;
    }
    if (!*more) break;
    ++objects;
    if (parse && !tabadul::stix::ParseObject(raw).ok()) ++refused;
  }
  std::printf("%zu bytes, %zu objects, %zu refused\n", text.size(), objects, refused);
  return 0;
}

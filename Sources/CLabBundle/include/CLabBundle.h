#ifndef CLABBUNDLE_H
#define CLABBUNDLE_H

#include <stddef.h>

/// A file carried inside the executable: its path from the package's root, and its bytes.
struct layerlab_bundled_file {
  const char *path;
  const unsigned char *bytes;
  size_t size;
};

/// The files carried inside the executable, sorted by path; `count` receives how many.
const struct layerlab_bundled_file *layerlab_bundled_files(size_t *count);

#endif

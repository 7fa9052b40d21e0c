// File-system calls that Glibc's Swift module leaves out; part of the C library.
#include <sys/vfs.h>
#include <sys/xattr.h>

/// The file system type of the one holding `path` (`TMPFS_MAGIC`, ...), or -1.
static inline long layerlab_file_system_type(const char *path) {
  struct statfs status;
  return statfs(path, &status) == 0 ? (long)status.f_type : -1;
}

// Extended attributes, which Glibc's Swift module leaves out; part of the C library.
#include <sys/xattr.h>

// The AVX2 build of the polynomial arithmetic: the same source compiled with
// -mavx2 (lib/CMakeLists.txt), used only when the CPU reports AVX2.
#define HUSH_KEM_OPS_NS avx2
#define HUSH_KEM_OPS_NAME "avx2"
#include "poly_ops.inc"

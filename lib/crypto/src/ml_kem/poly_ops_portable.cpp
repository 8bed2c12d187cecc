// The portable build of the polynomial arithmetic (baseline x86-64 / any CPU).
#define HUSH_KEM_OPS_NS portable
#define HUSH_KEM_OPS_NAME "portable"
#include "poly_ops.inc"

// Prints the CPU features this process sees (after any LD_PRELOAD): the check that avx2-only.so took effect.
#include <cpuid.h>
#include <stdio.h>
int main(void) {
  unsigned a, b, c, d;
  __cpuid_count(7, 0, a, b, c, d);
  int avx2 = (b >> 5) & 1, avx512f = (b >> 16) & 1, vnni512 = (c >> 11) & 1;
  __cpuid_count(7, 1, a, b, c, d);
  int avxvnni = (a >> 4) & 1;
  printf("{\"avx2\":%d,\"avx512f\":%d,\"avx512vnni\":%d,\"avxvnni\":%d}\n", avx2, avx512f, vnni512, avxvnni);
  return 0;
}

/* crc32c: CRC-32C (Castagnoli), the checksum of Kafka record batches v2.
 * Uses the SSE4.2 crc32 instruction when the CPU has it, a slicing-by-8
 * table otherwise. crc32c(0, p, n) gives the checksum of p[0..n). */
#ifndef WEIR_CRC32C_H
#define WEIR_CRC32C_H

#include <stddef.h>
#include <stdint.h>

uint32_t crc32c(uint32_t crc, const void *p, size_t n);
uint32_t crc32c_sw(uint32_t crc, const void *p, size_t n); /* table version, for tests */

#endif

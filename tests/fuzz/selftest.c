/*
 * selftest.c - a fuzz target that proves "make fuzz" reports what it finds.
 *
 * It is not one of the fuzz-*.c targets: tests/fuzz/selftest.sh builds it
 * with the same compiler flags as they are (Makefile rule
 * $(O)/fuzz/fuzz-selftest-%) and runs it through the same "make fuzz".
 * Built with -DFUZZ_SELFTEST_clean it has no bug, so the run must pass;
 * with -DFUZZ_SELFTEST_overflow an input starting with '!' overflows a
 * signed int (undefined behaviour that UBSan would only print if reports
 * were recoverable); with -DFUZZ_SELFTEST_oob one starting with '#'
 * reads a byte past the input (an ASan report).  Those runs must fail and
 * keep the input as a crash file.  Nothing else ever defines these
 * macros: the planted bugs exist only in this file's self-test builds.
 */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* keeps the compiler from proving anything about the values below */
static volatile int sink;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int v = INT_MAX - 300;

	if (size < 2)
		return 0;
	sink = data[1];
#if defined(FUZZ_SELFTEST_overflow)
	if (data[0] == '!')
		v += sink + 301; /* INT_MAX - 300 + at least 301 */
#elif defined(FUZZ_SELFTEST_oob)
	if (data[0] == '#')
		v = data[size]; /* one past the end of the input */
#elif defined(FUZZ_SELFTEST_clean)
	if (data[0] == '!' || data[0] == '#')
		v += sink;
#else
#error "build with -DFUZZ_SELFTEST_clean, _overflow or _oob"
#endif
	sink = v;
	return 0;
}

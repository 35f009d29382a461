/*
 * fuzz-escape.c - libFuzzer target for escape.h.  Any bytes (up to the
 * first NUL: names hold none) escape, in both modes, to valid UTF-8
 * without control characters (ASCII only with ESCAPE_ASCII) that reads
 * back to those bytes; plain text stays as it is; and escape_unname of
 * the raw input, as text, does not crash.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "strbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "%s:%d: check failed: %s\n",         \
				__FILE__, __LINE__, #cond);                  \
			abort();                                             \
		}                                                            \
	} while (0)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	size_t len = strnlen(s, size); /* names hold no NUL */

	for (unsigned flags = 0; flags <= ESCAPE_ASCII; flags++) {
		struct strbuf e = STRBUF_INIT, back = STRBUF_INIT;

		escape_name(&e, s, len, flags);
		CHECK(escape_valid_utf8(e.buf, e.len));
		for (size_t i = 0; i < e.len; i++)
			CHECK((unsigned char)e.buf[i] >= 0x20 &&
			      e.buf[i] != 0x7f &&
			      (!(flags & ESCAPE_ASCII) ||
			       (unsigned char)e.buf[i] < 0x80));
		CHECK(escape_unname(&back, e.buf) == 0);
		CHECK(back.len == len && !memcmp(back.buf, s, len));
		/* valid UTF-8 without controls or backslashes: as it is */
		if (flags == 0 && escape_valid_utf8(s, len) &&
		    !memchr(s, '\\', len)) {
			bool plain = true;

			for (size_t i = 0; i < len; i++)
				plain &= (unsigned char)s[i] >= 0x20 &&
					 s[i] != 0x7f;
			if (plain && !strstr(e.buf, "\\x"))
				CHECK(e.len == len && !memcmp(e.buf, s, len));
		}
		strbuf_release(&e);
		strbuf_release(&back);
	}
	{
		struct strbuf sb = STRBUF_INIT;
		char *text = strndup(s, len);

		if (escape_unname(&sb, text) == 0)
			CHECK(sb.len <= len);
		free(text);
		strbuf_release(&sb);
	}
	return 0;
}

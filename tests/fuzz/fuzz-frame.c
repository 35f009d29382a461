/*
 * fuzz-frame.c - libFuzzer target for the batch inspector protocol's
 * frames (identify_parse_frame), what a hostile inspector may write.
 *
 * Beyond "no crash, no leak, no undefined behaviour" it checks the
 * promises of identify.h: a whole frame lies within the input, its body
 * within the frame and at most IDENTIFY_OUTPUT_MAX bytes, its status one
 * of the three; every shorter prefix of a whole frame asks for more,
 * never for a different answer; a malformed frame has a reason that is
 * valid UTF-8 (it goes into a text column); "read more" is only said of
 * inputs shorter than a header line could be or a frame could be.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "identify.h"
#include "json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "%s:%d: check failed: %s\n",         \
				__FILE__, __LINE__, #cond);                  \
			abort();                                             \
		}                                                            \
	} while (0)

static bool
valid_utf8(const char *s, size_t len)
{
	size_t bad;

	for (size_t i = 0, n; i < len; i += n)
		if (!(n = json_utf8_len(s + i, len - i, &bad)))
			return false;
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a copy of exactly size bytes: reads past it are caught */
	char *buf = malloc(size ? size : 1);
	struct identify_frame f;
	struct strbuf reason = STRBUF_INIT;
	int rc;

	memcpy(buf, data, size);
	rc = identify_parse_frame(buf, size, &f, &reason);
	CHECK(rc == -1 || rc == 0 || rc == 1);
	if (rc == 1) {
		CHECK(reason.len == 0);
		CHECK((int)f.status >= 0 && f.status < IDENTIFY_FRAME_NSTATUS);
		CHECK(f.frame_len <= size);
		CHECK(f.body_len <= IDENTIFY_OUTPUT_MAX);
		CHECK(f.body >= buf && f.body + f.body_len == buf + f.frame_len);
		for (size_t cut = 0; cut < f.frame_len; cut++) {
			struct identify_frame g;
			struct strbuf r2 = STRBUF_INIT;

			CHECK(identify_parse_frame(buf, cut, &g, &r2) == 0);
			strbuf_release(&r2);
		}
	} else if (rc == -1) {
		CHECK(reason.len > 0);
		CHECK(valid_utf8(reason.buf, reason.len));
	} else {
		CHECK(reason.len == 0);
		CHECK(size < IDENTIFY_FRAME_HEADER_MAX + IDENTIFY_OUTPUT_MAX);
	}
	strbuf_release(&reason);
	free(buf);
	return 0;
}

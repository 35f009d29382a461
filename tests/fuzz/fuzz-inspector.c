/*
 * fuzz-inspector.c - libFuzzer target for an external inspector's output.
 *
 * The input is what an inspector wrote to stdout, given to
 * identify_parse_output().  Beyond "no crash, no leak, no undefined
 * behaviour" it checks the promises of identify.h: an accepted output
 * has a valid version and date, a start not after its stop, keywords
 * that are UTF-8 without NUL or line feed and an orbit number, if any,
 * in range; a rejected one has a reason,
 * and that reason is valid UTF-8 (it goes into a text column whatever
 * the inspector wrote); and the same output with CRLF line ends gives
 * the same answer.  The unit tests say which outputs ought to pass.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "identify.h"
#include "json.h"
#include "timeutil.h"

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

static int
parse(const char *text, size_t len, struct identify_output *o,
      struct strbuf *reason)
{
	int rc = identify_parse_output(text, len, o, reason);

	CHECK(rc == 0 || rc == -1);
	if (rc) {
		CHECK(reason->len > 0);
		CHECK(strlen(reason->buf) == reason->len);
		CHECK(valid_utf8(reason->buf, reason->len));
		return rc;
	}
	CHECK(reason->len == 0);
	CHECK(o->version.interface >= 0 && o->version.quality >= 0 &&
	      o->version.revision >= 0);
	CHECK(o->date >= timeutil_days_from_ymd(1, 1, 1) &&
	      o->date <= timeutil_days_from_ymd(9999, 12, 31));
	CHECK(o->start_usec <= o->stop_usec);
	CHECK(strlen(o->keywords.buf) == o->keywords.len);
	CHECK(!memchr(o->keywords.buf, '\n', o->keywords.len));
	CHECK(valid_utf8(o->keywords.buf, o->keywords.len));
	CHECK(o->has_orbit ? o->orbit >= 0 && o->orbit <= IDENTIFY_ORBIT_MAX
			   : o->orbit == 0);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct identify_output o = IDENTIFY_OUTPUT_INIT, o2 = IDENTIFY_OUTPUT_INIT;
	struct strbuf reason = STRBUF_INIT, reason2 = STRBUF_INIT;
	struct strbuf crlf = STRBUF_INIT;
	int rc = parse(text, size, &o, &reason);

	/* the same lines ended by CRLF: the same answer */
	if (!memchr(text, '\r', size) && !memchr(text, '\0', size)) {
		for (size_t i = 0; i < size; i++) {
			if (text[i] == '\n')
				strbuf_addch(&crlf, '\r');
			strbuf_addch(&crlf, text[i]);
		}
		CHECK(parse(crlf.buf, crlf.len, &o2, &reason2) == rc);
		CHECK(!strcmp(reason.buf, reason2.buf));
		if (!rc) {
			CHECK(version_cmp(&o.version, &o2.version) == 0);
			CHECK(o.date == o2.date && o.start_usec == o2.start_usec &&
			      o.stop_usec == o2.stop_usec);
			CHECK(!strcmp(o.keywords.buf, o2.keywords.buf));
			CHECK(o.has_orbit == o2.has_orbit &&
			      o.orbit == o2.orbit);
		}
	}
	identify_output_release(&o);
	identify_output_release(&o2);
	strbuf_release(&reason);
	strbuf_release(&reason2);
	strbuf_release(&crlf);
	return 0;
}

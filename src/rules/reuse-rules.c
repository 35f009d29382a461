/*
 * reuse-rules.c - the content key of a build (reuse-rules.h).
 */
#include "reuse-rules.h"

#include <stdio.h>
#include <string.h>

#include "strbuf.h"
#include "banned.h"

/* "tag LEN:BYTES\n": a field nobody can confuse with another */
static void
field(struct strbuf *sb, const char *tag, const char *s, size_t len)
{
	strbuf_addf(sb, "%s %zu:", tag, len);
	strbuf_add(sb, s, len);
	strbuf_addch(sb, '\n');
}

static void
field_str(struct strbuf *sb, const char *tag, const char *s)
{
	field(sb, tag, s ? s : "", s ? strlen(s) : 0);
}

/* the words of a command line's arguments, as the runner splits them */
static void
field_words(struct strbuf *sb, const char *tag, const char *s)
{
	static const char ws[] = " \t\n";
	size_t n = 0;

	for (const char *p = s ? s : ""; *(p += strspn(p, ws));
	     p += strcspn(p, ws))
		n++;
	strbuf_addf(sb, "%s %zu\n", tag, n);
	for (const char *p = s ? s : ""; *(p += strspn(p, ws));) {
		size_t len = strcspn(p, ws);

		field(sb, "word", p, len);
		p += len;
	}
}

int
reuse_rules_content_key(const struct reuse_content *c,
			char out[SHA256_HEX_LEN])
{
	struct strbuf sb = STRBUF_INIT;
	struct sha256_ctx h;

	out[0] = '\0';
	if (!c->code_sha256 || !c->code_sha256[0])
		return -1;
	for (size_t i = 0; i < c->n_inputs; i++)
		if (!c->inputs[i] || !c->inputs[i][0])
			return -1;
	strbuf_addstr(&sb, "cascade content key 1\n");
	field_str(&sb, "code", c->code_sha256);
	field_words(&sb, "arguments", c->arguments);
	field_str(&sb, "extra_params", c->extra_params);
	strbuf_addf(&sb, "output_interface %d\n", c->output_interface);
	strbuf_addf(&sb, "period %s %ld", timebase_name(c->timebase),
		    (long)c->date);
	if (timebase_numbered(c->timebase))
		strbuf_addf(&sb, " %lld", (long long)c->period_number);
	if (c->timebase == TIMEBASE_ORBIT)
		strbuf_addf(&sb, " %lld %lld", (long long)c->period_start,
			    (long long)c->period_stop);
	strbuf_addch(&sb, '\n');
	strbuf_addf(&sb, "inputs %zu\n", c->n_inputs);
	for (size_t i = 0; i < c->n_inputs; i++)
		field_str(&sb, "input", c->inputs[i]);
	sha256_init(&h);
	sha256_update(&h, sb.buf, sb.len);
	sha256_final_hex(&h, out);
	strbuf_release(&sb);
	return 0;
}

int
reuse_rules_checksum(const char *sha256, const char *sha1,
		     char out[REUSE_CHECKSUM_LEN])
{
	out[0] = '\0';
	if (sha256 && sha256[0])
		snprintf(out, REUSE_CHECKSUM_LEN, "sha256:%s", sha256);
	else if (sha1 && sha1[0])
		snprintf(out, REUSE_CHECKSUM_LEN, "sha1:%s", sha1);
	else
		return -1;
	return 0;
}

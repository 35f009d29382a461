/*
 * why-text.h - why builds ran, in words and in JSON: a build's reasons
 * (store-why.h's sw_reason), the chain behind a file ("cascade why
 * FILE") and why nothing ran for a key ("cascade why --not").
 *
 * Formats into the caller's strbuf or JSON writer; prints nothing (the
 * command writes the result).  One line per reason, lowercase, as the
 * other views word things.
 */
#ifndef CASCADE_WHY_TEXT_H
#define CASCADE_WHY_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "json.h"
#include "store-why.h"
#include "strbuf.h"
#include "why.h"

/* why_text_reason: reason r in words, appended to sb (no newline). */
void why_text_reason(struct strbuf *sb, const struct sw_reason *r);

/*
 * why_json_reasons: the member "why": an array of r[0..n), each an
 * object of its fields and its "text", inside an open object.
 */
void why_json_reasons(struct json_writer *w, const struct sw_reason *r,
		      size_t n);

/*
 * why_format_file: the chain nodes[0..n) (store_why_file's, asked with
 * depth levels) as text or a JSON document, appended to sb.
 */
void why_format_file(struct strbuf *sb, const struct sw_node *nodes,
		     size_t n, int depth, bool json);

/* why_format_not: why nothing ran for a key, as text or JSON, into sb. */
void why_format_not(struct strbuf *sb, const struct why_not *wn, bool json);

#endif

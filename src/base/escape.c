/*
 * escape.c - the printable, reversible form of names (see escape.h), and
 * the UTF-8 well-formedness test it and json.c share.
 */
#include "escape.h"

#include <stdlib.h>
#include <string.h>

#include "banned.h"

size_t
escape_utf8_len(const char *str, size_t len, size_t *bad)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned char c = s[0];
	unsigned char lo = 0x80, hi = 0xBF;
	size_t need, i;

	*bad = 1;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF) {
		need = 2;
	} else if (c >= 0xE0 && c <= 0xEF) {
		need = 3;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F; /* no surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F; /* nothing above U+10FFFF */
	} else {
		return 0;
	}
	for (i = 1; i < need; i++) {
		if (i >= len || s[i] < lo || s[i] > hi) {
			*bad = i;
			return 0;
		}
		lo = 0x80;
		hi = 0xBF;
	}
	return need;
}

static void
add_hex(struct strbuf *sb, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";

	strbuf_addch(sb, '\\');
	strbuf_addch(sb, 'x');
	strbuf_addch(sb, hex[c >> 4]);
	strbuf_addch(sb, hex[c & 0xf]);
}

void
escape_name(struct strbuf *sb, const char *s, size_t len, unsigned flags)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	strbuf_grow(sb, len);
	while (i < len) {
		unsigned char c = p[i];
		size_t n, bad;

		if (c < 0x20 || c == 0x7f) {
			add_hex(sb, c);
			i++;
			continue;
		}
		if (c == '\\') {
			strbuf_addstr(sb, (flags & ESCAPE_KEEP_BACKSLASH) ? "\\"
									 : "\\\\");
			i++;
			continue;
		}
		if (c < 0x80) {
			strbuf_addch(sb, c);
			i++;
			continue;
		}
		n = escape_utf8_len(s + i, len - i, &bad);
		/* C1 controls are U+0080..U+009F: C2 80..C2 9F */
		if (n == 0 || (flags & ESCAPE_ASCII) ||
		    (n == 2 && c == 0xC2 && p[i + 1] < 0xA0)) {
			size_t k = n ? n : bad;

			for (size_t j = 0; j < k; j++)
				add_hex(sb, p[i + j]);
			i += k;
			continue;
		}
		strbuf_add(sb, s + i, n);
		i += n;
	}
}

char *
escape_str(const char *s)
{
	struct strbuf sb = STRBUF_INIT;

	escape_name(&sb, s, strlen(s), 0);
	return strbuf_detach(&sb, NULL);
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
escape_unname(struct strbuf *sb, const char *s)
{
	size_t start = sb->len;

	for (const char *p = s; *p; p++) {
		int hi, lo;

		if (*p != '\\') {
			strbuf_addch(sb, *p);
			continue;
		}
		if (p[1] == '\\') {
			strbuf_addch(sb, '\\');
			p++;
			continue;
		}
		if (p[1] != 'x' || (hi = hexval(p[2])) < 0 ||
		    (lo = hexval(p[3])) < 0 || (hi == 0 && lo == 0)) {
			strbuf_setlen(sb, start);
			return -1;
		}
		strbuf_addch(sb, hi << 4 | lo);
		p += 3;
	}
	return 0;
}

bool
escape_valid_utf8(const char *s, size_t len)
{
	size_t i = 0, bad;

	while (i < len) {
		size_t n = escape_utf8_len(s + i, len - i, &bad);

		if (n == 0)
			return false;
		i += n;
	}
	return true;
}

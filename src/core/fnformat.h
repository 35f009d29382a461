/*
 * fnformat.h - dbprocessing's filename/path template language.
 *
 * Pure; no I/O.  A template such as "demo_{PRODUCT}_{Y}{m}{d}_v{VERSION}.cdf"
 * is compiled once into a struct fnformat, which can then
 *   - match a file name and extract its date, times, version and
 *     keyword fields (the built-in inspector), and
 *   - format a name or a directory from values (output file names,
 *     product.relative_path).
 *
 * Fields (as dbprocessing's DBformatter):
 *   {Y} 4-digit year  {y} 2-digit year  {m} month 01-12  {d} day 01-31
 *   {j} day of year 001-366  {b} month abbreviation Jan..Dec
 *   {H} {M} {S} hour, minute, second  {MILLI} {MICRO} 3 digits each
 *   {DATE} and {datetime}: YYYYMMDD
 *   {VERSION}: interface.quality.revision
 *   {ORBIT}: orbit number, 1-12 decimal digits (0-999999999999);
 *   formatted zero-padded to at least 5 digits
 *   {SATELLITE} {SPACECRAFT} {PRODUCT} {INSTRUMENT} {MISSION}: names
 *   {??} {???} {????}: 2/3/4 arbitrary characters, {nn} {nnn} {nnnn}:
 *   2/3/4 digits, {APID}: hex digits, {QACODE}: ok|ignore|problem,
 *   {mday}: 1-2 digits: "keyword" fields, carried as process keywords
 *   "{CODEDIR} {CODEVERSION} {ROOTDIR}" are run-time substitutions in code
 *   arguments, not file-name fields: they are rejected here.
 *   "{{" and "}}" are literal braces.  Any other {name} is an error.
 */
#ifndef CASCADE_FNFORMAT_H
#define CASCADE_FNFORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compat.h"
#include "strbuf.h"
#include "version.h"

struct fnformat;

/* The largest {ORBIT} value: 12 digits (orbit.h's ORBIT_MAX_NUMBER). */
#define FNFORMAT_ORBIT_MAX INT64_C(999999999999)

/* Literal values for the name fields; a NULL member matches any text. */
struct fnformat_names {
	const char *mission;
	const char *satellite; /* also {SPACECRAFT} */
	const char *instrument;
	const char *product;
};

/*
 * fnformat_compile: compile tmpl.  names may be NULL (all names unknown).
 * Returns 0 and *out (caller frees with fnformat_free), or -1 with a
 * message in err saying what was wrong and at which byte offset (nothing
 * is logged: the caller knows the file and key).
 */
int fnformat_compile(const char *tmpl, const struct fnformat_names *names,
		     struct fnformat **out, struct strbuf *err)
	CASCADE_MUSTCHECK;
void fnformat_free(struct fnformat *f);

/*
 * fnformat_has_version: the template contains {VERSION}.
 * fnformat_has_date: the template's date fields determine a day (a year
 * from {Y}, {y} or {DATE}, plus month and day or {j}), so every match
 * yields a date.  A template with only {m}, or only {Y}, has no date.
 */
bool fnformat_has_version(const struct fnformat *f);
bool fnformat_has_date(const struct fnformat *f);
/* fnformat_has_orbit: the template contains {ORBIT}. */
bool fnformat_has_orbit(const struct fnformat *f);
/*
 * fnformat_is_complete: every field of the template can be both matched
 * and formatted: no name field was unknown at compile time, and any date
 * fields determine a day.  For such a template, fnformat_format() of the
 * result of fnformat_match() gives back the name matched, except that
 * leading zeros in {VERSION} components are dropped and {ORBIT} comes
 * back zero-padded to 5 digits (a name's "7" or "0000012" as "00007" or
 * "00012"; "123456" as itself).  {ORBIT} does not make a template
 * incomplete: like {VERSION}, it is formatted from a value the caller
 * supplies.
 */
bool fnformat_is_complete(const struct fnformat *f);

/* What a match extracted.  keywords is "k=v k2=v2" in template order. */
struct fnformat_match {
	bool has_date;
	int32_t date;          /* days since 1970 */
	bool has_time;         /* any of H M S MILLI MICRO present */
	int64_t time_usec;     /* time of day, microseconds */
	bool has_version;
	struct version version;
	struct strbuf keywords;
	bool has_orbit;        /* the template has {ORBIT} */
	int64_t orbit;         /* 0..FNFORMAT_ORBIT_MAX */
};

#define FNFORMAT_MATCH_INIT                                                  \
	{false, 0, false, 0, false, {0, 0, 0}, STRBUF_INIT, false, 0}
void fnformat_match_release(struct fnformat_match *m);

/*
 * fnformat_match: match the whole of name (len bytes) against f.
 * Returns 1 and fills *m on a match, 0 when the name does not match (or
 * the date fields in it are inconsistent or impossible, e.g. 2023-02-30,
 * or {Y} and {DATE} disagree).  Never reports anything.
 *
 * Matching rules: {y} 00-68 is 2000-2068 and 69-99 is 1969-1999 (POSIX
 * strptime), unless {Y} or {DATE} also gives the year, which {y} must
 * then agree with.  Years are 0001-9999; {b} is case-sensitive.
 * {VERSION} components are 1-5 digits (leading zeros allowed), at most
 * 32767.  {ORBIT} is 1-12 digits (leading zeros allowed), so 0 to
 * FNFORMAT_ORBIT_MAX.  Free-text fields ({??} and names unknown at
 * compile time) match any bytes except '/' and NUL.  A field that appears
 * twice must match the same value both times ({ORBIT}'s "7" and "007"
 * agree, as {VERSION}'s "1.0.0" and "01.0.0" do).  Variable-width fields are
 * greedy (longest first) when a name can be split more than one way.
 * keywords holds one "key=value" per keyword field, at its first
 * appearance, in template order, the key being the field name without
 * braces ("nnn=001 APID=3f"); values are the text matched.  A search
 * needing more than about a million steps (only reachable with
 * pathological templates) is abandoned as a non-match.
 * On 0, m holds no date, time, version, orbit or keywords.  f is only
 * read, so any number of matches may use one f at once; no memory is allocated
 * except for m->keywords (and a scratch memo for very long templates and
 * names).
 */
int fnformat_match(const struct fnformat *f, const char *name, size_t len,
		   struct fnformat_match *m);

/* Values to format with.  NULL or unset members are errors if used. */
struct fnformat_values {
	bool has_date;
	int32_t date;
	int64_t time_usec;        /* time of day for H M S MILLI MICRO */
	const struct version *version;
	const char *keywords;     /* "k=v k2=v2" (process keywords) or NULL */
	bool has_orbit;           /* orbit is set (for {ORBIT}) */
	int64_t orbit;            /* 0..FNFORMAT_ORBIT_MAX */
};

/*
 * fnformat_format: append the formatted template to out.  Returns 0, or -1
 * with a message in err (a field the values do not supply, such as
 * {ORBIT} without has_orbit, or a value out of range, a name field
 * that was unknown at compile time, or a keyword value that the field
 * would not match) and out unchanged.  Keyword values are looked up by
 * field name in v->keywords; a {??}-style value is taken as exactly 2-4
 * bytes, so it may contain spaces.
 */
int fnformat_format(const struct fnformat *f, const struct fnformat_values *v,
		    struct strbuf *out, struct strbuf *err) CASCADE_MUSTCHECK;

#endif

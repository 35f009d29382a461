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

/* fnformat_has_version/has_date: the template contains that field. */
bool fnformat_has_version(const struct fnformat *f);
bool fnformat_has_date(const struct fnformat *f);

/* What a match extracted.  keywords is "k=v k2=v2" in template order. */
struct fnformat_match {
	bool has_date;
	int32_t date;          /* days since 1970 */
	bool has_time;         /* any of H M S MILLI MICRO present */
	int64_t time_usec;     /* time of day, microseconds */
	bool has_version;
	struct version version;
	struct strbuf keywords;
};

#define FNFORMAT_MATCH_INIT {false, 0, false, 0, false, {0, 0, 0}, STRBUF_INIT}
void fnformat_match_release(struct fnformat_match *m);

/*
 * fnformat_match: match the whole of name (len bytes) against f.
 * Returns 1 and fills *m on a match, 0 when the name does not match (or
 * the date fields in it are inconsistent or impossible, e.g. 2023-02-30,
 * or {Y} and {DATE} disagree).  Never reports anything.
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
};

/*
 * fnformat_format: append the formatted template to out.  Returns 0, or -1
 * with a message in err (a field the values do not supply).
 */
int fnformat_format(const struct fnformat *f, const struct fnformat_values *v,
		    struct strbuf *out, struct strbuf *err) CASCADE_MUSTCHECK;

#endif

/*
 * iniconf.h - dbprocessing's mission INI file (addFromConfig.py) turned
 * into a cascade mission file ("cascade config import").
 *
 * The INI is read as dbprocessing reads it (Python configparser: keys
 * lower-cased, '#' and ';' comment lines, indented continuation lines;
 * {MISSION}, {SPACECRAFT} and {INSTRUMENT} replaced in every value; the
 * product substitutions of addProduct) and written as YAML, every value
 * quoted, with a comment at each place where cascade reads it otherwise:
 * the inspector modules it does not run, timebases it refuses (ORBIT:
 * the process is written commented out) or that dbprocessing never ran,
 * inputs of other days, booleans that dbprocessing read as false.
 * Given the mission as an adopted database holds it, the codes of each
 * process are written as the database has them (dbprocessing registers
 * new code versions with scripts, not in the INI file).
 */
#ifndef CASCADE_INICONF_H
#define CASCADE_INICONF_H

#include <stddef.h>

#include "compat.h"

struct config;
struct strbuf;

/*
 * iniconf_convert: text (len bytes, from file name) to YAML appended to
 * *yaml.  db: the database's mission, or NULL.  Returns 0, or -1 with
 * each problem reported as "NAME:LINE: ...".  *notes gets the number of
 * comments written where meaning differs.
 */
int iniconf_convert(const char *name, const char *text, size_t len,
		    const struct config *db, struct strbuf *yaml, int *notes)
	CASCADE_MUSTCHECK;

#endif

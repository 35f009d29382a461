/*
 * ingest-rules.h - ingest's decisions, pure: which names in incoming are
 * files to take, whether a file may still be being written, and what an
 * archived file of the same name makes of an incoming one.
 *
 * Plain values in and out, no I/O: ingest.c reads the directory, the
 * clock and the database, asks these, and acts.
 * tests/unit/test-ingest-rules.c holds the rules as tables.
 */
#ifndef CASCADE_INGEST_RULES_H
#define CASCADE_INGEST_RULES_H

#include <stdbool.h>
#include <stdint.h>

/* What a name in incoming is. */
enum ingest_name_class {
  INGEST_NAME_SELF,             /* "." or "..": not an entry */
  INGEST_NAME_DELIVERING,       /* .NAME, NAME.part, NAME.tmp: a delivery in
                                   progress, never taken; matched by the
                                   glob (so worth a line in the run log) */
  INGEST_NAME_DELIVERING_OTHER, /* the same, not matched by the glob */
  INGEST_NAME_UNMATCHED,        /* not matched by the glob: left alone */
  INGEST_NAME_FILE,             /* to be taken (if it is not a directory) */
};

/*
 * ingest_name_class: the class of name under glob (fnmatch: a leading
 * dot must be matched explicitly for a file to be taken).
 */
enum ingest_name_class ingest_name_class(const char *name, const char *glob);

/*
 * ingest_settling: whether a file last modified age_ms ago is too
 * recent to be taken when no read lease can say whether a writer has
 * it: its age is below settle_s, either way (a negative age: a writer's
 * clock ahead of ours).  settle_s 0: never.
 */
bool ingest_settling(int64_t age_ms, int settle_s);

/* What an archived file of the same name makes of an incoming one. */
enum ingest_same_name {
  INGEST_SAME_NAME_NONE,      /* no bearing: its verdict stands */
  INGEST_SAME_NAME_LEFTOVER,  /* it is the archived file (a link a
                                 committed run left): remove it */
  INGEST_SAME_NAME_DUPLICATE, /* same content: dropped as duplicate */
  INGEST_SAME_NAME_TAKEN,     /* other content: rejected
                                 ("name-taken") */
};

/*
 * ingest_same_name: an incoming file to be archived (to_archive) or
 * already rejected (rejected), of SHA-1 sha1, where a file of its name
 * was archived with SHA-1 archived_sha1 (NULL: none), and same_file
 * when the incoming name is a link to that archived file.
 */
enum ingest_same_name ingest_same_name(bool to_archive, bool rejected,
                                       const char *sha1,
                                       const char *archived_sha1,
                                       bool same_file);

#endif

/*
 * ingest-rules.c - ingest's decisions over plain values (see
 * ingest-rules.h).
 */
#include "ingest-rules.h"

#include <fnmatch.h>
#include <string.h>

#include "banned.h"

static bool has_suffix(const char *name, const char *suffix) {
  size_t n = strlen(name), k = strlen(suffix);

  return n > k && !strcmp(name + n - k, suffix);
}

/*
 * A delivery in progress by the convention deliverers follow: written
 * as .NAME, NAME.part or NAME.tmp, then renamed.  Never taken.
 */
static bool delivering(const char *name) {
  return name[0] == '.' || has_suffix(name, ".part") ||
         has_suffix(name, ".tmp");
}

enum ingest_name_class ingest_name_class(const char *name, const char *glob) {
  if (!strcmp(name, ".") || !strcmp(name, ".."))
    return INGEST_NAME_SELF;
  if (delivering(name))
    return fnmatch(glob, name, 0) == 0 ? INGEST_NAME_DELIVERING
                                       : INGEST_NAME_DELIVERING_OTHER;
  if (fnmatch(glob, name, FNM_PERIOD) != 0)
    return INGEST_NAME_UNMATCHED;
  return INGEST_NAME_FILE;
}

bool ingest_settling(int64_t age_ms, int settle_s) {
  return age_ms < (int64_t)settle_s * 1000 &&
         age_ms > -(int64_t)settle_s * 1000;
}

enum ingest_same_name ingest_same_name(bool to_archive, bool rejected,
                                       const char *sha1,
                                       const char *archived_sha1,
                                       bool same_file) {
  if (!archived_sha1)
    return INGEST_SAME_NAME_NONE;
  if (same_file)
    return INGEST_SAME_NAME_LEFTOVER;
  if (!rejected && !strcmp(archived_sha1, sha1))
    return INGEST_SAME_NAME_DUPLICATE;
  if (to_archive)
    return INGEST_SAME_NAME_TAKEN;
  return INGEST_SAME_NAME_NONE;
}

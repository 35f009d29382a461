/*
 * period.h - the planning rules of time: which period an output key
 * covers, which days a file's time span covers, which keys a file feeds,
 * and which code builds a period.
 *
 * Pure: plain structs in, plain structs out, no I/O.  The planner uses
 * these to expand a queued file into the keys it affects and to pick a
 * key's code; the runner to record an output's time span; "check" to
 * find periods no single code may build.  The input search itself runs
 * in SQL (cascade_key_inputs, sql/0006-planning-edges.sql) because it
 * must use an index; it implements period_span_overlaps() below, and
 * docs/architecture.md states the rules once for both.
 *
 * Days are days since 1970-01-01 and instants microseconds since
 * 1970-01-01T00:00:00Z, as in timeutil.h.
 */
#ifndef CASCADE_PERIOD_H
#define CASCADE_PERIOD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compat.h"
#include "version.h"

/*
 * A process's output timebase: the one enum for it everywhere (the
 * database and mission files keep its name, timebase_name()).
 */
enum timebase {
	TIMEBASE_FILE = 0,
	TIMEBASE_DAILY,
	TIMEBASE_WEEKLY,
	TIMEBASE_MONTHLY,
	TIMEBASE_YEARLY,
	TIMEBASE_RUN,
	TIMEBASE_HOURLY, /* keys are hours: period numbers, period_hour */
	TIMEBASE_ORBIT,  /* keys are orbits of the orbit table (orbit.h) */
};
#define TIMEBASE_COUNT (TIMEBASE_ORBIT + 1)

/* timebase_name: "FILE", "DAILY", ... (the stored spelling); "UNKNOWN"
 * for a value out of range. */
const char *timebase_name(enum timebase tb);
/* timebase_parse: the name, case-insensitively (ASCII); -1 if unknown or
 * NULL, nothing reported. */
int timebase_parse(const char *s, enum timebase *out) CASCADE_MUSTCHECK;
/* timebase_parse_to: the same into out, an enum timebase (for the column
 * readers that take a void *: db.h's DB_COL_PARSE). */
int timebase_parse_to(const char *s, void *out) CASCADE_MUSTCHECK;

/*
 * timebase_by_time: whether keys of this timebase find their inputs by
 * time overlap (DAILY and longer) rather than by file date (FILE, RUN).
 */
bool timebase_by_time(enum timebase tb);

/*
 * timebase_numbered: whether keys of this timebase are numbered periods
 * of instants (HOURLY: the hour since 1970, ORBIT: the orbit number)
 * rather than days: their key, and their product's files, carry a
 * period number (file.period_number) besides the date.
 */
bool timebase_numbered(enum timebase tb);

/*
 * timebase_period: the period of timebase tb containing day: [*start,
 * *end] (inclusive days).  FILE, RUN and DAILY: the day itself; WEEKLY:
 * the ISO week, Monday to Sunday; MONTHLY: the calendar month; YEARLY:
 * the year.  The one period rule: the planner, the runner and "check"
 * all ask it.  HOURLY and ORBIT keys are not made of days: the day
 * itself (their days come from their period, struct period_slot).
 */
void timebase_period(enum timebase tb, int32_t day, int32_t *start,
		     int32_t *end);

/*
 * period_stop_usec: the utc_stop_time of an output of the period that
 * starts on day start: its last microsecond, or with exclusive the first
 * instant after it (the next period's midnight).
 */
int64_t period_stop_usec(enum timebase tb, int32_t start,
			 bool exclusive);

/*
 * A file's time span as recorded (utc_start_time, utc_stop_time) and how
 * its product reads the stop time.  Inclusive (the default, and
 * dbprocessing's rule): the stop time is the file's last instant, so a
 * stop at 00:00 makes that day one of the file's days.  Exclusive: the
 * stop time is the first instant after the data, so the last instant is
 * one microsecond before it (a file whose start equals its stop is the
 * single instant start).  A stop before the start counts as the start.
 */
struct period_span {
	int64_t start;
	int64_t stop;
	bool exclusive;
};

/* period_span_last: the file's last instant under its rule. */
int64_t period_span_last(const struct period_span *s);

/* period_span_days: the first and last day the span covers. */
void period_span_days(const struct period_span *s, int32_t *first,
		      int32_t *last);

/*
 * period_span_overlaps: the input rule of time-based keys: whether the
 * span shares an instant with the days [first, last] (a key's period, or
 * its window: the period widened by an input's yesterday and tomorrow).
 */
bool period_span_overlaps(const struct period_span *s, int32_t first,
			  int32_t last);

/*
 * period_span_overlaps_at: the same rule on instants: whether the span
 * shares an instant with [from, to) (to excluded).  period_span_overlaps
 * is this rule on whole days; keys of less than a day (hours) and of
 * intervals from a table (orbits) use it directly.
 */
bool period_span_overlaps_at(const struct period_span *s, int64_t from,
			     int64_t to);

/* A key a file feeds: its period, and whether the file is in the period
 * itself (own) or only in the window around it. */
struct period_key {
	int32_t start;
	int32_t end;
	bool own;
};

/*
 * period_keys: the keys of timebase tb (DAILY or longer) whose window,
 * their period widened by yesterday days before and tomorrow days after,
 * overlaps the days [first, last] of a file: every period from the one
 * containing first - tomorrow to the one containing last + yesterday.
 * Returns how many (at least one), in *out (caller frees), in order.
 */
size_t period_keys(enum timebase tb, int32_t first, int32_t last,
		   int yesterday, int tomorrow, struct period_key **out);

/*
 * Keys that are intervals of time rather than days: hours, and orbits
 * (intervals an operator loads, orbit.h).  A slot is one numbered
 * interval [start, stop) of instants; a list of slots is in number order,
 * which is also their order in time, and they do not overlap (gaps
 * between them are allowed).
 */
struct period_slot {
	int64_t number; /* the hour since 1970 (may be negative), the orbit */
	int64_t start;  /* first instant */
	int64_t stop;   /* first instant after it */
};

/* A slot a file feeds: the slot, and whether the file is in the slot
 * itself (own) or only in the window around it. */
struct period_slot_key {
	struct period_slot slot;
	bool own;
};

#define USEC_PER_HOUR (INT64_C(3600) * INT64_C(1000000))

/* period_hour: the hour holding instant t, as a slot. */
void period_hour(int64_t t, struct period_slot *out);

/*
 * period_slot_keys: the one rule of keys that are slots.  Slot i's
 * window runs from the start of the slot yesterday places before it to
 * the stop of the one tomorrow places after it (in the list; at its
 * ends, as far as the list goes), gaps included: yesterday and tomorrow
 * are the previous and next slots, not days.  The keys span s feeds are
 * the slots whose window it overlaps (period_span_overlaps_at), own
 * when the slot itself does.  A span in no slot's window feeds no key.
 * slots[0..n) must be in order (a binary search finds the span).
 * Returns how many keys, in *out (caller frees; NULL when none), in
 * order.
 */
size_t period_slot_keys(const struct period_slot *slots, size_t n,
			const struct period_span *s, int yesterday,
			int tomorrow, struct period_slot_key **out);

/*
 * period_hour_keys: the same rule for hours: the hours whose window
 * (the hour widened by yesterday hours before and tomorrow hours after)
 * overlaps the span.  A file spanning an hour boundary feeds both hours.
 */
size_t period_hour_keys(const struct period_span *s, int yesterday,
			int tomorrow, struct period_slot_key **out);

/* A code of a process, as the code rule sees it. */
struct period_code {
	int id;
	struct version version;
	int32_t start; /* code_start_date */
	int32_t stop;  /* code_stop_date */
};

enum period_code_result {
	PERIOD_CODE_ONE,    /* *chosen builds the period */
	PERIOD_CODE_NONE,   /* no code is valid on any day of it */
	PERIOD_CODE_SHARED, /* *chosen and *other split it: not built */
};

/*
 * period_code: the code rule.  Of the codes (active ones) valid on at
 * least one day of [start, end], the highest version builds the whole
 * period, also the days where no code is valid, unless another code is
 * valid on a day of the period where it is not (the period straddles a
 * change of code): then the period is not built at all, rather than have
 * one code build days another code is declared for (*other is that
 * other code).  Codes valid on the same days as the chosen one (overlap)
 * do not count.  Indexes are into codes[].
 */
enum period_code_result period_code(const struct period_code *codes,
				    size_t n, int32_t start, int32_t end,
				    size_t *chosen, size_t *other);

#endif

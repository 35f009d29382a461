/*
 * runner-eta.c - where a run stands: the figures of its progress line
 * and of what SIGUSR1 logs, from one source (runner_figures, the pure
 * rule of runner-rules.c over this run's tallies), so that the two say
 * the same and add up (see runner-int.h).
 *
 * A build is counted built when its code ends well and its output is
 * verified (it is then archived, and recorded with the next group: the
 * database says "succeeded" a little later), failed when it fails for
 * good; the builds planned so far are those, the codes running and the
 * builds still to go, which grow as rounds plan more.
 */
#include <stdlib.h>
#include <string.h>

#include "fault.h"
#include "log.h"
#include "runner-int.h"
#include "timeutil.h"
#include "xalloc.h"
#include "banned.h"

/* the process names shown on the progress line, at most */
#define SHOWN_PROCESSES 3

/*
 * reload the open builds per process (a new round was planned, or the
 * figures are asked for): only when a progress line is shown, unless
 * forced
 */
void
runner_eta_refresh(struct runner *r, bool force)
{
	struct sr_outlook *o = NULL;
	size_t n = 0;
	struct runner_eta_proc *e;

	if ((!force && !log_progress_enabled()) ||
	    store_run_outlook(r->db, &o, &n))
		return; /* no ETA is no reason to stop */
	/* the processes seen so far stay, for this run's means */
	e = xcalloc(n + r->n_eta + 1, sizeof(*e));
	for (size_t k = 0; k < r->n_eta; k++) {
		e[k] = r->eta[k];
		e[k].open = 0;
	}
	for (size_t i = 0; i < n; i++) {
		size_t k = 0;

		while (k < r->n_eta && e[k].process_id != o[i].process_id)
			k++;
		if (k == r->n_eta)
			k = r->n_eta + i;
		e[k].process_id = o[i].process_id;
		e[k].open = o[i].open;
		e[k].hist_s = o[i].mean_s;
	}
	free(r->eta);
	free(o);
	r->eta = e;
	n += r->n_eta;
	r->n_eta = 0;
	for (size_t k = 0; k < n; k++)	/* drop the unused places */
		if (e[k].process_id)
			e[r->n_eta++] = e[k];
}

void
runner_eta_observe(struct runner *r, int process_id, double wall_s)
{
	for (size_t k = 0; k < r->n_eta; k++)
		if (r->eta[k].process_id == process_id) {
			r->eta[k].obs_sum += wall_s;
			r->eta[k].obs_n++;
		}
}

void
runner_eta_ended(struct runner *r, int process_id)
{
	for (size_t k = 0; k < r->n_eta; k++)
		if (r->eta[k].process_id == process_id && r->eta[k].open > 0)
			r->eta[k].open--;
}

/*
 * the codes running now (not the ended ones not yet handled), and, in
 * procs if not NULL, their processes: "l1", or "l1 2, l2 1", the first
 * SHOWN_PROCESSES of them
 */
static unsigned
local_slots(const struct job *j, unsigned capacity)
{
	unsigned w = j->eb.cpus ? j->eb.cpus : 1;

	return w > capacity ? capacity : w;
}

static long
running_now(const struct runner *r, struct strbuf *procs)
{
	const char *name[SHOWN_PROCESSES];
	long count[SHOWN_PROCESSES] = {0}, n = 0, more = 0;
	size_t nn = 0;
	unsigned used, capacity, local = 0;

	/*
	 * The local builds sent ahead wait in the supervisor for a slot:
	 * they are the newest (the list's head), and still to go
	 */
	executor_load(r->ex, &used, &capacity);
	for (const struct job *j = r->active; j; j = j->next_active)
		if (!j->eb.done && j->ex == r->ex)
			local += local_slots(j, capacity);
	for (const struct job *j = r->active; j; j = j->next_active) {
		size_t k = 0;

		if (j->eb.done)
			continue;
		if (j->ex == r->ex && local > capacity) {
			local -= local_slots(j, capacity);
			continue;
		}
		n++;
		while (k < nn && strcmp(name[k], j->b->process_name))
			k++;
		if (k < nn) {
			count[k]++;
		} else if (nn < SHOWN_PROCESSES) {
			name[nn] = j->b->process_name;
			count[nn++] = 1;
		} else {
			more++;
		}
	}
	for (size_t k = 0; procs && k < nn; k++) {
		strbuf_addstr(procs, k ? ", " : " (");
		strbuf_addstr(procs, name[k]);
		if (nn > 1 || more)
			strbuf_addf(procs, " %ld", count[k]);
	}
	if (procs && more)
		strbuf_addf(procs, ", %ld more", more);
	if (procs && nn)
		strbuf_addch(procs, ')');
	return n;
}

struct runner_figures
runner_figures(const struct runner *r, const struct runner_counts *cnt)
{
	unsigned used, capacity;

	executor_load(r->ex, &used, &capacity);
	/* the outputs waiting for their group's record are built */
	return runner_figures_of(r->eta, r->n_eta,
				 cnt->succeeded + (long)r->n_pending,
				 cnt->failed + cnt->bad, running_now(r, NULL),
				 capacity);
}

/*
 * The progress line: the stage, the builds built, failed, running (with
 * their processes) and still to go, and an ETA for all the builds
 * planned so far (the builds that this round's outputs will make are
 * planned by the next round, and counted then).
 */
void
runner_progress_text(const struct runner *r, const struct runner_counts *cnt,
		     struct strbuf *out)
{
	struct runner_figures f = runner_figures(r, cnt);
	struct strbuf procs = STRBUF_INIT;
	char eta[DURATION_STRLEN];

	running_now(r, &procs);
	strbuf_addf(out,
		    "%s: %ld built, %ld failed, %ld running%s, %ld to go; "
		    "ETA %s for the %ld builds planned so far",
		    r->stage ? r->stage : "run", f.built, f.failed, f.running,
		    procs.buf, f.to_go,
		    timeutil_format_duration(f.eta_s, eta), f.planned);
	strbuf_release(&procs);
}

static void
draw(struct runner *r, const struct runner_counts *cnt, bool now)
{
	struct strbuf sb = STRBUF_INIT;

	runner_progress_text(r, cnt, &sb);
	log_progress(now, "%s", sb.buf);
	strbuf_release(&sb);
}

void
runner_show_progress(struct runner *r, const struct runner_counts *cnt)
{
	if (log_progress_enabled())
		draw(r, cnt, false);
}

void
runner_stage(struct runner *r, const struct runner_counts *cnt,
	     const char *stage)
{
	bool changed = !r->stage || strcmp(r->stage, stage);

	r->stage = stage;
	if (changed && log_progress_enabled())
		draw(r, cnt, true);
}

void
runner_report(struct runner *r, const struct runner_counts *cnt)
{
	struct strbuf sb = STRBUF_INIT;

	runner_eta_refresh(r, true);
	runner_progress_text(r, cnt, &sb);
	/* the line first, so that it shows what the log line says */
	log_progress(true, "%s", sb.buf);
	log_warning("%s", sb.buf);
	strbuf_release(&sb);
	fault_point("progress-reported");
}

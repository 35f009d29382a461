/*
 * runner-eta.c - the runner's progress line: builds done, failed,
 * running and still planned, and an ETA from each process's mean run
 * time (see runner-int.h).
 */
#include <stdlib.h>

#include "log.h"
#include "runner-int.h"
#include "timeutil.h"
#include "xalloc.h"
#include "banned.h"

/*
 * reload the open builds per process (a new round was planned, or the
 * ETA is asked for): only when a progress line is shown, unless forced
 */
void
runner_eta_refresh(struct runner *r, bool force)
{
	struct sr_outlook *o = NULL;
	size_t n = 0;
	struct eta_proc *e;

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

/* a build of process_id finished (ok: succeeded in wall_s seconds) */
void
runner_eta_done(struct runner *r, int process_id, bool ok, double wall_s)
{
	for (size_t k = 0; k < r->n_eta; k++)
		if (r->eta[k].process_id == process_id) {
			if (r->eta[k].open > 0)
				r->eta[k].open--;
			if (ok) {
				r->eta[k].obs_sum += wall_s;
				r->eta[k].obs_n++;
			}
		}
}

/*
 * The progress line: builds done, failed, running and still planned,
 * and an ETA for the planned ones from each process's mean run time
 * (its recent history, else what this run has seen of it, else this
 * run's mean over all processes) spread over the slots.  Builds that
 * this round's outputs will queue are not known yet.
 */
void
runner_progress_text(const struct runner *r, const struct runner_counts *cnt,
		     struct strbuf *out)
{
	double all_sum = 0, left_s = 0;
	long all_n = 0, open = 0;
	bool known = true;
	char eta[DURATION_STRLEN];
	unsigned used, capacity;

	executor_load(r->ex, &used, &capacity);
	for (size_t k = 0; k < r->n_eta; k++) {
		all_sum += r->eta[k].obs_sum;
		all_n += r->eta[k].obs_n;
	}
	for (size_t k = 0; k < r->n_eta; k++) {
		const struct eta_proc *e = &r->eta[k];
		double mean = e->hist_s >= 0 ? e->hist_s
			      : e->obs_n     ? e->obs_sum / (double)e->obs_n
			      : all_n	     ? all_sum / (double)all_n
					     : -1;

		open += e->open;
		if (e->open && mean < 0)
			known = false;
		else if (e->open)
			left_s += (double)e->open * mean;
	}
	strbuf_addf(out,
		    "%ld built, %ld failed, %u running, %ld to go, ETA %s",
		    cnt->succeeded, cnt->failed + cnt->bad, used, open,
		    timeutil_format_duration(
			    known ? left_s / (capacity ? capacity : 1) : -1,
			    eta));
}

void
runner_show_progress(struct runner *r, const struct runner_counts *cnt)
{
	struct strbuf sb = STRBUF_INIT;

	if (!log_progress_enabled())
		return;
	runner_progress_text(r, cnt, &sb);
	log_progress(false, "process: %s", sb.buf);
	strbuf_release(&sb);
}


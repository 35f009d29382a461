/*
 * fuzz-config.c - libFuzzer target for the mission file loader.
 *
 * The input is a mission file, loaded with config_load_string() (its
 * relative paths resolved against /fuzz, so nothing of the machine it
 * runs on shows).  Beyond "no crash, no leak, no undefined behaviour"
 * it checks the round trip that config.h promises: a file that loads is
 * written by config_write_yaml(), that text loads again, and writing
 * the reloaded config gives the same text, with the same counts of
 * everything.  Messages are silenced (they would cost more than the
 * parsing).  The unit tests say which files ought to load.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "%s:%d: check failed: %s\n",         \
				__FILE__, __LINE__, #cond);                  \
			abort();                                             \
		}                                                            \
	} while (0)

/* cfg as YAML, in a new buffer (*len bytes) */
static char *
write_text(const struct config *cfg, size_t *len)
{
	char *buf = NULL;
	FILE *fp = open_memstream(&buf, len);

	CHECK(fp != NULL);
	CHECK(config_write_yaml(cfg, fp) == 0);
	CHECK(fclose(fp) == 0);
	return buf;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool quiet;
	struct config *cfg = NULL, *back = NULL;
	char *text, *text2;
	size_t len, len2;

	if (!quiet) {
		log_set_level(LOG_LEVEL_SILENT);
		quiet = true;
	}
	if (config_load_string("fuzz.yaml", (const char *)data, size, "/fuzz",
			       &cfg)) {
		CHECK(cfg == NULL);
		return 0;
	}
	CHECK(cfg != NULL);
	text = write_text(cfg, &len);
	if (config_load_string("export.yaml", text, len, "/elsewhere", &back)) {
		log_set_level(LOG_LEVEL_ERROR);
		fprintf(stderr, "exported text does not load:\n%s\n", text);
		CHECK(config_load_string("export.yaml", text, len,
					 "/elsewhere", &back) == 0);
	}
	CHECK(back->n_satellites == cfg->n_satellites);
	CHECK(back->n_instruments == cfg->n_instruments);
	CHECK(back->n_products == cfg->n_products);
	CHECK(back->n_processes == cfg->n_processes);
	text2 = write_text(back, &len2);
	if (len2 != len || memcmp(text, text2, len)) {
		fprintf(stderr, "export:\n%s\nexport of its reload:\n%s\n", text,
			text2);
		CHECK(!"the export of the reload is the export");
	}
	free(text);
	free(text2);
	config_free(cfg);
	config_free(back);
	return 0;
}

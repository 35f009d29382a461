/*
 * replay.c - run libFuzzer inputs through a fuzz target without libFuzzer.
 *
 * Linked (with gcc, no -fsanitize=fuzzer) against one tests/fuzz/fuzz-*.c
 * target, it feeds every file named on the command line, and every
 * regular file in every directory named, to LLVMFuzzerTestOneInput() once,
 * so that the seed corpus and past crash inputs run as regression tests
 * in "make check".  It owns nothing else: the checks live in the target,
 * which aborts on a failure.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
replay_file(const char *path)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, alloc = 0, n;

	if (!fp) {
		fprintf(stderr, "replay: could not open \"%s\": %s\n", path,
			strerror(errno));
		return -1;
	}
	do {
		if (alloc - len < 4096) {
			uint8_t *nbuf;

			alloc = alloc ? alloc * 2 : 8192;
			nbuf = realloc(buf, alloc);
			if (!nbuf) {
				fprintf(stderr, "replay: out of memory\n");
				free(buf);
				fclose(fp);
				return -1;
			}
			buf = nbuf;
		}
		n = fread(buf + len, 1, alloc - len, fp);
		len += n;
	} while (n > 0);
	if (ferror(fp)) {
		fprintf(stderr, "replay: could not read \"%s\"\n", path);
		free(buf);
		fclose(fp);
		return -1;
	}
	fclose(fp);
	/* an exact-size copy, so that ASan sees reads past the input */
	{
		uint8_t *exact = malloc(len ? len : 1);

		if (!exact) {
			free(buf);
			return -1;
		}
		memcpy(exact, buf, len);
		free(buf);
		LLVMFuzzerTestOneInput(exact, len);
		free(exact);
	}
	return 0;
}

static int
replay_path(const char *path, unsigned *count)
{
	struct stat st;
	DIR *dir;
	struct dirent *de;
	int rc = 0;

	if (stat(path, &st)) {
		fprintf(stderr, "replay: could not stat \"%s\": %s\n", path,
			strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		if (replay_file(path))
			return -1;
		(*count)++;
		return 0;
	}
	dir = opendir(path);
	if (!dir) {
		fprintf(stderr, "replay: could not open directory \"%s\": %s\n",
			path, strerror(errno));
		return -1;
	}
	while ((de = readdir(dir)) != NULL) {
		size_t n = strlen(path) + strlen(de->d_name) + 2;
		char *sub;

		if (de->d_name[0] == '.')
			continue;
		sub = malloc(n);
		if (!sub) {
			rc = -1;
			break;
		}
		snprintf(sub, n, "%s/%s", path, de->d_name);
		if (stat(sub, &st) == 0 && S_ISREG(st.st_mode)) {
			if (replay_file(sub))
				rc = -1;
			else
				(*count)++;
		}
		free(sub);
	}
	closedir(dir);
	return rc;
}

int
main(int argc, char **argv)
{
	unsigned count = 0;
	int rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE-OR-DIRECTORY...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++)
		if (replay_path(argv[i], &count))
			rc = 1;
	printf("%s: %u inputs replayed%s\n", argv[0], count,
	       rc ? ", with errors" : "");
	return rc;
}

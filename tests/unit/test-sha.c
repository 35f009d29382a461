/*
 * test-sha.c - SHA-1 and SHA-256 (libcrypto through sha.h) against the
 * FIPS 180 test vectors.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sha.h"
#include "unit.h"

static const struct {
	const char *in;
	const char *sha1;
	const char *sha256;
} vectors[] = {
	{"", "da39a3ee5e6b4b0d3255bfef95601890afd80709",
	 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
	{"abc", "a9993e364706816aba3e25717850c26c9cd0d89d",
	 "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
	{"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	 "84983e441c3bd26ebaae4aa1f95129e5e54670f1",
	 "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
};

static void
test_vectors(void)
{
	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		struct sha1_ctx c1;
		struct sha256_ctx c2;
		char h1[SHA1_HEX_LEN], h2[SHA256_HEX_LEN];

		sha1_init(&c1);
		sha1_update(&c1, vectors[i].in, strlen(vectors[i].in));
		sha1_final_hex(&c1, h1);
		CU_ASSERT_STRING_EQUAL(h1, vectors[i].sha1);
		sha256_init(&c2);
		sha256_update(&c2, vectors[i].in, strlen(vectors[i].in));
		sha256_final_hex(&c2, h2);
		CU_ASSERT_STRING_EQUAL(h2, vectors[i].sha256);
	}
}

/* a million 'a' fed in odd-sized pieces crosses every buffer boundary */
static void
test_million_a_in_pieces(void)
{
	struct sha1_ctx c1;
	struct sha256_ctx c2;
	char h1[SHA1_HEX_LEN], h2[SHA256_HEX_LEN];
	char *a = malloc(1000000);
	size_t done = 0, step = 1;

	memset(a, 'a', 1000000);
	sha1_init(&c1);
	sha256_init(&c2);
	while (done < 1000000) {
		size_t n = step < 1000000 - done ? step : 1000000 - done;

		sha1_update(&c1, a + done, n);
		sha256_update(&c2, a + done, n);
		done += n;
		step = step * 3 % 257 + 1;
	}
	sha1_final_hex(&c1, h1);
	sha256_final_hex(&c2, h2);
	CU_ASSERT_STRING_EQUAL(h1, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
	CU_ASSERT_STRING_EQUAL(
		h2, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(a);
}

static void
test_fd(void)
{
	char path[] = "/tmp/cascade-sha-XXXXXX";
	int fd = mkstemp(path);
	char h1[SHA1_HEX_LEN], h2[SHA256_HEX_LEN];
	int64_t size = -1;

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(write(fd, "abc", 3), 3);
	lseek(fd, 0, SEEK_SET);
	CU_ASSERT_EQUAL(sha_fd(fd, h1, h2, &size), 0);
	CU_ASSERT_EQUAL(size, 3);
	CU_ASSERT_STRING_EQUAL(h1, vectors[1].sha1);
	CU_ASSERT_STRING_EQUAL(h2, vectors[1].sha256);
	close(fd);
	unlink(path);
	CU_ASSERT_EQUAL(sha_fd(-1, h1, NULL, &size), -1);
}

/* a file larger than sha_fd's read buffer: the million-'a' vectors */
static void
test_fd_large(void)
{
	char path[] = "/tmp/cascade-sha-XXXXXX";
	int fd = mkstemp(path);
	char h1[SHA1_HEX_LEN], h2[SHA256_HEX_LEN];
	char *a = malloc(1000000);
	int64_t size = -1;

	CU_ASSERT_FATAL(fd >= 0);
	memset(a, 'a', 1000000);
	CU_ASSERT_EQUAL(write(fd, a, 1000000), 1000000);
	lseek(fd, 0, SEEK_SET);
	CU_ASSERT_EQUAL(sha_fd(fd, h1, h2, &size), 0);
	CU_ASSERT_EQUAL(size, 1000000);
	CU_ASSERT_STRING_EQUAL(h1, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
	CU_ASSERT_STRING_EQUAL(
		h2, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	/* without SHA-256, the same SHA-1 */
	lseek(fd, 0, SEEK_SET);
	CU_ASSERT_EQUAL(sha_fd(fd, h1, NULL, &size), 0);
	CU_ASSERT_STRING_EQUAL(h1, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
	close(fd);
	unlink(path);
	free(a);
}

void
suite_sha(void)
{
	CU_pSuite s = unit_add_suite("sha");

	ADD_TEST(s, test_vectors);
	ADD_TEST(s, test_million_a_in_pieces);
	ADD_TEST(s, test_fd);
	ADD_TEST(s, test_fd_large);
}

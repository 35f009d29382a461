/*
 * sha.c - SHA-1 and SHA-256 through libcrypto's EVP digest interface.
 *
 * libcrypto is already loaded through libpq; its digests use the CPU's
 * SHA instructions or tuned assembly, several times faster than portable
 * C on the large files a mission ingests.
 */
#include "sha.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "xalloc.h"
#include "banned.h"

/* reads of this size keep the system call count low on large files */
#define SHA_READ_SIZE (256 * 1024)

CASCADE_NORETURN static void
digest_failed(const char *what)
{
	unsigned long e = ERR_get_error();
	char msg[256];

	ERR_error_string_n(e, msg, sizeof(msg));
	fprintf(stderr, "cascade: libcrypto could not %s: %s\n", what,
		e ? msg : "no reason given");
	exit(6);
}

/*
 * The digests, fetched from the default provider once: EVP_sha1() and
 * EVP_sha256() make every EVP_DigestInit_ex() look the implementation
 * up again, which for the small files of a delivery costs as much as
 * hashing them.
 */
static const EVP_MD *
md_of(bool sha256)
{
	static EVP_MD *md[2];

	if (!md[sha256]) {
		md[sha256] = EVP_MD_fetch(NULL, sha256 ? "SHA256" : "SHA1",
					  NULL);
		if (!md[sha256])
			digest_failed("find a digest");
	}
	return md[sha256];
}

static void
digest_start(EVP_MD_CTX *c, bool sha256)
{
	if (!EVP_DigestInit_ex(c, md_of(sha256), NULL))
		digest_failed("start a digest");
}

static struct evp_md_ctx_st *
digest_new(bool sha256)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	if (!c)
		digest_failed("start a digest");
	digest_start(c, sha256);
	return c;
}

static void
digest_update(EVP_MD_CTX *c, const void *data, size_t len)
{
	if (!EVP_DigestUpdate(c, data, len))
		digest_failed("update a digest");
}

/* the digest in hex into out; the context stays for another digest */
static void
digest_final_hex(EVP_MD_CTX *c, char *out, size_t want)
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (!EVP_DigestFinal_ex(c, md, &n) || n != want)
		digest_failed("finish a digest");
	for (unsigned int i = 0; i < n; i++) {
		out[2 * i] = digits[md[i] >> 4];
		out[2 * i + 1] = digits[md[i] & 0xf];
	}
	out[2 * n] = '\0';
}

void
sha1_init(struct sha1_ctx *c)
{
	c->md = digest_new(false);
}

void
sha1_update(struct sha1_ctx *c, const void *data, size_t len)
{
	digest_update(c->md, data, len);
}

void
sha1_final_hex(struct sha1_ctx *c, char out[SHA1_HEX_LEN])
{
	digest_final_hex(c->md, out, (SHA1_HEX_LEN - 1) / 2);
	EVP_MD_CTX_free(c->md);
	c->md = NULL;
}

void
sha256_init(struct sha256_ctx *c)
{
	c->md = digest_new(true);
}

void
sha256_update(struct sha256_ctx *c, const void *data, size_t len)
{
	digest_update(c->md, data, len);
}

void
sha256_final_hex(struct sha256_ctx *c, char out[SHA256_HEX_LEN])
{
	digest_final_hex(c->md, out, (SHA256_HEX_LEN - 1) / 2);
	EVP_MD_CTX_free(c->md);
	c->md = NULL;
}

int
sha_fd(int fd, char sha1[SHA1_HEX_LEN], char *sha256, int64_t *size)
{
	return sha_fd_upto(fd, -1, sha1, sha256, size);
}

int
sha_fd_upto(int fd, int64_t expect, char sha1[SHA1_HEX_LEN], char *sha256,
	    int64_t *size)
{
	/*
	 * One buffer and one context of each digest for every file of a
	 * run (cascade hashes from one thread): a delivery of small files
	 * costs no allocation per file.
	 */
	static unsigned char *buf;
	static EVP_MD_CTX *ctx1, *ctx2;
	EVP_MD_CTX *c1, *c2 = NULL;
	int64_t total = 0;
	int rc = 0, saved = 0;

	if (!buf) {
		buf = xmalloc(SHA_READ_SIZE);
		ctx1 = digest_new(false);
		ctx2 = digest_new(true);
	} else {
		digest_start(ctx1, false);
		if (sha256)
			digest_start(ctx2, true);
	}
	c1 = ctx1;
	if (sha256)
		c2 = ctx2;

	/* known to be expect bytes: no read only to be told of the end */
	while (expect < 0 || total < expect) {
		size_t want = SHA_READ_SIZE;
		ssize_t n;

		if (expect >= 0 && expect - total < (int64_t)want)
			want = (size_t)(expect - total);
		n = read(fd, buf, want);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			saved = errno;
			rc = -1;
			break;
		}
		if (n == 0)
			break;
		digest_update(c1, buf, (size_t)n);
		if (c2)
			digest_update(c2, buf, (size_t)n);
		total += n;
	}
	if (rc != 0) {
		errno = saved;
		return -1;
	}
	digest_final_hex(c1, sha1, (SHA1_HEX_LEN - 1) / 2);
	if (c2)
		digest_final_hex(c2, sha256, (SHA256_HEX_LEN - 1) / 2);
	*size = total;
	return 0;
}

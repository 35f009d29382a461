/*
 * sha.h - SHA-1 and SHA-256 (FIPS 180-4), streaming, through OpenSSL's
 * libcrypto (EVP digests).
 *
 * SHA-1 is dbprocessing's file.shasum (kept for compatibility); SHA-256
 * is stored beside it and is what code files are checked with.  sha_fd()
 * hashes a file with both in one read pass.
 *
 * A context holds libcrypto state from *_init until *_final_hex, which
 * frees it: every init must be followed by its final.  libcrypto failing
 * to set up a digest (out of memory, a provider refusing it) is fatal,
 * like running out of memory.
 */
#ifndef CASCADE_SHA_H
#define CASCADE_SHA_H

#include <stddef.h>
#include <stdint.h>

#include "compat.h"

struct evp_md_ctx_st; /* libcrypto's EVP_MD_CTX */

struct sha1_ctx {
	struct evp_md_ctx_st *md;
};

struct sha256_ctx {
	struct evp_md_ctx_st *md;
};

#define SHA1_HEX_LEN 41   /* 40 hex digits and NUL */
#define SHA256_HEX_LEN 65 /* 64 hex digits and NUL */

void sha1_init(struct sha1_ctx *c);
void sha1_update(struct sha1_ctx *c, const void *data, size_t len);
/* sha1_final_hex: finish and write 40 lowercase hex digits and a NUL. */
void sha1_final_hex(struct sha1_ctx *c, char hex[SHA1_HEX_LEN]);

void sha256_init(struct sha256_ctx *c);
void sha256_update(struct sha256_ctx *c, const void *data, size_t len);
void sha256_final_hex(struct sha256_ctx *c, char hex[SHA256_HEX_LEN]);

/*
 * sha_fd: read fd to its end, hashing with SHA-1 and, if sha256 is not
 * NULL, SHA-256; *size gets the byte count.  Returns 0, or -1 with errno
 * set (nothing reported: the caller knows the file's name).
 */
int sha_fd(int fd, char sha1[SHA1_HEX_LEN], char *sha256, int64_t *size)
	CASCADE_MUSTCHECK;

/*
 * sha_fd_upto: as sha_fd(), but stop after expect bytes (-1: at the end)
 * without the read that would find the end: for a file whose size cannot
 * change (a read lease held, its writer gone).  *size is what was read,
 * less than expect if the file was shorter.
 */
int sha_fd_upto(int fd, int64_t expect, char sha1[SHA1_HEX_LEN], char *sha256,
		int64_t *size) CASCADE_MUSTCHECK;

#endif

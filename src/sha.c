/*
 * sha.c - SHA-1 and SHA-256, written from FIPS 180-4.
 */
#include "sha.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "banned.h"

#define ROL(x, n) (((x) << (n)) | ((x) >> (32 - (n))))
#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static void
hex(const uint32_t *h, int n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (int i = 0; i < n; i++)
		for (int j = 0; j < 8; j++)
			out[i * 8 + j] = digits[(h[i] >> (28 - 4 * j)) & 0xf];
	out[n * 8] = '\0';
}

/* SHA-1 */

static void
sha1_block(struct sha1_ctx *c, const unsigned char *p)
{
	uint32_t w[80], a, b, cc, d, e, t;

	for (int i = 0; i < 16; i++)
		w[i] = be32(p + 4 * i);
	for (int i = 16; i < 80; i++)
		w[i] = ROL(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	a = c->h[0];
	b = c->h[1];
	cc = c->h[2];
	d = c->h[3];
	e = c->h[4];
	for (int i = 0; i < 80; i++) {
		uint32_t f, k;

		if (i < 20) {
			f = (b & cc) | (~b & d);
			k = 0x5a827999;
		} else if (i < 40) {
			f = b ^ cc ^ d;
			k = 0x6ed9eba1;
		} else if (i < 60) {
			f = (b & cc) | (b & d) | (cc & d);
			k = 0x8f1bbcdc;
		} else {
			f = b ^ cc ^ d;
			k = 0xca62c1d6;
		}
		t = ROL(a, 5) + f + e + k + w[i];
		e = d;
		d = cc;
		cc = ROL(b, 30);
		b = a;
		a = t;
	}
	c->h[0] += a;
	c->h[1] += b;
	c->h[2] += cc;
	c->h[3] += d;
	c->h[4] += e;
}

void
sha1_init(struct sha1_ctx *c)
{
	static const uint32_t iv[5] = {0x67452301, 0xefcdab89, 0x98badcfe,
				       0x10325476, 0xc3d2e1f0};

	memcpy(c->h, iv, sizeof(iv));
	c->len = 0;
	c->nbuf = 0;
}

#define UPDATE_BODY(c, data, len, block)                                     \
	do {                                                                 \
		const unsigned char *p = (data);                             \
		(c)->len += (len);                                           \
		if ((c)->nbuf) {                                             \
			size_t take = 64 - (c)->nbuf;                        \
			if (take > (len))                                    \
				take = (len);                                \
			memcpy((c)->buf + (c)->nbuf, p, take);               \
			(c)->nbuf += take;                                   \
			p += take;                                           \
			(len) -= take;                                       \
			if ((c)->nbuf == 64) {                               \
				block((c), (c)->buf);                        \
				(c)->nbuf = 0;                               \
			}                                                    \
		}                                                            \
		while ((len) >= 64) {                                        \
			block((c), p);                                       \
			p += 64;                                             \
			(len) -= 64;                                         \
		}                                                            \
		if (len) {                                                   \
			memcpy((c)->buf, p, (len));                          \
			(c)->nbuf = (len);                                   \
		}                                                            \
	} while (0)

#define FINAL_BODY(c, block)                                                 \
	do {                                                                 \
		uint64_t bits = (c)->len * 8;                                \
		(c)->buf[(c)->nbuf++] = 0x80;                                \
		if ((c)->nbuf > 56) {                                        \
			memset((c)->buf + (c)->nbuf, 0, 64 - (c)->nbuf);     \
			block((c), (c)->buf);                                \
			(c)->nbuf = 0;                                       \
		}                                                            \
		memset((c)->buf + (c)->nbuf, 0, 56 - (c)->nbuf);             \
		for (int i = 0; i < 8; i++)                                  \
			(c)->buf[56 + i] = (unsigned char)(bits >> (56 - 8 * i)); \
		block((c), (c)->buf);                                        \
	} while (0)

void
sha1_update(struct sha1_ctx *c, const void *data, size_t len)
{
	UPDATE_BODY(c, data, len, sha1_block);
}

void
sha1_final_hex(struct sha1_ctx *c, char out[SHA1_HEX_LEN])
{
	FINAL_BODY(c, sha1_block);
	hex(c->h, 5, out);
}

/* SHA-256 */

static const uint32_t K256[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static void
sha256_block(struct sha256_ctx *c, const unsigned char *p)
{
	uint32_t w[64], s[8];

	for (int i = 0; i < 16; i++)
		w[i] = be32(p + 4 * i);
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^
			      (w[i - 15] >> 3);
		uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^
			      (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	memcpy(s, c->h, sizeof(s));
	for (int i = 0; i < 64; i++) {
		uint32_t S1 = ROR(s[4], 6) ^ ROR(s[4], 11) ^ ROR(s[4], 25);
		uint32_t ch = (s[4] & s[5]) ^ (~s[4] & s[6]);
		uint32_t t1 = s[7] + S1 + ch + K256[i] + w[i];
		uint32_t S0 = ROR(s[0], 2) ^ ROR(s[0], 13) ^ ROR(s[0], 22);
		uint32_t maj = (s[0] & s[1]) ^ (s[0] & s[2]) ^ (s[1] & s[2]);
		uint32_t t2 = S0 + maj;

		s[7] = s[6];
		s[6] = s[5];
		s[5] = s[4];
		s[4] = s[3] + t1;
		s[3] = s[2];
		s[2] = s[1];
		s[1] = s[0];
		s[0] = t1 + t2;
	}
	for (int i = 0; i < 8; i++)
		c->h[i] += s[i];
}

void
sha256_init(struct sha256_ctx *c)
{
	static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372,
				       0xa54ff53a, 0x510e527f, 0x9b05688c,
				       0x1f83d9ab, 0x5be0cd19};

	memcpy(c->h, iv, sizeof(iv));
	c->len = 0;
	c->nbuf = 0;
}

void
sha256_update(struct sha256_ctx *c, const void *data, size_t len)
{
	UPDATE_BODY(c, data, len, sha256_block);
}

void
sha256_final_hex(struct sha256_ctx *c, char out[SHA256_HEX_LEN])
{
	FINAL_BODY(c, sha256_block);
	hex(c->h, 8, out);
}

int
sha_fd(int fd, char sha1[SHA1_HEX_LEN], char *sha256, int64_t *size)
{
	struct sha1_ctx c1;
	struct sha256_ctx c2;
	unsigned char buf[65536];
	int64_t total = 0;

	sha1_init(&c1);
	sha256_init(&c2);
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		sha1_update(&c1, buf, (size_t)n);
		if (sha256)
			sha256_update(&c2, buf, (size_t)n);
		total += n;
	}
	sha1_final_hex(&c1, sha1);
	if (sha256)
		sha256_final_hex(&c2, sha256);
	*size = total;
	return 0;
}

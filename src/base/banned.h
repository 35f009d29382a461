/*
 * banned.h - functions cascade must not use.
 *
 * Included as the last #include of every .c file in src/ (checked by
 * scripts/check-layering.sh),
 * so that a use of an unbounded string function or of the shell fails to
 * compile.  Use strbuf, xsnprintf-style helpers and spawn.c instead.
 */
#ifndef CASCADE_BANNED_H
#define CASCADE_BANNED_H

#define BANNED(func) sorry_##func##_is_a_banned_function

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) BANNED(strncpy)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef strtok
#define strtok(x, y) BANNED(strtok)
#undef atoi
#define atoi(x) BANNED(atoi)
#undef atol
#define atol(x) BANNED(atol)
#undef gets
#define gets(x) BANNED(gets)
#undef system
#define system(x) BANNED(system)
#undef popen
#define popen(x, y) BANNED(popen)

#endif

/*
 * compat.h - compiler attribute wrappers.
 *
 * The only non-standard constructs allowed in cascade are attributes, and
 * they are spelled through these macros so that a compiler without them
 * still builds the code.
 */
#ifndef CASCADE_COMPAT_H
#define CASCADE_COMPAT_H

#if defined(__GNUC__) || defined(__clang__)
#define CASCADE_NORETURN __attribute__((noreturn))
#define CASCADE_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define CASCADE_MUSTCHECK __attribute__((warn_unused_result))
#define CASCADE_UNUSED __attribute__((unused))
#else
#define CASCADE_NORETURN
#define CASCADE_PRINTF(fmt, args)
#define CASCADE_MUSTCHECK
#define CASCADE_UNUSED
#endif

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif

# cascade - one non-recursive GNU Makefile.
#
#   make                  build ./build/cascade
#   make check            everything a change must pass (README's test command;
#                         warnings are errors there, WERROR=-Werror)
#   make check-unit       unit tests only (no database)
#   make check-chaos      the chaos suite: >= 500 kill points (long, root for disk-full)
#   make check-chaos-slurm  Slurm kill chaos: 3 fixed and CHAOS_SLURM_ROUNDS seeded rounds
#   make SANITIZE=address,undefined check
#   make install PREFIX=/usr DESTDIR=/tmp/pkg
#   make check-package    build the Debian package, lintian, install it into a
#                         throwaway root and run it (CI; needs dpkg-dev,
#                         debhelper, lintian)
#
# CC, CFLAGS, CPPFLAGS and LDFLAGS are honoured (dpkg-buildflags' hardening
# among them); a change of any of them, of WERROR or of the prefix rebuilds
# what they affect.
# Dependencies come from pkg-config: libpq, yaml-0.1, libcrypto, sqlite3,
# cunit (tests only).

PKG_CONFIG ?= pkg-config
CC ?= cc
CFLAGS ?= -O2 -g
CPPFLAGS ?=
LDFLAGS ?=
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
SYSCONFDIR ?= $(PREFIX)/etc
DOCDIR ?= $(DATADIR)/doc/cascade
LIBEXECDIR ?= $(PREFIX)/libexec
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
INSTALL ?= install

# -Werror in make check and CI only: a plain build (a user's, a
# distribution's with a newer compiler) is not stopped by a new warning
WERROR ?=
WARN = -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wold-style-definition -Wvla -Wwrite-strings \
	-Wpointer-arith -Wundef -Wcast-align -Wnull-dereference \
	-Wimplicit-fallthrough $(WERROR)

# V=1 shows the full compiler command lines
ifeq ($(V),1)
Q =
QCC =
else
Q = @
QCC = @echo "  CC      $@";
endif

ifneq ($(SANITIZE),)
O ?= build-san
SAN_FLAGS = -fsanitize=$(SANITIZE) -fno-sanitize-recover=all -fno-omit-frame-pointer
else
O ?= build
SAN_FLAGS =
endif

DEP_CFLAGS := $(shell $(PKG_CONFIG) --cflags libpq yaml-0.1 libcrypto sqlite3)
DEP_LIBS := $(shell $(PKG_CONFIG) --libs libpq yaml-0.1 libcrypto sqlite3) -lm
CUNIT_CFLAGS := $(shell $(PKG_CONFIG) --cflags cunit 2>/dev/null)
CUNIT_LIBS := $(shell $(PKG_CONFIG) --libs cunit 2>/dev/null || echo -lcunit)

# src/ has one directory per layer, lowest first (docs/architecture.md;
# scripts/check-layering.sh checks that includes point down)
LAYERS = base diag core formats os db rules run views cmd
SRC_DIRS = $(addprefix src/,$(LAYERS))
SRC_INC = $(addprefix -I,$(SRC_DIRS))
vpath %.c $(SRC_DIRS)

CASCADE_CFLAGS = -std=c17 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
	$(WARN) -MMD -MP $(SRC_INC) -I$(O) $(DEP_CFLAGS) $(SAN_FLAGS)
ALL_CFLAGS = $(CASCADE_CFLAGS) $(CPPFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(SAN_FLAGS) $(LDFLAGS)

BIN = $(O)/cascade
LIB_SRC := $(filter-out src/cmd/main.c src/os/group-runner.c,$(wildcard $(addsuffix /*.c,$(SRC_DIRS))))
LIB_OBJ := $(patsubst %.c,$(O)/%.o,$(notdir $(LIB_SRC))) $(O)/schema-sql.o \
	$(O)/adopt-sql.o
UNIT_SRC := $(wildcard tests/unit/test-*.c)
UNIT_OBJ := $(patsubst tests/unit/%.c,$(O)/tests/%.o,$(UNIT_SRC)) \
	$(O)/tests/unit-main.o
UNIT_BIN = $(O)/unit-tests
SQL := $(sort $(wildcard sql/[0-9][0-9][0-9][0-9]-*.sql))
ADOPT_SQL := $(sort $(wildcard sql/adopt-*.sql))
MAN := $(wildcard docs/*.[1-8])

all: $(BIN) $(O)/cascade-dbp-inspector $(O)/cascade-group-runner

$(O)/.dir:
	@mkdir -p $(O)/tests
	@touch $@

# the version and the installed documentation's directory (named in
# hints); rewritten only when they change
$(O)/version-gen.h: VERSION FORCE | $(O)/.dir
	@v=$$(git describe --tags --dirty 2>/dev/null | sed 's/^v//'); \
	[ -n "$$v" ] || v=$$(cat VERSION); \
	{ printf '#define CASCADE_VERSION "%s"\n' "$$v"; \
	  printf '#define CASCADE_DOCDIR "%s"\n' '$(DOCDIR)'; \
	  printf '#define CASCADE_LIBEXECDIR "%s"\n' '$(LIBEXECDIR)/cascade'; } > $@.tmp; \
	cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@

# the compiler and flags everything was built with: objects depend on
# this file, so building with other flags (make check's -Werror, a
# package's hardening flags) rebuilds them
BUILD_FLAGS = $(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) $(DEP_LIBS)
$(O)/build-flags: FORCE | $(O)/.dir
	@printf '%s\n' '$(subst ','\'',$(BUILD_FLAGS))' > $@.tmp; \
	cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@

$(O)/schema-sql.c: $(SQL) scripts/embed-sql.sh $(O)/.dir
	$(Q)sh scripts/embed-sql.sh $(SQL) > $@.tmp && mv $@.tmp $@

$(O)/%.o: %.c $(O)/version-gen.h $(O)/build-flags | $(O)/.dir
	$(QCC)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(O)/schema-sql.o: $(O)/schema-sql.c $(O)/build-flags
	$(QCC)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(O)/adopt-sql.c: $(ADOPT_SQL) scripts/embed-adopt-sql.sh $(O)/.dir
	$(Q)sh scripts/embed-adopt-sql.sh $(ADOPT_SQL) > $@.tmp && mv $@.tmp $@

$(O)/adopt-sql.o: $(O)/adopt-sql.c $(O)/build-flags
	$(QCC)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BIN): $(O)/main.o $(LIB_OBJ) $(O)/build-flags
	$(QCC)$(CC) $(ALL_LDFLAGS) -o $@ $(O)/main.o $(LIB_OBJ) $(DEP_LIBS)

# the program that runs a Slurm group job's builds on its node
# (src/os/group-runner.c): linked from an archive, so that it takes only
# what it uses (no libpq, no libyaml)
$(O)/libcascade.a: $(LIB_OBJ)
	$(Q)rm -f $@ && $(AR) rcs $@ $(LIB_OBJ)

$(O)/cascade-group-runner: $(O)/group-runner.o $(O)/libcascade.a $(O)/build-flags
	$(QCC)$(CC) $(ALL_LDFLAGS) -o $@ $(O)/group-runner.o $(O)/libcascade.a

# cascade runs dbprocessing inspector modules with the adapter beside its
# own executable (as installed): the build tree has a copy there too
$(O)/cascade-dbp-inspector: scripts/cascade-dbp-inspector | $(O)/.dir
	$(Q)cp $< $@ && chmod 0755 $@

$(O)/tests/unit-suites.h: $(UNIT_SRC) $(O)/.dir
	@for f in $(UNIT_SRC); do \
		n=$$(basename $$f .c | sed 's/^test-//; s/-/_/g'); \
		echo "SUITE($$n)"; done > $@.tmp; \
	cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@

$(O)/tests/%.o: tests/unit/%.c $(O)/tests/unit-suites.h $(O)/build-flags | $(O)/.dir
	$(QCC)$(CC) $(ALL_CFLAGS) $(CUNIT_CFLAGS) -Itests/unit -I$(O)/tests -c -o $@ $<

$(UNIT_BIN): $(UNIT_OBJ) $(LIB_OBJ)
	$(QCC)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CUNIT_LIBS) $(DEP_LIBS)

# the executor driver of the Slurm tests and bench/slurm
# (tests/slurm/exec-driver.c)
$(O)/exec-driver: tests/slurm/exec-driver.c $(LIB_OBJ)
	$(QCC)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIB_OBJ) $(DEP_LIBS)

# check, demo and check-package first make sure the Debian packages they
# need are there (a no-op when they are; needs root only to install what
# is missing); "make deps" installs all of them
deps:
	@sh scripts/install-deps.sh

deps-demo:
	@sh scripts/install-deps.sh demo

deps-test:
	@sh scripts/install-deps.sh test

deps-package:
	@sh scripts/install-deps.sh package

check: deps-test
	@$(MAKE) --no-print-directory WERROR=-Werror check-unit check-fuzz-replay \
		check-fuzz-selftest check-layering check-functions check-man \
		check-completion check-integration check-chaos-short

# no function in src/ longer than 120 lines but those listed in
# scripts/long-functions.txt (a list that may only shrink)
check-functions:
	@sh scripts/function-lengths.sh -c

check-unit: $(UNIT_BIN)
	$(UNIT_BIN)

# every fuzz target's corpus (seeds and past crashes) replayed as a test
FUZZ_TARGETS := $(patsubst tests/fuzz/fuzz-%.c,%,$(wildcard tests/fuzz/fuzz-*.c))

$(O)/fuzz-replay-%: tests/fuzz/replay.c tests/fuzz/fuzz-%.c $(LIB_OBJ)
	$(QCC)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ tests/fuzz/replay.c \
		tests/fuzz/fuzz-$*.c $(LIB_OBJ) $(DEP_LIBS)

check-fuzz-replay: $(patsubst %,$(O)/fuzz-replay-%,$(FUZZ_TARGETS))
	@for t in $(FUZZ_TARGETS); do \
		$(O)/fuzz-replay-$$t tests/fuzz/corpus/$$t || exit 1; done; \
		echo "fuzz corpus replay: ok ($(FUZZ_TARGETS))"

# libFuzzer builds (clang and libclang-rt-14-dev), under ASan and UBSan
# with every report fatal, so that a finding stops the target and leaves
# its input in $(O)/fuzz/artifacts/TARGET/.  "make fuzz FUZZ_TIME=60" runs
# every target that long and fails if any found something; "make
# fuzz-selftest" shows that it does (a planted bug must be found and a
# clean tree must build), check-fuzz-selftest is its quick part.
FUZZ_CC ?= clang
FUZZ_TIME ?= 60
FUZZ_O = $(O)/fuzz
FUZZ_CFLAGS = -g -O1 -std=c17 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
	-MMD -MP $(SRC_INC) -I$(O) $(DEP_CFLAGS) -fsanitize=address,undefined \
	-fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_LIB_OBJ := $(patsubst %.c,$(FUZZ_O)/obj/%.o,$(notdir $(LIB_SRC))) \
	$(FUZZ_O)/obj/schema-sql.o $(FUZZ_O)/obj/adopt-sql.o

fuzz: $(patsubst %,$(FUZZ_O)/fuzz-%,$(FUZZ_TARGETS))
	@sh tests/fuzz/run.sh $(FUZZ_TIME) $(FUZZ_O) $(FUZZ_TARGETS)

# built by pattern rules only: without this make deletes them after use
.SECONDARY: $(FUZZ_LIB_OBJ)

$(FUZZ_O)/.dir:
	@mkdir -p $(FUZZ_O)/obj
	@touch $@

$(FUZZ_O)/obj/%.o: %.c $(O)/version-gen.h | $(FUZZ_O)/.dir
	$(QCC)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_O)/obj/schema-sql.o: $(O)/schema-sql.c | $(FUZZ_O)/.dir
	$(QCC)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_O)/obj/adopt-sql.o: $(O)/adopt-sql.c | $(FUZZ_O)/.dir
	$(QCC)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_O)/fuzz-%: tests/fuzz/fuzz-%.c $(FUZZ_LIB_OBJ)
	$(QCC)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< \
		$(FUZZ_LIB_OBJ) $(DEP_LIBS)

# the self-test's target: clean, or with one planted bug (only here)
$(FUZZ_O)/fuzz-selftest-%: tests/fuzz/selftest.c | $(FUZZ_O)/.dir
	$(QCC)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer \
		-DFUZZ_SELFTEST_$* -o $@ $<

check-fuzz-selftest:
	@MAKE="$(MAKE)" FUZZ_CC="$(FUZZ_CC)" sh tests/fuzz/selftest.sh $(O)

fuzz-selftest:
	@MAKE="$(MAKE)" FUZZ_CC="$(FUZZ_CC)" sh tests/fuzz/selftest.sh \
		--clean-tree $(O)

check-layering:
	sh scripts/check-layering.sh

check-man:
	@if command -v mandoc >/dev/null 2>&1; then \
		mandoc -Tlint -W warning $(MAN) && echo "man pages: ok"; \
	else echo "mandoc not installed: man page lint skipped"; fi

check-integration: $(BIN) $(O)/cascade-dbp-inspector $(O)/exec-driver $(O)/cascade-group-runner
	CASCADE=$(abspath $(BIN)) EXEC_DRIVER=$(abspath $(O)/exec-driver) GROUP_RUNNER=$(abspath $(O)/cascade-group-runner) CASCADE_TEST_ARTEFACTS=$(abspath $(O))/test-artefacts bash tests/integration/run.sh $(T)

# The chaos suite (tests/chaos/chaos.py, see docs/architecture.md): faults
# at seeded random instants, each trial's end state compared with an
# uninterrupted run.  check-chaos runs >= CHAOS_POINTS (500) kill points
# and prints the tallies; CHAOS_SEED, CHAOS_TRIAL and CHAOS_FAMILY select.
# The short seeded selection (about 25 s) is part of check;
# CASCADE_CHAOS_SHORT=0 leaves it out.
CASCADE_CHAOS_SHORT ?= 1
CHAOS_ENV = CASCADE=$(abspath $(BIN)) CHAOS_SEED=$(CHAOS_SEED) CHAOS_POINTS=$(CHAOS_POINTS) \
	CHAOS_TRIAL='$(CHAOS_TRIAL)' CHAOS_FAMILY='$(CHAOS_FAMILY)'

check-chaos: deps-test $(BIN)
	$(CHAOS_ENV) python3 tests/chaos/chaos.py

# Kill chaos for the Slurm executor (tests/chaos/slurm-kill.sh) on a
# private cluster: three fixed rounds, then CHAOS_SLURM_ROUNDS seeded
# ones; 115-slurm-kill runs the last fixed one in make check.
CHAOS_SLURM_ROUNDS ?= 30
CHAOS_SLURM_FIXED = slurm-submitted@2 slurm-submitted@1/recover-decided \
	build-started@2/recover-recorded
CHAOS_SEED ?= 1
check-chaos-slurm: $(BIN)
	CASCADE=$(abspath $(BIN)) ROUNDS='$(CHAOS_SLURM_FIXED)' \
		N=$(CHAOS_SLURM_ROUNDS) SEED=$(CHAOS_SEED) \
		pg_virtualenv -t bash tests/chaos/slurm-kill.sh

check-chaos-short: $(BIN)
	@python3 tests/chaos/chaos.py --selftest
	@if [ "$(CASCADE_CHAOS_SHORT)" = 1 ]; then \
		$(CHAOS_ENV) python3 tests/chaos/chaos.py --short; \
	else echo "chaos short selection: skipped (CASCADE_CHAOS_SHORT=0)"; fi

# Installed text names installed paths: the source says /usr/local (the
# default PREFIX), install writes this installation's directories.
SUBST = sed -e 's|/usr/local/share/doc/cascade|$(DOCDIR)|g' \
	-e 's|/usr/local/share/man|$(MANDIR)|g' \
	-e 's|/usr/local/bin|$(BINDIR)|g' \
	-e 's|/usr/local/etc|$(SYSCONFDIR)|g' \
	-e 's|/usr/local/libexec|$(LIBEXECDIR)|g' \
	-e 's|/usr/local/share|$(DATADIR)|g' \
	-e 's|/usr/local|$(PREFIX)|g'
EXAMPLES = $(wildcard config/*.yaml config/*.example) scripts/crontab.example \
	scripts/cascade.logrotate \
	scripts/cascade-processqueue.service scripts/cascade-processqueue.timer \
	scripts/cascade-watch@.service
# a manual page's other names (.Nm in its NAME section: cascade-purge(1)
# is also cascade-prune(1), cascade-process-queue(1) is ProcessQueue(1))
MAN_NAMES = sed -n '/^\.Sh NAME/,/^\.Nd/s/^\.Nm \([A-Za-z][A-Za-z-]*\).*/\1/p'

install: $(BIN) $(O)/cascade-group-runner
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBEXECDIR)/cascade \
		$(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7 \
		$(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(BASHCOMPDIR)
	$(INSTALL) -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/cascade
	ln -sf cascade $(DESTDIR)$(BINDIR)/ProcessQueue
	$(INSTALL) -m 0755 $(O)/cascade-group-runner \
		$(DESTDIR)$(LIBEXECDIR)/cascade/cascade-group-runner
	for f in $(MAN); do s=$${f##*.}; \
		$(SUBST) $$f > $(DESTDIR)$(MANDIR)/man$$s/$${f##*/} && \
		chmod 0644 $(DESTDIR)$(MANDIR)/man$$s/$${f##*/} || exit 1; done
	for f in $(MAN); do s=$${f##*.}; b=$${f##*/}; \
		for n in $$($(MAN_NAMES) $$f); do \
			[ "$$n.$$s" = "$$b" ] || ln -sf $$b $(DESTDIR)$(MANDIR)/man$$s/$$n.$$s; \
		done; done
	for f in $(EXAMPLES); do \
		$(SUBST) $$f > $(DESTDIR)$(DOCDIR)/examples/$${f##*/} && \
		chmod 0644 $(DESTDIR)$(DOCDIR)/examples/$${f##*/} || exit 1; done
	for f in docs/architecture.md docs/from-dbprocessing.md; do \
		$(SUBST) $$f > $(DESTDIR)$(DOCDIR)/$${f##*/} && \
		chmod 0644 $(DESTDIR)$(DOCDIR)/$${f##*/} || exit 1; done
	$(INSTALL) -m 0755 scripts/cascade-flag.sh \
		$(DESTDIR)$(BINDIR)/cascade-flag
	$(INSTALL) -m 0755 scripts/cascade-queue.sh \
		$(DESTDIR)$(BINDIR)/cascade-queue
	$(INSTALL) -m 0755 scripts/cascade-dbp-inspector \
		$(DESTDIR)$(BINDIR)/cascade-dbp-inspector
	$(INSTALL) -m 0644 scripts/cascade.bash-completion \
		$(DESTDIR)$(BASHCOMPDIR)/cascade
	ln -sf cascade $(DESTDIR)$(BASHCOMPDIR)/ProcessQueue

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/cascade $(DESTDIR)$(BINDIR)/ProcessQueue \
		$(DESTDIR)$(BINDIR)/cascade-flag $(DESTDIR)$(BINDIR)/cascade-queue \
		$(DESTDIR)$(BINDIR)/cascade-dbp-inspector \
		$(DESTDIR)$(BASHCOMPDIR)/cascade $(DESTDIR)$(BASHCOMPDIR)/ProcessQueue \
		$(DESTDIR)$(LIBEXECDIR)/cascade/cascade-group-runner
	-rmdir $(DESTDIR)$(LIBEXECDIR)/cascade
	for f in $(MAN); do s=$${f##*.}; \
		rm -f $(DESTDIR)$(MANDIR)/man$$s/$${f##*/}; \
		for n in $$($(MAN_NAMES) $$f); do \
			rm -f $(DESTDIR)$(MANDIR)/man$$s/$$n.$$s; \
		done; done
	rm -rf $(DESTDIR)$(DOCDIR)

# the bash completion, driven as bash drives it
check-completion: $(BIN)
	@CASCADE=$(abspath $(BIN)) bash tests/completion.sh

# the Debian package (debian/): built from a copy of the tree with
# dpkg-buildpackage, checked with lintian, installed into a throwaway
# root and run from there; CI runs it (.ci/run), make check does not
check-package: deps-package
	@sh scripts/check-package.sh

# The demo: everything under demo/ in this clone; as root the cluster
# lives in /var/tmp/cascade-demo-pg-<a hash of this clone's path>, with a
# port derived from it too, so that clones never share a cluster
demo: deps-demo
	@$(MAKE) --no-print-directory $(BIN)
	@CASCADE=$(abspath $(BIN)) sh scripts/demo.sh

demo-stop:
	@sh scripts/demo.sh stop

demo-clean:
	@sh scripts/demo.sh clean

clean:
	rm -rf build build-san

format:
	clang-format -i src/*/*.c src/*/*.h tests/unit/*.c

format-check:
	clang-format --dry-run --Werror src/*/*.c src/*/*.h tests/unit/*.c

.PHONY: all deps deps-demo deps-test deps-package check check-unit \
	check-fuzz-replay fuzz fuzz-selftest check-fuzz-selftest \
	check-layering check-functions check-man check-integration check-chaos \
	check-chaos-short check-chaos-slurm check-completion check-package \
	install uninstall demo demo-stop demo-clean clean format format-check FORCE

FORCE:

-include $(LIB_OBJ:.o=.d) $(O)/main.d $(UNIT_OBJ:.o=.d) $(FUZZ_LIB_OBJ:.o=.d)

# weir — one Makefile.
#   make          build ./weir (optimised, warnings as errors)
#   make test     install deps, build with sanitizers, run every test
#   make run      install deps, build, start the main job: broker (data in ./data), sample
#                 turnstile producer and the examples/turnstile pipeline (WINDOW=, SLIDE=, RATE=)
#   make bench    run the benchmarks (ratios against peers run side by side)
#   make fuzz     run a fuzzer for longer (FUZZ=request|sql|exec, FUZZ_SECONDS=600)
#
# Objects go to build/<flavour>/; the library is every src/**/*.c except the
# program entry point, so tests and benchmarks link exactly what weir links.

CC      ?= cc
CSTD     = -std=c11 -D_GNU_SOURCE
WARN     = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-parameter -Wno-override-init -Wno-format-truncation
INCS     = -Isrc
CFLAGS_COMMON = $(CSTD) $(WARN) $(INCS) -fno-strict-aliasing -pthread -MMD -MP
LIBS     = -lrdkafka -lz -lzstd -llz4 -lsnappy -lssl -lcrypto -lm -pthread

REL_CFLAGS  = $(CFLAGS_COMMON) -O2 -g
TEST_CFLAGS = $(CFLAGS_COMMON) -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
TEST_LDFLAGS = -fsanitize=address,undefined

LIB_SRC  = $(shell find src -name '*.c' ! -path 'src/cli/main.c' | sort)
MAIN_SRC = src/cli/main.c
UNIT_SRC = $(sort $(wildcard tests/unit/*.c))

REL_OBJ  = $(LIB_SRC:%.c=build/rel/%.o)
TEST_OBJ = $(LIB_SRC:%.c=build/test/%.o)
UNIT_OBJ = $(UNIT_SRC:%.c=build/test/%.o)

.PHONY: all test run bench deps clean fuzz fuzzers unit
all: weir

weir: $(REL_OBJ) build/rel/src/cli/main.o
	@echo "LD $@"
	@$(CC) -o $@ $^ $(LIBS)

build/weir-test: $(TEST_OBJ) build/test/src/cli/main.o
	@echo "LD $@"
	@$(CC) $(TEST_LDFLAGS) -o $@ $^ $(LIBS)

build/unit-tests: $(TEST_OBJ) $(UNIT_OBJ)
	@echo "LD $@"
	@$(CC) $(TEST_LDFLAGS) -o $@ $^ $(LIBS)

build/rel/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "CC $<"
	@$(CC) $(REL_CFLAGS) -c -o $@ $<

build/test/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "CC [test] $<"
	@$(CC) $(TEST_CFLAGS) -Itests/unit -c -o $@ $<

# The turnstile example's sample data generator (examples/turnstile/).
build/turnstile-producer: examples/turnstile/producer.c
	@mkdir -p build
	@echo "CC $<"
	@$(CC) $(CSTD) $(WARN) -O2 -g -o $@ $< -lrdkafka

# libFuzzer targets (clang only): tests/fuzz/fuzz_NAME.c -> build/fuzz-NAME,
# linked against the library built with clang's fuzzer instrumentation.
FUZZ_CFLAGS = $(CSTD) $(INCS) -Wno-initializer-overrides -fno-strict-aliasing -pthread -g -O1 \
              -fsanitize=fuzzer-no-link,address,undefined
FUZZ_OBJ = $(LIB_SRC:%.c=build/fuzz/%.o)
FUZZERS = $(patsubst tests/fuzz/fuzz_%.c,build/fuzz-%,$(wildcard tests/fuzz/fuzz_*.c))

build/fuzz/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "CLANG [fuzz] $<"
	@clang $(FUZZ_CFLAGS) -c -o $@ $<

build/fuzz/libweir.a: $(FUZZ_OBJ)
	@rm -f $@
	@ar rcs $@ $^

build/fuzz-%: tests/fuzz/fuzz_%.c build/fuzz/libweir.a
	@echo "CLANG fuzz $@"
	@clang $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined -o $@ $< build/fuzz/libweir.a $(LIBS)

fuzzers: $(FUZZERS)

deps:
	@scripts/deps.sh

unit: build/unit-tests
	build/unit-tests

test: deps
	@$(MAKE) --no-print-directory weir build/weir-test build/unit-tests fuzzers build/turnstile-producer
	@tests/run.sh

# make run [WINDOW='1 minute'] [SLIDE=...] [RATE=300]: broker + sample producer + turnstile pipeline
WINDOW ?= 1 minute
SLIDE  ?= $(WINDOW)
RATE   ?= 300
run: deps
	@$(MAKE) --no-print-directory weir build/turnstile-producer
	@scripts/run-demo.sh "$(WINDOW)" "$(SLIDE)" "$(RATE)"

bench: deps
	@$(MAKE) --no-print-directory weir build/loadgen build/mock_broker build/txn_bench
	@bench/run.sh

# benchmark tools: the load generator and the mock broker peer (compiled from
# ../shared/peers at bench time, never copied into the tree)
PEERS ?= ../shared/peers
# transactional vs idempotent produce (bench/eos.sh)
build/txn_bench: bench/txn_bench.c
	@mkdir -p build
	@echo "CC $<"
	@$(CC) $(CSTD) $(WARN) -O2 -g -o $@ $< -lrdkafka

build/loadgen: bench/loadgen.c
	@mkdir -p build
	@echo "CC $<"
	@$(CC) $(CSTD) $(WARN) -O2 -g -o $@ $< -lrdkafka -pthread

build/mock_broker: $(PEERS)/mock_broker.c
	@mkdir -p build
	@echo "CC $<"
	@$(CC) -O2 -g -o $@ $< -lrdkafka

# make fuzz FUZZ=sql FUZZ_SECONDS=600: one target for longer (request, sql, exec)
fuzz: fuzzers
	mkdir -p build/fuzz-corpus-$${FUZZ:-request}
	build/fuzz-$${FUZZ:-request} -max_total_time=$${FUZZ_SECONDS:-600} build/fuzz-corpus-$${FUZZ:-request} \
	    $$( [ "$${FUZZ:-request}" = request ] && echo tests/fuzz/corpus || echo tests/sql )

clean:
	rm -rf build weir

-include $(shell find build -name '*.d' 2>/dev/null)

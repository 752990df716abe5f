# Top-level Makefile: a thin wrapper around CMake.
#   make          build library, CLI and tests into build/
#   make check    run every test, then again under ASan+UBSan (build-asan/),
#                 then the -j tests under ThreadSanitizer (build-tsan/)
#   make demo     run the main job on an example bounce
#   make fuzz     build the libFuzzer targets (build-fuzz/) and run each
#                 FUZZ_SECONDS (60) with fuzz/run.sh
#   make install  install library, header, pkg-config file, CLI, man pages
# On a fresh Debian machine the needed packages are installed first.

BUILD      ?= build
ASAN_BUILD ?= build-asan
TSAN_BUILD ?= build-tsan
FUZZ_BUILD ?= build-fuzz
PREFIX     ?= /usr/local
GENERATOR  := $(shell command -v ninja >/dev/null 2>&1 && echo "-G Ninja")
SUDO       := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps build check check-plain check-asan check-tsan demo fuzz fuzz-smoke install clean regen

all: build

# Install the build tools when one is missing (Debian).
deps:
	@missing=""; \
	for t in cmake:cmake cc:gcc c++:g++ make:make python3:python3 ninja:ninja-build; do \
	  cmd=$${t%%:*}; pkg=$${t#*:}; \
	  command -v $$cmd >/dev/null 2>&1 || missing="$$missing $$pkg"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

build: deps
	@[ -f $(BUILD)/CMakeCache.txt ] || cmake -S . -B $(BUILD) $(GENERATOR) -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(BUILD)

check: check-plain check-asan check-tsan

check-plain: build
	ctest --test-dir $(BUILD) --output-on-failure

check-asan: deps
	@[ -f $(ASAN_BUILD)/CMakeCache.txt ] || cmake -S . -B $(ASAN_BUILD) $(GENERATOR) -DCMAKE_BUILD_TYPE=Debug -DSMTPSTATUS_SANITIZE=ON
	cmake --build $(ASAN_BUILD)
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --test-dir $(ASAN_BUILD) --output-on-failure

# Parallel analysis (-j N) under ThreadSanitizer: the CLI only, then
# tests/t_jobs.sh (same output as -j 1, no race report).
check-tsan: deps
	@[ -f $(TSAN_BUILD)/CMakeCache.txt ] || cmake -S . -B $(TSAN_BUILD) $(GENERATOR) -DCMAKE_BUILD_TYPE=Debug -DSMTPSTATUS_TSAN=ON -DSMTPSTATUS_TESTS=OFF
	cmake --build $(TSAN_BUILD) --target smtpstatus
	bash tests/t_jobs.sh $(TSAN_BUILD)/smtpstatus $(CURDIR)

demo: build
	@echo '$$ smtpstatus explain "550-5.1.1 The email account that you tried to reach does not exist."'
	@$(BUILD)/smtpstatus explain '550-5.1.1 The email account that you tried to reach does not exist.'
	@echo
	@echo '$$ smtpstatus bounce --format table tests/fixtures/bounce'
	@$(BUILD)/smtpstatus bounce --format table --stats tests/fixtures/bounce

# The library is built with -fsanitize=fuzzer-no-link too, so that the
# fuzzer sees coverage inside it.  FUZZ_SECONDS per target, 2 at a time.
FUZZ_SECONDS ?= 60
fuzz: deps
	@command -v clang >/dev/null 2>&1 || $(SUDO) apt-get install -y -qq clang
	@[ -f $(FUZZ_BUILD)/CMakeCache.txt ] || CC=clang CXX=clang++ cmake -S . -B $(FUZZ_BUILD) $(GENERATOR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSMTPSTATUS_FUZZ=ON -DSMTPSTATUS_SANITIZE=ON -DSMTPSTATUS_TESTS=OFF -DCMAKE_C_FLAGS=-fsanitize=fuzzer-no-link
	cmake --build $(FUZZ_BUILD)
	FUZZ_BUILD=$(FUZZ_BUILD) fuzz/run.sh $(FUZZ_SECONDS)

# A few seconds per target (also part of the plain `make check` via ctest).
fuzz-smoke:
	bash tests/t_fuzz_smoke.sh - $(CURDIR)

# The prefix is set at configure time too, so that smtpstatus.pc names it.
install: build
	cmake -S . -B $(BUILD) -DCMAKE_INSTALL_PREFIX=$(PREFIX) >/dev/null
	cmake --build $(BUILD)
	cmake --install $(BUILD)

# Regenerate the C tables from the data files.
regen:
	python3 tools/gen_registry.py
	python3 tools/gen_phrases.py

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD) $(FUZZ_BUILD)

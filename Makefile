# Swiftlet: build, test, demo and benchmark. CI runs `make test` (via .ci/run) as root on a
# fresh Debian bookworm machine with only Swift and gcc, so everything else comes from `deps`.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
export DEBIAN_FRONTEND := noninteractive

SWIFT ?= swift

# Every Debian package the build, the tests, `up` and `bench` need. One list: add new ones here.
#   pkg-config + *-dev: the system library modules in Package.swift
#   busybox-static, gcc, libc6-dev: the root tests' rootfs fixture (static busybox, `cc -static` sysprobe)
#   runc: `runc spec` for bundles and the benchmark's reference
#   iproute2: network setup in the node agent
#   python3: JSON edits and timing in `up` and `bench`; time: GNU time, peak RSS in `bench`
#   curl openssl: the HTTPS tests (raw requests, throw-away CAs); kubectl: the real client every API
#     test drives (/usr/bin/kubectl on these machines; Debian's kubernetes-client where it is missing)
#   docker-registry skopeo umoci python3-bcrypt python3-cryptography: the registry tests (a real
#     registry, images built and pushed with umoci/skopeo, htpasswd via bcrypt, signed tokens)
#   etcd-server etcd-client: etcdctl drives our store in the EtcdAPI tests; a real etcd is what
#     EtcdClient is tested and the store benchmarked against
DEPS := pkg-config libseccomp-dev libcap-dev libnl-3-dev libnl-route-3-dev libcurl4-openssl-dev \
        busybox-static runc gcc libc6-dev iproute2 python3 time \
        docker-registry skopeo umoci python3-bcrypt python3-cryptography etcd-server etcd-client \
        curl openssl

# The release binary links the Swift runtime and Foundation statically: it runs a container
# ~4-5 ms faster than the dynamically linked one (fewer shared objects to load and relocate).
RELEASE_FLAGS := -c release -Xswiftc -static-stdlib
RELEASE_BIN := .build/release/swiftlet
# The OCI runtime CLI alone (NodeAgent, no control plane): what an agent execs per container
# operation, and what `swiftlet runtime` forwards to; it must stay beside RELEASE_BIN.
RELEASE_RUNTIME_BIN := .build/release/swiftlet-runtime

# apt-get needs root; use sudo only when we are not root already.
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: deps build release test bench up runtime-demo clean

# Fast when everything is present: one dpkg-query per package, no apt-get update.
deps:
	@missing=""; \
	for p in $(DEPS); do \
	  [ "$$(dpkg-query -W -f='$${Status}' "$$p" 2>/dev/null)" = "install ok installed" ] || missing="$$missing $$p"; \
	done; \
	command -v kubectl >/dev/null || missing="$$missing kubernetes-client"; \
	if [ -z "$$missing" ]; then echo "deps: all present"; exit 0; fi; \
	echo "deps: installing$$missing"; \
	$(SUDO) apt-get update -q; \
	$(SUDO) apt-get install -y -q --no-install-recommends $$missing

build: deps
	$(SWIFT) build

# Every product: swiftlet and swiftlet-runtime.
release: deps
	$(SWIFT) build $(RELEASE_FLAGS)

# `swift test` exits non-zero on any failure; keep its status through the pipe (pipefail) and
# print Swift Testing's summary line again at the end, where a reader of the CI log looks.
test: build
	@mkdir -p .build
	@status=0; $(SWIFT) test --no-parallel 2>&1 | tee .build/test.log || status=$$?; \
	echo "----"; \
	grep -aE 'Test run with [0-9]+ tests?' .build/test.log | tail -n 1 || echo "no Swift Testing summary line found"; \
	exit $$status

bench: release
	bench/runtime.sh $(RELEASE_RUNTIME_BIN)
	bench/images.sh $(RELEASE_BIN)
	bench/store.sh $(RELEASE_BIN)
	bench/apiserver.sh $(RELEASE_BIN)
	bench/scheduler.sh $(RELEASE_BIN)

# Today: a smoke demo of the container runtime. Will start the single-node cluster once the
# API server lands.
up: build
	scripts/up.sh .build/debug/swiftlet

runtime-demo: build
	scripts/runtime-demo.sh .build/debug/swiftlet-runtime

clean:
	rm -rf .build

#!/bin/bash
# Checks the Dockerfile's two stages the nearest honest way where no registry for base images is reachable:
#   1. a Debian bookworm root made with debootstrap, holding what python:3.11-slim-bookworm holds for this
#      purpose (python3.11, venv, pip, CA certificates), runs docker/builder.sh's steps in a chroot, as the
#      builder stage does, and makes the wheels (llama-cpp-python compiled from source);
#   2. a SECOND fresh bookworm root with no compiler runs docker/runtime.sh's steps, as the runtime stage does,
#      with the builder's wheels bind-mounted where the stage mounts them, then starts `gazette serve` on the
#      tiny profile as the unprivileged user and checks /healthz, /readyz, a translation and the image's
#      HEALTHCHECK command, and stops it.
# Not the same as `docker build`: Debian's python3.11 instead of the image's /usr/local build of it, and the
# PyTorch CPU index (not reachable here) replaced by a local index holding this machine's torch wheel.
#
# Usage (root): scripts/check_image.sh 2>&1 | tee check.log
# Heavy steps run under `nice -n 19 ionice -c3`: the machine is shared. Roots go under $CHECK_DIR
# (/var/tmp/gazette-image-check) and are removed on exit, with every mount made; a rerun first clears what a
# killed run left. GAZETTE_CHECK_KEEP=1 keeps the roots (mounts are still undone) for a look afterwards.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
CHECK_DIR=${GAZETTE_CHECK_DIR:-/var/tmp/gazette-image-check}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
PORT=${GAZETTE_CHECK_PORT:-18728}
KEEP=${GAZETTE_CHECK_KEEP:-0}
BUILDER=$CHECK_DIR/builder
RUNTIME=$CHECK_DIR/runtime
# What python:3.11-slim-bookworm carries that these steps use: python3.11 with venv and pip, TLS roots,
# /etc/services and time zones. python3-pip pulls no compiler (build-essential is only Recommended).
BASE_PACKAGES=python3.11,python3.11-venv,python3-pip,ca-certificates,netbase,tzdata
# This machine's local package indexes (see `pip config list`), offered inside the roots read-only, and its
# wheel folder, which holds the torch wheel. That folder is not made a find-links source inside: torch must come
# through TORCH_INDEX_URL, as in the image, or not at all.
LOCAL_PIP_DIRS=(/opt/pypi /opt/pypi-more /opt/wheels)
TORCH_WHEEL_GLOB=/opt/wheels/torch-2.13.0+cpu-cp311-cp311-*.whl
NICE=(nice -n 19 ionice -c3)

say() { printf 'check [%s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }
die() { say "FAILED: $*"; exit 1; }

[[ $(id -u) == 0 ]] || die "run as root (debootstrap, chroot and mount need it)"
command -v debootstrap >/dev/null || die "debootstrap missing: apt-get install debootstrap"
# shellcheck disable=SC2206  # the glob is meant to expand
torch_wheels=($TORCH_WHEEL_GLOB)
[[ -f ${torch_wheels[0]} ]] || die "no $TORCH_WHEEL_GLOB on this machine"
TORCH_WHEEL=${torch_wheels[0]}
if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then die "port $PORT is taken (GAZETTE_CHECK_PORT=...)"; fi

# --- clean-up, on every exit and before a rerun ---------------------------------------------------------

server_pid=
# Mount points below $CHECK_DIR, deepest (last mounted) first. Read from the kernel, not from a list kept
# here, so that a rerun also undoes the mounts of a run that was killed before its trap could.
mounts_below() { awk -v d="$CHECK_DIR/" 'index($2, d) == 1 { print $2 }' /proc/self/mounts | tac; }

release() {
    if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then kill -KILL "$server_pid" || true; fi
    # A server a killed run left running, found by its root directory.
    local p
    for p in /proc/[0-9]*; do
        [[ $(readlink "$p/root" 2>/dev/null) == "$CHECK_DIR"/* ]] && kill -KILL "${p#/proc/}" 2>/dev/null || true
    done
    local m
    while read -r m; do
        [[ -n $m ]] || continue
        umount "$m" 2>/dev/null || umount -l "$m" || say "could not unmount $m"
    done < <(mounts_below)
    if [[ -n $(mounts_below) ]]; then
        say "mounts left below $CHECK_DIR; not removing it"
        return 1
    fi
}

remove_roots() {
    # --one-file-system: never follow into anything still mounted (a bind of /opt/wheels, /dev).
    rm -rf --one-file-system "$CHECK_DIR"
}

on_exit() {
    local rc=$?
    trap - EXIT
    set +e
    if release; then
        if [[ $KEEP == 1 ]]; then say "kept the roots under $CHECK_DIR"; else remove_roots; fi
    fi
    exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT TERM

release || die "could not clear what an earlier run left under $CHECK_DIR"
remove_roots
mkdir -p "$CHECK_DIR"

# --- helpers -----------------------------------------------------------------------------------------------

declare -a timings=()
step_started=0
step() { step_started=$SECONDS; say "== $*"; }
done_step() { local t=$((SECONDS - step_started)); timings+=("$(printf '%5d s  %s' "$t" "$1")"); say "   done in ${t} s"; }

make_root() {
    local root=$1
    mkdir -p "$root"
    "${NICE[@]}" debootstrap --variant=minbase --include="$BASE_PACKAGES" bookworm "$root" "$MIRROR"
    # The same mirror for the steps' own apt-get, with security updates, as the image's sources have.
    rm -f "$root/etc/apt/sources.list"
    cp /etc/apt/sources.list.d/debian.sources "$root/etc/apt/sources.list.d/debian.sources"
    # This machine's mirror serves a dated snapshot whose Release files are past their Valid-Until.
    [[ -f /etc/apt/apt.conf.d/99artifact-registry ]] && cp /etc/apt/apt.conf.d/99artifact-registry "$root/etc/apt/apt.conf.d/"
    cp /etc/resolv.conf "$root/etc/resolv.conf"
    # TLS roots of this machine (pip is configured with them here): PyPI is reached through them.
    cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/host-ca-certificates.crt"
}

mount_system() {
    local root=$1
    mount -t proc proc "$root/proc"
    mount -t sysfs -o ro sysfs "$root/sys"
    mount --bind /dev "$root/dev"
    mount -t devpts -o newinstance,ptmxmode=0666 devpts "$root/dev/pts"
    mount -t tmpfs -o mode=1777 tmpfs "$root/dev/shm"
}

bind_ro() {
    local src=$1 dst=$2
    mkdir -p "$dst"
    mount --bind "$src" "$dst"
    mount -o remount,bind,ro "$dst"
}

# Runs a command in a root as the image would: a clean environment holding what the stage's ENV and ARG
# lines set, plus this machine's pip configuration (local indexes, TLS roots).
in_root() {
    local root=$1
    shift
    "${NICE[@]}" chroot "$root" /usr/bin/env -i \
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
        PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_DEFAULT_TIMEOUT=180 \
        PIP_CERT=/etc/ssl/certs/host-ca-certificates.crt \
        PIP_EXTRA_INDEX_URL="file:///opt/pypi/simple file:///opt/pypi-more/simple" \
        "${STAGE_ENV[@]}" \
        /bin/bash -c "$*"
}

total_started=$SECONDS

# --- 1. the builder stage ------------------------------------------------------------------------------

step "builder root: debootstrap bookworm (minbase + $BASE_PACKAGES)"
make_root "$BUILDER"
done_step "builder root (debootstrap)"

mount_system "$BUILDER"
for d in "${LOCAL_PIP_DIRS[@]}"; do bind_ro "$d" "$BUILDER$d"; done
# The PyTorch CPU index is not reachable here: a one-project index in its format, holding this machine's
# torch 2.13.0+cpu wheel, stands in for it through the same TORCH_INDEX_URL build argument.
mkdir -p "$BUILDER/opt/torch-index/torch"
printf '<!DOCTYPE html><html><body><a href="file://%s">%s</a></body></html>\n' \
    "$TORCH_WHEEL" "$(basename "$TORCH_WHEEL")" >"$BUILDER/opt/torch-index/torch/index.html"
STAGE_ENV=(TORCH_INDEX_URL=file:///opt/torch-index/)

# What the builder stage's COPY lines bring in, from this working tree.
install -m 0755 "$REPO/docker/builder.sh" "$BUILDER/usr/local/bin/gazette-builder"
mkdir -p "$BUILDER/src"
tar -C "$REPO" --exclude=__pycache__ --exclude='*.pyc' -cf - pyproject.toml README.md service eval |
    tar -C "$BUILDER/src" -xf -

for s in system venv torch; do
    step "builder: gazette-builder $s"
    in_root "$BUILDER" "gazette-builder $s"
    done_step "builder: $s"
done
step "builder: gazette-builder wheels (compiles llama-cpp-python)"
in_root "$BUILDER" "cd /src && gazette-builder wheels"
done_step "builder: wheels"

# The wheels are what the runtime stage gets: torch's CPU build alone, llama.cpp built, no CUDA.
shopt -s nullglob
w=("$BUILDER"/wheels/torch-*.whl)
[[ ${#w[@]} == 1 && ${w[0]} == *+cpu-* ]] || die "expected one torch +cpu wheel, found: ${w[*]:-none}"
w=("$BUILDER"/wheels/nvidia_* "$BUILDER"/wheels/nvidia-*)
[[ ${#w[@]} == 0 ]] || die "CUDA wheels among the wheels: ${w[*]}"
w=("$BUILDER"/wheels/llama_cpp_python-0.3.36-*linux*.whl)
[[ ${#w[@]} == 1 ]] || die "no platform wheel of llama-cpp-python 0.3.36"
shopt -u nullglob
say "wheels: $(find "$BUILDER/wheels" -name '*.whl' | wc -l) files, $(du -sh "$BUILDER/wheels" | cut -f1); $(basename "${w[0]}")"

# --- 2. the runtime stage, in a fresh root without compilers -----------------------------------------------

step "runtime root: debootstrap bookworm (minbase + $BASE_PACKAGES)"
make_root "$RUNTIME"
done_step "runtime root (debootstrap)"

mount_system "$RUNTIME"
# As the stage's RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels does.
bind_ro "$BUILDER/wheels" "$RUNTIME/wheels"
STAGE_ENV=()
install -m 0755 "$REPO/docker/runtime.sh" "$RUNTIME/usr/local/bin/gazette-runtime"

for s in system install; do
    step "runtime: gazette-runtime $s"
    in_root "$RUNTIME" "gazette-runtime $s"
    done_step "runtime: $s"
done
mkdir -p "$RUNTIME/app"
cp -r "$REPO/prompts" "$RUNTIME/app/prompts"
# The wheels were only mounted for the install, as in the image.
umount "$RUNTIME/wheels"
rmdir "$RUNTIME/wheels"

# The tiny profile never loads llama.cpp or CTranslate2: load their native libraries here, as the image's
# user would, so that a shared library missing from the slim root (libgomp.so.1 for llama.cpp) shows.
in_root "$RUNTIME" "/opt/gazette/bin/python -c 'import ctranslate2, llama_cpp, torch
print(\"imports: torch\", torch.__version__, \"ctranslate2\", ctranslate2.__version__, \"llama_cpp\", llama_cpp.__version__)
print(\"llama.cpp:\", llama_cpp.llama_print_system_info().decode())'" | sed 's/^/check: /'
say "runtime venv /opt/gazette: $(du -sh "$RUNTIME/opt/gazette" | cut -f1)"

compilers=$(in_root "$RUNTIME" 'for c in cc gcc g++ c++ cmake make; do command -v $c || true; done')
[[ -z $compilers ]] || die "the runtime root has build tools: $compilers"
say "runtime root: no cc, gcc, g++, c++, cmake or make"

# --- 3. gazette serve in the runtime root ------------------------------------------------------------------

step "runtime: gazette serve, tiny profile, as uid 10001, port $PORT"
# The runtime stage's ENV, but on 127.0.0.1 and another port: the chroot shares this machine's network.
serve_env=(PATH=/opt/gazette/bin:/usr/local/bin:/usr/bin:/bin HOME=/home/gazette LANG=C.UTF-8
    PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 GAZETTE_MODEL_CACHE=/models GAZETTE_DB=/models/jobs.sqlite3
    GAZETTE_HOST=127.0.0.1 GAZETTE_PORT=$PORT GAZETTE_PROFILE=tiny)
"${NICE[@]}" chroot --userspec=10001:10001 "$RUNTIME" /usr/bin/env -i "${serve_env[@]}" \
    /bin/sh -c 'cd /app && exec gazette serve' &
server_pid=$!

wait_for() {
    local path=$1 limit=$2 t0=$SECONDS code
    while ((SECONDS - t0 < limit)); do
        kill -0 "$server_pid" 2>/dev/null || die "gazette serve exited while waiting for $path"
        code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT$path" || true)
        if [[ $code == 200 ]]; then
            say "$path: 200 after $((SECONDS - step_started)) s"
            return 0
        fi
        sleep 2
    done
    die "$path did not answer 200 within $limit s (last: ${code:-none})"
}
wait_for /healthz 300
wait_for /readyz 300
body=$(curl -s -w '\nHTTP %{http_code}' "http://127.0.0.1:$PORT/v1/translate" -H 'content-type: application/json' \
    -d '{"text": "同安区召开质量强区大会。"}')
# Only the ASCII fields: the tiny model's translation is random characters.
say "/v1/translate: $(tail -n1 <<<"$body"), $(grep -o '"source_lang":"[^"]*"' <<<"$body" | head -n1), ${#body} characters"
[[ $(tail -n1 <<<"$body") == "HTTP 200" ]] || die "/v1/translate did not answer 200"
# The image's HEALTHCHECK command, run inside the root as the image's user, against this port.
chroot --userspec=10001:10001 "$RUNTIME" /usr/bin/env -i PATH=/opt/gazette/bin:/usr/bin:/bin \
    python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$PORT/healthz', timeout=4)" ||
    die "the HEALTHCHECK command failed"
say "HEALTHCHECK command: exit 0"
# The job store was made on /models by the unprivileged user: GAZETTE_DB is writable where the volume goes.
owner=$(chroot "$RUNTIME" stat -c '%U (uid %u)' /models/jobs.sqlite3 2>/dev/null || echo none)
[[ $owner == "gazette (uid 10001)" ]] || die "/models/jobs.sqlite3 owned by $owner, not gazette (uid 10001)"
say "job store /models/jobs.sqlite3 made by: $owner"

kill -TERM "$server_pid"
for _ in $(seq 30); do kill -0 "$server_pid" 2>/dev/null || break; sleep 1; done
if kill -0 "$server_pid" 2>/dev/null; then die "gazette serve did not stop within 30 s of SIGTERM"; fi
wait "$server_pid" || true
server_pid=
say "gazette serve stopped on SIGTERM"
done_step "runtime: serve, probes, stop"

say "timings:"
printf '  %s\n' "${timings[@]}"
say "check passed in $((SECONDS - total_started)) s"

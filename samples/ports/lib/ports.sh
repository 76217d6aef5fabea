# SPDX-License-Identifier: MIT
# Shared steps of the ports' scripts (sourced, bash): fetch and unpack a pinned Debian source
# package, apply our patches, and the checks every port ends with.
# A port script sets PORT (its name in sysroot/sources.lock), PORT_DIR (its directory) and step,
# and sources this file with
#   SDK   the SDK the port is built with and installed into: prefix /usr/local inside its sysroot,
#         where the toolchain file, the SDK's pkg-config and uk-env find it with nothing more
#         (lib/copy-sdk makes the copy of the built SDK that the ports use)
#   WORK  the port's scratch directory: WORK/src (unpacked), WORK/build, ...
set -euo pipefail

ports_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
repo=$(cd "$ports_dir/../.." && pwd)
port_dir=$ports_dir/$PORT_DIR
jobs=${UKSDK_PORTS_JOBS:-$(nproc)}
# Line tables only: symbolized crash backtraces without the cost of full debug information. No
# NDEBUG: assertions on. A port sets PORT_OPT: -O2 (as Debian builds them) where the code's speed
# matters under TCG, -O0 for the template-heavy C++ test suites, which compile four times faster
# (gtest_unittest.cc: 18 s at -O2, 5 s at -O0) and run in seconds either way.
cflags="${PORT_OPT:--O2} -gline-tables-only"

say() { echo "ports: $PORT_DIR: $*"; }
# At the end of every step: its processor time (the compilers' and guests'), which unlike the
# wall time does not depend on what else the machine runs (docs/ports.md, the time budget).
report_time() {
  local status=$? child
  # `times` in this shell (a command substitution would be a subshell without children).
  times >"$WORK/.times" && child=$(tail -n 1 "$WORK/.times") && rm -f "$WORK/.times"
  echo "ports: $PORT_DIR: ${step:-?}: $((SECONDS)) s wall; processor time of its processes: user ${child% *}, system ${child#* }"
  return $status
}
trap report_time EXIT
usage() { sed -n '3,/^[^#]/s/^# \{0,1\}//p' "$0" | sed '$d' >&2; exit 2; }
[[ -n ${SDK:-} && -n ${WORK:-} ]] || usage
SDK=$(cd "$SDK" && pwd) || exit 1
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
toolchain=$SDK/cmake/x86_64-unknown-unikernel.cmake
# Installed as into any cross sysroot: configured for /usr/local, copied under DESTDIR.
PREFIX=/usr/local
DESTDIR=$SDK/sysroot
die() { echo "ports: $PORT_DIR: error: $*" >&2; exit 1; }

# needs PROGRAM DEBIAN_PACKAGE: a host tool the port needs.
needs() {
  command -v "$1" >/dev/null || die "$1 not found (install the Debian package $2; scripts/setup does)"
}

# Unpacks the source package into $WORK/src unless it is there already from the same inputs:
# the pinned .dsc, our patches and this file's list of skipped Debian patches. dpkg-source checks
# the tarballs against the sha256 sums in the .dsc, which sysroot/fetch-sources checked against
# sysroot/sources.lock. Debian's own patches are applied (a port may skip some by name in
# DEBIAN_SKIP, with the reason beside it), then ours from patches/, in order.
unpack() {
  local dsc stamp_file want
  dsc=$("$repo/sysroot/fetch-sources" "$PORT") || die "could not fetch the $PORT source package"
  stamp_file=$WORK/src/.uksdk-unpacked
  want=$( {
    sha256sum "$dsc" | cut -d' ' -f1
    echo "skip: ${DEBIAN_SKIP:-}"
    if [[ -d $port_dir/patches ]]; then (cd "$port_dir/patches" && sha256sum ./*.patch); fi
  } | sha256sum | cut -d' ' -f1)
  if [[ -f $stamp_file && $(cat "$stamp_file") == "$want" ]]; then return; fi
  say "unpacking $(basename "$dsc")"
  rm -rf "$WORK/src"
  mkdir -p "$WORK"
  local args=(-x)
  [[ -n ${DEBIAN_SKIP:-} ]] && args+=(--skip-patches)
  dpkg-source "${args[@]}" "$dsc" "$WORK/src" >"$WORK/unpack.log" 2>&1 ||
    { cat "$WORK/unpack.log" >&2; die "dpkg-source could not unpack $dsc"; }
  if [[ -n ${DEBIAN_SKIP:-} ]]; then
    local p
    while read -r p; do
      [[ -z $p || $p == \#* ]] && continue
      if [[ " $DEBIAN_SKIP " == *" $p "* ]]; then continue; fi
      patch -d "$WORK/src" -p1 -s <"$WORK/src/debian/patches/$p" || die "Debian patch $p does not apply"
    done <"$WORK/src/debian/patches/series"
  fi
  if [[ -d $port_dir/patches ]]; then
    local f
    for f in "$port_dir"/patches/*.patch; do
      [[ -e $f ]] || continue
      say "applying $(basename "$f")"
      patch -d "$WORK/src" -p1 -s --no-backup-if-mismatch <"$f" || die "$(basename "$f") does not apply"
    done
  fi
  echo "$want" >"$stamp_file"
}

# cmake_port SOURCE_DIR BUILD_DIR ARGS...: configures (once; CMake reruns itself when the
# project's files change) with the toolchain file, the shared prefix as install prefix and as a
# search root, builds and installs. The build is incremental: ninja decides what is stale.
cmake_port() {
  local src=$1 build=$2
  shift 2
  local args=(-S "$src" -B "$build" -G Ninja
    -DCMAKE_TOOLCHAIN_FILE="$toolchain"
    -DCMAKE_BUILD_TYPE=None -DCMAKE_C_FLAGS="$cflags" -DCMAKE_CXX_FLAGS="$cflags"
    -DCMAKE_INSTALL_PREFIX="$PREFIX"
    -DPython_EXECUTABLE="${PYTHON:-/usr/bin/python3}"
    "$@")
  local sum
  sum=$(printf '%s\n' "${args[@]}" | sha256sum | cut -d' ' -f1)
  if [[ ! -f $build/build.ninja || $(cat "$build/.uksdk-configured" 2>/dev/null) != "$sum" ]]; then
    say "configuring"
    rm -f "$build/CMakeCache.txt"
    cmake "${args[@]}" >"$build.configure.log" 2>&1 ||
      { tail -n 40 "$build.configure.log" >&2; die "cmake configure failed (log: $build.configure.log)"; }
    echo "$sum" >"$build/.uksdk-configured"
  fi
  say "building"
  cmake --build "$build" -j "$jobs" >"$build.build.log" 2>&1 ||
    { grep -E "error|FAILED" "$build.build.log" | head -n 40 >&2; die "build failed (log: $build.build.log)"; }
  if grep -q "no work to do" "$build.build.log"; then say "up to date, nothing rebuilt"; fi
  DESTDIR=$DESTDIR cmake --install "$build" >"$build.install.log" 2>&1 ||
    { tail -n 20 "$build.install.log" >&2; die "install failed"; }
  # Proof that the next run rebuilds nothing: a second build compiles and links nothing (a real
  # one: `ninja -n` always lists the re-check of CONFIGURE_DEPENDS globs, which changes nothing).
  local again
  again=$(cmake --build "$build" 2>&1) || { echo "$again" >&2; die "the second build failed"; }
  if grep -E "Building|Linking" <<<"$again" >&2; then die "a second build is not a no-op"; fi
}

# consumer PACKAGE [BUILD_DIR CMAKE_ARGS...]: configures, builds and runs samples/ports/consumer
# for one package: a project that is given nothing but the toolchain file (and CMAKE_ARGS) and
# finds the installed package with find_package (and pkg_check_modules where the package installs
# a .pc file).
consumer() {
  local port=$1 build=${2:-$WORK/consumer}
  shift $(($# < 2 ? $# : 2))
  local args=(-S "$ports_dir/consumer" -B "$build" -G Ninja
    -DCMAKE_TOOLCHAIN_FILE="$toolchain" -DPORT="$port" "$@")
  if [[ ! -f $build/build.ninja ]]; then
    cmake "${args[@]}" >"$WORK/consumer.log" 2>&1 ||
      { tail -n 30 "$WORK/consumer.log" >&2; die "the consumer project did not find $port"; }
  fi
  cmake --build "$build" >>"$WORK/consumer.log" 2>&1 ||
    { tail -n 30 "$WORK/consumer.log" >&2; die "the consumer project did not build against $port"; }
  (cd "$build" && ctest --output-on-failure) >>"$WORK/consumer.log" 2>&1 ||
    { tail -n 30 "$WORK/consumer.log" >&2; die "the consumer program of $port failed"; }
  say "consumer: a project given only the toolchain file${*:+ and $*} finds, builds with and runs $port: ok"
}

# suite MODE BUILD_DIR CONFIG: the port's own tests through ctest (lib/run-suite).
suite() {
  "${PYTHON:-/usr/bin/python3}" "$ports_dir/lib/run-suite" "$PORT_DIR" "$2" "$3" "$1" "$WORK/result.$step.json"
}

# configure_once BUILD_DIR COMMAND...: runs a configure step in BUILD_DIR unless it ran there
# already with the same command on the same unpacked sources.
configure_once() {
  local build=$1
  shift
  local sum
  sum=$( { printf '%s\n' "$@"; cat "$WORK/src/.uksdk-unpacked"; } | sha256sum | cut -d' ' -f1)
  if [[ $(cat "$build/.uksdk-configured" 2>/dev/null) == "$sum" ]]; then return; fi
  say "configuring"
  (cd "$build" && "$@") >"$build.configure.log" 2>&1 ||
    { tail -n 40 "$build.configure.log" >&2; die "configure failed (log: $build.configure.log)"; }
  echo "$sum" >"$build/.uksdk-configured"
}

# install_if_changed FILE COMMAND...: runs an install command (make install copies even what
# did not change, which would make everything built against the prefix relink) only when FILE,
# the main product, is newer than the last install into this SDK's sysroot.
install_if_changed() {
  local product=$1 stamp=$DESTDIR$PREFIX/share/uksdk-ports/$PORT_DIR.installed
  shift
  if [[ -f $stamp && ! $product -nt $stamp ]]; then return; fi
  say "installing into $DESTDIR$PREFIX"
  mkdir -p "$(dirname "$stamp")"
  "$@" >"$WORK/install.log" 2>&1 || { tail -n 20 "$WORK/install.log" >&2; die "install failed"; }
  touch -r "$product" "$stamp"
}

# pkg_config_check MODULE SOURCE: the SDK's pkg-config (what uk-env gives Makefiles as
# $PKG_CONFIG) gives the flags to build consumer/SOURCE with the SDK's compiler, and the program
# runs.
pkg_config_check() {
  local module=$1 source=$ports_dir/consumer/$2 exe=$WORK/pkg-config-consumer flags
  flags=$("$SDK/bin/x86_64-unknown-unikernel-pkg-config" --cflags --libs "$module") ||
    die "the SDK's pkg-config does not find $module"
  # shellcheck disable=SC2086 # the flags are words
  "$SDK/bin/x86_64-unknown-unikernel-clang" -O2 "$source" $flags -o "$exe" ||
    die "cannot build $(basename "$source") with pkg-config's flags: $flags"
  "$exe" >/dev/null || die "$exe (built with pkg-config's flags) failed"
  say "consumer: the SDK's pkg-config finds $module ($flags): ok"
}

# SPDX-License-Identifier: MIT
# Shared steps of the ports' scripts (sourced, bash): fetch and unpack a pinned Debian source
# package, apply our patches, and the checks every port ends with.
# A port script sets PORT (its name in sysroot/sources.lock) and sources this file with
#   SDK   the SDK directory (bin/, cmake/, sysroot/)
#   WORK  the port's scratch directory: WORK/src (unpacked), WORK/build, ...
#   PREFIX the install prefix shared by all ports (a user's own prefix, outside the sysroot)
set -euo pipefail

ports_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
repo=$(cd "$ports_dir/../.." && pwd)
port_dir=$ports_dir/$PORT_DIR
jobs=${UKSDK_PORTS_JOBS:-$(nproc)}
# Optimized as Debian builds them, with line tables only (symbolized crash backtraces, without the
# cost of full debug information in these template-heavy test suites). No NDEBUG: assertions on.
cflags="-O2 -gline-tables-only"

say() { echo "ports: $PORT_DIR: $*"; }
usage() { sed -n '3,/^[^#]/s/^# \{0,1\}//p' "$0" | sed '$d' >&2; exit 2; }
[[ -n ${SDK:-} && -n ${WORK:-} && -n ${PREFIX:-} ]] || usage
SDK=$(cd "$SDK" && pwd) || exit 1
mkdir -p "$WORK" "$PREFIX"
WORK=$(cd "$WORK" && pwd)
PREFIX=$(cd "$PREFIX" && pwd)
toolchain=$SDK/cmake/x86_64-unknown-unikernel.cmake
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
    -DCMAKE_FIND_ROOT_PATH="$PREFIX"
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
  cmake --install "$build" >"$build.install.log" 2>&1 ||
    { tail -n 20 "$build.install.log" >&2; die "install failed"; }
  # Proof that the next run rebuilds nothing.
  ninja -C "$build" -n | grep -q "no work to do" || die "a second build would not be a no-op"
}

# consumer PACKAGE: configures, builds and runs samples/ports/consumer for one package: a project
# that knows nothing but the toolchain file and the prefix (CMAKE_FIND_ROOT_PATH) and finds the
# installed package with find_package (and pkg-config where the package installs a .pc file).
consumer() {
  local build=$WORK/consumer
  local args=(-S "$ports_dir/consumer" -B "$build" -G Ninja
    -DCMAKE_TOOLCHAIN_FILE="$toolchain" -DCMAKE_FIND_ROOT_PATH="$PREFIX" -DPORT="$1")
  if [[ ! -f $build/build.ninja ]]; then
    cmake "${args[@]}" >"$WORK/consumer.log" 2>&1 ||
      { tail -n 30 "$WORK/consumer.log" >&2; die "the consumer project did not find $1"; }
  fi
  cmake --build "$build" >>"$WORK/consumer.log" 2>&1 ||
    { tail -n 30 "$WORK/consumer.log" >&2; die "the consumer project did not build against $1"; }
  (cd "$build" && ctest --output-on-failure) >>"$WORK/consumer.log" 2>&1 ||
    { tail -n 30 "$WORK/consumer.log" >&2; die "the consumer program of $1 failed"; }
  say "consumer: find_package($1) with the toolchain file and CMAKE_FIND_ROOT_PATH: ok"
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
# the main product, is newer than the last install.
install_if_changed() {
  local product=$1 stamp=$WORK/.uksdk-installed
  shift
  if [[ -f $stamp && ! $product -nt $stamp ]]; then return; fi
  say "installing into $PREFIX"
  "$@" >"$WORK/install.log" 2>&1 || { tail -n 20 "$WORK/install.log" >&2; die "install failed"; }
  touch "$stamp"
}

# pkg_config_check MODULE SOURCE: the prefix's .pc file gives the flags to build
# consumer/SOURCE with the SDK's compiler, and the program runs. The SDK's pkg-config wrapper sees
# only the sysroot, so a prefix outside it is read with the host's pkg-config and
# PKG_CONFIG_LIBDIR (docs/ports.md, "Your own prefix").
pkg_config_check() {
  local module=$1 source=$ports_dir/consumer/$2 exe=$WORK/pkg-config-consumer flags
  flags=$(PKG_CONFIG_LIBDIR=$PREFIX/lib/pkgconfig PKG_CONFIG_PATH= pkg-config --cflags --libs "$module") ||
    die "pkg-config does not find $module in $PREFIX/lib/pkgconfig"
  if [[ ! -x $exe || $source -nt $exe || $WORK/.uksdk-installed -nt $exe ]]; then
    # shellcheck disable=SC2086 # the flags are words
    "$SDK/bin/x86_64-unknown-unikernel-clang" -O2 "$source" $flags -o "$exe" ||
      die "cannot build $(basename "$source") with pkg-config's flags: $flags"
  fi
  "$exe" >/dev/null || die "$exe (built with pkg-config's flags) failed"
  say "consumer: pkg-config $module ($flags): ok"
}

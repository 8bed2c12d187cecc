# Shared settings for the build scripts (sourced, not run).
HUSH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export HUSH_ROOT
# ccache: share hits between checkouts in different folders (CI clones anew).
export CCACHE_BASEDIR="$HUSH_ROOT"
export CCACHE_NOHASHDIR=1
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G}
HUSH_JOBS=${HUSH_JOBS:-$(nproc)}

# hush_configure BUILD_DIR [cmake args...]
hush_configure() {
  local dir=$1
  shift
  cmake -S "$HUSH_ROOT" -B "$dir" -G Ninja "$@" >"$dir.configure.log" 2>&1 || {
    cat "$dir.configure.log" >&2
    return 1
  }
}

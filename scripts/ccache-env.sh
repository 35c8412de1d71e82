# Sourced by scripts/build.sh and scripts/fuzz.sh: the compiler cache lives outside the checkout
# ($HOME/.cache/rockhound-ccache unless CCACHE_DIR is set) and hashes paths relative to the
# checkout (CCACHE_BASEDIR), so a fresh clone anywhere reuses it.
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/rockhound-ccache}
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}
export CCACHE_NOHASHDIR=true
export CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G}

/*
 * Shell run inside the sync pod (busybox ash; also dash/bash). Paths arrive as positional arguments and are only
 * ever expanded inside double quotes, so no path is parsed as shell text (the predecessor spliced the target into
 * the script with Go quoting). The scripts are constants: nothing user-controlled is ever added to them.
 */

/**
 * `sh -c COPY_SCRIPT sh <target> <id> <expected>`; stdin is the base64 of the gzipped tar.
 *
 * The tree is unpacked next to the target (`<target>.incoming-<id>`, same volume, so the renames below are atomic
 * renames, not copies), counted, and only then swapped in: old target aside, new one in, old one removed. Any
 * failure before the swap removes the incoming tree and leaves the target as it was; the predecessor emptied the
 * target first and left an empty workspace when the copy failed (bug #44).
 *
 * `<expected>` is the number of lines `find -type f` prints for the archive's regular files, which catches an
 * archive that unpacked without error but incompletely.
 *
 * A sync killed together with its pod cannot clean up after itself, so each run first repairs what such a run may
 * have left: a target moved aside but not replaced is moved back, partial incoming trees are removed. Two syncs
 * must not run into the same target at once (the slot lock of the caller guarantees it).
 */
export const COPY_SCRIPT = `set -eu
target=$1
incoming=$1.incoming-$2
old=$1.old-$2
expected=$3
swapped=0
cleanup() {
  status=$?
  if [ "$swapped" = 0 ]; then
    rm -rf -- "$incoming" || true
    if [ ! -e "$target" ] && [ -d "$old" ]; then mv -- "$old" "$target" || true; fi
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
mkdir -p -- "\${target%/*}"
for d in "$target".old-*; do
  [ -e "$d" ] || continue
  if [ -e "$target" ]; then rm -rf -- "$d" || true; else mv -- "$d" "$target"; fi
done
for d in "$target".incoming-*; do
  if [ -e "$d" ]; then rm -rf -- "$d" || true; fi
done
mkdir -- "$incoming"
base64 -d | tar -x -z -o -f - -C "$incoming"
got=$(( $(find "$incoming" -type f | wc -l) ))
if [ "$got" -ne "$expected" ]; then
  echo "incomplete copy: $got of $expected files arrived" >&2
  exit 1
fi
if [ -e "$target" ] || [ -L "$target" ]; then mv -- "$target" "$old"; fi
mv -- "$incoming" "$target"
swapped=1
if ! rm -rf -- "$old" 2>/dev/null; then
  echo "warning: could not remove the previous copy $old (files of another user?); the next sync retries" >&2
fi
echo "synced $got files"
`;

/**
 * `sh -c CLEANUP_SCRIPT sh <target> <id>`: after a copy that was cut off (timeout, lost connection) the script's own
 * trap may not have run; this removes the incoming tree and puts an aside target back.
 */
export const CLEANUP_SCRIPT = `rm -rf -- "$1.incoming-$2"
if [ ! -e "$1" ] && [ -d "$1.old-$2" ]; then mv -- "$1.old-$2" "$1"; fi
`;

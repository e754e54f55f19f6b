/*
 * Shell run inside the sync pod (busybox ash; also dash/bash with GNU tools). Paths arrive as positional arguments
 * and are only ever expanded inside double quotes, so no path is parsed as shell text (the predecessor spliced the
 * target into the script with Go quoting). The scripts are constants: nothing user-controlled is ever added to them.
 */

/** Beside `src` (outside the tree the agent edits): what the last sync wrote, as `sha256sum` lines. */
export const MANIFEST_FILE = '.codex-k8s-sync.sha256';
/** The manifest of a sync that started writing and may not have finished: its content counts as synced too. */
export const PENDING_MANIFEST_FILE = '.codex-k8s-sync.pending';
/** Beside `src`: where changes of the agent are saved before a sync replaces them. */
export const SAVED_DIR = 'saved';
/** Exit status of COPY_SCRIPT when the agent's changes would be lost; stderr has one `conflict: <path>` per file. */
export const CONFLICT_EXIT = 3;

/**
 * `sh -c COPY_SCRIPT sh <target> <id> <expected> <discard> <stamp> [<commit>]`; stdin is the base64 of the gzipped tar.
 *
 * The tree is unpacked next to the target (`<target>.incoming-<id>`, same volume) and counted (`<expected>` is the
 * number of lines `find -type f` prints for the archive's regular files, which catches an archive that unpacked
 * without error but incompletely). Then the target is updated in place: pods mount it by `subPath`, bound to the
 * directory at container start, so the directory itself is never replaced; only files that changed are renamed
 * over their old versions, files gone from the sources are deleted, files nobody synced (the agent's own, build
 * output) are left alone.
 *
 * What the agent changed is found by comparing the target with the manifest of the last sync (`MANIFEST_FILE`, plus
 * `PENDING_MANIFEST_FILE` of a sync cut off while writing). A change the new sources do not already contain stops
 * the script with CONFLICT_EXIT before anything is written, unless `<discard>` is 1: then the agent's versions are
 * saved as `saved/<stamp>.patch` (unified diff from the new sources to the agent's files) and `saved/<stamp>.tar.gz`
 * (the agent's files) before they are replaced. A target without a manifest (written by an older version) has
 * every file it loses or changes saved the same way, with a warning, since nobody can tell what the agent did.
 *
 * With `<commit>` (the archive then holds a `.git` built by git-snapshot.ts beside the sources), the script installs
 * that repository into the target after the files: the pack is added to those already there, the shallow list
 * gains the commit, the index and HEAD are replaced (HEAD last), and `.git/codex-k8s-synced` names the commit (what
 * review-apply diffs the agent's work against). A HEAD the agent moved to a commit of its own is
 * kept as the branch `codex-k8s/saved-<stamp>` first, so no commit becomes unreachable. `.git` takes no part in the
 * change detection: the agent's git state is its own.
 *
 * Each run first removes what a killed run left (partial incoming trees, work files; a target an older version
 * moved aside is moved back). Two syncs must not run into the same target at once (the slot of the caller is held
 * by one run at a time).
 */
export const COPY_SCRIPT = `set -eu
target=$1
incoming=$1.incoming-$2
expected=$3
discard=$4
stamp=$5
commit=\${6:-}
base=\${target%/*}
manifest=$base/${MANIFEST_FILE}
pending=$base/${PENDING_MANIFEST_FILE}
work=$base/.codex-k8s-sync.work-$2
saved=$base/${SAVED_DIR}
cleanup() {
  status=$?
  rm -rf -- "$incoming" "$work" || true
  exit "$status"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
mkdir -p -- "$base"
for d in "$target".old-*; do
  [ -e "$d" ] || continue
  if [ -e "$target" ]; then rm -rf -- "$d" || true; else mv -- "$d" "$target"; fi
done
for d in "$target".incoming-* "$base"/.codex-k8s-sync.work-*; do
  if [ -e "$d" ]; then rm -rf -- "$d" || true; fi
done
mkdir -- "$incoming" "$work"
base64 -d | tar -x -z -o -f - -C "$incoming"
got=$(( $(find "$incoming" -type f | wc -l) ))
if [ "$got" -ne "$expected" ]; then
  echo "incomplete copy: $got of $expected files arrived" >&2
  exit 1
fi
mkdir -p -- "$target"
legacy=1
: > "$work/synced"
: > "$work/pending"
if [ -f "$manifest" ]; then cp -- "$manifest" "$work/synced"; legacy=0; fi
if [ -f "$pending" ]; then cp -- "$pending" "$work/pending"; legacy=0; fi
(cd "$incoming" && find . -path ./.git -prune -o -type f -exec sha256sum {} +) > "$work/new"
# Hash only what a sync manages (known or new paths), never the agent's own trees such as node_modules.
awk '{ print substr($0, 67) }' "$work/synced" "$work/pending" "$work/new" | sort -u | tr '\\n' '\\0' > "$work/paths"
(cd "$target" && xargs -0 -r sha256sum < "$work/paths" 2>/dev/null) > "$work/cur" || true
awk -v legacy="$legacy" -v out="$work" '
  function p(line) { return substr(line, 67) }
  function known(file, last) {
    while ((getline l < file) > 0) {
      k = p(l); seen[k] = seen[k] " " substr(l, 1, 64) " "; tracked[k] = 1
      if (last) written[k] = 1
    }
  }
  BEGIN {
    known(out "/synced", 1)
    known(out "/pending", 0)
    while ((getline l < (out "/new")) > 0) n[p(l)] = substr(l, 1, 64)
  }
  { c[p($0)] = substr($0, 1, 64) }
  END {
    for (f in n) {
      if ((f in c) && c[f] == n[f]) continue
      print f > (out "/update")
      # Gone from the workspace: deleted by the agent when the last complete sync wrote it.
      if (!(f in c)) { if (f in written) print f > (out "/conflicts"); continue }
      if (legacy) print f > (out "/save")
      else if (!(f in tracked) || index(seen[f], " " c[f] " ") == 0) print f > (out "/conflicts")
    }
    for (f in c) {
      if ((f in n) || !(f in tracked)) continue
      if (index(seen[f], " " c[f] " ") == 0) print f > (out "/conflicts")
      print f > (out "/delete")
    }
  }' "$work/cur"
for l in update conflicts save delete; do
  touch "$work/$l"
  sort -o "$work/$l" "$work/$l"
done
if [ -s "$work/conflicts" ]; then
  if [ "$discard" != 1 ]; then
    sed 's/^\\.\\//conflict: /' "$work/conflicts" >&2
    exit ${CONFLICT_EXIT}
  fi
  cat "$work/conflicts" >> "$work/save"
  sort -u -o "$work/save" "$work/save"
fi
if [ -s "$work/save" ]; then
  mkdir -p -- "$saved"
  while IFS= read -r f; do
    diff -u -N -L "a/\${f#./}" -L "b/\${f#./}" -- "$incoming/$f" "$target/$f" || [ $? -eq 1 ]
  done < "$work/save" > "$saved/$stamp.patch"
  mkdir -- "$work/stage"
  while IFS= read -r f; do
    if [ -f "$target/$f" ]; then mkdir -p -- "$work/stage/\${f%/*}"; cp -p -- "$target/$f" "$work/stage/$f"; fi
  done < "$work/save"
  tar -c -z -f "$saved/$stamp.tar.gz" -C "$work/stage" .
  echo "saved: $saved/$stamp.patch"
  if [ "$legacy" = 1 ]; then echo "warning: no record of the previous sync; the files it replaces were saved in $saved/$stamp.patch" >&2; fi
fi
cp -- "$work/new" "$pending.tmp"
mv -f -- "$pending.tmp" "$pending"
(cd "$incoming" && find . -path ./.git -prune -o -type d -print) | while IFS= read -r d; do
  if [ -e "$target/$d" ] && [ ! -d "$target/$d" ]; then rm -f -- "$target/$d"; fi
  if [ ! -d "$target/$d" ]; then mkdir -p -- "$target/$d"; fi
done
(cd "$incoming" && find . -path ./.git -prune -o -type l -print) >> "$work/update"
while IFS= read -r f; do
  if [ -d "$target/$f" ] && [ ! -L "$target/$f" ]; then rm -rf -- "$target/$f"; fi
  mv -f -T -- "$incoming/$f" "$target/$f"
done < "$work/update"
while IFS= read -r f; do
  rm -f -- "$target/$f"
  d=\${f%/*}
  if [ "$d" != . ]; then (cd "$target" && rmdir -p -- "$d" 2>/dev/null) || true; fi
done < "$work/delete"
if [ -n "$commit" ] && [ -d "$incoming/.git" ]; then
  g=$target/.git
  new=$incoming/.git
  if [ -L "$g" ] || { [ -e "$g" ] && [ ! -d "$g" ]; }; then rm -f -- "$g"; fi
  mkdir -p -- "$g/objects/pack" "$g/objects/info" "$g/refs/heads" "$g/refs/tags" "$g/info"
  for f in "$new"/objects/pack/*; do mv -f -- "$f" "$g/objects/pack/"; done
  if [ ! -f "$g/config" ]; then mv -f -- "$new/config" "$g/config"; fi
  if [ ! -f "$g/info/exclude" ] || ! grep -qxF -f "$new/info/exclude" "$g/info/exclude"; then
    cat -- "$new/info/exclude" >> "$g/info/exclude"
  fi
  old=
  if [ -f "$g/HEAD" ]; then old=$(cat -- "$g/HEAD"); fi
  case $old in
    ''|ref:*) ;;
    *) if [ "$old" != "$commit" ] && ! grep -qxF -- "$old" "$g/shallow" 2>/dev/null; then
         mkdir -p -- "$g/refs/heads/codex-k8s"
         echo "$old" > "$g/refs/heads/codex-k8s/saved-$stamp"
         echo "warning: the commit $old the workspace was on is kept as the branch codex-k8s/saved-$stamp" >&2
       fi ;;
  esac
  { if [ -f "$g/shallow" ]; then cat -- "$g/shallow"; fi; echo "$commit"; } | sort -u > "$g/shallow.tmp"
  mv -f -- "$g/shallow.tmp" "$g/shallow"
  mv -f -- "$new/index" "$g/index"
  mv -f -- "$new/HEAD" "$g/HEAD.tmp"
  mv -f -- "$g/HEAD.tmp" "$g/HEAD"
  echo "$commit" > "$g/codex-k8s-synced"
  echo "git: HEAD $commit"
fi
mv -f -- "$pending" "$manifest"
echo "synced $got files: $(wc -l < "$work/update" | tr -d ' ') written, $(wc -l < "$work/delete" | tr -d ' ') deleted"
`;

/**
 * `sh -c CLEANUP_SCRIPT sh <target> <id>`: after a copy that was cut off (timeout, lost connection) the script's own
 * trap may not have run; this removes the incoming tree and the work files.
 */
export const CLEANUP_SCRIPT = `rm -rf -- "$1.incoming-$2" "\${1%/*}/.codex-k8s-sync.work-$2"
if [ ! -e "$1" ] && [ -d "$1.old-$2" ]; then mv -- "$1.old-$2" "$1"; fi
`;

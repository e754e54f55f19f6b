/*
 * Shell run inside the agent pod (POSIX sh: dash, bash or busybox ash, with coreutils or busybox). Every value
 * arrives as a positional argument and is expanded only inside double quotes; the scripts are constants, nothing
 * user-controlled is ever added to their text. The prompt and the config travel on stdin.
 *
 * Layout under `<workdir>/.codex-k8s` (ignored by the workspace's git):
 *   codex-home/config.toml   CODEX_HOME: the generated config; Codex keeps its sessions here, so `resume` works
 *                            across pod restarts
 *   runs/<id>/               prompt.md, events.jsonl (codex --json), stderr.log, pid, host, deadline,
 *                            exit (written last), killed (why it was stopped, when it was)
 *   current                  the id of the latest run
 *   start.lock/              held while a run is being started, so two starts cannot both start an agent
 *
 * The agent runs as the leader of its own session (`setsid`), detached from the exec that started it: a dropped
 * exec connection, an API-server restart or a runner that goes away does not touch it. A watchdog in the same
 * session ends it at the deadline.
 */

/** Exit code recorded when the deadline stopped the agent (as `timeout` reports it). */
export const DEADLINE_EXIT = 124;
/** Exit code recorded when the run was stopped from outside (cancelled). */
export const STOPPED_EXIT = 130;

/**
 * `sh -c KILL_TREE codex-k8s-stop <root> [<keep>...]`: kills the process `<root>`, every descendant and every
 * process of its session, in rounds until none is left (a process forking between two rounds is caught by the
 * next). `<keep>` and the script itself are spared. Codex starts tool commands in sessions of their own, so the
 * tree is followed through parent ids, not only the process group.
 */
export const KILL_TREE_SCRIPT = `root=$1
shift
keep=" $$ $* "
round=0
while [ "$round" -lt 10 ]; do
  pids=$(for f in /proc/[0-9]*/stat; do { read -r l < "$f"; } 2>/dev/null && printf '%s\\n' "$l"; done | awk -v root="$root" -v self="$$" '
    {
      i = length($0)
      while (i > 1 && substr($0, i, 2) != ") ") i--
      if (i <= 1) next
      split(substr($0, i + 2), f, " ")
      parent[$1] = f[2]; sess[$1] = f[4]; zombie[$1] = (f[1] == "Z")
    }
    END {
      # This script and the pipeline it is running now are not to be killed.
      mine[self] = 1
      do {
        more = 0
        for (p in parent) if (!(p in mine) && (parent[p] in mine)) { mine[p] = 1; more = 1 }
      } while (more)
      want[root] = 1
      do {
        more = 0
        for (p in parent) if (!(p in want) && ((parent[p] in want) || sess[p] == root)) { want[p] = 1; more = 1 }
      } while (more)
      # A zombie has ended already; it only waits for its parent to read its status.
      for (p in want) if ((p in parent) && !zombie[p] && !(p in mine)) print p
    }')
  list=
  for p in $pids; do
    case $keep in *" $p "*) ;; *) list="$list $p" ;; esac
  done
  if [ -z "$list" ]; then exit 0; fi
  kill -KILL $list 2>/dev/null || true
  round=$((round + 1))
  sleep 0.2 2>/dev/null || sleep 1
done
echo "codex-k8s: processes still running after 10 rounds:$list" >&2
exit 1
`;

/**
 * `sh -c WATCHDOG codex-k8s-watchdog <run> <seconds> <agent-pid> <kill-tree-script>`: at the deadline, records
 * why and ends the agent's whole tree, then records the exit.
 */
export const WATCHDOG_SCRIPT = `run=$1
sleep "$2"
if [ -f "$run/exit" ]; then exit 0; fi
echo deadline > "$run/killed"
sh -c "$4" codex-k8s-stop "$3" "$$"
echo ${DEADLINE_EXIT} > "$run/exit.tmp"
mv -f -- "$run/exit.tmp" "$run/exit"
`;

/**
 * `sh -c AGENT codex-k8s-agent <run> <codex-home> <seconds> <resume-session> <codex> <watchdog> <kill-tree>`:
 * the session leader. Runs `codex exec --json` with the prompt on stdin (no argument-size limit, nothing in argv),
 * its events into the run's file; afterwards ends whatever the agent left running in its session, then records
 * the exit code. The model key comes from the pod's own environment.
 */
export const AGENT_SCRIPT = `run=$1
export CODEX_HOME="$2"
sh -c "$6" codex-k8s-watchdog "$run" "$3" "$$" "$7" &
dog=$!
if [ -n "$4" ]; then
  "$5" exec resume --json --skip-git-repo-check "$4" - < "$run/prompt.md" > "$run/events.jsonl" 2> "$run/stderr.log"
else
  "$5" exec --json --skip-git-repo-check - < "$run/prompt.md" > "$run/events.jsonl" 2> "$run/stderr.log"
fi
code=$?
if [ -f "$run/killed" ]; then exit 0; fi
kill "$dog" 2>/dev/null
sh -c "$7" codex-k8s-stop "$$" "$$"
echo "$code" > "$run/exit.tmp"
mv -f -- "$run/exit.tmp" "$run/exit"
`;

/**
 * `sh -c START sh <base> <id> <seconds> <resume-session> <codex> <workdir> <agent> <watchdog> <kill-tree>`; stdin:
 * the config's byte count on one line, the config, then the prompt.
 *
 * Prints `attach <id> <deadline>` when an agent of an earlier start still runs in this pod (the input is not
 * used), else `started <id> <deadline>` (deadline in epoch seconds, by the pod's clock).
 */
export const START_SCRIPT = `set -eu
base=$1
id=$2
seconds=$3
host=\${HOSTNAME:-$(cat /proc/sys/kernel/hostname)}
alive() {
  [ -f "$1/pid" ] && [ ! -f "$1/exit" ] && [ "$(cat -- "$1/host" 2>/dev/null)" = "$host" ] &&
    kill -0 "$(cat -- "$1/pid")" 2>/dev/null
}
mkdir -p -- "$base/runs" "$base/codex-home"
lock=$base/start.lock
tries=0
until mkdir -- "$lock" 2>/dev/null; do
  tries=$((tries + 1))
  # A start killed while it held the lock: no start takes 30 seconds.
  if [ "$tries" -gt 30 ]; then rm -rf -- "$lock"; tries=0; continue; fi
  sleep 1
done
trap 'rm -rf -- "$lock"' EXIT
if [ -f "$base/current" ]; then
  cur=$(cat -- "$base/current")
  if alive "$base/runs/$cur"; then
    cat > /dev/null
    echo "attach $cur $(cat -- "$base/runs/$cur/deadline")"
    exit 0
  fi
fi
run=$base/runs/$id
mkdir -p -- "$run"
IFS= read -r n
dd bs=1 count="$n" of="$base/codex-home/config.toml.tmp" 2>/dev/null
mv -f -- "$base/codex-home/config.toml.tmp" "$base/codex-home/config.toml"
cat > "$run/prompt.md"
printf '%s\\n' "$host" > "$run/host"
deadline=$(( $(date +%s) + seconds ))
echo "$deadline" > "$run/deadline"
: > "$run/events.jsonl"
cd -- "$6"
setsid sh -c "$7" codex-k8s-agent "$run" "$base/codex-home" "$seconds" "$4" "$5" "$8" "$9" < /dev/null > "$run/agent.log" 2>&1 &
echo "$!" > "$run/pid"
printf '%s\\n' "$id" > "$base/current.tmp"
mv -f -- "$base/current.tmp" "$base/current"
echo "started $id $deadline"
`;

/**
 * `sh -c FOLLOW sh <run> <offset>`: prints the run's events from byte `<offset>` on as they are written, until the
 * run has an exit; then says so on stderr (`codex-k8s-exit <code> <killed|->`, with the last lines of Codex's
 * stderr when it failed). An agent that is gone without an exit (the pod restarted) ends it with `codex-k8s-gone`.
 */
export const FOLLOW_SCRIPT = `run=$1
off=$2
f=$run/events.jsonl
host=\${HOSTNAME:-$(cat /proc/sys/kernel/hostname)}
gone=0
while :; do
  finished=0
  if [ -f "$run/exit" ]; then finished=1; fi
  size=$(wc -c < "$f" | tr -d ' ')
  if [ "$size" -gt "$off" ]; then
    tail -c +"$((off + 1))" "$f" | head -c "$((size - off))"
    off=$size
  fi
  if [ "$finished" = 1 ]; then
    code=$(cat -- "$run/exit")
    echo "codex-k8s-exit $code $(cat -- "$run/killed" 2>/dev/null || echo -)" >&2
    if [ "$code" != 0 ] && [ -f "$run/stderr.log" ]; then
      tail -n 15 "$run/stderr.log" | sed 's/^/codex-k8s-stderr /' >&2
    fi
    exit 0
  fi
  if [ "$(cat -- "$run/host" 2>/dev/null)" != "$host" ] || ! kill -0 "$(cat -- "$run/pid")" 2>/dev/null; then
    gone=$((gone + 1))
    # Being stopped (deadline, cancel) takes a few seconds before the exit is recorded.
    limit=6
    if [ -f "$run/killed" ]; then limit=120; fi
    if [ "$gone" -ge "$limit" ]; then echo codex-k8s-gone >&2; exit 0; fi
  else
    gone=0
  fi
  sleep 0.5 2>/dev/null || sleep 1
done
`;

/**
 * `sh -c STOP sh <run> <reason> <exit-code> <kill-tree>`: stops a run from outside (the runner's own deadline
 * check, a cancelled run): records why, ends the agent's whole tree, records the exit. Nothing if it has ended.
 */
export const STOP_SCRIPT = `run=$1
if [ -f "$run/exit" ]; then exit 0; fi
echo "$2" > "$run/killed"
pid=$(cat -- "$run/pid" 2>/dev/null || true)
if [ -n "$pid" ]; then sh -c "$4" codex-k8s-stop "$pid" "$$"; fi
echo "$3" > "$run/exit.tmp"
mv -f -- "$run/exit.tmp" "$run/exit"
`;

/** `sh -c CHANGES sh <workdir>`: what git says the agent changed (porcelain v1, NUL-separated). */
export const CHANGES_SCRIPT = `cd -- "$1" && git status --porcelain=v1 -z --untracked-files=all`;

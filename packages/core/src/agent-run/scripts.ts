/*
 * Shell run inside the agent pod (POSIX sh: dash, bash or busybox ash, with coreutils or busybox). Every value
 * arrives as a positional argument and is expanded only inside double quotes; the scripts are constants, nothing
 * user-controlled is ever added to their text. The prompt and the config travel on stdin.
 *
 * Where things live:
 *   <state>/runs/<id>/   the run's control files, outside the work tree so that nothing the agent does to its
 *                        repository (`git clean -fdx`, `git stash --all`) can lose them: prompt.md, events.jsonl,
 *                        stderr.log, pid, start (the pid's start time: a pid alone may be reused), host, deadline,
 *                        kind (what the run is for), baseline (the work tree's state before the run, as a git
 *                        tree), killed (why it was stopped), exit (written last).
 *                        <state> is `$TMPDIR/codex-k8s` (default /tmp): the container's own, gone with it, as are
 *                        the processes the files describe.
 *   <state>/current      the id of the latest run; <state>/start.lock/ is held while a run starts
 *   <workdir>/.codex-k8s/codex-home/   CODEX_HOME: the generated config.toml and Codex's sessions (so `resume`
 *                        works across pod restarts), in the workspace volume
 *   <workdir>/.codex-k8s/runs/<id>/    a live copy of the events and the prompt, for people looking at the slot
 * `.codex-k8s` is ignored by the workspace's git.
 *
 * The agent runs as the leader of its own session (`setsid`), detached from the exec that started it: a dropped
 * exec connection, an API-server restart or a runner that goes away does not touch it. Every process it starts
 * carries CODEX_K8S_RUN=<id> in its environment, which survives double forks and new sessions; stopping a run kills
 * its process tree, its session and every process with that mark. A watchdog in a session of its own ends the run
 * at the deadline.
 */

/** Exit code recorded when the deadline stopped the agent (as `timeout` reports it). */
export const DEADLINE_EXIT = 124;
/** Exit code recorded when the run was stopped from outside (cancelled). */
export const STOPPED_EXIT = 130;

/** The state directory, from the container's TMPDIR (shell text shared by the scripts). */
const STATE = '${TMPDIR:-/tmp}/codex-k8s';

/** `proc_start <pid>`: the process's start time in clock ticks since boot (field 22 of /proc/<pid>/stat). */
const PROC_START = `proc_start() {
  { sed 's/^.*) //' "/proc/$1/stat" | cut -d ' ' -f 20; } 2>/dev/null
}`;

/**
 * `marked_pids <run-id>`: the processes whose environment holds CODEX_K8S_RUN=<run-id>. One grep reads every
 * environment (a fork per process would make each round of a stop cost hundreds of processes); the few it finds
 * are checked for the exact variable.
 */
const MARKED_PIDS = `marked_pids() {
  for f in $(grep -l -a -F -e "CODEX_K8S_RUN=$1" /proc/[0-9]*/environ 2>/dev/null); do
    if { tr '\\000' '\\n' < "$f" | grep -qx "CODEX_K8S_RUN=$1"; } 2>/dev/null; then
      p=\${f#/proc/}
      echo "\${p%/environ}"
    fi
  done
}`;

/**
 * `work_tree <dir>`: the work tree of the repository holding <dir>, as git sees it (everything it does not ignore,
 * the runner's `.codex-k8s` directories left out), written as a tree object with a throw-away index: the agent's own
 * staging is left alone.
 */
const WORK_TREE = `work_tree() (
  cd -- "$1" || exit 1
  cd -- "$(git rev-parse --show-toplevel)" || exit 1
  index=$(mktemp) || exit 1
  trap 'rm -f -- "$index"' EXIT
  export GIT_INDEX_FILE="$index"
  git read-tree HEAD || exit 1
  git add -A -- . || exit 1
  # The runner's own directories count as they are in HEAD (a repository may track one of its own).
  git reset -q HEAD -- ':(glob)**/.codex-k8s/**' || exit 1
  git write-tree
)`;

/**
 * `sh -c KILL_TREE codex-k8s-stop <root> <run-id> [<keep>...]`: kills the process `<root>`, its descendants, its
 * session and every process whose environment holds CODEX_K8S_RUN=<run-id>, in rounds until none is left (a
 * process forking between two rounds is caught by the next). `<keep>`, this script and what it runs are spared;
 * PID 1 and processes without a parent in the container are never touched, and a root that is not a process id
 * above 1 is refused.
 */
export const KILL_TREE_SCRIPT = `${MARKED_PIDS}
root=$1
mark=$2
shift 2
case $root in ''|*[!0-9]*|0|1) echo "codex-k8s: refusing to stop process \\"$root\\"" >&2; exit 2 ;; esac
case $mark in ''|*[!A-Za-z0-9._-]*) echo "codex-k8s: refusing run mark \\"$mark\\"" >&2; exit 2 ;; esac
keep=" $$ $* "
round=0
while [ "$round" -lt 10 ]; do
  marked=$(marked_pids "$mark" | tr '\\n' ' ')
  pids=$(for f in /proc/[0-9]*/stat; do { read -r l < "$f"; } 2>/dev/null && printf '%s\\n' "$l"; done | awk -v root="$root" -v self="$$" -v marked="$marked" '
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
      n = split(marked, m, " ")
      for (k = 1; k <= n; k++) want[m[k]] = 1
      do {
        more = 0
        for (p in parent) if (!(p in want) && ((parent[p] in want) || sess[p] == root)) { want[p] = 1; more = 1 }
      } while (more)
      # A zombie has ended already; PID 1 and processes without a parent here are the container itself.
      for (p in want)
        if ((p in parent) && !zombie[p] && !(p in mine) && p != 1 && parent[p] != 0) print p
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
 * `sh -c WATCHDOG codex-k8s-watchdog <run> <deadline-epoch> <agent-pid> <run-id> <kill-tree>`: at the deadline,
 * records why and ends the run, then records the exit. It checks the clock, not a single sleep: an agent that
 * kills stray `sleep` processes does not set it off.
 */
export const WATCHDOG_SCRIPT = `run=$1
while [ "$(date +%s)" -lt "$2" ]; do
  if [ -f "$run/exit" ]; then exit 0; fi
  sleep 2 || :
done
if [ -f "$run/exit" ]; then exit 0; fi
echo deadline > "$run/killed"
sh -c "$5" codex-k8s-stop "$3" "$4" "$$"
echo ${DEADLINE_EXIT} > "$run/exit.tmp"
mv -f -- "$run/exit.tmp" "$run/exit"
`;

/**
 * `sh -c AGENT codex-k8s-agent <run> <codex-home> <deadline-epoch> <resume> <codex> <watchdog> <kill-tree> <run-id>
 * <workspace-copy>`: the session leader. Runs `codex exec --json` with the prompt on stdin (no argument-size limit,
 * nothing in argv), its events into the run's file (and a copy in the workspace); afterwards ends whatever the agent
 * left running, then records the exit code. The model key comes from the pod's own environment.
 */
export const AGENT_SCRIPT = `run=$1
export CODEX_HOME="$2"
export CODEX_K8S_RUN="$8"
setsid sh -c "$6" codex-k8s-watchdog "$run" "$3" "$$" "$8" "$7" < /dev/null > /dev/null 2>&1 &
dog=$!
mkdir -p -- "$9" 2> /dev/null || :
cp -- "$run/prompt.md" "$9/prompt.md" 2> /dev/null || :
if [ -n "$4" ]; then
  "$5" exec resume --json --skip-git-repo-check "$4" - < "$run/prompt.md" 2> "$run/stderr.log"
else
  "$5" exec --json --skip-git-repo-check - < "$run/prompt.md" 2> "$run/stderr.log"
fi > "$run/events.jsonl"
code=$?
cp -- "$run/events.jsonl" "$9/events.jsonl" 2> /dev/null || :
if [ -f "$run/killed" ]; then exit 0; fi
kill "$dog" 2>/dev/null
sh -c "$7" codex-k8s-stop "$$" "$8" "$$"
echo "$code" > "$run/exit.tmp"
mv -f -- "$run/exit.tmp" "$run/exit"
`;

/**
 * `sh -c START sh <workdir> <id> <seconds> <resume> <codex> <kind> <agent> <watchdog> <kill-tree>`; stdin: the
 * config's byte count on one line, the config, then the prompt.
 *
 * Prints `attach <id> <seconds-left> <kind>` when an agent of an earlier start still runs in this container (the
 * input is not used), else `started <id> <seconds> <kind>`. The baseline of what the agent will change (the work
 * tree as a git tree, `-` without git) is taken before the agent starts.
 */
export const START_SCRIPT = `set -eu
workdir=$1
id=$2
seconds=$3
state=${STATE}
host=\${HOSTNAME:-$(cat /proc/sys/kernel/hostname)}
${PROC_START}
${WORK_TREE}
alive() {
  [ -f "$1/pid" ] && [ ! -f "$1/exit" ] && [ "$(cat -- "$1/host" 2>/dev/null)" = "$host" ] &&
    [ "$(proc_start "$(cat -- "$1/pid")")" = "$(cat -- "$1/start" 2>/dev/null)" ]
}
mkdir -p -- "$state/runs" "$workdir/.codex-k8s/codex-home"
lock=$state/start.lock
waited=0
until mkdir -- "$lock" 2>/dev/null; do
  # A start killed while it held the lock: no start takes a minute.
  if [ -n "$(find "$lock" -maxdepth 0 -mmin +1 2>/dev/null)" ]; then rm -rf -- "$lock"; continue; fi
  waited=$((waited + 1))
  if [ "$waited" -gt 90 ]; then echo "codex-k8s: $lock is held by another start" >&2; exit 1; fi
  sleep 1
done
trap 'rm -rf -- "$lock"' EXIT
if [ -f "$state/current" ]; then
  cur=$(cat -- "$state/current")
  if alive "$state/runs/$cur"; then
    cat > /dev/null
    left=$(( $(cat -- "$state/runs/$cur/deadline") - $(date +%s) ))
    echo "attach $cur $left $(cat -- "$state/runs/$cur/kind" 2>/dev/null || echo -)"
    exit 0
  fi
fi
run=$state/runs/$id
mkdir -p -- "$run"
IFS= read -r n
dd bs=1 count="$n" of="$workdir/.codex-k8s/codex-home/config.toml.tmp" 2>/dev/null
mv -f -- "$workdir/.codex-k8s/codex-home/config.toml.tmp" "$workdir/.codex-k8s/codex-home/config.toml"
cat > "$run/prompt.md"
printf '%s\\n' "$host" > "$run/host"
printf '%s\\n' "$6" > "$run/kind"
deadline=$(( $(date +%s) + seconds ))
echo "$deadline" > "$run/deadline"
cd -- "$workdir"
baseline=$(work_tree "$workdir" 2>/dev/null) || baseline=-
if [ -z "$baseline" ]; then baseline=-; fi
echo "$baseline" > "$run/baseline"
: > "$run/events.jsonl"
setsid sh -c "$7" codex-k8s-agent "$run" "$workdir/.codex-k8s/codex-home" "$deadline" "$4" "$5" "$8" "$9" "$id" "$workdir/.codex-k8s/runs/$id" < /dev/null > "$run/agent.log" 2>&1 &
pid=$!
echo "$pid" > "$run/pid"
proc_start "$pid" > "$run/start"
printf '%s\\n' "$id" > "$state/current.tmp"
mv -f -- "$state/current.tmp" "$state/current"
echo "started $id $seconds $6"
`;

/**
 * `sh -c FOLLOW sh <run-id> <offset>`: prints the run's events from byte `<offset>` on as they are written, until the
 * run has an exit; then says so on stderr (`codex-k8s-exit <code> <killed|->`, with the last lines of Codex's stderr
 * when it failed). A run whose agent is gone without an exit (the container restarted) ends it with `codex-k8s-gone`.
 */
export const FOLLOW_SCRIPT = `run=${STATE}/runs/$1
off=$2
f=$run/events.jsonl
host=\${HOSTNAME:-$(cat /proc/sys/kernel/hostname)}
${PROC_START}
if [ ! -d "$run" ]; then echo codex-k8s-gone >&2; exit 0; fi
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
  if [ "$(cat -- "$run/host" 2>/dev/null)" != "$host" ] ||
    [ "$(proc_start "$(cat -- "$run/pid" 2>/dev/null)")" != "$(cat -- "$run/start" 2>/dev/null)" ]; then
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
 * `sh -c STOP sh <run-id> <reason> <exit-code> <kill-tree>`: stops a run from outside (the runner's own deadline
 * check, a cancelled run): records why, ends the agent's processes, records the exit. A run of another container
 * (its pid means nothing here) or whose process is gone is only marked ended.
 */
export const STOP_SCRIPT = `${MARKED_PIDS}
run=${STATE}/runs/$1
host=\${HOSTNAME:-$(cat /proc/sys/kernel/hostname)}
${PROC_START}
if [ ! -d "$run" ] || [ -f "$run/exit" ]; then exit 0; fi
echo "$2" > "$run/killed"
pid=$(cat -- "$run/pid" 2>/dev/null || true)
if [ "$(cat -- "$run/host" 2>/dev/null)" = "$host" ] && [ -n "$pid" ] &&
  [ "$(proc_start "$pid")" = "$(cat -- "$run/start" 2>/dev/null)" ]; then
  sh -c "$4" codex-k8s-stop "$pid" "$1" "$$"
else
  # The agent is gone; its marked processes may not be.
  for p in $(marked_pids "$1"); do kill -KILL "$p" 2>/dev/null || :; done
fi
echo "$3" > "$run/exit.tmp"
mv -f -- "$run/exit.tmp" "$run/exit"
`;

/**
 * `sh -c CHANGES sh <workdir> <run-id>`: the paths the run changed (NUL-separated, from the repository's top): between
 * the work tree before the run (its baseline) and now; without a baseline, between HEAD and now.
 */
export const CHANGES_SCRIPT = `${WORK_TREE}
now=$(work_tree "$1") || exit 1
base=$(cat -- "${STATE}/runs/$2/baseline" 2>/dev/null || echo -)
cd -- "$1" || exit 1
if [ "$base" != - ] && git cat-file -e "$base^{tree}" 2>/dev/null; then
  git diff-tree -r -z --no-renames --name-only "$base" "$now"
else
  git diff-tree -r -z --no-renames --name-only HEAD "$now"
fi
`;

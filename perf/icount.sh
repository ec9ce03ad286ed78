#!/usr/bin/env bash
# Instructions per message of a benchmark's hot loop, counted by valgrind's callgrind: a figure that does not move
# with the machine's load or the host's placement of the vCPUs. Runs io.conduit.perf.jmh.ring.InstructionLoop twice,
# with COUNT and 2 * COUNT measured messages, and divides the difference in the main thread's instructions by COUNT.
#
# usage: perf/icount.sh (--ring NAME | --codec PATH) [--batch N] [--warmup N] [--settle-ms N]
#   from the repository root, after `mvn -B -q install -DskipTests`; needs valgrind (Debian's package).
#   InstructionLoop's options, passed on as given: --batch N messages per ring batch (--ring only; default 32, at
#   most 2048), --warmup N messages before the measured ones (default 300000; 0 allowed), --settle-ms N a pause
#   after the warm-up for compilations to end (default 3000; 0 allowed). Not --count: the script gives its own
#   (COUNT, then 2 * COUNT), so it refuses one given here; set COUNT instead.
#   Environment: COUNT (default 1000000), JAR (default perf/target/conduit-perf.jar, the shaded jar that holds
#   InstructionLoop), JAVA (default java: the JDK's launcher itself, not a wrapper script) and JAVA_OPTS (split at
#   spaces). Takes about a minute a run.
set -euo pipefail
usage="usage: perf/icount.sh (--ring NAME | --codec PATH) [--batch N] [--warmup N] [--settle-ms N]"
args=("$@")
for i in "${!args[@]}"; do
    case "${args[i]}" in
        --count | --count=*)
            given="${args[i]#--count}"
            given="${given#=}"
            given="${given:-${args[i + 1]:-N}}"
            echo "icount.sh: --count refused: the script passes its own (COUNT, then 2 * COUNT); set COUNT" \
                "in the environment instead: COUNT=$given perf/icount.sh ..." >&2
            exit 2
            ;;
    esac
done
[ $# -ge 2 ] || { echo "$usage" >&2; exit 2; }
jar="${JAR:-perf/target/conduit-perf.jar}"
count="${COUNT:-1000000}"
[[ "$count" =~ ^[1-9][0-9]{0,11}$ ]] ||
    { echo "icount.sh: COUNT=$count expected a positive integer of at most 12 digits" >&2; exit 2; }
java="${JAVA:-java}"
read -r -a java_opts <<< "${JAVA_OPTS:-}"
command -v valgrind > /dev/null || { echo "icount.sh: valgrind not found (apt-get install valgrind)" >&2; exit 2; }
[ -f "$jar" ] || { echo "icount.sh: $jar not found: run mvn -B -q install -DskipTests first" >&2; exit 2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# main-thread instructions of one run. Callgrind writes a file per thread; the JDK's launcher runs Java's main
# thread as its second thread (JavaMain), which is checked rather than trusted.
instructions() {
    valgrind --tool=callgrind --separate-threads=yes --smc-check=all-non-file \
        --callgrind-out-file="$work/cg.$1.%p" \
        "$java" -Xbatch ${java_opts[@]+"${java_opts[@]}"} --add-exports java.base/jdk.internal.misc=ALL-UNNAMED \
        -cp "$jar" io.conduit.perf.jmh.ring.InstructionLoop "${@:2}" > "$work/out.$1" 2> "$work/err.$1" ||
        { cat "$work/out.$1" "$work/err.$1" >&2; exit 1; }
    local files=("$work"/cg."$1".*-02)
    if [ ! -f "${files[0]}" ] || [ ${#files[@]} -ne 1 ]; then
        echo "icount.sh: callgrind wrote no file for a thread 2 (Java's main thread): is $java the JDK's launcher," \
            "not a script?" >&2
        exit 1
    fi
    # JavaMain is a local symbol of libjli: a stripped launcher library does not name it, so only warn
    grep -q 'JavaMain' "${files[0]}" ||
        echo "icount.sh: thread 2 shows no JavaMain (a stripped libjli?): counting it as Java's main thread" >&2
    grep -h '^summary:' "${files[0]}" | awk '{print $2}'
}

one=$(instructions one "$@" --count "$count")
two=$(instructions two "$@" --count $((2 * count)))
echo "$* : $(awk -v a="$one" -v b="$two" -v n="$count" 'BEGIN {printf "%.1f", (b - a) / n}') instructions/message" \
    "(main thread: $one at $count messages, $two at $((2 * count)))"

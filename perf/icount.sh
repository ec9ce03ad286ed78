#!/usr/bin/env bash
# Instructions per message of a benchmark's hot loop, counted by valgrind's callgrind: a figure that does not move
# with the machine's load or the host's placement of the vCPUs. Runs io.conduit.perf.jmh.ring.InstructionLoop twice,
# with COUNT and 2 * COUNT measured messages, and divides the difference in the main thread's instructions by COUNT.
#
# usage: perf/icount.sh (--ring NAME | --codec PATH) [more InstructionLoop options]
#   from the repository root, after `mvn -B -q install -DskipTests`; needs valgrind (Debian's package).
#   COUNT (default 1000000), JAVA (default java: the JDK's launcher itself, not a wrapper script) and JAVA_OPTS
#   (split at spaces) may be set in the environment. Takes about a minute a run.
set -euo pipefail
jar="${JAR:-perf/target/conduit-perf.jar}"
count="${COUNT:-1000000}"
java="${JAVA:-java}"
read -r -a java_opts <<< "${JAVA_OPTS:-}"
command -v valgrind > /dev/null || { echo "icount.sh: valgrind not found (apt-get install valgrind)" >&2; exit 2; }
[ -f "$jar" ] || { echo "icount.sh: $jar not found: run mvn -B -q install -DskipTests first" >&2; exit 2; }
[ $# -ge 2 ] || { echo "usage: perf/icount.sh (--ring NAME | --codec PATH) [InstructionLoop options]" >&2; exit 2; }
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

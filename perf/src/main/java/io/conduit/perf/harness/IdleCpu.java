package io.conduit.perf.harness;

import io.conduit.Channel;
import io.conduit.wait.AsymmetricFence;
import io.conduit.wait.CpuClock;
import io.conduit.wait.Futex;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The harness's idle mode: what a receiver that waits for messages that never come costs in CPU, for issue 5's idle
 * targets. Each receiver ({@link IdleMode}) waits on the main thread of a fresh child JVM; the child reads that
 * thread's CPU clock ({@code CLOCK_THREAD_CPUTIME_ID}) and its process's ({@code CLOCK_PROCESS_CPUTIME_ID}) at both
 * ends of the window, after an unmeasured settling second.
 * <p>
 * Two phases, so a run of a 60 s window takes about 75 s: {@code conduit-futex} and {@code conduit-futex-10s} (on
 * the child core) and {@code agrona-backoff} (on the parent core, which the parent, blocked on the children's pipes,
 * leaves idle) wait at the same time for the whole window; then {@code busy-spin} (on the child core) waits for at
 * most {@link #BUSY_SPIN_MAX_SECONDS}: it holds its core by construction, and a longer window would only say so
 * longer.
 * <p>
 * Threading: one thread.
 */
final class IdleCpu
{
    /** Longest window of the busy-spin receiver. */
    static final int BUSY_SPIN_MAX_SECONDS = 10;
    /** Unmeasured wait before the window. */
    static final long SETTLE_MS = 1_000;
    /** Issue 5: the futex receiver's waiting thread, % of one core. */
    static final double FUTEX_THREAD_LIMIT_PCT = 0.05;
    /** Issue 5: the futex receiver's whole JVM, % of one core. */
    static final double FUTEX_PROCESS_LIMIT_PCT = 0.3;
    /** The window issue 5's idle targets are stated over. */
    static final int TARGET_WINDOW_SECONDS = 60;
    /** The text table. */
    static final String TEXT_FILE = "harness-idle.txt";
    /** One row per receiver. */
    static final String CSV_FILE = "harness-idle.csv";

    private static final long CONTROL_TIMEOUT_MS = 60_000;

    private final HarnessOptions options;
    private final Map<String, String> info = new LinkedHashMap<>();
    private final List<ChildProcess> children = new CopyOnWriteArrayList<>(); // also read by the shutdown hook
    private Path runDirectory;
    private long startNs;

    /**
     * One receiver's CPU over its window.
     *
     * @param mode the receiver.
     * @param cores the cores its JVM was allowed.
     * @param threadCpuNs the waiting thread's CPU time, or {@link CpuClock#UNAVAILABLE}.
     * @param processCpuNs the whole JVM's CPU time, or {@link CpuClock#UNAVAILABLE}.
     * @param wallNs the window as measured.
     */
    record Measurement(IdleMode mode, String cores, long threadCpuNs, long processCpuNs, long wallNs)
    {
        /**
         * @return the waiting thread's CPU as % of one core, or NaN.
         */
        double threadPct()
        {
            return percent(threadCpuNs, wallNs);
        }

        /**
         * @return the whole JVM's CPU as % of one core, or NaN.
         */
        double processPct()
        {
            return percent(processCpuNs, wallNs);
        }

        private static double percent(final long cpuNs, final long wallNs)
        {
            return cpuNs < 0 || wallNs <= 0 ? Double.NaN : 100.0 * cpuNs / wallNs;
        }
    }

    /**
     * One idle target.
     *
     * @param name what is measured.
     * @param measuredPct the figure, % of one core.
     * @param limitPct the most it may be.
     */
    record Target(String name, double measuredPct, double limitPct)
    {
        /**
         * @return PASS, MISS, or "-" when not measured.
         */
        String verdict()
        {
            return Double.isNaN(measuredPct) ? "-" : measuredPct <= limitPct ? "PASS" : "MISS";
        }
    }

    /**
     * @param options parsed options; {@link HarnessOptions#idleSeconds} is the window.
     */
    IdleCpu(final HarnessOptions options)
    {
        this.options = options;
    }

    /**
     * Measure every receiver, print the tables to stdout and write the files to the output directory.
     *
     * @return one measurement per receiver, in table order.
     * @throws Exception if a child fails or the files cannot be written.
     */
    List<Measurement> run() throws Exception
    {
        startNs = System.nanoTime();
        recordInfo();
        progress("load average before the run: " + HarnessJvm.loadAverage());
        runDirectory = Files.createTempDirectory(Harness.baseDirectory(), "conduit-idle-");
        final Thread cleanUp = new Thread(this::abandon, "harness-idle-clean-up");
        Runtime.getRuntime().addShutdownHook(cleanUp);
        final List<Measurement> measurements = new ArrayList<>();
        try
        {
            final long windowMs = TimeUnit.SECONDS.toMillis(options.idleSeconds);
            progress("phase 1: " + IdleMode.FUTEX.label() + ", " + IdleMode.FUTEX_LONG.label() + " and " +
                IdleMode.BACKOFF.label() + " together, " + options.idleSeconds + " s window after " + SETTLE_MS +
                " ms settling");
            measurements.addAll(measureTogether(List.of(IdleMode.FUTEX, IdleMode.FUTEX_LONG, IdleMode.BACKOFF),
                new int[]{options.childCpu, options.childCpu, options.parentCpu}, windowMs));
            final int busySeconds = Math.min(options.idleSeconds, BUSY_SPIN_MAX_SECONDS);
            progress("phase 2: " + IdleMode.BUSY_SPIN.label() + ", " + busySeconds + " s window");
            measurements.addAll(measureTogether(List.of(IdleMode.BUSY_SPIN), new int[]{options.childCpu},
                TimeUnit.SECONDS.toMillis(busySeconds)));
        }
        finally
        {
            closeChildren();
            Harness.deleteRecursively(runDirectory);
            Runtime.getRuntime().removeShutdownHook(cleanUp);
        }
        info.put("load average after", HarnessJvm.loadAverage());
        info.put("elapsed", String.format(Locale.ROOT, "%.1f s", (System.nanoTime() - startNs) / 1e9));

        final String table = table(measurements, info, options.idleSeconds);
        System.out.println(table);
        Files.createDirectories(options.out);
        Files.writeString(options.out.resolve(TEXT_FILE), table);
        Files.writeString(options.out.resolve(CSV_FILE), csv(measurements));
        progress("wrote " + options.out.toAbsolutePath().normalize() + "/{" + TEXT_FILE + "," + CSV_FILE + "}");
        return measurements;
    }

    private List<Measurement> measureTogether(final List<IdleMode> modes, final int[] cpus, final long windowMs)
        throws Exception
    {
        final boolean pin = options.pin && null != HarnessJvm.taskset();
        final List<ChildProcess> started = new ArrayList<>();
        final List<String> cores = new ArrayList<>();
        for (int i = 0; i < modes.size(); i++)
        {
            final ChildProcess child = new ChildProcess(pin ? cpus[i] : -1); // returns once the JVM said hello
            children.add(child);
            started.add(child);
            final String[] hello = child.hello().split(" ", 2);
            cores.add(hello[0]);
            info.putIfAbsent("child JVM", hello.length > 1 ? hello[1] : "?");
        }
        for (int i = 0; i < modes.size(); i++)
        {
            final Path directory = Files.createDirectory(runDirectory.resolve(modes.get(i).label()));
            modes.get(i).prepare(directory);
            started.get(i).send("IDLE " + modes.get(i).label() + " " + SETTLE_MS + " " + windowMs + " " + directory);
        }
        for (final ChildProcess child : started)
        {
            child.expect("READY", CONTROL_TIMEOUT_MS);
        }
        final List<Measurement> measurements = new ArrayList<>();
        for (int i = 0; i < modes.size(); i++)
        {
            final String[] done = started.get(i).expect("DONE", SETTLE_MS + windowMs + CONTROL_TIMEOUT_MS).split(" ");
            final Measurement measurement = new Measurement(modes.get(i), cores.get(i), Long.parseLong(done[0]),
                Long.parseLong(done[1]), Long.parseLong(done[2]));
            measurements.add(measurement);
            progress(String.format(Locale.ROOT, "%-16s core %s  waiting thread %s%% of a core, whole JVM %s%%",
                measurement.mode().label(), measurement.cores(), percent(measurement.threadPct()),
                percent(measurement.processPct())));
        }
        for (final ChildProcess child : started)
        {
            child.send("CLOSE");
            child.expect("CLOSED", CONTROL_TIMEOUT_MS);
            child.close();
            children.remove(child);
        }
        return measurements;
    }

    private void recordInfo() throws IOException
    {
        info.put("date", ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        info.put("command", "Harness " + String.join(" ", options.arguments));
        info.put("mode", "idle: " + options.idleSeconds + " s window (busy-spin " +
            Math.min(options.idleSeconds, BUSY_SPIN_MAX_SECONDS) + " s), " + SETTLE_MS + " ms unmeasured first");
        info.put("machine", Harness.cpuSummary() + ", " + System.getProperty("os.name") + " " +
            System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        info.put("parent JVM", Runtime.version() + " (" + System.getProperty("java.vm.name") + ")");
        info.put("parent cores", HarnessJvm.cpusAllowed());
        final boolean pin = options.pin && null != HarnessJvm.taskset();
        info.put("pinned", pin ? "yes: " + IdleMode.FUTEX.label() + ", " + IdleMode.FUTEX_LONG.label() + " and " +
            IdleMode.BUSY_SPIN.label() + " on core " + options.childCpu + ", " + IdleMode.BACKOFF.label() +
            " on core " + options.parentCpu : "no");
        info.put("futex", Futex.isNative() ? "native FUTEX_WAIT/FUTEX_WAKE (shared)" :
            "FALLBACK park/poll: " + Futex.unavailableReason() + " (the conduit-futex row measures the fallback)");
        info.put("membarrier", AsymmetricFence.isAvailable() ? "available" : "not available");
        info.put("CPU clocks", CpuClock.isNative() ?
            "clock_gettime(CLOCK_THREAD_CPUTIME_ID, CLOCK_PROCESS_CPUTIME_ID) through JNA" :
            "MXBeans (the process CPU time may tick in 10 ms steps)");
        info.put("futex sleep bound", Channel.DEFAULT_MAX_SLEEP_NS / 1_000_000 + " ms (Channel.DEFAULT_MAX_SLEEP_NS)");
    }

    /**
     * @param measurements one per receiver.
     * @param windowSeconds the requested window.
     * @return issue 5's idle targets, for {@code conduit-futex} (the channel as shipped: the verdict) and, where
     * measured, {@code conduit-futex-10s}.
     */
    static List<Target> targets(final List<Measurement> measurements, final int windowSeconds)
    {
        final String window = TARGET_WINDOW_SECONDS == windowSeconds ? "" : " (over " + windowSeconds + " s)";
        final List<Target> targets = new ArrayList<>();
        for (final IdleMode mode : List.of(IdleMode.FUTEX, IdleMode.FUTEX_LONG))
        {
            Measurement futex = null;
            for (final Measurement measurement : measurements)
            {
                if (mode == measurement.mode())
                {
                    futex = measurement;
                }
            }
            if (null == futex && IdleMode.FUTEX_LONG == mode)
            {
                continue;
            }
            targets.add(new Target(mode.label() + " waiting thread, % of a core over " + TARGET_WINDOW_SECONDS +
                " s" + window, null == futex ? Double.NaN : futex.threadPct(), FUTEX_THREAD_LIMIT_PCT));
            targets.add(new Target(mode.label() + " whole JVM, % of a core over " + TARGET_WINDOW_SECONDS + " s" +
                window, null == futex ? Double.NaN : futex.processPct(), FUTEX_PROCESS_LIMIT_PCT));
        }
        return targets;
    }

    /**
     * @param measurements one per receiver.
     * @param info facts about the run, in display order.
     * @param windowSeconds the requested window.
     * @return the run's facts, the receivers' table and the targets' table, as text (valid Markdown tables).
     */
    static String table(final List<Measurement> measurements, final Map<String, String> info, final int windowSeconds)
    {
        final StringBuilder out = new StringBuilder();
        for (final Map.Entry<String, String> entry : info.entrySet())
        {
            out.append(entry.getKey()).append(": ").append(entry.getValue()).append('\n');
        }
        out.append('\n').append("Idle receivers, nothing sent: CPU time over the window as % of one core ")
            .append("(CPU ns / wall ns). Waiting thread: the one thread that waits; whole JVM: every thread of its ")
            .append("process, the JVM's own included.\n\n");
        final List<String[]> rows = new ArrayList<>();
        rows.add(new String[]{"receiver", "core", "window s", "waiting thread CPU ms", "waiting thread %",
            "whole JVM CPU ms", "whole JVM %"});
        for (final Measurement row : measurements)
        {
            rows.add(new String[]{row.mode().label(), row.cores(),
                String.format(Locale.ROOT, "%.1f", row.wallNs() / 1e9), millis(row.threadCpuNs()),
                percent(row.threadPct()), millis(row.processCpuNs()), percent(row.processPct())});
        }
        HarnessReport.appendTable(out, rows);
        out.append('\n');
        for (final Measurement row : measurements)
        {
            out.append("- ").append(row.mode().label()).append(": ").append(row.mode().description()).append('\n');
        }
        out.append('\n').append("Targets (issue 5), idle receiver in futex mode; conduit-futex is the channel as ")
            .append("shipped (maxSleepNs ").append(Channel.DEFAULT_MAX_SLEEP_NS / 1_000_000)
            .append(" ms), conduit-futex-10s only shows what the sleep bound does:\n\n");
        final List<String[]> targets = new ArrayList<>();
        targets.add(new String[]{"target", "measured %", "limit %", "verdict"});
        for (final Target target : targets(measurements, windowSeconds))
        {
            targets.add(new String[]{target.name(), percent(target.measuredPct()),
                String.format(Locale.ROOT, "%.2f", target.limitPct()), target.verdict()});
        }
        HarnessReport.appendTable(out, targets);
        return out.toString();
    }

    private static String csv(final List<Measurement> measurements)
    {
        final StringBuilder csv = new StringBuilder(
            "receiver,cores,wall_ns,thread_cpu_ns,thread_pct_of_core,process_cpu_ns,process_pct_of_core\n");
        for (final Measurement row : measurements)
        {
            csv.append(String.join(",", row.mode().label(), row.cores().replace(',', ' '),
                String.valueOf(row.wallNs()), String.valueOf(row.threadCpuNs()), fixed(row.threadPct()),
                String.valueOf(row.processCpuNs()), fixed(row.processPct()))).append('\n');
        }
        return csv.toString();
    }

    private static String fixed(final double value)
    {
        return Double.isNaN(value) ? "" : String.format(Locale.ROOT, "%.4f", value);
    }

    private static String millis(final long ns)
    {
        return ns < 0 ? "-" : String.format(Locale.ROOT, "%.1f", ns / 1e6);
    }

    /**
     * @param pct a percentage.
     * @return it with three significant digits where small, or "-" for NaN.
     */
    static String percent(final double pct)
    {
        if (Double.isNaN(pct))
        {
            return "-";
        }
        return String.format(Locale.ROOT, pct >= 10 ? "%.1f" : pct >= 1 ? "%.2f" : "%.3f", pct);
    }

    private void closeChildren()
    {
        for (final ChildProcess child : children)
        {
            child.kill();
            children.remove(child);
        }
    }

    private void abandon()
    {
        // interrupted (Ctrl-C): stop the children and leave nothing behind in /dev/shm
        closeChildren();
        try
        {
            Harness.deleteRecursively(runDirectory);
        }
        catch (final IOException | RuntimeException ex)
        {
            System.err.println("could not delete " + runDirectory + ": " + ex);
        }
    }

    private void progress(final String line)
    {
        System.err.printf("[%5.1fs] %s%n", (System.nanoTime() - startNs) / 1e9, line);
    }
}

package io.conduit.perf.harness;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The cross-process harness: ping-pong round trips and one-way throughput between two JVMs, Conduit side by side
 * with its anchors, in one run.
 * <p>
 * This process is the parent: it pings, consumes and records. It starts one long-lived child JVM
 * ({@link HarnessChild}) that echoes and produces for every system in turn. With {@code taskset} available the
 * parent re-launches itself pinned to one core and the child is pinned to another, both with the same JVM flags.
 * <p>
 * A run is rounds of repetitions. Each round runs every (system, size) ping-pong and every throughput system once,
 * in an order shuffled per round, and each ping-pong repetition is followed at once by a floor repetition between
 * the same two processes. On a shared VM absolute figures swing by up to 3x within minutes, so what is reported for
 * each system is the median over rounds of its ratio to the floor repetition it was paired with, and that ratio
 * divided by Conduit SPSC's.
 * <p>
 * A rep that fails leaves its system out of the rest of the run, and the child, which may be spinning on a link the
 * parent gave up, is killed and started afresh; with a warm-up round, the fresh child is warmed up over every task
 * still to come, unrecorded, before a rep is recorded again. A floor rep that fails ends the measuring, as nothing
 * after it could be paired; the report of the reps before it is still written, and the exit code is 1.
 * <p>
 * With {@code --idle} or {@code --idle-seconds N} it measures no round trips but the CPU an idle receiver burns
 * ({@link IdleCpu}) instead.
 * <p>
 * Run with: {@code java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -cp perf/target/conduit-perf.jar
 * io.conduit.perf.harness.Harness --quick}; {@code --help} lists the options.
 */
public final class Harness
{
    /** Capacity of every ring, bytes; Aeron's term is twice this, so its publisher window is the same. */
    static final int RING_CAPACITY = 1 << 20;
    /** Most messages a throughput consumer reads per poll. */
    static final int READ_BATCH = 256;

    /** The key in the failures of a child that could not be restarted. */
    static final String CHILD = "child";

    private static final long CONTROL_TIMEOUT_MS = 60_000;
    private static final long HIGHEST_TRACKABLE_NS = TimeUnit.MINUTES.toNanos(10);

    private final HarnessOptions options;
    private final List<RepResult> reps = new ArrayList<>();
    private final Map<String, Histogram> plotHistograms = new LinkedHashMap<>();
    private final Map<String, String> failures = new LinkedHashMap<>();
    private final Map<String, String> info = new LinkedHashMap<>();
    private volatile ChildProcess child; // read by the shutdown hook
    private Path runDirectory;
    private int repSequence;
    private long startNs;
    /** Why measuring stopped before the last round, or null. */
    private String stopped;

    private record Task(String phase, String system, int length)
    {
        String key()
        {
            return RepResult.THROUGHPUT.equals(phase) ? system + " (throughput)" : system;
        }
    }

    private record Measured(RepResult result, Histogram histogram)
    {
    }

    /**
     * What a test sees of a run: told of each rep before it starts, warm-up reps too, and able to make it fail.
     */
    interface RepListener
    {
        /**
         * @param phase  {@link RepResult#PING_PONG}, {@link RepResult#FLOOR} or {@link RepResult#THROUGHPUT}.
         * @param system the system.
         * @param round  the round, 0 for a rep of a warm-up.
         * @throws Exception to make the rep fail, as a failing system would.
         */
        void beforeRep(String phase, String system, int round) throws Exception;
    }

    private RepListener repListener = (phase, system, round) ->
    {
    };

    /**
     * @param options parsed options.
     */
    Harness(final HarnessOptions options)
    {
        this.options = options;
    }

    /**
     * @param args see {@link HarnessOptions#USAGE}.
     * @throws Exception if the run cannot start.
     */
    public static void main(final String[] args) throws Exception
    {
        final HarnessOptions options;
        try
        {
            options = HarnessOptions.parse(args);
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println(ex.getMessage());
            System.err.println(HarnessOptions.USAGE);
            System.exit(2);
            return;
        }
        if (options.help)
        {
            System.out.println(HarnessOptions.USAGE);
            return;
        }
        if (!Boolean.getBoolean(HarnessJvm.RELAUNCHED_PROP_NAME))
        {
            // in the process the user started: a relaunched one runs on the parent's core alone
            final String problem = options.startProblem(HarnessJvm.cpusAllowed());
            if (null != problem)
            {
                System.err.println(problem);
                System.exit(2);
                return;
            }
        }
        if (options.relaunch && !Boolean.getBoolean(HarnessJvm.RELAUNCHED_PROP_NAME))
        {
            System.exit(HarnessJvm.relaunch(options, args));
        }
        if (options.idle)
        {
            new IdleCpu(options).run();
            System.exit(0);
        }
        final HarnessReport report = new Harness(options).run();
        System.exit(report.failures().isEmpty() ? 0 : 1);
    }

    /**
     * @param listener told of each rep before it starts; for tests.
     */
    void repListener(final RepListener listener)
    {
        this.repListener = listener;
    }

    /**
     * Run every round, print the table to stdout and write the files to the output directory.
     *
     * @return the report, partial (with the floor or the child among its failures) if the run stopped early.
     * @throws Exception if the run cannot start or the output cannot be written.
     */
    HarnessReport run() throws Exception
    {
        startNs = System.nanoTime();
        recordInfo();
        final String load = HarnessJvm.loadAverage();
        progress("load average before the run: " + load + (busy(load) ?
            "  -- above 0.5: other work on this machine will add noise (the paired ratios still pair)" : ""));
        runDirectory = Files.createTempDirectory(baseDirectory(), "conduit-harness-");
        final Thread cleanUp = new Thread(this::abandon, "harness-clean-up");
        Runtime.getRuntime().addShutdownHook(cleanUp);
        try
        {
            BlockingDeadline.startTimer(); // before any rep, so that its thread never counts as a helper thread
            startChild();
            final List<Task> tasks = tasks();
            if (options.warmupRound)
            {
                // the same counts as a measured round, so each loop has run long enough for C2 in both JVMs
                progress("warm-up round (not recorded): " + tasks.size() + " tasks");
                runRound(tasks, 0, options.count);
            }
            for (int round = 1; round <= options.rounds && null == stopped; round++)
            {
                runRound(tasks, round, options.count);
            }
        }
        finally
        {
            if (null != child)
            {
                child.close();
            }
            deleteRecursively(runDirectory);
            Runtime.getRuntime().removeShutdownHook(cleanUp);
        }
        if (null != stopped)
        {
            info.put("stopped early", stopped);
        }
        info.put("load average after", HarnessJvm.loadAverage());
        info.put("elapsed", String.format("%.1f s", (System.nanoTime() - startNs) / 1e9));

        final HarnessReport report = new HarnessReport(options, reps, plotHistograms, failures, info);
        System.out.println(report.table());
        report.write(options.out);
        progress("wrote " + options.out.toAbsolutePath().normalize() + "/{" + HarnessReport.TEXT_FILE + "," +
            HarnessReport.REPS_CSV_FILE + "," + HarnessReport.SUMMARY_CSV_FILE + "," + HarnessReport.HTML_FILE + "}");
        return report;
    }

    private void abandon()
    {
        // interrupted (Ctrl-C): stop the child and leave nothing behind in /dev/shm
        final ChildProcess child = this.child;
        if (null != child)
        {
            child.kill();
        }
        try
        {
            deleteRecursively(runDirectory);
        }
        catch (final IOException | RuntimeException ex)
        {
            System.err.println("could not delete " + runDirectory + ": " + ex);
        }
    }

    private void recordInfo() throws IOException
    {
        info.put("date", ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        info.put("command", "Harness " + String.join(" ", options.arguments));
        info.put("mode", options.mode + (0 == options.rate ? ", back-to-back" :
            ", fixed rate " + options.rate + " msgs/s, latency from the intended send time"));
        info.put("machine", cpuSummary() + ", " + System.getProperty("os.name") + " " +
            System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        info.put("parent JVM", Runtime.version() + " (" + System.getProperty("java.vm.name") + ")");
        info.put("parent cores", HarnessJvm.cpusAllowed());
        info.put("counts", options.rounds + " rounds" + (options.warmupRound ? " + 1 warm-up round" : "") + ", " +
            options.warmup + " + " + options.count + " round trips per rep, " + options.throughputCount +
            " messages per throughput rep");
        info.put("seed", String.valueOf(options.seed));
    }

    /**
     * @return the number of processors and the CPU model, from {@code /proc/cpuinfo} where it exists.
     * @throws IOException if it exists but cannot be read.
     */
    static String cpuSummary() throws IOException
    {
        final Path cpuinfo = Paths.get("/proc/cpuinfo");
        if (!Files.isReadable(cpuinfo))
        {
            return Runtime.getRuntime().availableProcessors() + " CPUs";
        }
        int processors = 0;
        String model = "";
        for (final String line : Files.readAllLines(cpuinfo))
        {
            if (line.startsWith("processor"))
            {
                processors++;
            }
            else if (line.startsWith("model name") && model.isEmpty())
            {
                model = line.substring(line.indexOf(':') + 1).trim();
            }
        }
        return processors + " CPUs (" + model + ")";
    }

    private static boolean busy(final String load)
    {
        try
        {
            return Double.parseDouble(load.split(" ")[0]) > 0.5;
        }
        catch (final NumberFormatException ex)
        {
            return false;
        }
    }

    /**
     * @return {@code /dev/shm} where it is writable, else the temporary directory: where the harness and the JMH
     * benchmarks make their scratch directories.
     */
    public static Path baseDirectory()
    {
        final Path shm = Paths.get("/dev/shm");
        return Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Paths.get(System.getProperty("java.io.tmpdir"));
    }

    private void startChild() throws IOException
    {
        final boolean pin = options.pin && null != HarnessJvm.taskset();
        child = new ChildProcess(pin ? options.childCpu : -1);
        final String[] hello = child.hello().split(" ", 2);
        info.put("child cores", hello[0]);
        info.put("child JVM", hello.length > 1 ? hello[1] : "?");
        info.put("pinned", pinning(pin));
    }

    private String pinning(final boolean childPinned)
    {
        if (null == HarnessJvm.taskset())
        {
            return "no (taskset not found)";
        }
        if (!childPinned)
        {
            return "no (--no-pin)";
        }
        final boolean parentPinned = String.valueOf(options.parentCpu).equals(HarnessJvm.cpusAllowed());
        return "yes: taskset -c " + options.childCpu + " for the child" + (parentPinned ?
            ", taskset -c " + options.parentCpu + " for the parent" : "; parent not pinned (in-process run)");
    }

    private List<Task> tasks()
    {
        final List<Task> tasks = new ArrayList<>();
        for (final String system : options.systems)
        {
            for (final int length : options.sizes)
            {
                tasks.add(new Task(RepResult.PING_PONG, system, length));
            }
        }
        if (options.throughputCount > 0)
        {
            for (final String system : options.throughputSystems)
            {
                tasks.add(new Task(RepResult.THROUGHPUT, system, 32));
            }
        }
        return tasks;
    }

    private void runRound(final List<Task> tasks, final int round, final int count) throws Exception
    {
        final List<Task> shuffled = new ArrayList<>(tasks);
        Collections.shuffle(shuffled, new Random(options.seed + round));
        for (int i = 0; i < shuffled.size() && null == stopped; i++)
        {
            final Task task = shuffled.get(i);
            if (failures.containsKey(task.key()) || !runTask(task, round, i + 1, shuffled.size(), count) ||
                !options.warmupRound)
            {
                continue;
            }
            if (0 == round)
            {
                warmUpRestartedChild(tasks, count); // the warm-up round again, from the start
                return;
            }
            // every task comes again in a later round; in the last, only those after this one
            warmUpRestartedChild(round < options.rounds ? tasks : shuffled.subList(i + 1, shuffled.size()), count);
        }
    }

    /**
     * Warm a restarted child up over the tasks still to come, recording nothing, as the warm-up round does; again
     * from the start if the child is restarted once more.
     */
    private void warmUpRestartedChild(final List<Task> toCome, final int count) throws Exception
    {
        boolean restarted = true;
        while (restarted && null == stopped)
        {
            final List<Task> left = new ArrayList<>();
            for (final Task task : toCome)
            {
                if (!failures.containsKey(task.key()))
                {
                    left.add(task);
                }
            }
            progress("warm-up of the restarted child (not recorded): " + left.size() + " tasks");
            restarted = false;
            for (int i = 0; i < left.size() && !restarted && null == stopped; i++)
            {
                restarted = runTask(left.get(i), 0, i + 1, left.size(), count);
            }
        }
    }

    /**
     * Run one task; on failure, leave its system out of the rest of the run and restart the child, or, if the floor
     * failed, stop measuring.
     *
     * @return true if the task failed and a fresh child was started, which nothing has warmed up.
     */
    private boolean runTask(final Task task, final int round, final int order, final int tasks, final int count)
        throws Exception
    {
        try
        {
            if (RepResult.THROUGHPUT.equals(task.phase()))
            {
                throughputTask(task, round, order, tasks);
            }
            else
            {
                pingPongTask(task, round, order, tasks, count);
            }
            return false;
        }
        catch (final FloorFailure ex)
        {
            failures.put(FloorEndpoint.NAME, oneLine(ex.getCause()));
            child.kill(); // it may be spinning on the floor's line
            stop("a floor rep failed (after " + task.system() + " " + task.length() + " B, " +
                roundLabel(round).trim() + "): no rep after it could be paired; the report holds the reps before it");
            return false;
        }
        catch (final Exception | AssertionError | LinkageError ex) // Chronicle reports a closed module as an Error
        {
            final String why = oneLine(ex) + (Systems.CHRONICLE_QUEUE.equals(task.system()) &&
                !Boolean.getBoolean(HarnessJvm.RELAUNCHED_PROP_NAME) ?
                " (this parent JVM lacks Chronicle's --add-opens: run without --no-relaunch)" : "");
            failures.put(task.key(), why);
            progress("FAILED " + task.key() + ": " + why + " -- left out of the rest of the run");
            return restartChild();
        }
    }

    /**
     * Kill the child, which may be spinning on a link the parent gave up, and start a fresh one.
     *
     * @return true if a fresh child started; false if none could, and measuring stopped.
     */
    private boolean restartChild()
    {
        child.kill();
        try
        {
            startChild();
            return true;
        }
        catch (final IOException | RuntimeException ex)
        {
            failures.put(CHILD, oneLine(ex));
            stop("the child could not be restarted; the report holds the reps before it");
            return false;
        }
    }

    private void stop(final String why)
    {
        stopped = why;
        progress("STOPPED: " + why);
    }

    private void pingPongTask(final Task task, final int round, final int order, final int tasks, final int count)
        throws Exception
    {
        final Measured system = latencyRep(task.system(), task.length(), round, order, count);
        final Measured floor;
        try
        {
            floor = latencyRep(FloorEndpoint.NAME, FloorEndpoint.COUNTER_LENGTH, round, order, count);
        }
        catch (final Exception ex)
        {
            throw new FloorFailure(ex);
        }
        final RepResult paired = system.result().pairedWith(floor.result());
        progress(String.format("%s %2d/%d %-16s %5d B  p50 %,9d ns  p99 %,10d ns | floor p50 %,6d ns" +
            "  x%.2f", roundLabel(round), order, tasks, task.system(), task.length(), paired.p50Ns(),
            paired.p99Ns(), paired.floorP50Ns(), paired.ratioToFloorP50()));
        if (round > 0)
        {
            reps.add(paired);
            reps.add(floor.result());
            if (task.length() == plotLength())
            {
                plotHistograms.computeIfAbsent(task.system(), name -> new Histogram(HIGHEST_TRACKABLE_NS, 3))
                    .add(system.histogram());
                plotHistograms.computeIfAbsent(FloorEndpoint.NAME, name -> new Histogram(HIGHEST_TRACKABLE_NS, 3))
                    .add(floor.histogram());
            }
        }
    }

    /**
     * @return the payload size the percentile plot shows: 32 B if measured, else the smallest.
     */
    int plotLength()
    {
        return options.sizes.contains(32) ? 32 : Collections.min(options.sizes);
    }

    private Measured latencyRep(
        final String system, final int length, final int round, final int order, final int count) throws Exception
    {
        final boolean floor = FloorEndpoint.NAME.equals(system);
        repListener.beforeRep(floor ? RepResult.FLOOR : RepResult.PING_PONG, system, round);
        final int warmup = options.warmup;
        final int total = warmup + count;
        final long intervalNs = options.intervalNs();
        final long timeoutMs = 30_000 + total * (intervalNs + 200_000) / 1_000_000;
        final Path repDirectory = Files.createDirectory(runDirectory.resolve("rep-" + (++repSequence)));
        final long[] baseline = ThreadCpu.threadIds();
        final Histogram histogram = new Histogram(HIGHEST_TRACKABLE_NS, 3);
        final double parentPct;
        final String[] done;
        try
        {
            try (Endpoint endpoint = Systems.create(system))
            {
                final String token = endpoint.prepare(repDirectory, length);
                child.send((floor ? "FLOOR " : "PING ") + system + " " + length + " " + total + " " + timeoutMs +
                    " " + token);
                final String reply = child.expect("READY", CONTROL_TIMEOUT_MS);
                final Watchdog watchdog = new Watchdog(
                    TimeUnit.MILLISECONDS.toNanos(timeoutMs), child.handle(), "ping-pong " + system);
                endpoint.connect(reply, watchdog);
                final long startCpuNs = ThreadCpu.helperCpuNs(baseline);
                final long repStartNs = System.nanoTime();
                endpoint.pingPong(histogram, warmup, total, intervalNs, watchdog);
                parentPct = percent(ThreadCpu.helperCpuNs(baseline) - startCpuNs, System.nanoTime() - repStartNs);
                done = child.expect("DONE", timeoutMs).split(" ");
            }
            child.send("CLOSE");
            child.expect("CLOSED", CONTROL_TIMEOUT_MS);
        }
        finally
        {
            deleteRecursively(repDirectory);
        }
        final double childPct = percent(Long.parseLong(done[0]), Long.parseLong(done[1]));
        return new Measured(RepResult.latency(floor ? RepResult.FLOOR : RepResult.PING_PONG, round, order, system,
            length, histogram, childPct, parentPct), histogram);
    }

    private void throughputTask(final Task task, final int round, final int order, final int tasks) throws Exception
    {
        final String system = task.system();
        repListener.beforeRep(RepResult.THROUGHPUT, system, round);
        final int total = options.throughputCount;
        final long timeoutMs = 30_000 + total / 1_000;
        final Path repDirectory = Files.createDirectory(runDirectory.resolve("rep-" + (++repSequence)));
        final long[] baseline = ThreadCpu.threadIds();
        final long durationNs;
        final double parentPct;
        final String[] done;
        try
        {
            try (Endpoint endpoint = Systems.create(system))
            {
                final String token = endpoint.prepare(repDirectory, task.length());
                child.send("PRODUCE " + system + " " + task.length() + " " + total + " " + timeoutMs + " " + token);
                final String reply = child.expect("READY", CONTROL_TIMEOUT_MS);
                final Watchdog watchdog = new Watchdog(
                    TimeUnit.MILLISECONDS.toNanos(timeoutMs), child.handle(), "throughput " + system);
                endpoint.connect(reply, watchdog);
                final long startCpuNs = ThreadCpu.helperCpuNs(baseline);
                // the clock starts before the child may produce, so it times every message, the ring's first fill
                // too, and the child's wake-up on GO (tens of us: why a rep has at least 100k messages); every
                // system is timed here, the same way
                final long goNs = System.nanoTime();
                child.send(HarnessChild.GO);
                endpoint.consume(total, watchdog);
                durationNs = System.nanoTime() - goNs;
                parentPct = percent(ThreadCpu.helperCpuNs(baseline) - startCpuNs, durationNs);
                done = child.expect("DONE", timeoutMs).split(" ");
            }
            child.send("CLOSE");
            child.expect("CLOSED", CONTROL_TIMEOUT_MS);
        }
        finally
        {
            deleteRecursively(repDirectory);
        }
        final double msgsPerSec = total * 1e9 / Math.max(1, durationNs);
        final RepResult result = new RepResult(RepResult.THROUGHPUT, round, order, system, task.length(), total,
            0, 0, 0, 0, 0, 0, 0, 0, 0, msgsPerSec, percent(Long.parseLong(done[0]), Long.parseLong(done[1])),
            parentPct, Long.parseLong(done[2]));
        progress(String.format("%s %2d/%d %-16s %5d B  one-way %,.0f msgs/s  %,.0f MB/s", roundLabel(round),
            order, tasks, system, task.length(), msgsPerSec, result.megabytesPerSec()));
        if (round > 0)
        {
            reps.add(result);
        }
    }

    private String roundLabel(final int round)
    {
        return 0 == round ? "warm-up  " : String.format("round %d/%d", round, options.rounds);
    }

    private static double percent(final long cpuNs, final long wallNs)
    {
        return wallNs <= 0 ? 0 : 100.0 * cpuNs / wallNs;
    }

    private void progress(final String line)
    {
        System.err.printf("[%5.1fs] %s%n", (System.nanoTime() - startNs) / 1e9, line);
    }

    /**
     * @param ex an exception.
     * @return its class and message on one line, without the protocol's separators.
     */
    static String oneLine(final Throwable ex)
    {
        final StringBuilder text = new StringBuilder();
        for (Throwable cause = ex; null != cause; cause = cause.getCause())
        {
            final String message = String.valueOf(cause.getMessage());
            if (cause != ex && text.indexOf(message) >= 0)
            {
                continue; // a wrapper that repeats its cause's message
            }
            text.append(0 == text.length() ? "" : " <- ").append(cause.getClass().getSimpleName()).append(": ")
                .append(message);
        }
        return text.toString().replace('\n', ' ').replace('\r', ' ');
    }

    /**
     * @param root a file or directory to delete with everything in it; nothing happens if null or missing.
     * @throws IOException if something cannot be deleted.
     */
    static void deleteRecursively(final Path root) throws IOException
    {
        if (null == root || !Files.exists(root))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(root))
        {
            for (final Path path : (Iterable<Path>)paths.sorted(Comparator.reverseOrder())::iterator)
            {
                Files.deleteIfExists(path);
            }
        }
    }

    /**
     * The floor failed: nothing can be paired any more, so measuring stops.
     */
    static final class FloorFailure extends Exception
    {
        private static final long serialVersionUID = 1L;

        FloorFailure(final Exception cause)
        {
            super("the floor failed; the run cannot pair reps without it", cause);
        }
    }
}

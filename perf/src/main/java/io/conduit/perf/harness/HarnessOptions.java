package io.conduit.perf.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Command-line options of the {@link Harness}. A mode ({@code --quick}, {@code --smoke}, {@code --waiting}, or the
 * full default) sets every count; the other options override single values, whatever their order. {@code --idle} and
 * {@code --idle-seconds} switch to the idle CPU measurement, whose window {@code --quick} shortens.
 */
final class HarnessOptions
{
    /** Idle mode's window: the one issue 5's idle targets are stated over. */
    static final int DEFAULT_IDLE_SECONDS = 60;
    /** Idle mode's window with {@code --quick}. */
    static final int QUICK_IDLE_SECONDS = 5;
    /** Usage text. */
    static final String USAGE = String.join(System.lineSeparator(),
        "usage: java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -cp perf/target/conduit-perf.jar \\",
        "           io.conduit.perf.harness.Harness [options]",
        "  --quick               3 rounds, 20k round trips per rep, 32 B only, no tcp or fifo: about 40 s",
        "  --smoke               1 round, 2k round trips, conduit-spsc, agrona-o2o, line-pair, floor: seconds (CI)",
        "  --waiting             issue 5's waiting targets: conduit-futex, conduit-hybrid, conduit-spsc, uds-block,",
        "                        line-pair + floor, 11 rounds, 20k round trips, 32 B, no throughput: about a minute",
        "                        (default, none of these: 7 rounds, 100k round trips per rep, 32, 256 and 4096 B)",
        "  --idle                instead of round trips, the CPU an idle receiver burns: conduit-futex,",
        "                        conduit-futex-10s and agrona-backoff for " + DEFAULT_IDLE_SECONDS + " s (" +
            QUICK_IDLE_SECONDS + " s with --quick), then busy-spin for at most " + IdleCpu.BUSY_SPIN_MAX_SECONDS +
            " s",
        "  --idle-seconds N      --idle with an N second window",
        "  --systems a,b,...     ping-pong systems, of " + String.join(",", Systems.PING_PONG),
        "                        (the floor always runs, paired with every rep)",
        "  --sizes 32,256,4096   payload sizes in bytes, 16 to " + HarnessOptions.MAX_LENGTH,
        "  --rounds N            measured rounds; each runs every system once, shuffled",
        "  --count N             recorded round trips per rep (the same for every system)",
        "  --warmup N            unrecorded round trips before them, per rep",
        "  --throughput-count N  messages per one-way throughput rep (32 B), at least " +
            HarnessOptions.MIN_THROUGHPUT_COUNT + "; 0 or --no-throughput to skip",
        "  --rate N              fixed rate, msgs/s: latency measured from the intended send time",
        "  --seed N              shuffle seed",
        "  --out DIR             where the CSV, HTML and text go (default perf/target/harness)",
        "  --cpus P,C            cores for parent and child (default 0,1); --no-pin to skip taskset",
        "  --no-relaunch         do not re-launch the parent JVM under taskset with the harness JVM flags",
        "  --help, -h            print this text and exit");

    /** Options followed by a value. */
    private static final Set<String> VALUE_OPTIONS = Set.of("--idle-seconds", "--systems", "--sizes", "--rounds",
        "--count", "--warmup", "--throughput-count", "--rate", "--seed", "--out", "--cpus");

    /**
     * Fewest messages a throughput rep may time: several ring fills (one fill is 16,384 32-byte messages in Conduit's
     * rings and Aeron's window, 26,214 in Agrona's ring), so that every system spends most of the rep refused by a
     * full ring, which is what a throughput rep measures; and enough that the child's wake-up on {@code GO} (tens of
     * microseconds, timed with the rep) is a small part of it. At 10,000 no ring ever filled. {@code --smoke}'s count.
     */
    static final int MIN_THROUGHPUT_COUNT = 100_000;

    /** Largest payload: one Aeron frame with the MTU used here, no fragmentation. */
    static final int MAX_LENGTH = 8192 - 32;

    String mode = "full";
    List<String> systems = new ArrayList<>(Systems.PING_PONG);
    List<String> throughputSystems = new ArrayList<>(Systems.THROUGHPUT);
    List<Integer> sizes = new ArrayList<>(List.of(32, 256, 4096));
    int rounds = 7;
    int count = 100_000;
    int warmup = 10_000;
    int throughputCount = 5_000_000;
    boolean warmupRound = true;
    long rate;
    boolean idle;
    int idleSeconds = DEFAULT_IDLE_SECONDS;
    long seed = System.nanoTime();
    Path out = defaultOut();
    boolean pin = true;
    int parentCpu = 0;
    int childCpu = 1;
    boolean relaunch = true;
    boolean help;
    final List<String> arguments = new ArrayList<>();

    /**
     * @param args command-line arguments.
     * @return the options.
     * @throws IllegalArgumentException naming a bad option or value.
     */
    static HarnessOptions parse(final String[] args)
    {
        final HarnessOptions options = new HarnessOptions();
        options.arguments.addAll(List.of(args));
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            if (VALUE_OPTIONS.contains(arg))
            {
                i++; // a value, even one that looks like a mode: "--out --quick" writes to a directory "--quick"
            }
            else if ("--quick".equals(arg))
            {
                options.quick();
            }
            else if ("--smoke".equals(arg))
            {
                options.smoke();
            }
            else if ("--waiting".equals(arg))
            {
                options.waiting();
            }
        }
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            switch (arg)
            {
                case "--quick":
                case "--smoke":
                case "--waiting":
                    break;
                case "--idle":
                    options.idle = true;
                    break;
                case "--idle-seconds":
                    options.idle = true;
                    options.idleSeconds = positive(value(args, ++i, arg), arg);
                    break;
                case "--systems":
                    options.systems(value(args, ++i, arg));
                    break;
                case "--sizes":
                    options.sizes = sizes(value(args, ++i, arg));
                    break;
                case "--rounds":
                    options.rounds = positive(value(args, ++i, arg), arg);
                    break;
                case "--count":
                    options.count = positive(value(args, ++i, arg), arg);
                    break;
                case "--warmup":
                    options.warmup = (int)number(value(args, ++i, arg), arg, 0);
                    break;
                case "--throughput-count":
                    options.throughputCount = throughputCount(value(args, ++i, arg));
                    break;
                case "--no-throughput":
                    options.throughputCount = 0;
                    break;
                case "--rate":
                    options.rate = number(value(args, ++i, arg), arg, 1);
                    break;
                case "--seed":
                    options.seed = seed(value(args, ++i, arg));
                    break;
                case "--out":
                    options.out = Paths.get(value(args, ++i, arg));
                    break;
                case "--cpus":
                    options.cpus(value(args, ++i, arg));
                    break;
                case "--no-pin":
                    options.pin = false;
                    break;
                case "--no-relaunch":
                    options.relaunch = false;
                    break;
                case "--help":
                case "-h":
                    options.help = true;
                    break;
                default:
                    throw new IllegalArgumentException("unknown option: " + arg);
            }
        }
        if ((long)options.warmup + options.count > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException("--warmup + --count: " + ((long)options.warmup + options.count) +
                " round trips per rep, expected <= " + Integer.MAX_VALUE);
        }
        if (options.systems.isEmpty() && !options.idle)
        {
            throw new IllegalArgumentException("--systems: nothing to measure besides the floor, which always runs");
        }
        return options;
    }

    private void quick()
    {
        mode = "quick";
        // the blocking kernel paths cost ~100 us a round trip here: two of the three would take half the budget
        systems = new ArrayList<>(Systems.PING_PONG);
        systems.removeAll(List.of(Systems.TCP, Systems.FIFO));
        sizes = new ArrayList<>(List.of(32));
        rounds = 3;
        count = 20_000;
        warmup = 5_000;
        throughputCount = 1_000_000;
        warmupRound = true;
        idleSeconds = QUICK_IDLE_SECONDS;
    }

    private void waiting()
    {
        mode = "waiting";
        // issue 5's round-trip targets need exactly these, in the same run. The two kernel paths cost ~80 us a
        // round trip here, so a round of 25k round trips each takes about 4 s: 11 rounds, because the hybrid's
        // verdict against busy-spin rests on a few percent
        systems = new ArrayList<>(List.of(
            Systems.CONDUIT_SPSC, Systems.CONDUIT_HYBRID, Systems.CONDUIT_FUTEX, Systems.UDS_BLOCK, Systems.LINE_PAIR));
        throughputSystems = new ArrayList<>();
        sizes = new ArrayList<>(List.of(32));
        rounds = 11;
        count = 20_000;
        warmup = 5_000;
        throughputCount = 0;
        warmupRound = true;
    }

    private void smoke()
    {
        mode = "smoke";
        systems = new ArrayList<>(List.of(Systems.CONDUIT_SPSC, Systems.AGRONA_O2O, Systems.LINE_PAIR));
        throughputSystems = new ArrayList<>(List.of(Systems.CONDUIT_SPSC, Systems.AGRONA_O2O));
        sizes = new ArrayList<>(List.of(32));
        rounds = 1;
        count = 2_000;
        warmup = 500;
        throughputCount = 100_000;
        warmupRound = false;
    }

    private void systems(final String list)
    {
        systems = new ArrayList<>();
        throughputSystems = new ArrayList<>();
        for (final String name : list.split(","))
        {
            final String system = name.trim();
            if (system.isEmpty() || FloorEndpoint.NAME.equals(system))
            {
                continue; // the floor always runs
            }
            if (!Systems.PING_PONG.contains(system))
            {
                throw new IllegalArgumentException("unknown system=" + system + " expected one of " +
                    Systems.PING_PONG);
            }
            if (!systems.contains(system))
            {
                systems.add(system);
                if (Systems.THROUGHPUT.contains(system))
                {
                    throughputSystems.add(system);
                }
            }
        }
    }

    private void cpus(final String pair)
    {
        final String[] parts = pair.split(",");
        if (2 != parts.length)
        {
            throw new IllegalArgumentException("--cpus expects P,C (parent core, child core), got " + pair);
        }
        parentCpu = (int)number(parts[0].trim(), "--cpus", 0);
        childCpu = (int)number(parts[1].trim(), "--cpus", 0);
        if (parentCpu == childCpu)
        {
            throw new IllegalArgumentException("--cpus " + pair + ": parent and child need two different cores (both " +
                "spin, and on one core they would take turns)");
        }
    }

    /**
     * What stops a run before it starts, that parsing cannot see: a core of {@code --cpus} this process may not run
     * on (while pinning), or an {@code --out} that cannot be made a directory. Checked before the run, not after it,
     * when its results would be lost.
     *
     * @param cpusAllowed this process's allowed cores as Linux lists them ({@code 0-3,6}), or {@code "?"} if unknown.
     * @return the problem, naming the option, or null if none.
     */
    String startProblem(final String cpusAllowed)
    {
        if (pin && !"?".equals(cpusAllowed))
        {
            for (final int cpu : new int[] {parentCpu, childCpu})
            {
                if (!cpuListContains(cpusAllowed, cpu))
                {
                    return "--cpus " + parentCpu + "," + childCpu + ": core " + cpu + " is not one this process may " +
                        "run on (" + cpusAllowed + "); name two of those, or --no-pin";
                }
            }
        }
        try
        {
            Files.createDirectories(out);
            if (!Files.isWritable(out))
            {
                return "--out " + out + ": the directory is not writable";
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            return "--out " + out + ": cannot make the directory: " + ex;
        }
        return null;
    }

    /**
     * @return whether a Linux CPU list ({@code 0-3,6}) holds the core; false for a list it cannot read.
     */
    static boolean cpuListContains(final String list, final int cpu)
    {
        for (final String part : list.split(","))
        {
            final String range = part.trim();
            final int dash = range.indexOf('-');
            try
            {
                final int low = Integer.parseInt(dash < 0 ? range : range.substring(0, dash));
                final int high = dash < 0 ? low : Integer.parseInt(range.substring(dash + 1));
                if (cpu >= low && cpu <= high)
                {
                    return true;
                }
            }
            catch (final NumberFormatException ex)
            {
                return false;
            }
        }
        return false;
    }

    private static List<Integer> sizes(final String list)
    {
        final List<Integer> sizes = new ArrayList<>();
        for (final String part : list.split(","))
        {
            final int size = (int)number(part.trim(), "--sizes", MessageLayout.MIN_LENGTH);
            if (size > MAX_LENGTH)
            {
                throw new IllegalArgumentException("--sizes: " + size + " expected <= " + MAX_LENGTH);
            }
            if (!sizes.contains(size))
            {
                sizes.add(size);
            }
        }
        return sizes;
    }

    private static int throughputCount(final String value)
    {
        final int count = (int)number(value, "--throughput-count", 0);
        if (0 != count && count < MIN_THROUGHPUT_COUNT)
        {
            throw new IllegalArgumentException("--throughput-count: " + count + " expected 0 (no throughput) or at " +
                "least " + MIN_THROUGHPUT_COUNT);
        }
        return count;
    }

    private static String value(final String[] args, final int index, final String option)
    {
        if (index >= args.length)
        {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[index];
    }

    private static int positive(final String value, final String option)
    {
        return (int)number(value, option, 1);
    }

    private static long seed(final String value)
    {
        return parseLong(value, "--seed");
    }

    private static long parseLong(final String value, final String option)
    {
        try
        {
            return Long.parseLong(value.replace("_", ""));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(option + ": '" + value + "' is not a number");
        }
    }

    private static long number(final String value, final String option, final long min)
    {
        final long number = parseLong(value, option);
        if (number < min || number > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException(option + ": " + number + " expected in [" + min + ", " +
                Integer.MAX_VALUE + "]");
        }
        return number;
    }

    private static Path defaultOut()
    {
        return Files.isDirectory(Paths.get("perf")) ? Paths.get("perf", "target", "harness") :
            Paths.get("target", "harness");
    }

    /**
     * @return the interval between intended send times in fixed-rate mode, or 0 for back to back.
     */
    long intervalNs()
    {
        return 0 == rate ? 0 : Math.max(1, 1_000_000_000L / rate);
    }
}

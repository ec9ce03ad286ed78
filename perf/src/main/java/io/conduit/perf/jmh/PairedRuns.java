package io.conduit.perf.jmh;

import io.conduit.perf.jmh.ring.LinePingPong;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Ratios of one JMH parameter value to others, from forks run one after another: on a shared VM a fork's score moves
 * by more than the difference between two rings or codecs (the host moves the vCPUs, and each fork gets its own JIT
 * decisions and page placement), so scores from forks minutes apart do not compare. Each round runs one fork of each
 * value, in turn, reversing the order every other round; each fork's score is the median of its iterations; each
 * round gives the subject's ratio to every anchor, and the run reports the median, least and greatest ratio over the
 * rounds. The same idea as the harness's paired floor reps, for JMH.
 * <pre>
 * java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -cp perf/target/conduit-perf.jar \
 *     io.conduit.perf.jmh.PairedRuns --benchmark SensorCodecLatencyBenchmark --param path \
 *     --values sbe,raw-offer,raw --rounds 8 -- -wi 3 -i 4
 * </pre>
 * Options: {@code --benchmark REGEX} (JMH's include pattern), {@code --param NAME} and {@code --values S,A1,A2...}
 * (the subject first, then its anchors; without {@code --benchmark} and {@code --param}, each value is a benchmark's
 * include pattern, to pair two methods such as {@code SendCostBenchmark.withSignal,SendCostBenchmark.withoutSignal}),
 * {@code --rounds N} (default 6; an even number puts each value first as often as last), {@code --metric NAME} (a
 * secondary result to score by, such as {@code messages} for {@code RingThroughputBenchmark}; required for a group
 * benchmark, whose primary result adds up every thread's calls, failed ones included); every argument after
 * {@code --} goes to JMH as on its command line. {@code --floor} measures the two-thread floor
 * ({@link LinePingPong}: a line ping-ponged between the CPUs the forks' {@code -Dconduit.bench.cpus} names, else the
 * first two this JVM may use) before each fork, prints it with each round, and gives the ratios again for the rounds
 * at or below the run's median floor and for those above it. Forks are always 1 per run. JMH's own log is silent
 * unless those arguments set {@code -v}; each fork's score goes to standard error as it ends, the table to standard
 * output.
 * <p>
 * Each fork is checked to have run what was asked (the parameter's value, which JMH would silently ignore for a
 * parameter the benchmark does not have), and every fork's score to be in the same unit and mode, so that no ratio
 * divides unlike figures.
 */
public final class PairedRuns
{
    // the floor before each fork: 200 samples of 1,000 round trips after 20 unmeasured, 0.02 to 0.1 s here
    static final int FLOOR_SAMPLES = 200;
    static final int FLOOR_ROUND_TRIPS = 1_000;
    static final int FLOOR_WARM_UP = 20;
    private static final String CPUS_ARG = "-D" + LinePingPong.CPUS_PROP_NAME + "=";

    private final String benchmark;
    private final String param;
    private final List<String> values;
    private final int rounds;
    private final String metric;
    private final boolean floor;
    private final String[] jmhArgs;

    /**
     * One round: each value's score.
     *
     * @param scores scores in the order of the values.
     * @param floors the line ping-pong's median round trip (ns) measured before each value's fork, in the order of
     *               the values; NaN without {@code --floor}.
     */
    record Round(double[] scores, double[] floors)
    {
    }

    /**
     * The ratios of the subject to one anchor over the rounds.
     *
     * @param anchor the anchor's value.
     * @param median median ratio.
     * @param min    least ratio.
     * @param max    greatest ratio.
     */
    record Ratio(String anchor, double median, double min, double max)
    {
    }

    static final String USAGE = "usage: PairedRuns [--benchmark REGEX --param NAME] --values SUBJECT,ANCHOR[,...] " +
        "[--rounds N] [--metric NAME] [--floor] [-- JMH ARGS...]";

    PairedRuns(
        final String benchmark,
        final String param,
        final List<String> values,
        final int rounds,
        final String metric,
        final boolean floor,
        final String[] jmhArgs)
    {
        if (values.size() < 2)
        {
            throw new IllegalArgumentException("--values needs a subject and at least one anchor: " + values);
        }
        if (rounds < 1)
        {
            throw new IllegalArgumentException("--rounds must be at least 1: " + rounds);
        }
        this.benchmark = benchmark;
        this.param = param;
        this.values = List.copyOf(values);
        this.rounds = rounds;
        this.metric = metric;
        this.floor = floor;
        this.jmhArgs = jmhArgs.clone();
    }

    /**
     * Parse the arguments, run the rounds and print each round and the ratios.
     *
     * @param args see the class comment.
     * @throws Exception if JMH cannot run a benchmark.
     */
    public static void main(final String[] args) throws Exception
    {
        try
        {
            final PairedRuns runs = parse(args);
            runs.run(runs.jmhOptions(), System.out);
        }
        catch (final IllegalArgumentException ex)
        {
            // bad options, or a benchmark without the parameter or the metric named
            System.err.println("PairedRuns: " + ex.getMessage());
            System.err.println(USAGE);
            System.exit(2);
        }
    }

    static PairedRuns parse(final String[] args)
    {
        String benchmark = null;
        String param = null;
        List<String> values = null;
        int rounds = 6;
        String metric = null;
        boolean floor = false;
        String[] jmhArgs = new String[0];
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            if ("--".equals(arg))
            {
                jmhArgs = Arrays.copyOfRange(args, i + 1, args.length);
                break;
            }
            if ("--floor".equals(arg))
            {
                floor = true;
                continue;
            }
            if (!Set.of("--benchmark", "--param", "--values", "--rounds", "--metric").contains(arg))
            {
                throw new IllegalArgumentException("unknown option: " + arg + " (JMH's own options go after --)");
            }
            if (i + 1 >= args.length || args[i + 1].isBlank())
            {
                throw new IllegalArgumentException(arg + " needs a value");
            }
            final String value = args[++i].trim();
            switch (arg)
            {
                case "--benchmark":
                    benchmark = value;
                    break;
                case "--param":
                    param = value;
                    break;
                case "--values":
                    values = values(value);
                    break;
                case "--rounds":
                    try
                    {
                        rounds = Integer.parseInt(value);
                    }
                    catch (final NumberFormatException ex)
                    {
                        throw new IllegalArgumentException("--rounds expects a whole number: " + value);
                    }
                    break;
                default:
                    metric = value;
                    break;
            }
        }
        if (null == values)
        {
            throw new IllegalArgumentException("--values is required");
        }
        if ((null == benchmark) != (null == param))
        {
            throw new IllegalArgumentException(null == param ?
                "--benchmark " + benchmark + " given without --param: give both, or neither to pair benchmarks" :
                "--param " + param + " given without --benchmark: give both, or neither to pair benchmarks");
        }
        return new PairedRuns(benchmark, param, values, rounds, metric, floor, jmhArgs);
    }

    private static List<String> values(final String list)
    {
        final List<String> values = new ArrayList<>();
        final Set<String> seen = new HashSet<>();
        for (final String raw : list.split(",", -1))
        {
            final String value = raw.trim();
            if (value.isEmpty())
            {
                throw new IllegalArgumentException("--values has an empty value: " + list);
            }
            if (!seen.add(value))
            {
                throw new IllegalArgumentException("--values names " + value + " twice: " + list);
            }
            values.add(value);
        }
        return values;
    }

    List<String> values()
    {
        return values;
    }

    int rounds()
    {
        return rounds;
    }

    String metric()
    {
        return metric;
    }

    boolean floor()
    {
        return floor;
    }

    /**
     * @return the JMH options given after {@code --}.
     * @throws IllegalArgumentException if JMH refuses them, with JMH's reason.
     */
    Options jmhOptions()
    {
        try
        {
            return new CommandLineOptions(jmhArgs);
        }
        catch (final CommandLineOptionException ex)
        {
            throw new IllegalArgumentException("JMH options after --: " + ex.getMessage());
        }
    }

    /**
     * @param round a round, from 0.
     * @param turn  a turn within it, from 0.
     * @param count values per round.
     * @return the index of the value that runs at that turn: in order in even rounds, reversed in odd ones.
     */
    static int valueAt(final int round, final int turn, final int count)
    {
        return 0 == (round & 1) ? turn : count - 1 - turn;
    }

    /**
     * Run every round and print them, then the ratios.
     *
     * @param parent the JMH options given after {@code --}.
     * @param out    where the table goes.
     * @return the subject's ratio to each anchor.
     * @throws RunnerException     if JMH fails.
     * @throws InterruptedException if interrupted while measuring the floor.
     */
    List<Ratio> run(final Options parent, final PrintStream out) throws RunnerException, InterruptedException
    {
        final List<Round> results = new ArrayList<>();
        Score first = null;
        // a bad value ends the run here, naming it, not at every fork
        final String forkCpus = floor ? forkCpus(parent) : null;
        final int[] floorCpus = floor ? LinePingPong.cpus(forkCpus) : null;
        out.printf(Locale.ROOT, "%s, %s, %d rounds, score: %s%n", null == param ? "benchmarks" : benchmark,
            (null == param ? "" : param + "=") + String.join(",", values), rounds,
            null == metric ? "primary result" : metric);
        for (int round = 0; round < rounds; round++)
        {
            final double[] scores = new double[values.size()];
            final double[] floors = new double[values.size()];
            Arrays.fill(floors, Double.NaN);
            for (int turn = 0; turn < values.size(); turn++)
            {
                final int index = valueAt(round, turn, values.size());
                if (floor)
                {
                    floors[index] = floor(floorCpus, null != forkCpus);
                }
                final OptionsBuilder builder = new OptionsBuilder();
                builder.parent(parent).forks(1).shouldFailOnError(true);
                if (null == param)
                {
                    builder.include(values.get(index));
                }
                else
                {
                    builder.include(benchmark).param(param, values.get(index));
                }
                if (!parent.verbosity().hasValue())
                {
                    builder.verbosity(VerboseMode.SILENT);
                }
                final Score score = score(new Runner(builder.build()).run(), values.get(index));
                if (null == first)
                {
                    first = score;
                }
                else if (!first.unit.equals(score.unit) || first.mode != score.mode)
                {
                    throw new IllegalStateException("unlike scores: " + values.get(index) + " in " + score.unit +
                        " (" + score.mode + "), the first fork in " + first.unit + " (" + first.mode + ")");
                }
                System.err.printf(Locale.ROOT, "round %d, %s: %.3f %s%s%n",
                    round + 1, values.get(index), score.value, score.unit,
                    Double.isNaN(score.allocated) ? "" : String.format(Locale.ROOT, ", %.3f B/op", score.allocated));
                scores[index] = score.value;
            }
            results.add(new Round(scores, floors));
            out.println(roundLine(round, values, scores, floor ? floors : null));
        }

        final List<Ratio> ratios = ratios(values, results);
        out.printf(Locale.ROOT, "%s / anchor, per round (%s):%n", values.get(0), direction(first));
        for (final Ratio ratio : ratios)
        {
            out.printf(Locale.ROOT, "  %s / %s: median %.2f (%.2f to %.2f)%n",
                values.get(0), ratio.anchor(), ratio.median(), ratio.min(), ratio.max());
        }
        if (floor)
        {
            printByFloor(values, results, out);
        }
        return ratios;
    }

    /**
     * @param parent the JMH options given after {@code --}.
     * @return the {@code conduit.bench.cpus} value the forks get, or null if they get none: JMH gives a fork its
     * {@code -jvmArgsPrepend}, then its {@code -jvmArgs} (by default this JVM's own arguments), then its
     * {@code -jvmArgsAppend}, and the last {@code -D} of a property wins.
     */
    static String forkCpus(final Options parent)
    {
        final List<String> args = new ArrayList<>(parent.getJvmArgsPrepend().orElse(List.of()));
        args.addAll(parent.getJvmArgs().orElse(ManagementFactory.getRuntimeMXBean().getInputArguments()));
        args.addAll(parent.getJvmArgsAppend().orElse(List.of()));
        String cpus = null;
        for (final String arg : args)
        {
            if (arg.startsWith(CPUS_ARG))
            {
                cpus = arg.substring(CPUS_ARG.length());
            }
        }
        return cpus;
    }

    /**
     * The floor before a fork, or NaN with a warning if the probe failed: the rounds measured so far are kept.
     *
     * @param cpus  the probe's CPUs, or null to pin nothing.
     * @param named whether the forks were given those CPUs, so that a refusal to pin them must fail the probe.
     */
    private static double floor(final int[] cpus, final boolean named) throws InterruptedException
    {
        try
        {
            return LinePingPong.medianRoundTripNs(cpus, named, FLOOR_SAMPLES, FLOOR_ROUND_TRIPS, FLOOR_WARM_UP);
        }
        catch (final RuntimeException | LinkageError ex)
        {
            System.err.println("WARNING: floor not measured: " + ex);
            return Double.NaN;
        }
    }

    /**
     * @param round  a round, from 0.
     * @param values the values, subject first.
     * @param scores each value's score, in the order of the values.
     * @param floors each value's floor in ns, in the order of the values, or null without {@code --floor}.
     * @return the round's line of the table.
     */
    static String roundLine(final int round, final List<String> values, final double[] scores, final double[] floors)
    {
        final StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "round %d:", round + 1));
        for (int k = 0; k < values.size(); k++)
        {
            line.append(String.format(Locale.ROOT, " %s=%.2f", values.get(k), scores[k]));
        }
        if (null != floors)
        {
            line.append(" floor ns:");
            for (int k = 0; k < values.size(); k++)
            {
                line.append(String.format(Locale.ROOT, "%s%.0f", 0 == k ? " " : "/", floors[k]));
            }
        }
        return line.toString();
    }

    /**
     * The ratios again, over the rounds whose floor was at most the run's median floor and over the others, to show
     * whether a run's ratios move with the floor it ran at. A round's floor is the highest of its forks', so that a
     * round counts as low only if every fork of it ran low; a round with a floor not measured is left out.
     */
    static void printByFloor(final List<String> values, final List<Round> results, final PrintStream out)
    {
        final List<Round> measured = new ArrayList<>();
        for (final Round round : results)
        {
            if (Arrays.stream(round.floors()).noneMatch(Double::isNaN))
            {
                measured.add(round);
            }
        }
        if (measured.isEmpty())
        {
            out.println("by floor: no round with every floor measured");
            return;
        }
        final double[] roundFloors = new double[measured.size()];
        for (int r = 0; r < measured.size(); r++)
        {
            roundFloors[r] = Arrays.stream(measured.get(r).floors()).max().orElseThrow();
        }
        final double split = median(Arrays.stream(roundFloors).sorted().toArray());
        final List<Round> low = new ArrayList<>();
        final List<Round> high = new ArrayList<>();
        for (int r = 0; r < measured.size(); r++)
        {
            (roundFloors[r] <= split ? low : high).add(measured.get(r));
        }
        out.printf(Locale.ROOT, "by floor (a round's floor: the highest before its forks; split at their median, " +
            "%.1f ns; %d of %d rounds with every floor measured):%n", split, measured.size(), results.size());
        for (final List<Round> part : List.of(low, high))
        {
            if (part.isEmpty())
            {
                continue;
            }
            final String label = String.format(Locale.ROOT, "%d round%s, floor %s %.1f ns", part.size(),
                1 == part.size() ? "" : "s", part == low ? "<=" : ">", split);
            for (final Ratio ratio : ratios(values, part))
            {
                out.printf(Locale.ROOT, "  %s: %s / %s: median %.2f (%.2f to %.2f)%n",
                    label, values.get(0), ratio.anchor(), ratio.median(), ratio.min(), ratio.max());
            }
        }
    }

    /**
     * @param values  the subject, then the anchors.
     * @param results the scores of each round.
     * @return the subject's ratio to each anchor: median, least and greatest over the rounds.
     */
    static List<Ratio> ratios(final List<String> values, final List<Round> results)
    {
        final List<Ratio> ratios = new ArrayList<>();
        for (int k = 1; k < values.size(); k++)
        {
            final double[] perRound = new double[results.size()];
            for (int r = 0; r < results.size(); r++)
            {
                final double[] scores = results.get(r).scores();
                perRound[r] = scores[0] / scores[k];
            }
            Arrays.sort(perRound);
            ratios.add(new Ratio(values.get(k), median(perRound), perRound[0], perRound[perRound.length - 1]));
        }
        return ratios;
    }

    /**
     * @param sorted values in ascending order, at least one.
     * @return their median.
     */
    public static double median(final double[] sorted)
    {
        final int n = sorted.length;
        return 0 == (n & 1) ? (sorted[n / 2 - 1] + sorted[n / 2]) / 2 : sorted[n / 2];
    }

    /**
     * A fork's score.
     *
     * @param value     median over the fork's iterations.
     * @param unit      its unit.
     * @param mode      the benchmark's mode.
     * @param secondary whether it is a secondary result (whose direction JMH does not say).
     * @param allocated median of {@code gc.alloc.rate.norm} over the iterations, NaN without {@code -prof gc}.
     */
    private record Score(double value, String unit, Mode mode, boolean secondary, double allocated)
    {
    }

    private static String direction(final Score score)
    {
        if (score.secondary)
        {
            return "a secondary result: which way is better is the benchmark's to say";
        }
        return Mode.Throughput == score.mode ? "higher is better" : "lower is better";
    }

    /**
     * The median over a fork's iterations of the primary result, or of the named secondary one, after checking that
     * the fork ran the value asked for.
     */
    private Score score(final Collection<RunResult> runs, final String value)
    {
        if (1 != runs.size())
        {
            throw new IllegalStateException("expected one benchmark and parameter set per run for " + value +
                ", got " + runs.size() + ": narrow the pattern, or fix the other parameters with -p after --");
        }
        final RunResult run = runs.iterator().next();
        final BenchmarkParams params = run.getParams();
        if (null != param && !value.equals(params.getParam(param)))
        {
            throw new IllegalArgumentException(params.getBenchmark() + " has no parameter " + param +
                " (its parameters: " + params.getParamsKeys() + ")");
        }
        if (null == metric && params.getThreadGroups().length > 1)
        {
            throw new IllegalArgumentException(params.getBenchmark() + " is a group benchmark: its primary result " +
                "adds up every thread's calls; name the figure to compare with --metric (for example messages)");
        }
        final List<Double> scores = new ArrayList<>();
        final List<Double> allocated = new ArrayList<>();
        String unit = null;
        for (final BenchmarkResult fork : run.getBenchmarkResults())
        {
            for (final IterationResult iteration : fork.getIterationResults())
            {
                final Result<?> result = null == metric ?
                    iteration.getPrimaryResult() : iteration.getSecondaryResults().get(metric);
                if (null == result)
                {
                    throw new IllegalArgumentException("no result named " + metric + " in " +
                        params.getBenchmark() + ": " + iteration.getSecondaryResults().keySet());
                }
                scores.add(result.getScore());
                unit = result.getScoreUnit();
                final Result<?> allocation = iteration.getSecondaryResults().get("gc.alloc.rate.norm");
                if (null != allocation)
                {
                    allocated.add(allocation.getScore());
                }
            }
        }
        final double[] sorted = scores.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (0 == sorted.length)
        {
            throw new IllegalStateException("no iterations measured: " + params.getBenchmark());
        }
        final double[] sortedAllocated = allocated.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return new Score(median(sorted), unit, params.getMode(), null != metric,
            0 == sortedAllocated.length ? Double.NaN : median(sortedAllocated));
    }
}

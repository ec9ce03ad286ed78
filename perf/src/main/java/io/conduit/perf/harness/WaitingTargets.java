package io.conduit.perf.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Issue 5's round-trip targets, computed from one run's repetitions at each payload size where the systems they
 * compare were both measured:
 * <ul>
 *     <li>{@code conduit-futex} p50 at most 1.1x {@code uds-block}'s, and p99 at most 0.5x;</li>
 *     <li>{@code conduit-hybrid} p50 at most 1.1x the floor's, and at most 1.05x {@code conduit-spsc}'s.</li>
 * </ul>
 * Where {@code line-pair} was measured, a reference row with no verdict shows its p50 over the floor's beside the
 * hybrid's limit: it is a minimal ring protocol (a fresh tagged line per message and direction, nothing else), so
 * it tells how far from that limit a ring starts in the run. It is not a bound: a ring's p50 can land at or below
 * it within the noise.
 * Against the floor the ratio is the median over reps of each rep's p50 over its paired floor rep's p50. Two systems
 * are never paired rep by rep, so between systems it is the ratio of their medians over reps (in ns), which decides
 * the verdict; next to it is the same comparison made through the floor (the ratio of the two systems' medians of
 * rep / paired floor rep, as the table's {@code x conduit} column is), which cancels drift of the machine between
 * reps but adds the floor's own noise. The spread is the lowest and highest of the verdict's ratio taken within each
 * round (per rep for the floor): with few rounds a verdict near its limit is noise.
 * <p>
 * A target is judged only on complete data: one whose either side failed in the run (its earlier reps are still in
 * the report), or whose two sides have fewer reps than each other or than the rounds (a run that stopped early), is
 * INCOMPLETE, never PASS, with why. A side with no rep at all (it failed in the warm-up round, or in its first
 * recorded rep, or the run stopped before it) gives an INCOMPLETE row with no ratio, as long as both its systems were
 * selected for the run; a target on a system not selected has no row, nor has a reference row with nothing measured.
 */
final class WaitingTargets
{
    /** Issue 5: futex p50 over a blocking Unix socket's. */
    static final double FUTEX_P50_LIMIT = 1.1;
    /** Issue 5: futex p99 over a blocking Unix socket's. */
    static final double FUTEX_P99_LIMIT = 0.5;
    /** Issue 5: hybrid p50 over the floor's, peer hot. */
    static final double HYBRID_FLOOR_LIMIT = 1.1;
    /** Issue 5: hybrid p50 over the same ring's with pure busy-spin. */
    static final double HYBRID_SPIN_LIMIT = 1.05;

    /** How a ratio between two systems is taken. */
    static final String RATIO_OF_MEDIANS = "median over reps / median over reps";
    /** How a ratio to the floor is taken. */
    static final String MEDIAN_OF_PAIRED = "median over reps of rep / paired floor rep";

    /**
     * One target at one payload size.
     *
     * @param name what over what.
     * @param length payload bytes.
     * @param ratio the measured ratio.
     * @param limit the most it may be.
     * @param method how the ratio was taken.
     * @param viaFloor between systems, the ratio of their medians of rep / paired floor rep; else the ratio again.
     * @param lowest lowest per-round (or per-rep) ratio.
     * @param highest highest per-round (or per-rep) ratio.
     * @param samples rounds (or reps) the spread rests on.
     * @param reference true for a row shown for comparison, with no verdict.
     * @param incomplete why the data cannot decide the target (a side failed, or has too few reps); empty if it can.
     */
    record Target(
        String name,
        int length,
        double ratio,
        double limit,
        String method,
        double viaFloor,
        double lowest,
        double highest,
        int samples,
        boolean reference,
        String incomplete)
    {
        /**
         * @return "-" for a reference row; INCOMPLETE if the data cannot decide; else PASS if the ratio is at most
         * the limit, and MISS if not.
         */
        String verdict()
        {
            return reference ? "-" : !incomplete.isEmpty() ? "INCOMPLETE" : ratio <= limit ? "PASS" : "MISS";
        }
    }

    private WaitingTargets()
    {
    }

    /**
     * @param reps every measured repetition of a run.
     * @param sizes the run's payload sizes, in order.
     * @param rounds the run's measured rounds: the reps each side of a target must have.
     * @param failures the systems that failed in the run (the floor as {@code floor}), with why.
     * @param selected the run's ping-pong systems (the floor, always run, need not be listed).
     * @return the targets whose systems were selected, per size.
     */
    static List<Target> compute(
        final List<RepResult> reps,
        final List<Integer> sizes,
        final int rounds,
        final Map<String, String> failures,
        final List<String> selected)
    {
        final List<Target> targets = new ArrayList<>();
        final Data data = new Data(rounds, failures, selected);
        for (final int length : sizes)
        {
            final List<RepResult> futex = select(reps, Systems.CONDUIT_FUTEX, length);
            final List<RepResult> socket = select(reps, Systems.UDS_BLOCK, length);
            final List<RepResult> hybrid = select(reps, Systems.CONDUIT_HYBRID, length);
            final List<RepResult> spin = select(reps, Systems.CONDUIT_SPSC, length);
            addBetween(targets, data, "conduit-futex p50 / uds-block p50", length, Systems.CONDUIT_FUTEX, futex,
                Systems.UDS_BLOCK, socket, RepResult::p50Ns, RepResult::ratioToFloorP50, FUTEX_P50_LIMIT);
            addBetween(targets, data, "conduit-futex p99 / uds-block p99", length, Systems.CONDUIT_FUTEX, futex,
                Systems.UDS_BLOCK, socket, RepResult::p99Ns, RepResult::ratioToFloorP99, FUTEX_P99_LIMIT);
            addToFloor(targets, data, "conduit-hybrid p50 / floor p50", length, Systems.CONDUIT_HYBRID, hybrid,
                false);
            addToFloor(targets, data, "line-pair p50 / floor p50 (reference)", length, Systems.LINE_PAIR,
                select(reps, Systems.LINE_PAIR, length), true);
            addBetween(targets, data, "conduit-hybrid p50 / conduit-spsc p50", length, Systems.CONDUIT_HYBRID,
                hybrid, Systems.CONDUIT_SPSC, spin, RepResult::p50Ns, RepResult::ratioToFloorP50, HYBRID_SPIN_LIMIT);
        }
        return targets;
    }

    /**
     * What decides whether a target's data is complete.
     *
     * @param rounds the run's measured rounds.
     * @param failures the systems that failed, the floor as {@code floor}.
     * @param selected the run's ping-pong systems.
     */
    private record Data(int rounds, Map<String, String> failures, List<String> selected)
    {
        /**
         * @return why the reps of {@code system} against {@code other} cannot decide a target, or empty if they can.
         */
        String incomplete(final String system, final int systemReps, final String other, final int otherReps)
        {
            final List<String> why = new ArrayList<>();
            for (final String side : new String[]{system, other})
            {
                if (failures.containsKey(side))
                {
                    why.add(side + " failed");
                }
            }
            if (systemReps != otherReps || systemReps < rounds)
            {
                why.add(system + " " + systemReps + " reps, " + other + " " + otherReps + " reps, of " + rounds +
                    " rounds");
            }
            return String.join("; ", why);
        }
    }

    private static void addToFloor(
        final List<Target> targets,
        final Data data,
        final String name,
        final int length,
        final String systemName,
        final List<RepResult> system,
        final boolean reference)
    {
        if (!data.selected().contains(systemName) || (reference && system.isEmpty()))
        {
            return;
        }
        if (system.isEmpty())
        {
            targets.add(unmeasured(name, length, HYBRID_FLOOR_LIMIT, MEDIAN_OF_PAIRED,
                data.incomplete(systemName, 0, FloorEndpoint.NAME, 0)));
            return;
        }
        double lowest = Double.MAX_VALUE;
        double highest = 0;
        for (final RepResult rep : system)
        {
            lowest = Math.min(lowest, rep.ratioToFloorP50());
            highest = Math.max(highest, rep.ratioToFloorP50());
        }
        final double ratio = HarnessReport.median(system, RepResult::ratioToFloorP50);
        // each rep is paired with a floor rep of its own
        targets.add(new Target(name, length, ratio, HYBRID_FLOOR_LIMIT, MEDIAN_OF_PAIRED, ratio, lowest, highest,
            system.size(), reference, data.incomplete(systemName, system.size(), FloorEndpoint.NAME, system.size())));
    }

    private static void addBetween(
        final List<Target> targets,
        final Data data,
        final String name,
        final int length,
        final String systemName,
        final List<RepResult> system,
        final String referenceName,
        final List<RepResult> reference,
        final ToDoubleFunction<RepResult> figure,
        final ToDoubleFunction<RepResult> toFloor,
        final double limit)
    {
        if (!data.selected().contains(systemName) || !data.selected().contains(referenceName))
        {
            return;
        }
        if (system.isEmpty() || reference.isEmpty())
        {
            targets.add(unmeasured(name, length, limit, RATIO_OF_MEDIANS,
                data.incomplete(systemName, system.size(), referenceName, reference.size())));
            return;
        }
        double lowest = Double.MAX_VALUE;
        double highest = 0;
        int rounds = 0;
        for (final RepResult rep : system)
        {
            for (final RepResult other : reference)
            {
                if (rep.round() == other.round())
                {
                    final double ratio = figure.applyAsDouble(rep) / figure.applyAsDouble(other);
                    lowest = Math.min(lowest, ratio);
                    highest = Math.max(highest, ratio);
                    rounds++;
                }
            }
        }
        final double ratio = HarnessReport.median(system, figure) / HarnessReport.median(reference, figure);
        final double viaFloor = HarnessReport.median(system, toFloor) / HarnessReport.median(reference, toFloor);
        targets.add(new Target(name, length, ratio, limit, RATIO_OF_MEDIANS, viaFloor,
            0 == rounds ? Double.NaN : lowest, 0 == rounds ? Double.NaN : highest, rounds, false,
            data.incomplete(systemName, system.size(), referenceName, reference.size())));
    }

    /**
     * @return the INCOMPLETE row of a target with a side that has no rep: no ratio, no spread.
     */
    private static Target unmeasured(
        final String name, final int length, final double limit, final String method, final String why)
    {
        return new Target(name, length, Double.NaN, limit, method, Double.NaN, Double.NaN, Double.NaN, 0, false, why);
    }

    private static List<RepResult> select(final List<RepResult> reps, final String system, final int length)
    {
        final List<RepResult> group = new ArrayList<>();
        for (final RepResult rep : reps)
        {
            if (RepResult.PING_PONG.equals(rep.phase()) && system.equals(rep.system()) && length == rep.length())
            {
                group.add(rep);
            }
        }
        return group;
    }
}

package io.conduit.perf.harness;

import org.HdrHistogram.Histogram;

/**
 * The figures of one repetition: a ping-pong rep (with its paired floor rep's p50 and p99), a floor rep, or a
 * one-way throughput rep.
 *
 * @param phase {@link #PING_PONG}, {@link #FLOOR} or {@link #THROUGHPUT}.
 * @param round measured round, from 1.
 * @param order position in the round, from 1.
 * @param system system name.
 * @param length payload bytes.
 * @param count recorded round trips, or messages for throughput.
 * @param p50Ns median round trip.
 * @param p90Ns 90th percentile.
 * @param p99Ns 99th percentile.
 * @param p999Ns 99.9th percentile.
 * @param p9999Ns 99.99th percentile.
 * @param maxNs longest round trip.
 * @param meanNs mean round trip.
 * @param floorP50Ns the paired floor rep's median (ping-pong reps), else 0.
 * @param floorP99Ns the paired floor rep's 99th percentile (ping-pong reps), else 0.
 * @param msgsPerSec throughput reps: messages per second at the consumer, else 0.
 * @param helperCpuChildPct CPU of the system's own threads in the child, % of one core over the rep.
 * @param helperCpuParentPct the same in the parent.
 * @param failedOffers throughput reps: offers refused for back-pressure.
 */
record RepResult(
    String phase,
    int round,
    int order,
    String system,
    int length,
    long count,
    long p50Ns,
    long p90Ns,
    long p99Ns,
    long p999Ns,
    long p9999Ns,
    long maxNs,
    double meanNs,
    long floorP50Ns,
    long floorP99Ns,
    double msgsPerSec,
    double helperCpuChildPct,
    double helperCpuParentPct,
    long failedOffers)
{
    /** A round-trip rep of a system. */
    static final String PING_PONG = "pingpong";
    /** A round-trip rep of the floor, right after a system's. */
    static final String FLOOR = "floor";
    /** A one-way throughput rep. */
    static final String THROUGHPUT = "throughput";

    /**
     * @param phase phase.
     * @param round round.
     * @param order order in round.
     * @param system system.
     * @param length payload bytes.
     * @param histogram round trips.
     * @param childPct helper CPU in the child.
     * @param parentPct helper CPU in the parent.
     * @return a latency rep, unpaired: see {@link #pairedWith}.
     */
    static RepResult latency(
        final String phase,
        final int round,
        final int order,
        final String system,
        final int length,
        final Histogram histogram,
        final double childPct,
        final double parentPct)
    {
        return new RepResult(phase, round, order, system, length, histogram.getTotalCount(),
            histogram.getValueAtPercentile(50), histogram.getValueAtPercentile(90),
            histogram.getValueAtPercentile(99), histogram.getValueAtPercentile(99.9),
            histogram.getValueAtPercentile(99.99), histogram.getMaxValue(), histogram.getMean(),
            0, 0, 0, childPct, parentPct, 0);
    }

    /**
     * @param floor the floor rep that ran right after this one.
     * @return this rep with the floor's p50 and p99 attached.
     */
    RepResult pairedWith(final RepResult floor)
    {
        return new RepResult(phase, round, order, system, length, count, p50Ns, p90Ns, p99Ns, p999Ns, p9999Ns, maxNs,
            meanNs, floor.p50Ns, floor.p99Ns, msgsPerSec, helperCpuChildPct, helperCpuParentPct, failedOffers);
    }

    /**
     * @return p50 over the paired floor's p50.
     */
    double ratioToFloorP50()
    {
        return (double)p50Ns / floorP50Ns;
    }

    /**
     * @return p99 over the paired floor's p99.
     */
    double ratioToFloorP99()
    {
        return (double)p99Ns / floorP99Ns;
    }

    /**
     * @return payload megabytes (10^6) per second, throughput reps.
     */
    double megabytesPerSec()
    {
        return msgsPerSec * length / 1e6;
    }

    /**
     * @return helper CPU of both processes, % of one core.
     */
    double helperCpuPct()
    {
        return helperCpuChildPct + helperCpuParentPct;
    }
}

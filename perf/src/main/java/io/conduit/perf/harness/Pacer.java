package io.conduit.perf.harness;

/**
 * When to send the next round trip's message: now, back to back, or at fixed intervals from the start, in which case
 * the time carried in the message is the <em>intended</em> send time, so latency is measured from when the message
 * should have left, not from when a stalled sender got round to it (coordinated omission).
 * <p>
 * A final class with no calls through an interface, so sharing it adds no call site that could go megamorphic in the
 * systems' own loops (see {@link Endpoint}).
 */
final class Pacer
{
    private final long intervalNs;
    private final int warmup;
    private long intendedNs;
    private int sent;

    /**
     * @param intervalNs nanoseconds between intended send times, or 0 to send back to back.
     * @param warmup round trips before the recorded ones: the schedule starts again at the first recorded one, so
     * that a backlog the warm-up built (a system slower than the rate) is not charged to every recorded sample.
     */
    Pacer(final long intervalNs, final int warmup)
    {
        this.intervalNs = intervalNs;
        this.warmup = warmup;
        this.intendedNs = System.nanoTime();
    }

    /**
     * @param intendedNs the last intended send time.
     * @param nowNs the clock now.
     * @param intervalNs the interval.
     * @return the last intended send time to go on from when the recorded round trips begin: unchanged if the
     * schedule is not behind, else one interval before now, so the first recorded message is intended for now.
     */
    static long restartedSchedule(final long intendedNs, final long nowNs, final long intervalNs)
    {
        return nowNs - (intendedNs + intervalNs) > 0 ? nowNs - intervalNs : intendedNs;
    }

    /**
     * Wait, at a fixed rate, for the next intended send time; back to back, return at once.
     *
     * @return the send time to carry in the message: the clock now, or the intended time once it is not in the
     * future (it may be in the past if the sender is behind).
     */
    long sendTimeNs()
    {
        if (0 == intervalNs)
        {
            return System.nanoTime();
        }
        if (sent++ == warmup)
        {
            this.intendedNs = restartedSchedule(this.intendedNs, System.nanoTime(), intervalNs);
        }
        final long intendedNs = this.intendedNs + intervalNs;
        this.intendedNs = intendedNs;
        while (System.nanoTime() - intendedNs < 0)
        {
            Thread.onSpinWait();
        }
        return intendedNs;
    }
}

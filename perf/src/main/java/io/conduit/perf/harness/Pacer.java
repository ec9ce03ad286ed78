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
    private long intendedNs;

    /**
     * @param intervalNs nanoseconds between intended send times, or 0 to send back to back.
     */
    Pacer(final long intervalNs)
    {
        this.intervalNs = intervalNs;
        this.intendedNs = System.nanoTime();
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
        final long intendedNs = this.intendedNs + intervalNs;
        this.intendedNs = intendedNs;
        while (System.nanoTime() - intendedNs < 0)
        {
            Thread.onSpinWait();
        }
        return intendedNs;
    }
}

package io.conduit.perf.harness;

/**
 * Fixed-rate sending: wait for an intended send time and hand it back as the time to carry in the message, so
 * latency is measured from when the message should have left, not from when a stalled sender got round to it
 * (coordinated omission).
 */
final class Pacer
{
    private Pacer()
    {
    }

    /**
     * @param intendedNs intended send time; may be in the past if the sender is behind.
     * @return {@code intendedNs}, once it is not in the future.
     */
    static long awaitIntended(final long intendedNs)
    {
        while (System.nanoTime() - intendedNs < 0)
        {
            Thread.onSpinWait();
        }
        return intendedNs;
    }
}

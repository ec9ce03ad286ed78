package io.conduit.perf.harness;

import java.util.concurrent.TimeUnit;

/**
 * Bounds every wait loop of a repetition: a peer process that died or a repetition past its deadline ends the wait
 * with an exception instead of a core spinning for ever. Checked once every {@link #SPIN_CHECK_MASK} + 1 empty
 * polls, so the check costs an increment and a mask on the hot path.
 * <p>
 * Threading: one thread.
 */
final class Watchdog
{
    /** Check the clock and the peer once per this many + 1 empty polls. */
    static final long SPIN_CHECK_MASK = (1 << 16) - 1;

    private final long timeoutNs;
    private final long deadlineNs;
    private final ProcessHandle peer;
    private final String what;

    /**
     * @param timeoutNs time allowed from now.
     * @param peer the other process, or null to watch the clock only.
     * @param what what is waited for, for the message.
     */
    Watchdog(final long timeoutNs, final ProcessHandle peer, final String what)
    {
        this.timeoutNs = timeoutNs;
        this.deadlineNs = System.nanoTime() + timeoutNs;
        this.peer = peer;
        this.what = what;
    }

    /**
     * One empty poll of a spin-wait loop: {@link #check} once every {@link #SPIN_CHECK_MASK} + 1 calls, then a spin
     * hint. Static and a few bytecodes long, so it is inlined at every call site with no type profile to pollute.
     *
     * @param watchdog bounds the wait.
     * @param spins empty polls so far in this loop.
     * @return {@code spins + 1}.
     * @throws IllegalStateException if the deadline passed or the peer process is gone.
     */
    static long spinOnce(final Watchdog watchdog, final long spins)
    {
        final long next = spins + 1;
        if (0 == (next & SPIN_CHECK_MASK))
        {
            watchdog.check();
        }
        Thread.onSpinWait();
        return next;
    }

    /**
     * @throws IllegalStateException if the deadline passed or the peer process is gone.
     */
    void check()
    {
        if (System.nanoTime() - deadlineNs > 0)
        {
            throw new IllegalStateException(timedOut());
        }
        if (null != peer && !peer.isAlive())
        {
            throw new IllegalStateException("peer process pid=" + peer.pid() + " is gone: " + what);
        }
    }

    /**
     * @return the message of a wait past the deadline: what was waited for and the time allowed.
     */
    String timedOut()
    {
        return "timed out: " + what + " after " + TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms";
    }

    /**
     * @return time left to the deadline, negative once past it.
     */
    long remainingNs()
    {
        return deadlineNs - System.nanoTime();
    }

    /**
     * @return the other process, or null if only the clock is watched.
     */
    ProcessHandle peer()
    {
        return peer;
    }
}

package io.conduit.wait;

/**
 * Something a thread can sleep on until a condition may hold: one futex word ({@link FutexWaiter}) or several
 * ({@link FutexWaitSet}).
 */
public interface Awaitable
{
    /**
     * Announce, re-check {@code condition}, and sleep until woken or {@code timeoutNs} passes; never allocates.
     *
     * @param condition what the caller waits for; checked once after announcing.
     * @param timeoutNs longest sleep, relative; {@code <= 0} does not sleep.
     * @return {@link FutexWaiter#SATISFIED} or a {@link Futex} status; in every case the caller re-checks.
     */
    int await(WaitCondition condition, long timeoutNs);
}

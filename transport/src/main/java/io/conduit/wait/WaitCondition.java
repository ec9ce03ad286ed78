package io.conduit.wait;

/**
 * What a futex sleeper waits for, re-checked by {@link FutexWaiter#await(WaitCondition, long)} after the sleeper has
 * announced itself and before it sleeps: for a consumer "the ring holds a record", for a producer "the ring has
 * space".
 * <p>
 * Implementations read shared memory with acquire (or volatile) loads only: that load is the second half of the
 * store-load pair that makes the protocol lose no wake-up. They must not block, allocate or change shared state,
 * and should be a field of the ring or idle strategy rather than a capturing lambda made per wait.
 * <p>
 * Threading: called only on the waiting thread.
 */
@FunctionalInterface
public interface WaitCondition
{
    /**
     * Is there no need to sleep?
     *
     * @return true if what the caller waits for has happened (for example a record has been published).
     */
    boolean isSatisfied();
}

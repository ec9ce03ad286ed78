package io.conduit.wait;

import org.agrona.concurrent.AtomicBuffer;

/**
 * The waking half of the futex wait protocol described in {@link FutexWaiter}: after publishing, wake the announced
 * sleepers, and make no system call when there are none.
 * <p>
 * A publisher calls {@link #signal(AtomicBuffer, int, int)} right after the release store that publishes (a record's
 * length, a head position). The call issues the StoreLoad fence the protocol needs, so the caller adds none, and
 * costs one fence plus one load of a rarely written line while nobody sleeps. Conduit's rings make this call
 * themselves in every commit and abort, and for space when a batch is freed: call it only for what is published
 * outside a Conduit ring.
 * <p>
 * Threading: any thread of any process may signal, concurrently with other wakers and with sleepers.
 * <p>
 * Memory ordering:
 * <ul>
 *     <li>caller's publish, then full fence → sleeper's full fence, then condition load (or the sleeper's announce,
 *     then fence → this fence, then waiters load): one of the two is always seen;</li>
 *     <li>word increment → kernel compare in the sleeper's {@code FUTEX_WAIT} (or the fallback's poll).</li>
 * </ul>
 */
public final class FutexWaker
{
    /** {@link #signal} found no sleeper announced and made no system call. */
    public static final int NO_WAITERS = -1;

    private FutexWaker()
    {
    }

    /**
     * Wake every announced sleeper on the futex word, if any: full fence; if the waiters count is not 0,
     * increment the word and {@code FUTEX_WAKE} all sleepers on it. Never allocates.
     *
     * @param buffer             off-heap buffer holding both fields, normally the mapped channel file header.
     * @param futexWordOffset    offset of the 32-bit futex word, 4-byte aligned.
     * @param waitersCountOffset offset of the 32-bit waiters count, 4-byte aligned.
     * @return {@link #NO_WAITERS} without a system call if none was announced; otherwise the number of sleepers
     * woken (0 if the announced ones were not in the kernel yet, and always 0 on the park/poll fallback).
     * @throws IllegalArgumentException if an offset is misaligned, out of range or overlapping (checked only when
     *                                  the count read is not 0, before anything is written, the count itself being
     *                                  read first; use {@link FutexWaiter#checkOffsets} once up front).
     */
    public static int signal(final AtomicBuffer buffer, final int futexWordOffset, final int waitersCountOffset)
    {
        return signal(buffer, futexWordOffset, waitersCountOffset, true);
    }

    /**
     * As {@link #signal(AtomicBuffer, int, int)}, with the StoreLoad fence left to the sleeper when this process
     * is registered with {@link AsymmetricFence#registerLightSide()}.
     *
     * @param buffer             off-heap buffer holding both fields, normally the mapped channel file header.
     * @param futexWordOffset    offset of the 32-bit futex word, 4-byte aligned.
     * @param waitersCountOffset offset of the 32-bit waiters count, 4-byte aligned.
     * @param fence              true unless this process registered as a light side.
     * @return {@link #NO_WAITERS}, or the number of sleepers woken.
     * @throws IllegalArgumentException as {@link #signal(AtomicBuffer, int, int)}.
     */
    public static int signal(
        final AtomicBuffer buffer, final int futexWordOffset, final int waitersCountOffset, final boolean fence)
    {
        // StoreLoad: the caller's publish must be visible before the waiters count is read; pairs with the heavy
        // fence after the announce in FutexWaiter.await. Without it a sleeper may miss this publish and sleep on.
        AsymmetricFence.light(fence);
        // != 0, not > 0: a count gone negative (a scribbled file: withdrawals stop at 0) costs a FUTEX_WAKE per signal
        // until it is reset, rather than sleepers that are never woken (a sleeper announcing over it counts from 1)
        if (0 != buffer.getIntVolatile(waitersCountOffset))
        {
            // checked before the word is changed, not after (in the wake call): a bad offset changes nothing
            FutexWaiter.checkOffsets(buffer, futexWordOffset, waitersCountOffset);
            // The change of the word is what makes a sleeper not yet in the kernel return instead of sleeping.
            buffer.getAndAddInt(futexWordOffset, 1);
            return Futex.wake(buffer, futexWordOffset, Integer.MAX_VALUE);
        }

        return NO_WAITERS;
    }
}

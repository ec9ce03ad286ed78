package io.conduit.wait;

import org.agrona.concurrent.AtomicBuffer;

/**
 * The sleeping half of the futex wait protocol: announce, re-check, sleep on a shared futex word, so that a producer
 * pays no system call while nobody sleeps and never loses a wake-up. {@link FutexWaker} is the other half.
 * <p>
 * Two 32-bit, 4-byte aligned fields in shared memory (normally a channel file header, on a cache line of their own)
 * carry the protocol:
 * <ul>
 *     <li>the <b>futex word</b>, a sequence number the waker increments before each {@code FUTEX_WAKE};</li>
 *     <li>the <b>waiters count</b>, the number of threads (in any process) between announcing and leaving a
 *     sleep.</li>
 * </ul>
 * <pre>
 * sleeper: await(condition)                          waker: signal() after publishing
 *   W1  seq = word (volatile load)                     P0  publish (the ring's release store)
 *   W2  waiters += 1 (getAndAdd)                       P1  full fence (StoreLoad)
 *   W3  full fence (StoreLoad)                         P2  if waiters (volatile load) != 0:
 *   W4  if condition (acquire load): return            P3      word += 1 (getAndAdd)
 *   W5  FUTEX_WAIT(word, seq, timeout)                 P4      FUTEX_WAKE(word, all)
 *   W6  waiters -= 1, never below 0 (compare-and-set, in finally)
 * </pre>
 * <b>Why no wake-up is lost.</b> The two fences W3 and P1 are sequentially consistent, so one precedes the other:
 * <ul>
 *     <li>P1 before W3: the publish P0, ordered before P1, is visible to the re-check W4, ordered after W3; the
 *     sleeper does not sleep.</li>
 *     <li>W3 before P1: the announce W2 is visible to P2, so the waker runs P3 and P4. W1 read the word before W2,
 *     so before P3, and {@code seq} is the old value. If P3 lands before the kernel compares the word in W5, the
 *     sleeper does not sleep ({@link Futex#VALUE_CHANGED}); otherwise the kernel has queued it under its hash-bucket
 *     lock before P3, and P4, after P3, wakes it ({@code futex(2)}'s own guarantee).</li>
 * </ul>
 * Without P1 the producer's load of the waiters count may be satisfied before its publish leaves the store buffer
 * (x86 allows exactly this store-load reordering; so do release stores followed by plain loads on aarch64): the
 * waker reads no waiters while the sleeper's re-check reads the old ring, and the sleeper sleeps with a record
 * pending until its timeout. Without W3 the same happens the other way round. W3 costs nothing that matters (the
 * sleeper is about to make a system call); P1 is one locked instruction or {@code dmb} on the producer, and it is
 * the whole cost of the protocol while nobody sleeps.
 * <p>
 * The timeout of {@link #await(WaitCondition, long)} is therefore not needed for correctness; it bounds how long a
 * sleeper takes to notice things the protocol does not signal (a close flag, an interrupt, a dead producer).
 * <p>
 * Extra wake-ups are harmless: a stale waiters count (a sleeper between W5 and W6, or one killed while announced)
 * only costs the waker a {@code FUTEX_WAKE} with nobody to wake, and a woken sleeper re-checks its condition.
 * <p>
 * On the park/poll fallback ({@link Futex#isNative()} false) P4 is a no-op: a sleeper on the fallback too sees P3 on
 * its next poll, but a native sleeper in the kernel does not wake for it and sleeps its whole timeout. Sleepers of a
 * channel file's words avoid that through the header's deaf-wakers flags, which processes on the fallback set when
 * they attach to a ring: made with {@link #FutexWaiter(AtomicBuffer, int, int, int)}, a waiter sleeps at most
 * {@link #LIGHT_SLEEPER_MAX_SLEEP_NS} at a time while its flag is set. One already asleep when the flag is set notices
 * it at its next wake-up, within its timeout.
 * <p>
 * Threading: any number of threads may wait through one waiter at once (a channel's MPSC senders share its space
 * waiter; its {@link Futex.Sleeper} keeps each thread's timeout apart), and any number of waiters in any processes
 * may share one word and count.
 * <p>
 * Memory ordering:
 * <ul>
 *     <li>announce W2, fence W3 → waker's fence P1, waiters load P2 (or, the other way round, publish P0, fence P1
 *     → fence W3, condition load W4): see above;</li>
 *     <li>word load W1 → kernel compare in W5; word increment P3 → kernel compare in W5, or FUTEX_WAKE P4 → the
 *     queued sleeper.</li>
 * </ul>
 */
public final class FutexWaiter implements Awaitable
{
    /**
     * {@link #await(WaitCondition, long)} found the condition satisfied after announcing and did not sleep.
     */
    public static final int SATISFIED = 1;
    /**
     * Longest sleep of a sleeper whose process cannot run the heavy fence while other processes might
     * ({@link AsymmetricFence#mustBoundSleeps()}: membarrier refused here, or libc not bound): a waker in another
     * process that registered as a light side makes no fence of its own, so neither side would have the StoreLoad
     * the protocol needs and a wake-up could be missed. Such a sleeper re-checks at least this often.
     */
    public static final long LIGHT_SLEEPER_MAX_SLEEP_NS = 1_000_000L;

    /** No deaf-wakers flag: every waker of this word makes a FUTEX_WAKE. */
    public static final int NO_DEAF_WAKERS_FLAG = -1;

    private final AtomicBuffer buffer;
    private final int futexWordOffset;
    private final int waitersCountOffset;
    private final int deafWakersOffset;
    private final Futex.Sleeper sleeper = new Futex.Sleeper();
    private final boolean boundSleeps;

    /**
     * Bind a waiter to a futex word and a waiters count in shared memory.
     *
     * @param buffer             off-heap buffer holding both fields, normally the mapped channel file header.
     * @param futexWordOffset    offset of the 32-bit futex word, 4-byte aligned.
     * @param waitersCountOffset offset of the 32-bit waiters count, 4-byte aligned, not overlapping the word.
     * @throws IllegalArgumentException if an offset is misaligned, out of range or overlapping, or the buffer is
     *                                  on-heap.
     */
    public FutexWaiter(final AtomicBuffer buffer, final int futexWordOffset, final int waitersCountOffset)
    {
        // no deaf-wakers flag: for a channel file's futex words, use the four-argument constructor with the header's
        this(buffer, futexWordOffset, waitersCountOffset, NO_DEAF_WAKERS_FLAG);
    }

    /**
     * As {@link #FutexWaiter(AtomicBuffer, int, int)}, also heeding a deaf-wakers flag: while the 32-bit word at
     * {@code deafWakersOffset} is non-zero, a waker may change the futex word without a FUTEX_WAKE (a process on the
     * park/poll fallback, which cannot make one), so this waiter sleeps at most {@link #LIGHT_SLEEPER_MAX_SLEEP_NS}
     * at a time and notices such a change within that. A channel file's header has one for each futex word
     * ({@code DATA_DEAF_WAKERS_OFFSET}, {@code SPACE_DEAF_WAKERS_OFFSET}), which the rings set when such a process
     * attaches.
     *
     * @param buffer             off-heap buffer holding the three fields, normally a channel file header.
     * @param futexWordOffset    offset of the 32-bit futex word, 4-byte aligned.
     * @param waitersCountOffset offset of the 32-bit waiters count, 4-byte aligned, not overlapping the word.
     * @param deafWakersOffset   offset of the 32-bit deaf-wakers flag, 4-byte aligned, or
     *                           {@link #NO_DEAF_WAKERS_FLAG} for none.
     * @throws IllegalArgumentException if an offset is misaligned, out of range or overlapping, or the buffer is
     *                                  on-heap.
     */
    public FutexWaiter(
        final AtomicBuffer buffer, final int futexWordOffset, final int waitersCountOffset, final int deafWakersOffset)
    {
        this(buffer, futexWordOffset, waitersCountOffset, deafWakersOffset, AsymmetricFence.mustBoundSleeps());
    }

    /**
     * As {@link #FutexWaiter(AtomicBuffer, int, int)}, with the sleep bound chosen rather than found: for tests.
     */
    FutexWaiter(
        final AtomicBuffer buffer, final int futexWordOffset, final int waitersCountOffset, final boolean boundSleeps)
    {
        this(buffer, futexWordOffset, waitersCountOffset, NO_DEAF_WAKERS_FLAG, boundSleeps);
    }

    private FutexWaiter(
        final AtomicBuffer buffer,
        final int futexWordOffset,
        final int waitersCountOffset,
        final int deafWakersOffset,
        final boolean boundSleeps)
    {
        this.boundSleeps = boundSleeps;
        checkOffsets(buffer, futexWordOffset, waitersCountOffset);
        checkDeafWakersOffset(buffer, futexWordOffset, waitersCountOffset, deafWakersOffset);
        this.buffer = buffer;
        this.futexWordOffset = futexWordOffset;
        this.waitersCountOffset = waitersCountOffset;
        this.deafWakersOffset = deafWakersOffset;
    }

    /**
     * Announce this thread as a waiter, re-check {@code condition}, and sleep on the futex word until woken, the
     * word changes, or {@code timeoutNs} passes; then withdraw the announcement. Never allocates.
     *
     * @param condition what the caller waits for; checked once, after announcing.
     * @param timeoutNs longest sleep, relative; {@link Futex#NO_TIMEOUT} for none, {@code <= 0} for no sleep.
     * @return {@link Futex#INTERRUPTED} at once, with no announce and no check of the condition, if the thread is
     * interrupted; {@link #SATISFIED} if the condition held after announcing, otherwise the status of the sleep:
     * {@link Futex#WOKEN}, {@link Futex#VALUE_CHANGED}, {@link Futex#TIMED_OUT} or {@link Futex#INTERRUPTED}. In
     * every case the caller re-checks what it waits for.
     */
    @Override
    public int await(final WaitCondition condition, final long timeoutNs)
    {
        if (Thread.currentThread().isInterrupted())
        {
            Thread.onSpinWait(); // a caller that ignores the flag loops straight back
            return Futex.INTERRUPTED; // no sleep to be had: do not announce, fence every CPU and make wakers wake
        }
        final AtomicBuffer buffer = this.buffer;
        final int futexWordOffset = this.futexWordOffset;
        final int waitersCountOffset = this.waitersCountOffset;

        final int seq = buffer.getIntVolatile(futexWordOffset);
        announce(buffer, waitersCountOffset);
        try
        {
            // StoreLoad on both sides: the announce must be visible before the re-check reads the ring, and every
            // registered producer's publish before its waiters load; pairs with AsymmetricFence.light in signal.
            AsymmetricFence.heavy();
            if (condition.isSatisfied())
            {
                return SATISFIED;
            }

            return sleeper.wait(buffer, futexWordOffset, seq,
                sleepBound(timeoutNs, boundSleeps || hearsDeafWakers(buffer, deafWakersOffset)));
        }
        finally
        {
            withdraw(buffer, waitersCountOffset, 1);
        }
    }

    /**
     * @param buffer           the buffer holding the flag.
     * @param deafWakersOffset offset of the deaf-wakers flag, or {@link #NO_DEAF_WAKERS_FLAG}.
     * @return true if a waker that cannot make a FUTEX_WAKE may signal: sleeps must then be bounded.
     */
    static boolean hearsDeafWakers(final AtomicBuffer buffer, final int deafWakersOffset)
    {
        return NO_DEAF_WAKERS_FLAG != deafWakersOffset && 0 != buffer.getIntVolatile(deafWakersOffset);
    }

    /**
     * @throws IllegalArgumentException if the flag's offset is neither {@link #NO_DEAF_WAKERS_FLAG} nor an aligned
     *                                  32-bit word of the buffer apart from the other two.
     */
    static void checkDeafWakersOffset(
        final AtomicBuffer buffer, final int futexWordOffset, final int waitersCountOffset, final int deafWakersOffset)
    {
        if (NO_DEAF_WAKERS_FLAG != deafWakersOffset)
        {
            Futex.checkWordOffset(buffer, deafWakersOffset);
            if (Math.abs((long)futexWordOffset - deafWakersOffset) < Futex.WORD_LENGTH ||
                Math.abs((long)waitersCountOffset - deafWakersOffset) < Futex.WORD_LENGTH)
            {
                throw new IllegalArgumentException("deafWakersOffset=" + deafWakersOffset +
                    " overlaps futexWordOffset=" + futexWordOffset + " or waitersCountOffset=" + waitersCountOffset);
            }
        }
    }

    /**
     * Count the calling thread in as a waiter. A count found negative (a scribbled file: withdrawals stop at 0) would
     * come to 0 with this announce in it, which every waker reads as nobody, and this sleeper would sleep its whole
     * timeout: it is counted from 1 instead. (Two sleepers announcing over a negative count at once may still come to
     * 1 between them, the file being corrupt; the second then wakes at its longest sleep.)
     *
     * @param buffer             the buffer holding the count.
     * @param waitersCountOffset offset of the 32-bit waiters count.
     */
    public static void announce(final AtomicBuffer buffer, final int waitersCountOffset)
    {
        if (buffer.getAndAddInt(waitersCountOffset, 1) < 0)
        {
            int waiters;
            do
            {
                waiters = buffer.getIntVolatile(waitersCountOffset);
            }
            while (waiters < 1 && !buffer.compareAndSetInt(waitersCountOffset, waiters, 1));
        }
    }

    /**
     * @param timeoutNs the sleep asked for.
     * @param bounded whether sleeps must be bounded ({@link AsymmetricFence#mustBoundSleeps()}).
     * @return the sleep to make: at most {@link #LIGHT_SLEEPER_MAX_SLEEP_NS} if bounded.
     */
    static long sleepBound(final long timeoutNs, final boolean bounded)
    {
        return bounded ? Math.min(timeoutNs, LIGHT_SLEEPER_MAX_SLEEP_NS) : timeoutNs;
    }

    /**
     * Take {@code count} sleepers out of a waiters count, never below 0: a count taken too low by a correction (an
     * MPSC consumer taking out a killed process's sleepers, one of which may never have got into the shared count)
     * heals as the live sleepers leave, where a count left at -1 would hide the next lone sleeper from every waker.
     *
     * @param buffer             the buffer holding the count.
     * @param waitersCountOffset offset of the 32-bit waiters count.
     * @param count              sleepers to take out, {@code >= 1}.
     */
    public static void withdraw(final AtomicBuffer buffer, final int waitersCountOffset, final int count)
    {
        int waiters;
        do
        {
            waiters = buffer.getIntVolatile(waitersCountOffset);
        }
        while (waiters > 0 && !buffer.compareAndSetInt(waitersCountOffset, waiters, Math.max(0, waiters - count)));
    }

    /**
     * The buffer holding the futex word and waiters count.
     *
     * @return the buffer.
     */
    public AtomicBuffer buffer()
    {
        return buffer;
    }

    /**
     * Offset of the futex word.
     *
     * @return the offset.
     */
    public int futexWordOffset()
    {
        return futexWordOffset;
    }

    /**
     * Offset of the waiters count.
     *
     * @return the offset.
     */
    public int waitersCountOffset()
    {
        return waitersCountOffset;
    }

    /**
     * Check the futex word and waiters count offsets for {@link FutexWaiter} and {@link FutexWaker}.
     *
     * @param buffer             the buffer holding both fields.
     * @param futexWordOffset    offset of the futex word.
     * @param waitersCountOffset offset of the waiters count.
     * @throws IllegalArgumentException naming the field, offset and capacity if either is misaligned, out of range,
     *                                  or they overlap.
     */
    public static void checkOffsets(final AtomicBuffer buffer, final int futexWordOffset, final int waitersCountOffset)
    {
        Futex.checkWordOffset(buffer, futexWordOffset);
        try
        {
            Futex.checkWordOffset(buffer, waitersCountOffset);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("waiters count: " + ex.getMessage(), ex);
        }

        if (Math.abs((long)futexWordOffset - waitersCountOffset) < Futex.WORD_LENGTH)
        {
            throw new IllegalArgumentException(
                "futex word offset=" + futexWordOffset + " overlaps waiters count offset=" + waitersCountOffset);
        }
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String toString()
    {
        return "FutexWaiter{futexWordOffset=" + futexWordOffset + ", waitersCountOffset=" + waitersCountOffset +
            ", native=" + Futex.isNative() + "}";
    }
}

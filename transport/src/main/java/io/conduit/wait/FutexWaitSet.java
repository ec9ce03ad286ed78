package io.conduit.wait;

import com.sun.jna.Native;
import org.agrona.LangUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;

/**
 * One thread sleeping until any of several futex words is signalled: Linux's {@code futex_waitv} (5.16 and later)
 * over every word at once, or a bounded park/poll of the words elsewhere.
 * <p>
 * Each member is a futex word and its waiters count, as in {@link FutexWaiter}, usually the data line of a
 * channel file: producers need nothing new, their usual {@link FutexWaker#signal} wakes the set. The protocol is
 * {@link FutexWaiter}'s, member by member: read every word, announce on every count, the heavy fence, re-check the
 * caller's condition over all members, then sleep on all words, so no wake-up of any member is lost.
 * <p>
 * Threading: one thread at a time per set. Memory ordering: as {@link FutexWaiter}, for each member.
 */
public final class FutexWaitSet implements Awaitable
{
    /** Most members: the kernel's {@code FUTEX_WAITV_MAX}. */
    public static final int MAX_MEMBERS = 128;

    static final long SYS_FUTEX_WAITV = 449;
    static final int WAITV_ENTRY_LENGTH = 24;
    static final int FUTEX2_SIZE_U32 = 0x02;
    static final int CLOCK_MONOTONIC = 1;
    static final int EINVAL = 22;

    private static final boolean WAITV_AVAILABLE;

    static
    {
        boolean available = false;
        if (Futex.isNative())
        {
            // zero members is invalid where the call exists (EINVAL) and unknown where it does not (ENOSYS)
            final long result = LibC.syscall(SYS_FUTEX_WAITV, 0, 0, 0, 0, CLOCK_MONOTONIC, 0);
            available = -1 == result && EINVAL == Native.getLastError();
        }
        WAITV_AVAILABLE = available;
    }

    private final AtomicBuffer[] buffers;
    private final int[] wordOffsets;
    private final int[] waitersOffsets;
    private final int[] deafWakersOffsets;
    private final int[] seqs;
    private final UnsafeBuffer waitv;
    private final UnsafeBuffer timespec = new UnsafeBuffer(
        ByteBuffer.allocateDirect(LibC.TIMESPEC_LENGTH).order(ByteOrder.nativeOrder()));

    /**
     * @param buffers        off-heap buffers holding each member's fields, normally channel file headers.
     * @param wordOffsets    offset of each member's futex word.
     * @param waitersOffsets offset of each member's waiters count.
     * @throws IllegalArgumentException if the arrays differ in length, are empty or longer than
     *                                  {@link #MAX_MEMBERS}, or an offset is bad.
     */
    public FutexWaitSet(final AtomicBuffer[] buffers, final int[] wordOffsets, final int[] waitersOffsets)
    {
        this(buffers, wordOffsets, waitersOffsets, noDeafWakersFlags(buffers.length));
    }

    /**
     * As {@link #FutexWaitSet(AtomicBuffer[], int[], int[])}, also heeding each member's deaf-wakers flag, as
     * {@link FutexWaiter#FutexWaiter(AtomicBuffer, int, int, int)} does: while any is set, sleeps are bounded.
     *
     * @param buffers           off-heap buffers holding each member's fields, normally channel file headers.
     * @param wordOffsets       offset of each member's futex word.
     * @param waitersOffsets    offset of each member's waiters count.
     * @param deafWakersOffsets offset of each member's deaf-wakers flag, or {@link FutexWaiter#NO_DEAF_WAKERS_FLAG}.
     * @throws IllegalArgumentException if the arrays differ in length, are empty or longer than
     *                                  {@link #MAX_MEMBERS}, or an offset is bad.
     */
    public FutexWaitSet(
        final AtomicBuffer[] buffers,
        final int[] wordOffsets,
        final int[] waitersOffsets,
        final int[] deafWakersOffsets)
    {
        final int n = buffers.length;
        if (0 == n || n > MAX_MEMBERS || wordOffsets.length != n || waitersOffsets.length != n ||
            deafWakersOffsets.length != n)
        {
            throw new IllegalArgumentException("members=" + n + " wordOffsets=" + wordOffsets.length +
                " waitersOffsets=" + waitersOffsets.length + " expected equal lengths in [1, " + MAX_MEMBERS + "]");
        }
        for (int i = 0; i < n; i++)
        {
            FutexWaiter.checkOffsets(buffers[i], wordOffsets[i], waitersOffsets[i]);
            FutexWaiter.checkDeafWakersOffset(buffers[i], wordOffsets[i], waitersOffsets[i], deafWakersOffsets[i]);
        }
        this.deafWakersOffsets = deafWakersOffsets.clone();
        this.buffers = buffers.clone();
        this.wordOffsets = wordOffsets.clone();
        this.waitersOffsets = waitersOffsets.clone();
        this.seqs = new int[n];
        this.waitv = new UnsafeBuffer(ByteBuffer.allocateDirect(n * WAITV_ENTRY_LENGTH).order(ByteOrder.nativeOrder()));
    }

    /**
     * @return true if the kernel's {@code futex_waitv} is used; false for the park/poll fallback.
     */
    public static boolean isNative()
    {
        return WAITV_AVAILABLE;
    }

    /**
     * Announce on every member, re-check {@code anyReady}, and sleep until a member's word changes, a wake-up, or
     * the timeout; then withdraw. Never allocates.
     *
     * @param anyReady  what the caller waits for, over all members; checked once after announcing.
     * @param timeoutNs longest sleep, relative; {@code <= 0} does not sleep.
     * @return {@link FutexWaiter#SATISFIED}, {@link Futex#WOKEN}, {@link Futex#VALUE_CHANGED},
     * {@link Futex#TIMED_OUT} or {@link Futex#INTERRUPTED}; in every case the caller re-checks.
     */
    @Override
    public int await(final WaitCondition anyReady, final long timeoutNs)
    {
        if (Thread.currentThread().isInterrupted())
        {
            Thread.onSpinWait();
            return Futex.INTERRUPTED; // as FutexWaiter.await: no announce, no fence of every CPU
        }
        final int n = buffers.length;
        for (int i = 0; i < n; i++)
        {
            seqs[i] = buffers[i].getIntVolatile(wordOffsets[i]);
        }
        int announced = 0;
        Throwable failure = null;
        try
        {
            while (announced < n)
            {
                FutexWaiter.announce(buffers[announced], waitersOffsets[announced]);
                announced++;
            }
            // StoreLoad on both sides, as in FutexWaiter.await: pairs with AsymmetricFence.light in signal
            AsymmetricFence.heavy();
            if (anyReady.isSatisfied())
            {
                return FutexWaiter.SATISFIED;
            }
            if (timeoutNs <= 0)
            {
                return Futex.TIMED_OUT;
            }
            final long sleepNs =
                FutexWaiter.sleepBound(timeoutNs, AsymmetricFence.mustBoundSleeps() || hearsDeafWakers());
            return WAITV_AVAILABLE ? waitv(sleepNs) : poll(sleepNs);
        }
        catch (final RuntimeException | Error ex)
        {
            failure = ex;
            throw ex;
        }
        finally
        {
            withdrawAll(announced, failure);
        }
    }

    /**
     * Withdraw from every member announced on, whatever one of them throws (a member's file truncated under its
     * mapping faults there): a member left counted would cost every commit on it a wake-up call for nobody, as long
     * as this process stays its consumer. The first failure is thrown after, or added to the one the wait threw.
     */
    private void withdrawAll(final int announced, final Throwable failure)
    {
        Throwable withdrawFailure = null;
        for (int i = 0; i < announced; i++)
        {
            try
            {
                FutexWaiter.withdraw(buffers[i], waitersOffsets[i], 1); // never below 0, as a lone sleeper's
            }
            catch (final RuntimeException | Error ex)
            {
                if (null == withdrawFailure)
                {
                    withdrawFailure = ex;
                }
                else
                {
                    withdrawFailure.addSuppressed(ex);
                }
            }
        }
        if (null == withdrawFailure)
        {
            return;
        }
        if (null != failure)
        {
            failure.addSuppressed(withdrawFailure);
        }
        else
        {
            LangUtil.rethrowUnchecked(withdrawFailure);
        }
    }

    private boolean hearsDeafWakers()
    {
        for (int i = 0; i < buffers.length; i++)
        {
            if (FutexWaiter.hearsDeafWakers(buffers[i], deafWakersOffsets[i]))
            {
                return true;
            }
        }
        return false;
    }

    private static int[] noDeafWakersFlags(final int members)
    {
        final int[] offsets = new int[members];
        Arrays.fill(offsets, FutexWaiter.NO_DEAF_WAKERS_FLAG);
        return offsets;
    }

    private int waitv(final long timeoutNs)
    {
        final int n = buffers.length;
        for (int i = 0; i < n; i++)
        {
            final int entry = i * WAITV_ENTRY_LENGTH;
            waitv.putLong(entry, seqs[i] & 0xFFFF_FFFFL);
            waitv.putLong(entry + 8, buffers[i].addressOffset() + wordOffsets[i]);
            waitv.putInt(entry + 16, FUTEX2_SIZE_U32); // shared, not FUTEX2_PRIVATE: wakers are other processes
            waitv.putInt(entry + 20, 0);
        }
        LibC.clock_gettime(CLOCK_MONOTONIC, timespec.addressOffset());
        final long deadlineNs = timespec.getLong(0) * 1_000_000_000L + timespec.getLong(LibC.TIMESPEC_NSEC_OFFSET) +
            Math.min(timeoutNs, Long.MAX_VALUE / 4);
        timespec.putLong(0, deadlineNs / 1_000_000_000L);
        timespec.putLong(LibC.TIMESPEC_NSEC_OFFSET, deadlineNs % 1_000_000_000L);
        final long result = LibC.syscall(
            SYS_FUTEX_WAITV, waitv.addressOffset(), n, 0, timespec.addressOffset(), CLOCK_MONOTONIC, 0);
        if (result >= 0)
        {
            return Futex.WOKEN;
        }
        final int errno = Native.getLastError();
        switch (errno)
        {
            case Futex.EAGAIN:
                return Futex.VALUE_CHANGED;
            case Futex.ETIMEDOUT:
                return Futex.TIMED_OUT;
            case Futex.EINTR:
                return Futex.INTERRUPTED;
            default:
                throw new IllegalStateException("futex_waitv failed: errno=" + errno + " members=" + n);
        }
    }

    private int poll(final long timeoutNs)
    {
        final long deadlineNs = System.nanoTime() + timeoutNs;
        long parkNs = 50_000;
        while (true)
        {
            for (int i = 0; i < buffers.length; i++)
            {
                if (buffers[i].getIntVolatile(wordOffsets[i]) != seqs[i])
                {
                    return Futex.VALUE_CHANGED;
                }
            }
            final long remainingNs = deadlineNs - System.nanoTime();
            if (remainingNs <= 0)
            {
                return Futex.TIMED_OUT;
            }
            if (Thread.currentThread().isInterrupted())
            {
                return Futex.INTERRUPTED;
            }
            LockSupport.parkNanos(Math.min(parkNs, remainingNs));
            parkNs = Math.min(parkNs * 2, 1_000_000);
        }
    }
}

package io.conduit.wait;

import com.sun.jna.Native;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.LockSupport;

/**
 * Sleep on, and wake sleepers of, a 32-bit word in shared memory: Linux {@code futex(2)} through JNA where
 * available, a bounded park/poll everywhere else, behind one API.
 * <p>
 * The word lives in an off-heap {@link AtomicBuffer}, normally the header of a channel file mapped
 * {@code MAP_SHARED}, so the sleeper and the waker may be in different processes. The native path therefore uses the
 * shared futex operations ({@code FUTEX_WAIT}, {@code FUTEX_WAKE} without {@code FUTEX_PRIVATE_FLAG}); the kernel
 * keys them by the file page, not by the virtual address, so each process may map the file anywhere.
 * <p>
 * <b>Native path</b> ({@link #isNative()} is true): Linux on x86_64 or aarch64 with JNA loaded. {@code wait} is one
 * {@code FUTEX_WAIT}: the kernel re-reads the word under its hash-bucket lock and only sleeps while it still holds
 * {@code expected}, so a change made before the sleep is never missed. {@code wake} is one {@code FUTEX_WAKE}. A
 * call costs a direct-mapped JNA call plus the system call (well under a microsecond for a wake with no sleeper).
 * <p>
 * <b>Fallback</b> ({@link #isNative()} is false): other systems, 32-bit JVMs, JNA failing to load (for example a
 * {@code noexec} temp directory), or {@value #DISABLED_PROP_NAME}{@code =true}. {@code wait} re-reads the word with a
 * volatile load and parks in steps that grow from {@value #FALLBACK_MIN_PARK_NS_PROP_NAME} to
 * {@value #FALLBACK_MAX_PARK_NS_PROP_NAME} until the word changes, the timeout passes or the thread is interrupted;
 * {@code wake} is a no-op returning 0. A waker must therefore always change the word before calling {@code wake} (the
 * futex protocol requires that anyway), and a fallback sleeper sees the change within one park step.
 * {@link #unavailableReason()} tells why the native path is not used.
 * <p>
 * <b>Timeouts</b> are relative, in nanoseconds: {@link #NO_TIMEOUT} ({@code Long.MAX_VALUE}) waits until woken;
 * {@code timeoutNs <= 0} does not sleep at all (like {@code Condition.awaitNanos}), so a caller looping on
 * {@code deadline - now} can never turn an expired deadline into an endless wait.
 * <p>
 * <b>Statuses</b> of {@code wait} are {@link #WOKEN} (0) or one of the negative constants; every status, including
 * {@link #WOKEN}, only means "look again": futex wake-ups may be spurious, so callers re-check their condition.
 * <p>
 * <b>Allocation</b>: none on any normal path. A timed native wait needs a {@code struct timespec} in native memory;
 * a {@link Sleeper} owns one, and the static {@link #wait(AtomicBuffer, int, int, long)} borrows the calling
 * thread's {@link Sleeper} from a {@link ThreadLocal} (created on the thread's first call). Error paths (an
 * unexpected errno, a bad offset) throw.
 * <p>
 * <b>Interrupts</b>: {@link Thread#interrupt()} cannot end a native {@code FUTEX_WAIT} already in progress; it only
 * makes the next {@code wait} return {@link #INTERRUPTED} at once (the interrupt flag is left set). Use a bounded
 * timeout where a thread must notice interrupts or a close flag.
 * <p>
 * Threading: all static methods may be called from any thread. A {@link Sleeper} belongs to one thread at a time.
 * <p>
 * Memory ordering:
 * <ul>
 *     <li>the waker's store to the word, then {@code wake} → the kernel's read of the word in the sleeper's
 *     {@code FUTEX_WAIT} (the kernel orders both with full barriers): a change made before {@code wake} either makes
 *     the sleeper's {@code wait} return {@link #VALUE_CHANGED} or is followed by the wake-up of the queued sleeper;
 *     </li>
 *     <li>a store to the word → the volatile load in the fallback's poll;</li>
 *     <li>{@code wait} itself is not an acquire of anything else: the caller re-reads what it waits for with acquire
 *     loads (see {@link FutexWaiter}).</li>
 * </ul>
 */
public final class Futex
{
    /**
     * {@code wait} returned from a sleep: woken by {@code wake}, spuriously, or (fallback) because the word changed.
     * Re-check the condition.
     */
    public static final int WOKEN = 0;

    /**
     * {@code wait} did not sleep because the word did not hold {@code expected} ({@code EAGAIN}): re-check the
     * condition.
     */
    public static final int VALUE_CHANGED = -1;

    /**
     * {@code wait} slept for the whole timeout ({@code ETIMEDOUT}) or the timeout was not positive: re-check the
     * condition or give up.
     */
    public static final int TIMED_OUT = -2;

    /**
     * {@code wait} was ended by a signal ({@code EINTR}) or the thread was interrupted before sleeping: handle the
     * interrupt, then re-check the condition.
     */
    public static final int INTERRUPTED = -3;

    /**
     * Timeout meaning "until woken": {@code Long.MAX_VALUE}.
     */
    public static final long NO_TIMEOUT = Long.MAX_VALUE;

    /**
     * Length in bytes of a futex word.
     */
    public static final int WORD_LENGTH = Integer.BYTES;

    /**
     * Required alignment in bytes of a futex word's address (the kernel answers {@code EINVAL} otherwise).
     */
    public static final int WORD_ALIGNMENT = Integer.BYTES;

    /**
     * System property that, set to {@code true}, forces the park/poll fallback even where the native path works.
     */
    public static final String DISABLED_PROP_NAME = "conduit.wait.futex.disabled";

    /**
     * System property: the fallback's first park step in nanoseconds.
     */
    public static final String FALLBACK_MIN_PARK_NS_PROP_NAME = "conduit.wait.fallback.min.park.ns";

    /**
     * Default of {@link #FALLBACK_MIN_PARK_NS_PROP_NAME}: 50 µs.
     */
    public static final long FALLBACK_MIN_PARK_NS_DEFAULT = 50_000;

    /**
     * System property: the fallback's longest park step in nanoseconds, the worst added latency of a fallback wake.
     */
    public static final String FALLBACK_MAX_PARK_NS_PROP_NAME = "conduit.wait.fallback.max.park.ns";

    /**
     * Default of {@link #FALLBACK_MAX_PARK_NS_PROP_NAME}: 1 ms.
     */
    public static final long FALLBACK_MAX_PARK_NS_DEFAULT = 1_000_000;

    static final int FUTEX_WAIT = 0;
    static final int FUTEX_WAKE = 1;
    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final int ETIMEDOUT = 110;

    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final boolean NATIVE;
    private static final String UNAVAILABLE_REASON;
    private static final long FALLBACK_MIN_PARK_NS;
    private static final long FALLBACK_MAX_PARK_NS;
    private static final ThreadLocal<Sleeper> THREAD_SLEEPER = ThreadLocal.withInitial(Sleeper::new);

    static
    {
        if (Boolean.getBoolean(DISABLED_PROP_NAME))
        {
            NATIVE = false;
            UNAVAILABLE_REASON = "disabled by " + DISABLED_PROP_NAME + "=true";
        }
        else
        {
            NATIVE = LibC.AVAILABLE;
            UNAVAILABLE_REASON = LibC.UNAVAILABLE_REASON;
        }

        FALLBACK_MIN_PARK_NS = positiveLongProperty(FALLBACK_MIN_PARK_NS_PROP_NAME, FALLBACK_MIN_PARK_NS_DEFAULT);
        FALLBACK_MAX_PARK_NS = Math.max(
            FALLBACK_MIN_PARK_NS, positiveLongProperty(FALLBACK_MAX_PARK_NS_PROP_NAME, FALLBACK_MAX_PARK_NS_DEFAULT));
    }

    private Futex()
    {
    }

    /**
     * Is the native {@code futex(2)} path in use? Fixed when this class is initialised.
     *
     * @return true for the native path, false for the park/poll fallback.
     */
    public static boolean isNative()
    {
        return NATIVE;
    }

    /**
     * Why the native path is not in use.
     *
     * @return the reason, or null when {@link #isNative()} is true.
     */
    public static String unavailableReason()
    {
        return UNAVAILABLE_REASON;
    }

    /**
     * Sleep while the word at {@code offset} holds {@code expected}, for at most {@code timeoutNs}. Uses the calling
     * thread's {@link Sleeper}; hold your own {@link Sleeper} to avoid the {@link ThreadLocal} look-up.
     *
     * @param buffer    off-heap buffer holding the word.
     * @param offset    offset of the word in the buffer, 4-byte aligned.
     * @param expected  the value the caller last saw; the call does not sleep if the word differs.
     * @param timeoutNs relative timeout, {@link #NO_TIMEOUT} for none; {@code <= 0} does not sleep.
     * @return {@link #WOKEN}, {@link #VALUE_CHANGED}, {@link #TIMED_OUT} or {@link #INTERRUPTED}.
     * @throws IllegalArgumentException if the buffer is on-heap or the offset is misaligned or out of range.
     * @throws IllegalStateException    if the kernel answers with an unexpected errno.
     */
    public static int wait(final AtomicBuffer buffer, final int offset, final int expected, final long timeoutNs)
    {
        return THREAD_SLEEPER.get().wait(buffer, offset, expected, timeoutNs);
    }

    /**
     * Wake up to {@code count} threads, in any process, sleeping on the word at {@code offset}. Change the word
     * first: a sleeper that has not reached the kernel yet only stays awake if the word no longer holds the value
     * it expects. The fallback wakes nobody and returns 0; its sleepers notice the change by polling.
     *
     * @param buffer off-heap buffer holding the word.
     * @param offset offset of the word in the buffer, 4-byte aligned.
     * @param count  how many sleepers to wake at most, positive; {@code Integer.MAX_VALUE} wakes all.
     * @return the number of sleepers woken (0 in the fallback).
     * @throws IllegalArgumentException if the buffer is on-heap, the offset is misaligned or out of range, or
     *                                  {@code count} is not positive.
     * @throws IllegalStateException    if the kernel answers with an error.
     */
    public static int wake(final AtomicBuffer buffer, final int offset, final int count)
    {
        checkWordOffset(buffer, offset);
        if (count <= 0)
        {
            throw new IllegalArgumentException("futex wake: count=" + count + " must be positive");
        }

        if (!NATIVE)
        {
            return 0;
        }

        final long address = buffer.addressOffset() + offset;
        final long result = LibC.syscall(LibC.SYS_FUTEX, address, FUTEX_WAKE, count, 0, 0, 0);
        if (result < 0)
        {
            throw new IllegalStateException(
                "futex wake failed: errno=" + Native.getLastError() + " offset=" + offset + " address=0x" +
                Long.toHexString(address));
        }

        return (int)result;
    }

    /**
     * Check that a futex word at {@code offset} lies inside an off-heap buffer at a 4-byte aligned address.
     *
     * @param buffer the buffer.
     * @param offset offset of the word.
     * @throws IllegalArgumentException naming the offset and capacity (or address) if it does not.
     */
    public static void checkWordOffset(final AtomicBuffer buffer, final int offset)
    {
        if (null != buffer.byteArray())
        {
            throw new IllegalArgumentException(
                "futex word: buffer must be off-heap (a mapped file or direct memory), offset=" + offset);
        }

        final int capacity = buffer.capacity();
        if (offset < 0 || offset > capacity - WORD_LENGTH)
        {
            throw new IllegalArgumentException(
                "futex word: offset=" + offset + " out of range, capacity=" + capacity + " length=" + WORD_LENGTH);
        }

        final long address = buffer.addressOffset() + offset;
        if (0 != (address & (WORD_ALIGNMENT - 1)))
        {
            throw new IllegalArgumentException(
                "futex word: offset=" + offset + " is not " + WORD_ALIGNMENT + "-byte aligned, address=0x" +
                Long.toHexString(address) + " capacity=" + capacity);
        }
    }

    /**
     * Name of a {@code wait} status, for messages.
     *
     * @param status a status returned by {@code wait}.
     * @return its constant's name, or {@code "UNKNOWN(status)"}.
     */
    public static String statusName(final int status)
    {
        switch (status)
        {
            case WOKEN:
                return "WOKEN";
            case VALUE_CHANGED:
                return "VALUE_CHANGED";
            case TIMED_OUT:
                return "TIMED_OUT";
            case INTERRUPTED:
                return "INTERRUPTED";
            default:
                return "UNKNOWN(" + status + ")";
        }
    }

    /**
     * The park/poll fallback's wait, callable directly so tests can run it where the native path is in use.
     *
     * @param buffer    buffer holding the word, already checked.
     * @param offset    offset of the word.
     * @param expected  the value to sleep on.
     * @param timeoutNs relative timeout as for {@link #wait(AtomicBuffer, int, int, long)}.
     * @return a {@code wait} status.
     */
    static int fallbackWait(final AtomicBuffer buffer, final int offset, final int expected, final long timeoutNs)
    {
        if (buffer.getIntVolatile(offset) != expected)
        {
            return VALUE_CHANGED;
        }

        if (timeoutNs <= 0)
        {
            return TIMED_OUT;
        }

        final boolean forever = NO_TIMEOUT == timeoutNs;
        final long deadlineNs = System.nanoTime() + timeoutNs;
        final long maxParkNs = FALLBACK_MAX_PARK_NS;
        long parkNs = FALLBACK_MIN_PARK_NS;

        while (true)
        {
            if (Thread.currentThread().isInterrupted())
            {
                return INTERRUPTED;
            }

            long sleepNs = parkNs;
            if (!forever)
            {
                final long remainingNs = deadlineNs - System.nanoTime();
                if (remainingNs <= 0)
                {
                    return TIMED_OUT;
                }
                sleepNs = Math.min(parkNs, remainingNs);
            }

            LockSupport.parkNanos(sleepNs);

            if (buffer.getIntVolatile(offset) != expected)
            {
                return WOKEN;
            }

            // without a shift past 2^62, which would overflow to a park of 0 (a spin) for a huge maximum
            parkNs = parkNs > maxParkNs >> 1 ? maxParkNs : parkNs << 1;
        }
    }

    private static long positiveLongProperty(final String name, final long defaultValue)
    {
        final String text = System.getProperty(name);
        if (null == text)
        {
            return defaultValue;
        }

        try
        {
            final long value = Long.parseLong(text.trim());
            if (value <= 0)
            {
                throw new IllegalArgumentException(name + "=" + text + " must be positive");
            }
            return value;
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(name + "=" + text + " is not an integer", ex);
        }
    }

    /**
     * A futex sleeper owning the native {@code struct timespec} a timed {@code FUTEX_WAIT} needs, so waiting
     * allocates nothing. The timespec is a 16-byte direct buffer freed by the GC with this object.
     * <p>
     * Threading: any number of threads may sleep through one sleeper at once (a channel's senders share one). The first
     * takes the sleeper's own timespec for its system call; another that comes while it is taken uses a timespec of its
     * own thread's, made once per thread, so no thread's timeout is written over by another's between its store and
     * its system call.
     */
    public static final class Sleeper
    {
        private static final VarHandle TIMESPEC_TAKEN;
        private static final ThreadLocal<UnsafeBuffer> THREAD_TIMESPEC =
            ThreadLocal.withInitial(() -> new UnsafeBuffer(ByteBuffer.allocateDirect(LibC.TIMESPEC_LENGTH)));

        static
        {
            try
            {
                TIMESPEC_TAKEN = MethodHandles.lookup().findVarHandle(Sleeper.class, "timespecTaken", int.class);
            }
            catch (final ReflectiveOperationException ex)
            {
                throw new ExceptionInInitializerError(ex);
            }
        }

        private final UnsafeBuffer timespec = new UnsafeBuffer(ByteBuffer.allocateDirect(LibC.TIMESPEC_LENGTH));
        @SuppressWarnings("unused") // through TIMESPEC_TAKEN
        private volatile int timespecTaken;
        /** Run by a sleeping thread between storing its timeout and its system call: a no-op but in tests. */
        volatile Runnable beforeSleepHook;

        /**
         * Create a sleeper with its own native timespec.
         */
        public Sleeper()
        {
        }

        /**
         * Sleep while the word at {@code offset} holds {@code expected}, for at most {@code timeoutNs}; see
         * {@link Futex#wait(AtomicBuffer, int, int, long)}.
         *
         * @param buffer    off-heap buffer holding the word.
         * @param offset    offset of the word in the buffer, 4-byte aligned.
         * @param expected  the value the caller last saw; the call does not sleep if the word differs.
         * @param timeoutNs relative timeout, {@link Futex#NO_TIMEOUT} for none; {@code <= 0} does not sleep.
         * @return {@link Futex#WOKEN}, {@link Futex#VALUE_CHANGED}, {@link Futex#TIMED_OUT} or
         * {@link Futex#INTERRUPTED}.
         * @throws IllegalArgumentException if the buffer is on-heap or the offset is misaligned or out of range.
         * @throws IllegalStateException    if the kernel answers with an unexpected errno.
         */
        public int wait(final AtomicBuffer buffer, final int offset, final int expected, final long timeoutNs)
        {
            checkWordOffset(buffer, offset);
            if (!NATIVE)
            {
                return fallbackWait(buffer, offset, expected, timeoutNs);
            }

            if (buffer.getIntVolatile(offset) != expected)
            {
                return VALUE_CHANGED;
            }

            if (timeoutNs <= 0)
            {
                return TIMED_OUT;
            }

            if (Thread.currentThread().isInterrupted())
            {
                return INTERRUPTED;
            }

            long timespecAddress = 0;
            boolean taken = false;
            if (NO_TIMEOUT != timeoutNs)
            {
                taken = TIMESPEC_TAKEN.compareAndSet(this, 0, 1);
                final UnsafeBuffer timespec = taken ? this.timespec : THREAD_TIMESPEC.get();
                timespec.putLong(0, timeoutNs / NANOS_PER_SECOND);
                timespec.putLong(LibC.TIMESPEC_NSEC_OFFSET, timeoutNs % NANOS_PER_SECOND);
                timespecAddress = timespec.addressOffset();
            }
            try
            {
                final Runnable hook = beforeSleepHook;
                if (null != hook)
                {
                    hook.run();
                }
                final long address = buffer.addressOffset() + offset;
                final long result = LibC.syscall(LibC.SYS_FUTEX, address, FUTEX_WAIT, expected, timespecAddress, 0, 0);
                if (0 == result)
                {
                    return WOKEN;
                }
                return waitErrorStatus(Native.getLastError(), offset, address);
            }
            finally
            {
                if (taken)
                {
                    TIMESPEC_TAKEN.setRelease(this, 0);
                }
            }
        }

        private static int waitErrorStatus(final int errno, final int offset, final long address)
        {
            switch (errno)
            {
                case EAGAIN:
                    return VALUE_CHANGED;
                case ETIMEDOUT:
                    return TIMED_OUT;
                case EINTR:
                    return INTERRUPTED;
                default:
                    throw new IllegalStateException(
                        "futex wait failed: errno=" + errno + " offset=" + offset + " address=0x" +
                        Long.toHexString(address));
            }
        }
    }
}

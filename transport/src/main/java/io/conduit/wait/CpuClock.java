package io.conduit.wait;

import org.agrona.concurrent.UnsafeBuffer;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;

/**
 * CPU time consumed by a thread or by the whole process, in nanoseconds, for tests and the perf harness (for example
 * to show that a sleeping futex waiter burns no CPU). Not for the hot path.
 * <p>
 * On Linux x86_64/aarch64 with JNA, the current thread and the process are read with {@code clock_gettime} on
 * {@code CLOCK_THREAD_CPUTIME_ID} / {@code CLOCK_PROCESS_CPUTIME_ID}, which are nanosecond-precise. Elsewhere they
 * come from {@link ThreadMXBean#getCurrentThreadCpuTime()} and {@code com.sun.management.OperatingSystemMXBean}
 * (whose process CPU time may tick in 10 ms steps). Another thread's CPU time always comes from
 * {@link ThreadMXBean#getThreadCpuTime(long)}, which is nanosecond-precise on Linux.
 * <p>
 * Threading: all methods may be called from any thread. Each thread that reads a native clock gets its own 16-byte
 * timespec from a {@link ThreadLocal} on its first call; later calls allocate nothing.
 */
public final class CpuClock
{
    /**
     * Returned when a CPU time cannot be measured (unsupported, disabled, or the thread is not alive).
     */
    public static final long UNAVAILABLE = -1;

    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final ThreadMXBean THREAD_MX_BEAN = ManagementFactory.getThreadMXBean();
    private static final MethodHandle IS_VIRTUAL = isVirtualHandle();
    private static final ThreadLocal<UnsafeBuffer> THREAD_TIMESPEC =
        ThreadLocal.withInitial(() -> new UnsafeBuffer(ByteBuffer.allocateDirect(LibC.TIMESPEC_LENGTH)));

    private CpuClock()
    {
    }

    /**
     * Are the current thread's and the process's CPU times read with {@code clock_gettime} through JNA?
     *
     * @return true when native clocks are used.
     */
    public static boolean isNative()
    {
        return LibC.AVAILABLE;
    }

    /**
     * CPU time (user + system) consumed so far by the calling thread.
     *
     * @return nanoseconds, or {@link #UNAVAILABLE} (also on a virtual thread, JDK 21 and later: the OS thread's clock
     * would count its carrier's, which runs other virtual threads too, and the JVM gives none of its own).
     */
    public static long currentThreadCpuTimeNs()
    {
        if (isVirtual(Thread.currentThread()))
        {
            return UNAVAILABLE;
        }
        if (LibC.AVAILABLE)
        {
            return clockGetTimeNs(LibC.CLOCK_THREAD_CPUTIME_ID);
        }

        return THREAD_MX_BEAN.isCurrentThreadCpuTimeSupported() && THREAD_MX_BEAN.isThreadCpuTimeEnabled() ?
            THREAD_MX_BEAN.getCurrentThreadCpuTime() : UNAVAILABLE;
    }

    /**
     * CPU time (user + system) consumed so far by {@code thread}, which may be any live thread of this JVM.
     *
     * @param thread the thread.
     * @return nanoseconds, or {@link #UNAVAILABLE} if the thread is not alive or thread CPU time is not supported.
     */
    public static long threadCpuTimeNs(final Thread thread)
    {
        if (!THREAD_MX_BEAN.isThreadCpuTimeSupported() || !THREAD_MX_BEAN.isThreadCpuTimeEnabled())
        {
            return UNAVAILABLE;
        }

        @SuppressWarnings("deprecation") // Thread.threadId() is Java 19+; getId() is the same value
        final long id = thread.getId();
        final long cpuTimeNs = THREAD_MX_BEAN.getThreadCpuTime(id);

        return cpuTimeNs < 0 ? UNAVAILABLE : cpuTimeNs;
    }

    /**
     * CPU time (user + system) consumed so far by all threads of this process, including the JVM's own.
     *
     * @return nanoseconds, or {@link #UNAVAILABLE}.
     */
    public static long processCpuTimeNs()
    {
        if (LibC.AVAILABLE)
        {
            return clockGetTimeNs(LibC.CLOCK_PROCESS_CPUTIME_ID);
        }

        final OperatingSystemMXBean osMxBean = ManagementFactory.getOperatingSystemMXBean();
        if (osMxBean instanceof com.sun.management.OperatingSystemMXBean)
        {
            final long cpuTimeNs = ((com.sun.management.OperatingSystemMXBean)osMxBean).getProcessCpuTime();
            return cpuTimeNs < 0 ? UNAVAILABLE : cpuTimeNs;
        }

        return UNAVAILABLE;
    }

    private static long clockGetTimeNs(final int clockId)
    {
        final UnsafeBuffer timespec = THREAD_TIMESPEC.get();
        if (0 != LibC.clock_gettime(clockId, timespec.addressOffset()))
        {
            return UNAVAILABLE;
        }

        return timespec.getLong(0) * NANOS_PER_SECOND + timespec.getLong(LibC.TIMESPEC_NSEC_OFFSET);
    }

    /**
     * {@code Thread.isVirtual()}, which JDK 17, this project's baseline, lacks: false there.
     */
    static boolean isVirtual(final Thread thread)
    {
        final MethodHandle isVirtual = IS_VIRTUAL;
        if (null == isVirtual)
        {
            return false;
        }
        try
        {
            return (boolean)isVirtual.invokeExact(thread);
        }
        catch (final Throwable ex)
        {
            return false;
        }
    }

    private static MethodHandle isVirtualHandle()
    {
        try
        {
            return MethodHandles.publicLookup().findVirtual(Thread.class, "isVirtual",
                MethodType.methodType(boolean.class));
        }
        catch (final ReflectiveOperationException ex)
        {
            return null; // before JDK 21
        }
    }
}

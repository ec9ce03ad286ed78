package io.conduit.perf.jmh.ring;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * Pins the calling thread to one CPU, through Linux's {@code sched_setaffinity}, so that the producer and the
 * consumer of a two-thread benchmark each keep a CPU of their own for the whole trial, for every ring alike. Unpinned,
 * the scheduler may move both onto one CPU for a while, and one iteration then measures time slicing, not the ring.
 * <p>
 * {@link #CPUS_PROP_NAME} chooses the CPUs: {@code P,C} for the producer and the consumer, or {@code none}. By default
 * the first two CPUs this process may run on are taken, and nothing is pinned where there are fewer, or where the
 * system is not Linux; and if the kernel refuses the default (a sandbox that forbids the call), the threads run
 * unpinned, with a warning on stderr, rather than the benchmark failing. CPUs named in the property must be pinned to.
 * <p>
 * The first two allowed CPUs are two cores on this project's 2-vCPU machines; on a host with simultaneous
 * multithreading they may be two hardware threads of one core, which share its caches: pick CPUs of two cores there.
 * A pinned thread stays pinned until its fork ends, which is after its trial (JMH forks by default).
 * <p>
 * Threading: any thread, for itself. Called once per trial, so JNA's interface mapping, which allocates, is fine here.
 * The transport module binds libc in one class of its own ({@code io.conduit.wait.LibC}, package-private, for the
 * futex and membarrier); this is the benchmarks' only other binding, kept out of the library.
 */
final class ThreadAffinity
{
    /** System property: {@code P,C}, the producer's and the consumer's CPU, or {@code none}. */
    static final String CPUS_PROP_NAME = "conduit.bench.cpus";

    private static final int MASK_WORDS = 16; // 1024 CPUs, glibc's cpu_set_t

    private ThreadAffinity()
    {
    }

    /**
     * libc's affinity calls.
     */
    interface CLibrary extends Library
    {
        /**
         * @param pid       0 for the calling thread.
         * @param cpuSetSize bytes in the mask.
         * @param mask      the CPU mask, bit n for CPU n.
         * @return 0, or -1 with errno set.
         */
        int sched_setaffinity(int pid, long cpuSetSize, long[] mask);

        /**
         * @param pid       0 for the calling thread.
         * @param cpuSetSize bytes in the mask.
         * @param mask      filled with the CPU mask.
         * @return 0 (the kernel's size on a raw call), or -1 with errno set.
         */
        int sched_getaffinity(int pid, long cpuSetSize, long[] mask);
    }

    /**
     * The CPUs to pin the producer and the consumer to.
     *
     * @return {producer, consumer}, or null to pin nothing.
     * @throws IllegalArgumentException if the property is set to something other than two distinct CPUs or none.
     */
    static int[] cpus()
    {
        final String value = System.getProperty(CPUS_PROP_NAME);
        if (null != value)
        {
            return parse(value, Platform.isLinux());
        }
        final String allowed;
        try
        {
            if (!Platform.isLinux())
            {
                return null;
            }
            allowed = allowedCpus();
        }
        catch (final LinkageError ex)
        {
            return null; // no JNA (Platform is JNA's) or no libc binding: the default pins nothing rather than fail
        }
        if (null == allowed)
        {
            return null;
        }
        final String[] each = allowed.split(",");
        return each.length >= 2 ? new int[]{Integer.parseInt(each[0]), Integer.parseInt(each[1])} : null;
    }

    /**
     * @return true if {@link #CPUS_PROP_NAME} is set, so that a failure to pin must end the trial rather than leave the
     * threads unpinned.
     */
    static boolean isRequested()
    {
        return null != System.getProperty(CPUS_PROP_NAME);
    }

    static int[] parse(final String value, final boolean linux)
    {
        if ("none".equals(value.trim()))
        {
            return null;
        }
        if (!linux)
        {
            throw new IllegalArgumentException(CPUS_PROP_NAME + "=" + value +
                ": pinning needs Linux's sched_setaffinity; set none on this system");
        }
        final String[] parts = value.split(",", -1);
        if (2 == parts.length)
        {
            try
            {
                final int producer = Integer.parseInt(parts[0].trim());
                final int consumer = Integer.parseInt(parts[1].trim());
                if (producer >= 0 && consumer >= 0 && producer != consumer &&
                    Math.max(producer, consumer) < MASK_WORDS * Long.SIZE)
                {
                    return new int[]{producer, consumer};
                }
            }
            catch (final NumberFormatException ignore)
            {
                // refused below, with the value
            }
        }
        throw new IllegalArgumentException(CPUS_PROP_NAME + "=" + value +
            ": expected two distinct CPU numbers, producer's then consumer's (such as 0,1), or none");
    }

    /**
     * Pin the calling thread to {@code cpu}.
     *
     * @param cpu a CPU number.
     * @throws IllegalStateException if the kernel refuses (a CPU this process may not use, or none such).
     */
    static void pin(final int cpu)
    {
        final long[] mask = new long[MASK_WORDS];
        mask[cpu / Long.SIZE] = 1L << (cpu % Long.SIZE);
        if (0 != library().sched_setaffinity(0, MASK_WORDS * (long)Long.BYTES, mask))
        {
            throw new IllegalStateException("sched_setaffinity to cpu=" + cpu + " failed: errno=" +
                Native.getLastError() + " (set " + CPUS_PROP_NAME + " to CPUs this process may use, or to none)");
        }
    }

    /**
     * Pin the calling thread to {@code cpu}, or, where the CPUs were not named ({@link #isRequested()} false), run
     * unpinned with a warning on standard error if the kernel refuses or there is no libc binding: named CPUs are
     * pinned to or the caller fails, the default is best effort.
     *
     * @param cpu a CPU number.
     * @param named whether the CPUs were named, so that a refusal must fail the caller.
     * @param who what is being pinned, for the warning.
     * @throws IllegalStateException if named and the kernel refuses.
     */
    static void pinOrWarn(final int cpu, final boolean named, final String who)
    {
        try
        {
            pin(cpu);
        }
        catch (final IllegalStateException | LinkageError ex)
        {
            if (named)
            {
                throw ex;
            }
            System.err.println("WARNING: " + who + ": " + ex.getMessage() + "; running unpinned");
        }
    }

    /**
     * @return the CPUs the calling thread may run on, comma-separated, or null if the kernel does not say.
     */
    static String allowedCpus()
    {
        final long[] mask = new long[MASK_WORDS];
        if (library().sched_getaffinity(0, MASK_WORDS * (long)Long.BYTES, mask) < 0)
        {
            return null;
        }
        final StringBuilder cpus = new StringBuilder();
        for (int cpu = 0; cpu < MASK_WORDS * Long.SIZE; cpu++)
        {
            if (0 != (mask[cpu / Long.SIZE] & (1L << (cpu % Long.SIZE))))
            {
                cpus.append(cpus.length() > 0 ? "," : "").append(cpu);
            }
        }
        return cpus.toString();
    }

    private static CLibrary library()
    {
        return Holder.LIBRARY;
    }

    private static final class Holder
    {
        static final CLibrary LIBRARY = Native.load("c", CLibrary.class);
    }
}

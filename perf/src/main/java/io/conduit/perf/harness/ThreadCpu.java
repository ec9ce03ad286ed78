package io.conduit.perf.harness;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * CPU time of helper threads: the threads a system under test starts for itself (Aeron's media driver and client
 * conductors, Chronicle's background threads), told apart as the threads that did not exist before its set-up.
 * <p>
 * Threading: any thread.
 */
final class ThreadCpu
{
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private ThreadCpu()
    {
    }

    /**
     * @return the ids of the live threads, sorted: the baseline to pass to {@link #helperCpuNs(long[])}.
     */
    static long[] threadIds()
    {
        final long[] ids = THREADS.getAllThreadIds();
        Arrays.sort(ids);
        return ids;
    }

    /**
     * @param baseline thread ids from {@link #threadIds()} before the system was set up.
     * @return CPU time, user plus system, consumed so far by live threads not in the baseline; 0 if the JVM cannot
     * measure thread CPU time.
     */
    static long helperCpuNs(final long[] baseline)
    {
        if (!THREADS.isThreadCpuTimeSupported())
        {
            return 0;
        }
        long sum = 0;
        for (final long id : THREADS.getAllThreadIds())
        {
            if (Arrays.binarySearch(baseline, id) < 0)
            {
                final long cpuNs = THREADS.getThreadCpuTime(id);
                if (cpuNs > 0)
                {
                    sum += cpuNs;
                }
            }
        }
        return sum;
    }
}

package io.conduit.codec;

import com.sun.management.ThreadMXBean;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Bytes the calling thread allocates while it runs a piece of code, for the codec's no-allocation tests.
 */
final class Allocations
{
    private Allocations()
    {
    }

    /**
     * @param code what to measure, run once on the calling thread.
     * @return bytes the calling thread allocated while running it, less what the measuring calls themselves take.
     */
    static long allocatedBy(final Runnable code)
    {
        final ThreadMXBean threads = (ThreadMXBean)ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled(),
            "this JVM does not count a thread's allocations");
        final long start = threads.getCurrentThreadAllocatedBytes();
        final long overhead = threads.getCurrentThreadAllocatedBytes() - start;
        final long before = threads.getCurrentThreadAllocatedBytes();
        code.run();
        return threads.getCurrentThreadAllocatedBytes() - before - overhead;
    }
}

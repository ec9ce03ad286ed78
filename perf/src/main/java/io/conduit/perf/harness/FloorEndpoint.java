package io.conduit.perf.harness;

import org.HdrHistogram.Histogram;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;

/**
 * The floor: two processes ping-pong one 8-byte counter in a memory-mapped file, the parent storing odd values and
 * the child answering with the next even one. Each round trip is two cache-line transfers between the cores and
 * nothing else, so no messaging system can beat it; every system's round trip is reported as a multiple of it.
 * <pre>
 *  file (4096 bytes): | padding (128) | counter (8) | padding (3960) |
 * </pre>
 * Memory ordering: the parent's release store of an odd value pairs with the child's acquire load; the child's
 * release store of the even answer pairs with the parent's acquire load.
 */
final class FloorEndpoint extends Endpoint
{
    /** System name of the floor. */
    static final String NAME = "floor";
    /** Bytes the floor message carries: the counter. */
    static final int COUNTER_LENGTH = Long.BYTES;

    private static final String FILE_NAME = "floor";
    private static final int FILE_LENGTH = 4096;
    private static final int COUNTER_OFFSET = 128; // a line of its own, with its prefetch neighbour unused

    private MappedByteBuffer mapped;
    private UnsafeBuffer buffer;

    FloorEndpoint()
    {
        super(NAME);
    }

    @Override
    String prepare(final Path repDirectory, final int length) throws Exception
    {
        super.prepare(repDirectory, length);
        mapped = IoUtil.mapNewFile(repDirectory.resolve(FILE_NAME).toFile(), FILE_LENGTH);
        buffer = new UnsafeBuffer(mapped);
        return repDirectory.toString();
    }

    @Override
    String open(final String token, final int length) throws Exception
    {
        super.open(token, length);
        mapped = IoUtil.mapExistingFile(new File(token, FILE_NAME), FILE_NAME);
        buffer = new UnsafeBuffer(mapped);
        return NONE;
    }

    @Override
    void pingPong(
        final Histogram histogram, final int warmup, final int total, final long intervalNs, final Watchdog watchdog)
    {
        final UnsafeBuffer buffer = this.buffer;
        final Pacer pacer = new Pacer(intervalNs, warmup);
        long spins = 0;
        for (int i = 0; i < total; i++)
        {
            final long sendNs = pacer.sendTimeNs();
            final long ping = 2L * i + 1;
            // release: publishes the ping; pairs with the child's acquire load in echo
            buffer.putLongRelease(COUNTER_OFFSET, ping);
            while (ping + 1 != buffer.getLongAcquire(COUNTER_OFFSET))
            {
                spins = Watchdog.spinOnce(watchdog, spins);
            }
            final long nowNs = System.nanoTime();
            if (i >= warmup)
            {
                histogram.recordValue(nowNs - sendNs);
            }
        }
    }

    @Override
    void echo(final int total, final Watchdog watchdog)
    {
        final UnsafeBuffer buffer = this.buffer;
        long spins = 0;
        for (int i = 0; i < total; i++)
        {
            final long ping = 2L * i + 1;
            while (ping != buffer.getLongAcquire(COUNTER_OFFSET))
            {
                spins = Watchdog.spinOnce(watchdog, spins);
            }
            // release: publishes the answer; pairs with the parent's acquire load in pingPong
            buffer.putLongRelease(COUNTER_OFFSET, ping + 1);
        }
    }

    @Override
    public void close()
    {
        IoUtil.unmap(mapped);
    }
}

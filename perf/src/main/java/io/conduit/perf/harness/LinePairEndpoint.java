package io.conduit.perf.harness;

import org.HdrHistogram.Histogram;
import org.agrona.BitUtil;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;

import static io.conduit.perf.harness.MessageLayout.SEQUENCE_OFFSET;
import static io.conduit.perf.harness.MessageLayout.SEND_TIME_OFFSET;

/**
 * A minimal shared-memory ring protocol, as a reference between the floor and the rings: each direction has a region
 * of 64-byte lines, and message {@code i} takes the next line(s) of its region: the body, then, stored last with
 * release, a tag word {@code i + 1} at the start of its first line, on which the reader spins. No head, no tail, no
 * capacity check, no clearing: the tag is unique per message, so a line written on an earlier lap never reads as
 * the next message. Every ring pays at least this: the same two processes, one line written by one side and read by
 * the other per message and direction, where the floor ping-pongs a single line between them. What is left between
 * a ring and this system is the ring's own work; what is left between this system and the floor is the cost of
 * moving on to a fresh line per message and of two lines (one per direction) in place of one. It is a reference,
 * not a bound: a rep's p50 moves by more than a ring's extra work, so a ring can measure at or below it.
 * <pre>
 *  file: | ping region (REGION_LENGTH) | echo region (REGION_LENGTH) |
 *  message: | tag = sequence + 1 (8) | body (length) | to the end of its line
 * </pre>
 * Memory ordering: body stores, then the tag's release store → the reader's acquire load of the tag, then body loads.
 * Ping-pong only: with no head the writer cannot know when the reader has freed a line, so there is no one-way
 * throughput mode (it would need the bookkeeping this system leaves out).
 */
final class LinePairEndpoint extends Endpoint
{
    /** System name. */
    static final String NAME = "line-pair";

    private static final String FILE_NAME = "line-pair";
    private static final int LINE = 64;
    private static final int TAG_LENGTH = Long.BYTES;
    private static final int REGION_LENGTH = 1 << 20;

    private MappedByteBuffer mapped;
    private UnsafeBuffer buffer;
    private UnsafeBuffer message;
    /** Where the whole reply is copied, as a socket's or a FIFO's read copies it. */
    private final byte[] reply = new byte[HarnessOptions.MAX_LENGTH];
    private int stride;
    private int slotMask;

    LinePairEndpoint()
    {
        super(NAME);
    }

    @Override
    String prepare(final Path repDirectory, final int length) throws Exception
    {
        super.prepare(repDirectory, length);
        map(IoUtil.mapNewFile(repDirectory.resolve(FILE_NAME).toFile(), 2L * REGION_LENGTH), length);
        return repDirectory.toString();
    }

    @Override
    String open(final String token, final int length) throws Exception
    {
        super.open(token, length);
        map(IoUtil.mapExistingFile(new File(token, FILE_NAME), FILE_NAME), length);
        return NONE;
    }

    private void map(final MappedByteBuffer mapped, final int length)
    {
        stride = BitUtil.align(TAG_LENGTH + length, LINE);
        if (stride > REGION_LENGTH / 2)
        {
            throw new IllegalArgumentException(NAME + ": length=" + length + " expected at most " +
                (REGION_LENGTH / 2 - TAG_LENGTH));
        }
        slotMask = Integer.highestOneBit(REGION_LENGTH / stride) - 1;
        this.mapped = mapped;
        buffer = new UnsafeBuffer(mapped);
        message = new UnsafeBuffer(new byte[length]);
    }

    @Override
    void pingPong(
        final Histogram histogram, final int warmup, final int total, final long intervalNs, final Watchdog watchdog)
    {
        final UnsafeBuffer buffer = this.buffer;
        final UnsafeBuffer message = this.message;
        final int length = this.length;
        final Pacer pacer = new Pacer(intervalNs, warmup);
        long spins = 0;
        for (int i = 0; i < total; i++)
        {
            stamp(message, pacer, i);
            final int ping = lineOffset(0, i);
            buffer.putBytes(ping + TAG_LENGTH, message, 0, length);
            // release: publishes the body; pairs with the echo's acquire load of the tag
            buffer.putLongRelease(ping, i + 1L);
            final int echo = lineOffset(REGION_LENGTH, i);
            while (i + 1L != buffer.getLongVolatile(echo))
            {
                spins = Watchdog.spinOnce(watchdog, spins);
            }
            buffer.getBytes(echo + TAG_LENGTH, reply, 0, length); // the whole reply, as a socket's read copies it
            final long nowNs = System.nanoTime();
            record(histogram, i, warmup, buffer.getLong(echo + TAG_LENGTH + SEQUENCE_OFFSET),
                nowNs - buffer.getLong(echo + TAG_LENGTH + SEND_TIME_OFFSET));
        }
    }

    @Override
    void echo(final int total, final Watchdog watchdog)
    {
        final UnsafeBuffer buffer = this.buffer;
        final int length = this.length;
        long spins = 0;
        for (int i = 0; i < total; i++)
        {
            final int ping = lineOffset(0, i);
            while (i + 1L != buffer.getLongVolatile(ping))
            {
                spins = Watchdog.spinOnce(watchdog, spins);
            }
            final int echo = lineOffset(REGION_LENGTH, i);
            buffer.putBytes(echo + TAG_LENGTH, buffer, ping + TAG_LENGTH, length);
            // release: publishes the copy; pairs with the parent's acquire load of the tag
            buffer.putLongRelease(echo, i + 1L);
        }
    }

    /**
     * @return the offset of message {@code index}'s first line in the region at {@code region}.
     */
    private int lineOffset(final int region, final int index)
    {
        return region + (index & slotMask) * stride;
    }

    @Override
    public void close()
    {
        if (null != mapped)
        {
            IoUtil.unmap(mapped);
        }
    }
}

package io.conduit.perf.harness;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;
import org.HdrHistogram.Histogram;

import java.nio.file.Path;
import java.nio.file.Paths;

import static io.conduit.perf.harness.MessageLayout.*;

/**
 * Chronicle Queue: one single-file-per-cycle queue per direction in the repetition's directory ({@code /dev/shm}),
 * an appender on the sending side and a busy-polled tailer on the receiving side; each message is one document of
 * raw bytes. Needs the {@code --add-opens}/{@code --add-exports} in {@link HarnessJvm}.
 */
final class ChronicleEndpoint extends Endpoint
{
    private static final String PING = "cq-ping";
    private static final String PONG = "cq-pong";

    private ChronicleQueue pingQueue;
    private ChronicleQueue pongQueue;
    private ExcerptAppender appender;
    private ExcerptTailer tailer;
    private BytesStore<?, ?> message;
    /** Where the whole reply is copied, as a socket's or a FIFO's read copies it. */
    private final byte[] reply = new byte[HarnessOptions.MAX_LENGTH];

    /**
     * @param system system name.
     */
    ChronicleEndpoint(final String system)
    {
        super(system);
    }

    @Override
    String prepare(final Path repDirectory, final int length) throws Exception
    {
        super.prepare(repDirectory, length);
        pingQueue = ChronicleQueue.singleBuilder(repDirectory.resolve(PING)).build();
        pongQueue = ChronicleQueue.singleBuilder(repDirectory.resolve(PONG)).build();
        appender = pingQueue.createAppender();
        tailer = pongQueue.createTailer();
        message = BytesStore.nativeStoreWithFixedCapacity(length);
        return repDirectory.toString();
    }

    @Override
    String open(final String token, final int length) throws Exception
    {
        super.open(token, length);
        final Path directory = Paths.get(token);
        pingQueue = ChronicleQueue.singleBuilder(directory.resolve(PING)).build();
        pongQueue = ChronicleQueue.singleBuilder(directory.resolve(PONG)).build();
        tailer = pingQueue.createTailer();
        appender = pongQueue.createAppender();
        return NONE;
    }

    @Override
    void pingPong(
        final Histogram histogram, final int warmup, final int total, final long intervalNs, final Watchdog watchdog)
    {
        final ExcerptAppender appender = this.appender;
        final ExcerptTailer tailer = this.tailer;
        final BytesStore<?, ?> message = this.message;
        final int length = this.length;
        final Pacer pacer = new Pacer(intervalNs, warmup);
        long spins = 0;
        for (int i = 0; i < total; i++)
        {
            final long sendNs = pacer.sendTimeNs();
            message.writeLong(SEND_TIME_OFFSET, sendNs);
            message.writeLong(SEQUENCE_OFFSET, i);
            try (DocumentContext context = appender.writingDocument())
            {
                context.wire().bytes().write(message, 0L, length);
            }
            long carriedNs = 0;
            long sequence = -1;
            boolean received = false;
            while (!received)
            {
                try (DocumentContext context = tailer.readingDocument())
                {
                    if (context.isPresent())
                    {
                        final Bytes<?> bytes = context.wire().bytes();
                        MessageLayout.checkLength(length, (int)Math.min(Integer.MAX_VALUE, bytes.readRemaining()),
                            system);
                        final long position = bytes.readPosition();
                        carriedNs = bytes.readLong(position + SEND_TIME_OFFSET);
                        sequence = bytes.readLong(position + SEQUENCE_OFFSET);
                        bytes.read(reply, 0, length); // the whole reply, as a socket's read copies it
                        received = true;
                    }
                }
                if (!received)
                {
                    spins = Watchdog.spinOnce(watchdog, spins);
                }
            }
            final long nowNs = System.nanoTime();
            record(histogram, i, warmup, sequence, nowNs - carriedNs);
        }
    }

    @Override
    void echo(final int total, final Watchdog watchdog)
    {
        final ExcerptAppender appender = this.appender;
        final ExcerptTailer tailer = this.tailer;
        int echoed = 0;
        long spins = 0;
        while (echoed < total)
        {
            try (DocumentContext in = tailer.readingDocument())
            {
                if (in.isPresent())
                {
                    try (DocumentContext out = appender.writingDocument())
                    {
                        out.wire().bytes().write(in.wire().bytes());
                    }
                    echoed++;
                }
                else
                {
                    spins = Watchdog.spinOnce(watchdog, spins); // paused as the floor's echo and every parent loop
                }
            }
        }
    }

    @Override
    public void close()
    {
        if (null != tailer)
        {
            tailer.close();
        }
        if (null != appender)
        {
            appender.close();
        }
        if (null != pingQueue)
        {
            pingQueue.close();
        }
        if (null != pongQueue)
        {
            pongQueue.close();
        }
        if (null != message)
        {
            message.releaseLast();
        }
    }
}

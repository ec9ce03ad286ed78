package io.conduit.ring;

import io.conduit.file.ChannelFile;
import io.conduit.file.ChannelOptions;
import org.agrona.concurrent.AtomicBuffer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static io.conduit.file.ChannelFileDescriptor.MESSAGES_RECEIVED_OFFSET;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Several producer threads racing for the tail of one MPSC ring, in-process: each producer's stream arrives whole,
 * in order and uncorrupted, interleaved with the others.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MpscRingMultiProducerTest
{
    static final int PRODUCERS = 3;
    static final int MESSAGES_PER_PRODUCER = 200_000;
    static final int CAPACITY = 64 * 1024;

    @TempDir
    Path dir;

    /**
     * @param ringPerThread false: the threads share one ring instance; true: each opens the file itself and has its
     * own instance and producer slot, as separate processes would.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void shouldDeliverEveryProducersSequenceInOrderWithNoneLostOrDuplicated(final boolean ringPerThread)
        throws Exception
    {
        try (ChannelFile file = ChannelFile.create(dir, "mpsc", ChannelOptions.defaults()
            .kind(RingKind.MPSC).capacity(CAPACITY)))
        {
            final MpscRing ring = (MpscRing)file.ring();
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final AtomicBoolean stop = new AtomicBoolean();
            final CountDownLatch start = new CountDownLatch(1);
            final List<Thread> producers = new ArrayList<>();
            final List<ChannelFile> files = new ArrayList<>();
            for (int producerId = 1; producerId <= PRODUCERS; producerId++)
            {
                final ChannelFile own = ringPerThread ? ChannelFile.open(dir, "mpsc") : null;
                if (null != own)
                {
                    files.add(own);
                }
                final Ring producerRing = null == own ? ring : own.ring();
                final int id = producerId;
                final Thread thread =
                    new Thread(() -> produce(producerRing, id, start, failure, stop), "producer-" + id);
                thread.setDaemon(true);
                producers.add(thread);
                thread.start();
            }

            final Receiver receiver = new Receiver(true);
            try
            {
                start.countDown();
                receiver.readUntil(ring, () -> PRODUCERS * MESSAGES_PER_PRODUCER == receiver.received ||
                    null != failure.get(), 50_000);
                for (final Thread producer : producers)
                {
                    producer.join(10_000);
                    assertFalse(producer.isAlive(), producer.getName());
                }
            }
            finally
            {
                // a failed check must not leave producers spinning on rings about to be unmapped (a JVM crash that
                // would lose this failure and every later result of the module)
                stop.set(true);
                for (final Thread producer : producers)
                {
                    producer.join();
                }
                files.forEach(ChannelFile::close);
            }

            assertNull(failure.get());
            for (int producerId = 1; producerId <= PRODUCERS; producerId++)
            {
                assertEquals(MESSAGES_PER_PRODUCER, receiver.next[producerId], receiver::toString);
            }
            assertEquals(0, ring.read(receiver, Receiver.BATCH_LIMIT), "nothing more");
            assertEquals(0, ring.size());
            assertEquals((long)PRODUCERS * MESSAGES_PER_PRODUCER, ring.messagesSent());
            assertEquals((long)PRODUCERS * MESSAGES_PER_PRODUCER,
                ring.headerBuffer().getLongVolatile(MESSAGES_RECEIVED_OFFSET));
            assertEquals(0, ring.recordsSkipped());
        }
    }

    private static void produce(
        final Ring ring,
        final int producerId,
        final CountDownLatch start,
        final AtomicReference<Throwable> failure,
        final AtomicBoolean stop)
    {
        try
        {
            final AtomicBuffer buffer = ring.buffer();
            final SequencedMessage message = new SequencedMessage();
            start.await();
            for (long sequence = 0; sequence < MESSAGES_PER_PRODUCER && null == failure.get(); sequence++)
            {
                int offset;
                while ((offset = ring.tryClaim(SequencedMessage.TYPE_ID,
                    SequencedMessage.bodyLength(producerId, sequence))) < 0)
                {
                    if (stop.get())
                    {
                        return;
                    }
                    Thread.yield();
                }
                message.encode(buffer, offset, producerId, sequence);
                ring.commit(offset);
            }
        }
        catch (final Throwable ex)
        {
            failure.compareAndSet(null, ex);
        }
    }
}

package io.conduit.codec;

import io.conduit.codec.sbe.ping.PingEncoder;
import io.conduit.codec.sbe.sensor.HeartbeatEncoder;
import io.conduit.codec.sbe.sensor.SensorReadingDecoder;
import io.conduit.codec.sbe.sensor.SensorReadingEncoder;
import io.conduit.file.ChannelFile;
import io.conduit.file.ChannelOptions;
import io.conduit.ring.AbstractRing;
import io.conduit.ring.Ring;
import io.conduit.ring.RingKind;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The publisher and dispatcher over the real rings of a channel file, SPSC and MPSC: every kind of message, encoded
 * in place, around the ring's wrap point many times, with aborted claims and foreign records in between.
 */
class ChannelFileRingTest
{
    private static final int CAPACITY = 64 * 1024;
    private static final int MAX_MESSAGE_LENGTH = 4096;
    private static final int MESSAGES = 20_000;

    @TempDir
    Path dir;

    /**
     * A handler that commits its claim itself, when the ring refuses that commit (the consumer skipped the claim after
     * the stuck-claim timeout) and the handler swallows the refusal: nothing was sent, and offer must not say it was.
     */
    @Test
    void shouldNotReportAsSentAClaimWhoseCommitTheRingRefused() throws Exception
    {
        try (ChannelFile file = ChannelFile.create(dir, "refused", ChannelOptions.defaults().kind(RingKind.MPSC)
            .capacity(CAPACITY).stuckClaimTimeoutNs(TimeUnit.MILLISECONDS.toNanos(1))))
        {
            final AbstractRing ring = (AbstractRing)file.ring();
            final SbePublisher publisher = new SbePublisher(ring);
            final boolean[] refused = {false};
            final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> publisher.offer(
                new HeartbeatEncoder(), MessageLengths.HEARTBEAT_LENGTH, (heartbeat) ->
                {
                    heartbeat.sourceId(1).sequence(1).timestampNs(1);
                    final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (0 == ring.recordsSkipped() && System.nanoTime() < deadlineNs)
                    {
                        ring.checkStuckOnNextRead(); // the consumer, on this thread, skips the claim once stale
                        ring.read((t, b, o, l) -> fail("nothing was committed"), 10);
                        Thread.onSpinWait();
                    }
                    try
                    {
                        publisher.commit();
                    }
                    catch (final IllegalStateException skipped)
                    {
                        refused[0] = true; // swallowed, as a careless handler would
                    }
                }));
            assertTrue(refused[0], "the ring refused the commit");
            assertTrue(ex.getMessage().contains("nothing sent"), ex.getMessage());
            assertEquals(1, ring.recordsSkipped());
            assertFalse(publisher.hasOpenClaim());
        }
    }

    /**
     * The rings clear only each line's header slot before reuse: an SBE message whose caller leaves fields unset must
     * still read 0 there, not the bytes of the message that used the line a lap before.
     */
    @ParameterizedTest
    @EnumSource(RingKind.class)
    void shouldZeroFieldsLeftUnsetEvenWhereAnEarlierLapLeftBytes(final RingKind kind) throws IOException
    {
        final int capacity = 1024;
        try (ChannelFile file = ChannelFile.create(dir, "unset-" + kind.name().toLowerCase(),
            ChannelOptions.defaults().kind(kind).capacity(capacity)))
        {
            final Ring ring = file.ring();
            // a lap of records full of 0xFF, one per line, read and so free for reuse
            final UnsafeBuffer dirty = new UnsafeBuffer(new byte[MessageLengths.SENSOR_READING_LENGTH]);
            dirty.setMemory(0, dirty.capacity(), (byte)0xFF);
            for (int i = 0; i < capacity / 64 - 1; i++)
            {
                assertTrue(ring.offer(99, dirty, 0, dirty.capacity()));
                assertEquals(1, ring.read((t, b, o, l) -> { }, 1));
            }

            final SbePublisher publisher = new SbePublisher(ring);
            final SensorReadingEncoder encoder = new SensorReadingEncoder();
            for (int i = 0; i < 2; i++) // the second lands on the first line again, past the wrap
            {
                assertTrue(publisher.offer(encoder, MessageLengths.SENSOR_READING_LENGTH, (e) -> e.sensorId(7)));
                final int[] bodies = {0};
                assertEquals(1, ring.read((typeId, buffer, offset, length) ->
                {
                    bodies[0]++;
                    assertEquals(SensorReadingEncoder.TEMPLATE_ID, typeId);
                    final SensorReadingDecoder decoder = new SensorReadingDecoder().wrap(buffer,
                        offset + MessageHeaderDescriptor.HEADER_LENGTH, SensorReadingDecoder.BLOCK_LENGTH,
                        SensorReadingDecoder.SCHEMA_VERSION);
                    assertEquals(7, decoder.sensorId());
                    for (int j = MessageHeaderDescriptor.HEADER_LENGTH + Long.BYTES; j < length; j++)
                    {
                        assertEquals(0, buffer.getByte(offset + j), "byte " + j + " of the message");
                    }
                }, 10));
                assertEquals(1, bodies[0]);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(RingKind.class)
    void shouldCarryEveryMessageKindThroughARealRing(final RingKind kind) throws IOException
    {
        try (ChannelFile file = ChannelFile.create(dir, "codec-" + kind.name().toLowerCase(),
            ChannelOptions.defaults().kind(kind).capacity(CAPACITY).maxMessageLength(MAX_MESSAGE_LENGTH)))
        {
            final Ring ring = file.ring();
            final SbePublisher publisher = new SbePublisher(ring);
            final MessageTraffic traffic = new MessageTraffic(MAX_MESSAGE_LENGTH);
            final SbeDispatcher dispatcher = traffic.dispatcher(UnknownMessagePolicy.DROP);
            final SensorReadingEncoder aborting = new SensorReadingEncoder();
            final UnsafeBuffer foreign = new UnsafeBuffer(new byte[16]);

            long sent = 0;
            int aborted = 0;
            int foreignSent = 0;
            while (sent < MESSAGES)
            {
                final long sequence = sent;
                if (0 == sequence % 97 && abortOne(publisher, aborting))
                {
                    aborted++;
                }
                if (0 == sequence % 101 && ring.offer(999, foreign, 0, foreign.capacity()))
                {
                    foreignSent++;
                }
                if (traffic.send(publisher, sequence))
                {
                    sent++;
                }
                else
                {
                    assertTrue(ring.read(dispatcher, 50) > 0);
                }
            }
            while (ring.read(dispatcher, 50) > 0)
            {
                continue;
            }

            assertEquals(MESSAGES, traffic.received());
            assertEquals(foreignSent, dispatcher.rejectedCount(RejectReason.MALFORMED));
            assertEquals(foreignSent, dispatcher.rejectedCount());
            assertTrue(aborted > 0 && foreignSent > 0);
            assertTrue(ring.tailPosition() > 10L * CAPACITY, "tail=" + ring.tailPosition());
            assertEquals(ring.tailPosition(), ring.headPosition());
            assertThrows(IllegalArgumentException.class,
                () -> publisher.tryClaim(new PingEncoder(), MessageLengths.pingLength(MAX_MESSAGE_LENGTH)));
        }
    }

    private static boolean abortOne(final SbePublisher publisher, final SensorReadingEncoder encoder)
    {
        if (publisher.tryClaim(encoder, MessageLengths.SENSOR_READING_LENGTH) > 0)
        {
            encoder.sensorId(-1);
            publisher.abort();
            return true;
        }
        return false;
    }
}

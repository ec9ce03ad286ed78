package io.conduit.codec;

import io.conduit.codec.sbe.ping.PingDecoder;
import io.conduit.codec.sbe.ping.PingEncoder;
import io.conduit.codec.sbe.rpc.RequestDecoder;
import io.conduit.codec.sbe.rpc.RequestEncoder;
import io.conduit.codec.sbe.sensor.HeartbeatEncoder;
import io.conduit.codec.sbe.sensor.Quality;
import io.conduit.codec.sbe.sensor.SensorBatchDecoder;
import io.conduit.codec.sbe.sensor.SensorBatchEncoder;
import io.conduit.codec.sbe.sensor.SensorReadingDecoder;
import io.conduit.codec.sbe.sensor.SensorReadingEncoder;
import io.conduit.codec.sbe.sensor.Unit;
import io.conduit.file.ChannelFile;
import io.conduit.file.ChannelOptions;
import io.conduit.ring.AbstractRing;
import io.conduit.ring.Ring;
import io.conduit.ring.RingKind;
import org.agrona.DirectBuffer;
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

    private long expectedSequence;
    private long checksum;
    private long expectedChecksum;

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
            final SbeDispatcher dispatcher = dispatcher();
            final Encoders encoders = new Encoders();
            final UnsafeBuffer foreign = new UnsafeBuffer(new byte[16]);

            long sent = 0;
            int aborted = 0;
            int foreignSent = 0;
            while (sent < MESSAGES)
            {
                final long sequence = sent;
                if (0 == sequence % 97 && abortOne(publisher, encoders))
                {
                    aborted++;
                }
                if (0 == sequence % 101 && ring.offer(999, foreign, 0, foreign.capacity()))
                {
                    foreignSent++;
                }
                if (send(publisher, encoders, sequence))
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

            assertEquals(MESSAGES, expectedSequence);
            assertEquals(expectedChecksum, checksum);
            assertEquals(foreignSent, dispatcher.rejectedCount(RejectReason.MALFORMED));
            assertEquals(foreignSent, dispatcher.rejectedCount());
            assertTrue(aborted > 0 && foreignSent > 0);
            assertTrue(ring.tailPosition() > 10L * CAPACITY, "tail=" + ring.tailPosition());
            assertEquals(ring.tailPosition(), ring.headPosition());
            assertThrows(IllegalArgumentException.class,
                () -> publisher.tryClaim(encoders.ping, MessageLengths.pingLength(MAX_MESSAGE_LENGTH)));
        }
    }

    private SbeDispatcher dispatcher()
    {
        final byte[] payload = new byte[MAX_MESSAGE_LENGTH];
        final UnsafeBuffer payloadBytes = new UnsafeBuffer(payload);
        final StringBuilder replyTo = new StringBuilder();
        return new SbeDispatcher(UnknownMessagePolicy.DROP)
            .register(new SensorReadingDecoder(), (reading) ->
            {
                checkSequence(reading.sensorId());
                checksum += (long)reading.value();
            })
            .register(new SensorBatchDecoder(), (batch) ->
            {
                checkSequence(batch.batchSequence());
                for (final SensorBatchDecoder.ReadingsDecoder reading : batch.readings())
                {
                    checksum += reading.sensorId();
                }
            })
            .register(new PingDecoder(), (ping) ->
            {
                checkSequence(ping.sequence());
                checksum += sum(payloadBytes, ping.getPayload(payload, 0, payload.length));
            })
            .register(new RequestDecoder(), (request) ->
            {
                checkSequence(request.correlationId());
                replyTo.setLength(0);
                request.getReplyTo(replyTo);
                assertEquals("inbox", replyTo.toString());
                checksum += sum(payloadBytes, request.getPayload(payload, 0, payload.length));
            });
    }

    private void checkSequence(final long sequence)
    {
        assertEquals(expectedSequence, sequence);
        expectedSequence++;
    }

    private boolean send(final SbePublisher publisher, final Encoders encoders, final long sequence)
    {
        switch ((int)(sequence % 4))
        {
            case 0:
                if (publisher.tryClaim(encoders.reading, MessageLengths.SENSOR_READING_LENGTH) < 0)
                {
                    return false;
                }
                encoders.reading.sensorId(sequence).timestampNs(sequence).value(sequence % 1000)
                    .unit(Unit.PASCAL).quality(Quality.GOOD);
                expectedChecksum += sequence % 1000;
                break;
            case 1:
            {
                final int count = (int)(sequence % 50);
                if (publisher.tryClaim(encoders.batch, MessageLengths.sensorBatchLength(count)) < 0)
                {
                    return false;
                }
                final SensorBatchEncoder.ReadingsEncoder readings =
                    encoders.batch.sourceId(1).batchSequence(sequence).readingsCount(count);
                for (int i = 0; i < count; i++)
                {
                    readings.next().sensorId(i).timestampNs(i).value(i).unit(Unit.NONE).quality(Quality.BAD);
                    expectedChecksum += i;
                }
                break;
            }
            case 2:
            {
                final int payloadLength = (int)(sequence * 7 % (MAX_MESSAGE_LENGTH - MessageLengths.pingLength(0)));
                if (publisher.tryClaim(encoders.ping, MessageLengths.pingLength(payloadLength)) < 0)
                {
                    return false;
                }
                encoders.ping.sequence(sequence).sendTimeNs(sequence).putPayload(encoders.bytes, 0, payloadLength);
                expectedChecksum += sum(encoders.bytes, payloadLength);
                break;
            }
            default:
            {
                final int payloadLength = (int)(sequence % 7) * 100;
                if (publisher.tryClaim(encoders.request, MessageLengths.requestLength(5, payloadLength)) < 0)
                {
                    return false;
                }
                encoders.request.correlationId(sequence).replyTo("inbox").putPayload(encoders.bytes, 0, payloadLength);
                expectedChecksum += sum(encoders.bytes, payloadLength);
                break;
            }
        }
        publisher.commit();
        return true;
    }

    private static long sum(final DirectBuffer bytes, final int length)
    {
        long sum = 0;
        for (int i = 0; i < length; i++)
        {
            sum += bytes.getByte(i);
        }
        return sum;
    }

    private static boolean abortOne(final SbePublisher publisher, final Encoders encoders)
    {
        if (publisher.tryClaim(encoders.reading, MessageLengths.SENSOR_READING_LENGTH) > 0)
        {
            encoders.reading.sensorId(-1);
            publisher.abort();
            return true;
        }
        return false;
    }

    private static final class Encoders
    {
        private final SensorReadingEncoder reading = new SensorReadingEncoder();
        private final SensorBatchEncoder batch = new SensorBatchEncoder();
        private final PingEncoder ping = new PingEncoder();
        private final RequestEncoder request = new RequestEncoder();
        private final UnsafeBuffer bytes = new UnsafeBuffer(new byte[MAX_MESSAGE_LENGTH]);

        private Encoders()
        {
            for (int i = 0; i < bytes.capacity(); i++)
            {
                bytes.putByte(i, (byte)(i * 13 + 1));
            }
        }
    }
}

package io.conduit.codec;

import io.conduit.codec.sbe.ping.PingDecoder;
import io.conduit.codec.sbe.ping.PingEncoder;
import io.conduit.codec.sbe.sensor.Quality;
import io.conduit.codec.sbe.sensor.SensorReadingDecoder;
import io.conduit.codec.sbe.sensor.SensorReadingEncoder;
import io.conduit.codec.sbe.sensor.Unit;
import io.conduit.file.ChannelFile;
import io.conduit.file.ChannelFileDescriptor;
import io.conduit.file.ChannelOptions;
import io.conduit.ring.Ring;
import io.conduit.ring.RingKind;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The publisher and dispatcher on the real rings of a channel file, SPSC and MPSC, where {@link SbeRoundTripTest}
 * and {@link SbeDispatcherTest} use {@link TestRing}: every Conduit message with each of its fields checked, laps
 * around a small ring with sequence numbers, and a send and read that allocate nothing, for a fixed-length message
 * (decoded straight from the ring) and one with var-data (decoded over the dispatcher's checked view, after its
 * walk of the var-data).
 */
class SbeOnChannelRingsTest
{
    // small, so that a few hundred messages wrap it; the longest message is the most this capacity allows
    private static final int CAPACITY = 8 * ChannelFileDescriptor.MIN_CAPACITY;
    private static final int MAX_MESSAGE_LENGTH = CAPACITY / 8 - 8;
    private static final int LAPS = 3;
    // more calls than C2's invocation thresholds (Tier4InvocationThreshold is 5,000 calls, or fewer with loops), so
    // that the loop's method is compiled as called, not only entered on-stack in the measured window
    private static final int WARM_UP_ROUNDS = 6_000;
    private static final int WARM_UP_PER_ROUND = 10;
    // the JVM's one-offs while the JIT swaps in compiled code, a few hundred bytes to a few KiB once, with room to
    // spare: a path that allocated 16 bytes a message would put 1.6 MB in every window
    private static final long ONE_OFF_LIMIT = 256 * 1024;
    private static final int MEASURED = 100_000;
    private static final int MAX_WINDOWS = 5;
    private static final int PING_PAYLOAD_LENGTH = 16;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(RingKind.class)
    void shouldCarryEveryMessageWithEveryFieldInOrderAcrossTheWrapPoint(final RingKind kind) throws IOException
    {
        try (ChannelFile file = create(kind, "every-message"))
        {
            final Ring ring = file.ring();
            final SbePublisher publisher = new SbePublisher(ring);
            final MessageTraffic traffic = new MessageTraffic(MAX_MESSAGE_LENGTH);
            final SbeDispatcher dispatcher = traffic.dispatcher(UnknownMessagePolicy.THROW);

            // read a few at a time when full, so the ring runs nearly full and wraps with messages in flight
            long sent = 0;
            while (ring.tailPosition() < (long)LAPS * CAPACITY || 0 != sent % MessageTraffic.MESSAGE_KINDS)
            {
                if (traffic.send(publisher, sent))
                {
                    sent++;
                }
                else
                {
                    assertTrue(ring.read(dispatcher, 3) > 0, "a full ring must have something to read");
                }
            }
            while (ring.read(dispatcher, 10) > 0)
            {
                continue;
            }

            assertEquals(sent, traffic.received());
            assertTrue(sent >= 2 * MessageTraffic.MESSAGE_KINDS, "sent=" + sent);
            assertEquals(ring.tailPosition(), ring.headPosition());
            assertTrue(ring.headPosition() >= (long)LAPS * CAPACITY, "head=" + ring.headPosition());
            assertEquals(0, dispatcher.rejectedCount());
        }
    }

    /**
     * Measured as {@code SbeRoundTripTest.shouldSendAndReceiveWithoutAllocating} does: after a warm-up long enough for
     * the JIT to compile the path (in many short calls, so the loop's method is compiled as called and not only
     * entered on-stack), less what the measuring call itself allocates. But where that test allows the JVM's own
     * one-offs (under a byte a message), here a window of {@code MEASURED} messages must come out at exactly 0 bytes.
     * Such a one-off (a few hundred bytes while the JIT swaps in compiled code) is not the path's, so a window that
     * has one is measured again, up to {@code MAX_WINDOWS} times, and every window must stay under
     * {@code ONE_OFF_LIMIT}: an allocation on the path, 16 bytes or more a message, puts 1.6 MB in every window.
     */
    @ParameterizedTest
    @EnumSource(RingKind.class)
    void shouldSendAndReceiveWithoutAllocating(final RingKind kind) throws IOException
    {
        try (ChannelFile file = create(kind, "no-allocation"))
        {
            final Ring ring = file.ring();
            final SbePublisher publisher = new SbePublisher(ring);
            final Encoders encoders = new Encoders();
            final SequenceCheck check = new SequenceCheck();
            final PingCheck pingCheck = new PingCheck();
            final SbeDispatcher dispatcher = new SbeDispatcher(UnknownMessagePolicy.THROW)
                .register(new SensorReadingDecoder(), check)
                .register(new PingDecoder(), pingCheck);

            long sequence = 0;
            for (int round = 0; round < WARM_UP_ROUNDS; round++)
            {
                sequence = sendAndRead(ring, publisher, dispatcher, encoders, sequence, WARM_UP_PER_ROUND);
            }
            final long[] allocatedPerWindow = new long[MAX_WINDOWS];
            int windows = 0;
            long allocated = -1;
            final long[] next = {sequence};
            while (0 != allocated && windows < MAX_WINDOWS)
            {
                allocated = Allocations.allocatedBy(
                    () -> next[0] = sendAndRead(ring, publisher, dispatcher, encoders, next[0], MEASURED));
                allocatedPerWindow[windows++] = allocated;
            }
            sequence = next[0];

            final String perWindow = "bytes allocated in each window of " + MEASURED + " sends and reads on " + kind +
                ": " + Arrays.toString(Arrays.copyOf(allocatedPerWindow, windows));
            assertEquals(0, allocated, perWindow);
            for (int w = 0; w < windows; w++)
            {
                assertTrue(allocatedPerWindow[w] < ONE_OFF_LIMIT, perWindow);
            }
            assertEquals(sequence, check.next);
            assertEquals(0, check.mismatches);
            assertEquals(sequence, pingCheck.next);
            assertEquals(0, pingCheck.mismatches);
            assertEquals(0, dispatcher.rejectedCount());
            assertTrue(ring.headPosition() > 2L * CAPACITY, "head=" + ring.headPosition());
        }
    }

    private static long sendAndRead(
        final Ring ring,
        final SbePublisher publisher,
        final SbeDispatcher dispatcher,
        final Encoders encoders,
        final long firstSequence,
        final int count)
    {
        final SensorReadingEncoder encoder = encoders.reading;
        final PingEncoder ping = encoders.ping;
        final UnsafeBuffer payload = encoders.payload;
        final long end = firstSequence + count;
        for (long sequence = firstSequence; sequence < end; sequence++)
        {
            if (publisher.tryClaim(encoder, MessageLengths.SENSOR_READING_LENGTH) <= 0)
            {
                throw new AssertionError("no room for a SensorReading");
            }
            encoder.sensorId(sequence).timestampNs(sequence).value(sequence).unit(Unit.VOLT).quality(Quality.GOOD);
            publisher.commit();
            if (publisher.tryClaim(ping, MessageLengths.pingLength(PING_PAYLOAD_LENGTH)) <= 0)
            {
                throw new AssertionError("no room for a Ping");
            }
            payload.putLong(0, sequence);
            payload.putLong(Long.BYTES, ~sequence);
            ping.sequence(sequence).sendTimeNs(-sequence).putPayload(payload, 0, PING_PAYLOAD_LENGTH);
            publisher.commit();
            if (2 != ring.read(dispatcher, 10))
            {
                throw new AssertionError("expected two messages");
            }
        }
        return end;
    }

    private ChannelFile create(final RingKind kind, final String name) throws IOException
    {
        return ChannelFile.create(dir, name + "-" + kind.name().toLowerCase(),
            ChannelOptions.defaults().kind(kind).capacity(CAPACITY).maxMessageLength(MAX_MESSAGE_LENGTH));
    }

    /**
     * The encoders and the Ping's payload source, made once.
     */
    private static final class Encoders
    {
        private final SensorReadingEncoder reading = new SensorReadingEncoder();
        private final PingEncoder ping = new PingEncoder();
        private final UnsafeBuffer payload = new UnsafeBuffer(new byte[PING_PAYLOAD_LENGTH]);
    }

    /**
     * Counts pings whose fields or payload are not the ones sent for the next sequence, as {@link SequenceCheck} does
     * for readings; the payload is read through the decoder's view of the record, with no copy.
     */
    private static final class PingCheck implements SbeMessageHandler<PingDecoder>
    {
        private final UnsafeBuffer payload = new UnsafeBuffer(0, 0);
        private long next;
        private long mismatches;

        @Override
        public void onMessage(final PingDecoder decoder)
        {
            final long expected = next;
            if (expected != decoder.sequence() || -expected != decoder.sendTimeNs())
            {
                mismatches++;
            }
            else
            {
                decoder.wrapPayload(payload);
                if (PING_PAYLOAD_LENGTH != payload.capacity() || expected != payload.getLong(0) ||
                    ~expected != payload.getLong(Long.BYTES))
                {
                    mismatches++;
                }
            }
            next = expected + 1;
        }
    }

    /**
     * Counts readings whose fields are not the ones sent for the next sequence, instead of asserting in the handler,
     * whose failure message would allocate.
     */
    private static final class SequenceCheck implements SbeMessageHandler<SensorReadingDecoder>
    {
        private long next;
        private long mismatches;

        @Override
        public void onMessage(final SensorReadingDecoder decoder)
        {
            final long expected = next;
            if (expected != decoder.sensorId() || expected != decoder.timestampNs() || expected != decoder.value() ||
                Unit.VOLT != decoder.unit() || Quality.GOOD != decoder.quality())
            {
                mismatches++;
            }
            next = expected + 1;
        }
    }
}

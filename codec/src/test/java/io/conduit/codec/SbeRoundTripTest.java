package io.conduit.codec;

import io.conduit.codec.sbe.ping.PingDecoder;
import io.conduit.codec.sbe.ping.PingEncoder;
import io.conduit.codec.sbe.ping.PongDecoder;
import io.conduit.codec.sbe.ping.PongEncoder;
import io.conduit.codec.sbe.rpc.ReplyDecoder;
import io.conduit.codec.sbe.rpc.ReplyEncoder;
import io.conduit.codec.sbe.rpc.RequestDecoder;
import io.conduit.codec.sbe.rpc.RequestEncoder;
import io.conduit.codec.sbe.sensor.HeartbeatDecoder;
import io.conduit.codec.sbe.sensor.HeartbeatEncoder;
import io.conduit.codec.sbe.sensor.Quality;
import io.conduit.codec.sbe.sensor.SensorBatchDecoder;
import io.conduit.codec.sbe.sensor.SensorBatchEncoder;
import io.conduit.codec.sbe.sensor.SensorReadingDecoder;
import io.conduit.codec.sbe.sensor.SensorReadingEncoder;
import io.conduit.codec.sbe.sensor.Unit;
import io.conduit.ring.Ring;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every Conduit message encoded in place by {@link SbePublisher}, read back through a ring and an
 * {@link SbeDispatcher}, with groups and var-data at their edges: empty, and the most that fits the ring's longest
 * message.
 */
class SbeRoundTripTest
{
    private static final int MAX_MESSAGE_LENGTH = 8 * 1024;

    private final Ring ring = new TestRing(64 * 1024, MAX_MESSAGE_LENGTH);
    private final SbePublisher publisher = new SbePublisher(ring);
    private final SbeDispatcher dispatcher = new SbeDispatcher(UnknownMessagePolicy.THROW);
    private final List<String> received = new ArrayList<>();

    @Test
    void shouldRoundTripSensorReading()
    {
        final SensorReadingEncoder encoder = new SensorReadingEncoder();
        assertTrue(publisher.tryClaim(encoder, MessageLengths.SENSOR_READING_LENGTH) > 0);
        encoder.sensorId(42).timestampNs(1_700_000_000_123_456_789L).value(21.5).unit(Unit.CELSIUS)
            .quality(Quality.UNCERTAIN);
        publisher.commit();

        dispatcher.register(new SensorReadingDecoder(), (reading) -> received.add(
            reading.sensorId() + "," + reading.timestampNs() + "," + reading.value() + "," + reading.unit() + "," +
            reading.quality()));

        assertEquals(1, ring.read(dispatcher, 10));
        assertEquals(List.of("42,1700000000123456789,21.5,CELSIUS,UNCERTAIN"), received);
        assertEquals(MessageLengths.fixedLength(encoder), MessageLengths.SENSOR_READING_LENGTH);
    }

    @Test
    void shouldDecodeAnEnumValueItDoesNotKnowAsSbeUnknown()
    {
        // as a value a newer writer added reaches an older reader (sbe.decode.unknown.enum.values=true)
        final SensorReadingEncoder encoder = new SensorReadingEncoder();
        assertTrue(publisher.tryClaim(encoder, MessageLengths.SENSOR_READING_LENGTH) > 0);
        encoder.sensorId(42).unit(Unit.CELSIUS);
        encoder.buffer().putByte(encoder.offset() + SensorReadingEncoder.unitEncodingOffset(), (byte)200);
        publisher.commit();

        dispatcher.register(new SensorReadingDecoder(), (reading) -> received.add(
            reading.sensorId() + "," + reading.unitRaw() + "," + reading.unit()));

        assertEquals(1, ring.read(dispatcher, 10));
        assertEquals(List.of("42,200,SBE_UNKNOWN"), received);
    }

    @Test
    void shouldSendAndReceiveWithoutAllocating()
    {
        final SensorReadingEncoder reading = new SensorReadingEncoder();
        final PingEncoder ping = new PingEncoder();
        final byte[] payload = pattern(64);
        final byte[] readBack = new byte[payload.length];
        final long[] sums = new long[2];
        // SensorReading is decoded straight from the ring's buffer, Ping (var-data) through the checked view
        dispatcher
            .register(new SensorReadingDecoder(), (decoder) -> sums[0] += decoder.sensorId())
            .register(new PingDecoder(), (decoder) -> sums[1] += decoder.getPayload(readBack, 0, readBack.length));

        final int warmUp = 20_000;
        final int measured = 10_000;
        sendAndReceive(warmUp, reading, ping, payload);
        final long allocated = Allocations.allocatedBy(() -> sendAndReceive(measured, reading, ping, payload));

        // one object per message would be at least 16 bytes a round trip; what is left is the JVM's own one-offs
        assertTrue(allocated < measured, "bytes allocated by " + measured + " round trips: " + allocated);
        assertEquals((long)(warmUp + measured) * 7, sums[0]);
        assertEquals((long)(warmUp + measured) * payload.length, sums[1]);
        assertArrayEquals(payload, readBack);
    }

    private void sendAndReceive(
        final int count, final SensorReadingEncoder reading, final PingEncoder ping, final byte[] payload)
    {
        final int pingLength = MessageLengths.pingLength(payload.length);
        for (int i = 0; i < count; i++)
        {
            if (publisher.tryClaim(reading, MessageLengths.SENSOR_READING_LENGTH) <= 0)
            {
                throw new AssertionError("no room for a SensorReading");
            }
            reading.sensorId(7).timestampNs(i).value(i).unit(Unit.VOLT).quality(Quality.GOOD);
            publisher.commit();
            if (publisher.tryClaim(ping, pingLength) <= 0)
            {
                throw new AssertionError("no room for a Ping");
            }
            ping.sequence(i).sendTimeNs(i).putPayload(payload, 0, payload.length);
            publisher.commit();
            if (2 != ring.read(dispatcher, 10))
            {
                throw new AssertionError("expected two messages");
            }
        }
    }

    @Test
    void shouldRoundTripHeartbeat()
    {
        assertTrue(publisher.offer(new HeartbeatEncoder(), MessageLengths.HEARTBEAT_LENGTH,
            (heartbeat) -> heartbeat.sourceId(7).sequence(3).timestampNs(99)));

        dispatcher.register(new HeartbeatDecoder(), (heartbeat) -> received.add(
            heartbeat.sourceId() + "," + heartbeat.sequence() + "," + heartbeat.timestampNs()));

        assertEquals(1, ring.read(dispatcher, 10));
        assertEquals(List.of("7,3,99"), received);
    }

    @ParameterizedTest
    @ValueSource(ints = { 0, 1, 2, 100, -1 })
    void shouldRoundTripSensorBatchFromEmptyToTheMostThatFits(final int wantedCount)
    {
        final int count = -1 == wantedCount ? MessageLengths.maxSensorBatchReadings(MAX_MESSAGE_LENGTH) : wantedCount;
        final SensorBatchEncoder encoder = new SensorBatchEncoder();
        assertTrue(publisher.tryClaim(encoder, MessageLengths.sensorBatchLength(count)) > 0);
        encoder.sourceId(5).batchSequence(11);
        final SensorBatchEncoder.ReadingsEncoder readings = encoder.readingsCount(count);
        for (int i = 0; i < count; i++)
        {
            readings.next().sensorId(i).timestampNs(1000L + i).value(i * 0.5).unit(Unit.VOLT).quality(Quality.GOOD);
        }
        publisher.commit();

        final long[] sum = new long[2];
        dispatcher.register(new SensorBatchDecoder(), (batch) ->
        {
            received.add(batch.sourceId() + "," + batch.batchSequence());
            int index = 0;
            for (final SensorBatchDecoder.ReadingsDecoder reading : batch.readings())
            {
                assertEquals(index, reading.sensorId());
                assertEquals(1000L + index, reading.timestampNs());
                assertEquals(index * 0.5, reading.value());
                assertEquals(Unit.VOLT, reading.unit());
                assertEquals(Quality.GOOD, reading.quality());
                index++;
            }
            sum[0] = index;
            sum[1] = batch.encodedLength();
        });

        assertEquals(1, ring.read(dispatcher, 10));
        assertEquals(List.of("5,11"), received);
        assertEquals(count, sum[0]);
        assertEquals(MessageLengths.sensorBatchLength(count), MessageHeaderDescriptor.HEADER_LENGTH + sum[1]);
    }

    @Test
    void shouldRefuseASensorBatchOneReadingLongerThanFits()
    {
        final int tooMany = MessageLengths.maxSensorBatchReadings(MAX_MESSAGE_LENGTH) + 1;
        assertThrows(IllegalArgumentException.class,
            () -> publisher.tryClaim(new SensorBatchEncoder(), MessageLengths.sensorBatchLength(tooMany)));
        assertEquals(0, ring.size());
    }

    @ParameterizedTest
    @ValueSource(ints = { 28, 32, 256, 4096, MAX_MESSAGE_LENGTH })
    void shouldRoundTripPingAndPongOfEveryHarnessSize(final int messageLength)
    {
        final int payloadLength = MessageLengths.pingPayloadLength(messageLength);
        final byte[] payload = pattern(payloadLength);
        final PingEncoder ping = new PingEncoder();
        assertTrue(publisher.tryClaim(ping, MessageLengths.pingLength(payloadLength)) > 0);
        ping.sequence(1).sendTimeNs(123).putPayload(payload, 0, payload.length);
        publisher.commit();
        final PongEncoder pong = new PongEncoder();
        assertTrue(publisher.tryClaim(pong, MessageLengths.pongLength(payloadLength)) > 0);
        pong.sequence(1).sendTimeNs(123).putPayload(payload, 0, payload.length);
        publisher.commit();

        final byte[] pingPayload = new byte[payloadLength];
        final byte[] pongPayload = new byte[payloadLength];
        dispatcher
            .register(new PingDecoder(), (decoder) ->
            {
                received.add("ping " + decoder.sequence() + "," + decoder.sendTimeNs() + "," +
                    decoder.getPayload(pingPayload, 0, pingPayload.length));
            })
            .register(new PongDecoder(), (decoder) ->
            {
                received.add("pong " + decoder.sequence() + "," + decoder.sendTimeNs() + "," +
                    decoder.getPayload(pongPayload, 0, pongPayload.length));
            });

        assertEquals(2, ring.read(dispatcher, 10));
        assertEquals(List.of("ping 1,123," + payloadLength, "pong 1,123," + payloadLength), received);
        assertArrayEquals(payload, pingPayload);
        assertArrayEquals(payload, pongPayload);
        assertEquals(4, MessageLengths.pingPayloadLength(32));
        assertEquals(228, MessageLengths.pingPayloadLength(256));
        assertEquals(4068, MessageLengths.pingPayloadLength(4096));
    }

    @ParameterizedTest
    @ValueSource(ints = { 0, 1, 4096, -1 })
    void shouldRoundTripRequestAndReplyFromEmptyToTheMostThatFits(final int wantedPayloadLength)
    {
        final String replyTo = 0 == wantedPayloadLength ? "" : "client-7.replies";
        final int payloadLength = -1 == wantedPayloadLength ?
            MAX_MESSAGE_LENGTH - MessageLengths.requestLength(replyTo.length(), 0) : wantedPayloadLength;
        final byte[] payload = pattern(payloadLength);
        final UnsafeBuffer source = new UnsafeBuffer(payload);

        final RequestEncoder request = new RequestEncoder();
        assertTrue(publisher.tryClaim(request, MessageLengths.requestLength(replyTo.length(), payloadLength)) > 0);
        request.correlationId(-3).replyTo(replyTo).putPayload(source, 0, payloadLength);
        publisher.commit();
        final ReplyEncoder reply = new ReplyEncoder();
        assertTrue(publisher.tryClaim(reply, MessageLengths.replyLength(payloadLength)) > 0);
        reply.correlationId(-3).putPayload(source, 0, payloadLength);
        publisher.commit();

        final byte[] requestPayload = new byte[payloadLength];
        final byte[] replyPayload = new byte[payloadLength];
        final StringBuilder replyToName = new StringBuilder();
        dispatcher
            .register(new RequestDecoder(), (decoder) ->
            {
                received.add("request " + decoder.correlationId());
                decoder.getReplyTo(replyToName);
                assertEquals(payloadLength, decoder.getPayload(requestPayload, 0, payloadLength));
            })
            .register(new ReplyDecoder(), (decoder) ->
            {
                received.add("reply " + decoder.correlationId());
                assertEquals(payloadLength, decoder.getPayload(replyPayload, 0, payloadLength));
            });

        assertEquals(2, ring.read(dispatcher, 10));
        assertEquals(List.of("request -3", "reply -3"), received);
        assertEquals(replyTo, replyToName.toString());
        assertArrayEquals(payload, requestPayload);
        assertArrayEquals(payload, replyPayload);
    }

    /**
     * A mailbox name of {@code MAX_REPLY_TO_LENGTH} bytes, the most the schema's 16-bit length allows, goes through
     * whole, in a ring whose messages may be that long; one byte more is refused by the encoder.
     */
    @Test
    void shouldRoundTripAReplyToNameOfTheLongestLengthAndRefuseOneLonger()
    {
        final StringBuilder name = new StringBuilder();
        for (int i = 0; i < MessageLengths.MAX_REPLY_TO_LENGTH; i++)
        {
            name.append((char)('a' + i % 26));
        }
        final String longest = name.toString();
        final Ring bigRing = new TestRing(256 * 1024, 128 * 1024);
        final SbePublisher bigPublisher = new SbePublisher(bigRing);
        final RequestEncoder request = new RequestEncoder();
        assertTrue(bigPublisher.tryClaim(request, MessageLengths.requestLength(longest.length(), 0)) > 0);
        assertTrue(assertThrows(IllegalStateException.class, () -> request.replyTo(longest + "z")).getMessage()
            .contains("length > maxValue"), "refused by the schema's length limit");
        request.correlationId(9).replyTo(longest).putPayload(new byte[0], 0, 0);
        bigPublisher.commit();

        final StringBuilder replyTo = new StringBuilder();
        dispatcher.register(new RequestDecoder(), (decoder) ->
        {
            received.add("request " + decoder.correlationId());
            decoder.getReplyTo(replyTo);
            received.add("payload " + decoder.payloadLength());
        });
        assertEquals(1, bigRing.read(dispatcher, 10));
        assertEquals(List.of("request 9", "payload 0"), received);
        assertEquals(longest, replyTo.toString());
    }

    /**
     * {@code MAX_PAYLOAD_LENGTH} is the schemas' own limit on a payload: the encoders of both schemas that carry one
     * refuse a byte more ("length > maxValue") before writing, and accept exactly that many (which then fail only for
     * want of room in this small buffer).
     */
    @Test
    void shouldGiveTheLongestPayloadTheSchemasAllow()
    {
        final UnsafeBuffer empty = new UnsafeBuffer(new byte[0]);
        final CheckedBuffer small = new CheckedBuffer();
        small.wrap(new byte[64]);
        final PingEncoder ping = new PingEncoder();
        final ReplyEncoder reply = new ReplyEncoder();

        assertTrue(assertThrows(IllegalStateException.class,
            () -> ping.wrap(small, 0).putPayload(empty, 0, MessageLengths.MAX_PAYLOAD_LENGTH + 1)).getMessage()
            .contains("length > maxValue"));
        assertTrue(assertThrows(IllegalStateException.class,
            () -> reply.wrap(small, 0).putPayload(empty, 0, MessageLengths.MAX_PAYLOAD_LENGTH + 1)).getMessage()
            .contains("length > maxValue"));
        assertThrows(IndexOutOfBoundsException.class,
            () -> ping.wrap(small, 0).putPayload(empty, 0, MessageLengths.MAX_PAYLOAD_LENGTH));
        assertThrows(IndexOutOfBoundsException.class,
            () -> reply.wrap(small, 0).putPayload(empty, 0, MessageLengths.MAX_PAYLOAD_LENGTH));
    }

    @Test
    void shouldRefuseARequestOneByteLongerThanFits()
    {
        final int payloadLength = MAX_MESSAGE_LENGTH - MessageLengths.requestLength(1, 0) + 1;
        assertThrows(IllegalArgumentException.class,
            () -> publisher.tryClaim(new RequestEncoder(), MessageLengths.requestLength(1, payloadLength)));
        assertEquals(0, ring.size());
    }

    @Test
    void shouldKeepMessagesInOrderAcrossTheRingsWrapPoint()
    {
        final SensorReadingEncoder encoder = new SensorReadingEncoder();
        final long[] next = new long[1];
        dispatcher.register(new SensorReadingDecoder(), (reading) -> assertEquals(next[0]++, reading.sensorId()));

        long sent = 0;
        for (int round = 0; round < 10_000; round++)
        {
            final int offset = publisher.tryClaim(encoder, MessageLengths.SENSOR_READING_LENGTH);
            if (offset > 0)
            {
                encoder.sensorId(sent++).timestampNs(round).value(round).unit(Unit.NONE).quality(Quality.GOOD);
                publisher.commit();
            }
            else
            {
                assertEquals(Ring.INSUFFICIENT_CAPACITY, offset);
                assertTrue(ring.read(dispatcher, 100) > 0);
            }
        }
        while (ring.read(dispatcher, 100) > 0)
        {
            continue;
        }
        assertEquals(sent, next[0]);
        assertTrue(ring.tailPosition() > ring.capacity());
    }

    @Test
    void shouldComputeTheLengthsDocumentedInCodecMd()
    {
        assertEquals(34, MessageLengths.SENSOR_READING_LENGTH);
        assertEquals(32, MessageLengths.HEARTBEAT_LENGTH);
        assertEquals(28 + 26 * 3, MessageLengths.sensorBatchLength(3));
        assertEquals(65534, MessageLengths.MAX_SENSOR_BATCH_READINGS);
        assertEquals(28 + 5, MessageLengths.pingLength(5));
        assertEquals(28 + 5, MessageLengths.pongLength(5));
        assertEquals(22 + 3 + 5, MessageLengths.requestLength(3, 5));
        assertEquals(20 + 5, MessageLengths.replyLength(5));
        assertEquals(-1, MessageLengths.maxSensorBatchReadings(27));
        assertEquals(0, MessageLengths.maxSensorBatchReadings(28));
        assertEquals(65534, MessageLengths.maxSensorBatchReadings(Integer.MAX_VALUE));
        assertThrows(IllegalArgumentException.class, () -> MessageLengths.pingPayloadLength(27));
        assertThrows(IllegalArgumentException.class, () -> MessageLengths.requestLength(65535, 0));
        assertThrows(IllegalArgumentException.class, () -> MessageLengths.replyLength(-1));
    }

    private static byte[] pattern(final int length)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)(i * 31 + 7);
        }
        return bytes;
    }
}
